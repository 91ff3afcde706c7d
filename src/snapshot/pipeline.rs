//! The load pipeline: which passes run after reading, in what order and on
//! which core, and what a load keeps for its caller
//! ([`Reads`]). The passes themselves live in their own modules; this file
//! only orders them, times them ([`StageClock`]) and hands the results to
//! an [`Analysis`].

use std::sync::Arc;
use std::time::Instant;

use fixedbitset::FixedBitSet;

use super::flags::EssentialEdges;
use super::graph::{HeapGraph, NodeIds, RetainerIndex, SharedEdges, Topology};
use super::input::SnapshotInput;
use super::labels::ShedLabels;
use super::meta::Types;
use super::scripts::ScriptNames;
use super::{classes, distances, dom_state, dominators, flags, names, parse, shallow, weakmap};
use super::{
    Analysis, ClassAggregate, ConsParts, DominatorTree, EarlySink, InterfaceDefinition,
    PlainShapes, Progress, ProgressSink, SnapshotError, Stage, Timings,
};

/// What the caller will read of an [`Analysis`]: a load does only that
/// work, and keeps only that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Every view.
    Everything,
    /// Every view but distances (`Analysis::distances` is empty and class
    /// distances unset), e.g. a comparison's JSON and table: one pass
    /// fewer (~0.5 s of CPU and 80 MB at the peak of a 1 GB snapshot).
    AllButDistances,
    /// The Summary's class rows and totals only: what only some passes
    /// read (node ids, detachedness, each node's class and distance, edge
    /// names and types) is dropped after its last reader.
    SummaryRows,
    /// What a comparison reads of its baseline (see
    /// [`Analysis::shed_for_comparison`]): all but distances, and the edge
    /// names and types go once the class passes have kept the plain objects'
    /// property lists (100 MB less at the peak of a 0.6 GB baseline).
    ComparisonBaseline,
    /// What a comparison's JSON and table read of its target (see
    /// [`Analysis::shed_for_holders`]): a baseline's reads, and the
    /// dominators and names its holders show, the cons strings' parts kept
    /// with the property lists.
    ComparisonTarget,
}

impl Reads {
    /// No pass reads node ids after the essential edges.
    fn shed_after_essentials(self, graph: &mut HeapGraph) {
        if self == Reads::SummaryRows {
            graph.node_id = NodeIds::default();
        }
    }

    /// Loads that keep no edges: the retainer index waits until their
    /// labels have gone ([`analyze_rows`]).
    fn is_lean(self) -> bool {
        self == Reads::SummaryRows || self.keeps_shapes()
    }

    /// A comparison's snapshots keep the plain objects' property lists the
    /// class passes make, and the cons strings' parts, instead of their
    /// edges.
    fn keeps_shapes(self) -> bool {
        matches!(self, Reads::ComparisonBaseline | Reads::ComparisonTarget)
    }

    /// Nor each node's class and detachedness after the class passes.
    fn shed_after_class_passes(self, graph: &mut HeapGraph, counts: &mut ClassCounts) {
        if self == Reads::SummaryRows {
            counts.classes = Vec::new();
            graph.detachedness = Vec::new();
        }
    }

    /// The distances of a load that keeps its graph, if read, folded into
    /// the class rows.
    fn distances(
        self,
        graph: &HeapGraph,
        weakmaps: &weakmap::WeakMapEdges,
        counts: &mut ClassCounts,
    ) -> Result<Option<Vec<i32>>, SnapshotError> {
        if self != Reads::Everything {
            return Ok(None);
        }
        let distances = distances_of(graph, weakmaps)?;
        classes::add_distances(&mut counts.aggregates, &distances);
        Ok(Some(distances))
    }

    /// Nor, once the distance filter is made, the edge names and types,
    /// strings, node names and locations (the rows have their names and
    /// scripts), handed back to be freed where a core has time for it
    /// (freeing their 0.4 GB takes ~30 ms).
    fn take_after_filter(self, graph: &mut HeapGraph) -> Shed {
        let mut shed = self.take_edge_labels(graph);
        if self == Reads::SummaryRows {
            shed.hold(std::mem::take(&mut graph.strings));
            shed.hold(std::mem::take(&mut graph.node_name));
            shed.hold(std::mem::take(&mut graph.locations));
        }
        shed
    }

    /// Nor edge names and types once the class passes (and the distance
    /// filter) have read them: the distances and dominators read neither.
    fn take_edge_labels(self, graph: &mut HeapGraph) -> Shed {
        let mut shed = Shed::default();
        if self.is_lean() {
            shed.hold(std::mem::take(&mut graph.edge_name));
            shed.hold(std::mem::take(&mut graph.edge_type));
        }
        shed
    }
}

/// Arrays a load has done with, not freed yet.
#[derive(Default)]
struct Shed(Vec<Box<dyn std::any::Any + Send>>);

impl Shed {
    fn hold(&mut self, done_with: impl std::any::Any + Send) {
        self.0.push(Box::new(done_with));
    }
}

/// What runs after reading.
pub(super) enum Pipeline<'a> {
    Headless(Reads),
    /// Everything, the Summary's counts to the sink first (a UI).
    Early(EarlySink<'a>),
}

/// A plain file's long strings stay in it (see `strings`). Reading's
/// progress counts the file's own bytes, which its size measures.
pub(super) fn load_input(
    input: SnapshotInput,
    progress: ProgressSink<'_>,
    pipeline: Pipeline<'_>,
) -> Result<Analysis, SnapshotError> {
    let (reader, file_read, backing) = input.into_parts()?;
    let mut progress_in_file = |report: Progress| {
        progress(match report.stage {
            Stage::Read => Progress {
                bytes_read: file_read.get(),
                ..report
            },
            _ => report,
        })
    };
    analyze_backed(reader, backing, &mut progress_in_file, pipeline)
}

/// [`analyze_reader`] where `backing`, if any, is the file `reader` reads.
pub(super) fn analyze_backed(
    reader: impl std::io::Read,
    backing: Option<Arc<std::fs::File>>,
    progress: ProgressSink<'_>,
    pipeline: Pipeline<'_>,
) -> Result<Analysis, SnapshotError> {
    if let Pipeline::Headless(reads) = pipeline {
        if !reads.is_lean() {
            let (graph, index, timings) = read_beside(reader, backing, progress, EdgeIndex::build)?;
            return analyze_indexed(graph, index, timings, progress, reads);
        }
    }
    let (graph, marks, timings) = read_beside(reader, backing, progress, EdgeMarks::build)?;
    match pipeline {
        Pipeline::Headless(reads) => analyze_rows(graph, marks, timings, progress, reads),
        Pipeline::Early(early) => analyze_early(graph, marks, timings, progress, early),
    }
}

/// Reads the graph while `beside` works over its edge topology on another
/// core: the edges come before the strings, which this one reads meanwhile.
fn read_beside<T: Send>(
    reader: impl std::io::Read,
    backing: Option<Arc<std::fs::File>>,
    progress: ProgressSink<'_>,
    beside: fn(&SharedEdges, &Types) -> Result<T, SnapshotError>,
) -> Result<(HeapGraph, T, Timings), SnapshotError> {
    let started = Instant::now();
    std::thread::scope(|scope| {
        let mut working = None;
        let graph = parse::parse_snapshot_with(
            reader,
            backing,
            &mut |bytes_read| {
                progress(Progress {
                    stage: Stage::Read,
                    bytes_read,
                })
            },
            &mut |shared, layout| {
                let (shared, types) = (shared.clone(), layout.types.clone());
                // Without a thread (none to be had in little memory) the
                // work is done after reading.
                let thread = std::thread::Builder::new().name("heaplens-edges".into());
                working = thread
                    .spawn_scoped(scope, move || beside(&shared, &types))
                    .ok();
            },
        )?;
        let mut timings = Timings::default();
        timings.record(Stage::Read, started.elapsed());
        let done = match working {
            Some(handle) => join(handle),
            None => beside(&graph.shared_edges(), &graph.layout.types),
        }?;
        Ok((graph, done, timings))
    })
}

/// What a summary's reading marks instead of building the retainer index:
/// the nodes the root's shortcuts own and the edges essential by their
/// types and ends (the index waits until the edge names have gone).
struct EdgeMarks {
    shortcut_owned: Vec<bool>,
    by_edge: FixedBitSet,
}

impl EdgeMarks {
    fn build(shared: &SharedEdges, types: &Types) -> Result<EdgeMarks, SnapshotError> {
        room_for(shared.first_edge.len(), "the essential edges")?;
        let shortcut_owned = flags::shortcut_owned(shared, types);
        let by_edge = flags::essential_by_ends(shared, types, &shortcut_owned);
        Ok(EdgeMarks {
            shortcut_owned,
            by_edge,
        })
    }

    /// The essential edges of `graph` (see [`EdgeIndex::complete`]).
    fn complete(self, graph: &HeapGraph, weakmaps: &weakmap::WeakMapEdges) -> FixedBitSet {
        let EdgeMarks {
            shortcut_owned: mut owned,
            mut by_edge,
        } = self;
        if flags::add_dom_tree_owners(graph, &mut owned) {
            return flags::essential_edges(graph, &owned, weakmaps);
        }
        flags::unmark_weakmap_table_edges(&mut by_edge, graph, weakmaps);
        by_edge
    }
}

/// What the edge topology alone gives: the retainer index, the nodes the
/// root's shortcuts own, and the edges essential by their types and ends.
struct EdgeIndex {
    retainers: RetainerIndex,
    shortcut_owned: Vec<bool>,
    essential: EssentialEdges,
}

impl EdgeIndex {
    /// Marks the essential edges as the index is built, in the same walk
    /// (the dominators' own walk for them took 0.20–0.28 s of a 1 GB
    /// snapshot; this runs beside the strings, which take longer).
    fn build(shared: &SharedEdges, types: &Types) -> Result<EdgeIndex, SnapshotError> {
        // The shortcut marks, a bool a node (the index's own arrays fail
        // by themselves).
        room_for(shared.first_edge.len(), "the retainer index")?;
        let shortcut_owned = flags::shortcut_owned(shared, types);
        let (edge_to, edge_type) = (&shared.edge_to, &shared.edge_type);
        let mut essential = EssentialEdges::with_capacity(edge_to.len());
        let retainers = RetainerIndex::build(&shared.first_edge, edge_to, |slot, from, e| {
            let (to, root) = (edge_to[e], shared.root);
            if flags::is_essential_by_ends(from, to, edge_type[e], root, &shortcut_owned, types) {
                essential.by_edge.insert(e);
                essential.by_slot.insert(slot);
            }
        })?;
        Ok(EdgeIndex {
            retainers,
            shortcut_owned,
            essential,
        })
    }

    /// The retainer index and the essential edges of `graph`: old Blink's
    /// DOM trees own more nodes, which takes every edge again; otherwise
    /// only the WeakMap tables' edges come out.
    fn complete(
        self,
        graph: &HeapGraph,
        weakmaps: &weakmap::WeakMapEdges,
    ) -> (RetainerIndex, EssentialEdges) {
        let EdgeIndex {
            retainers,
            shortcut_owned: mut owned,
            mut essential,
        } = self;
        if flags::add_dom_tree_owners(graph, &mut owned) {
            essential = EssentialEdges::of(graph, &retainers, &owned, weakmaps);
        } else {
            essential.drop_weakmap_table_edges(graph, &retainers, weakmaps);
        }
        (retainers, essential)
    }
}

/// Times stages and reports each finished one as the start of the next.
struct StageClock {
    started: Instant,
    /// The stages run beside another thread's longer one (no wall time).
    beside: bool,
}

impl StageClock {
    fn start(beside: bool) -> StageClock {
        StageClock {
            started: Instant::now(),
            beside,
        }
    }

    fn done(
        &mut self,
        stage: Stage,
        timings: &mut Timings,
        progress: ProgressSink<'_>,
    ) -> Result<(), SnapshotError> {
        timings.record_as(stage, self.started.elapsed(), self.beside);
        self.started = Instant::now();
        if self.beside {
            // The stage on the other thread is what progress reports.
            return Ok(());
        }
        // Distances run beside the dominators: the stage after those is
        // the class retained sizes.
        let next = Stage::ALL
            .iter()
            .skip_while(|&&s| s != stage)
            .find(|&&s| s != stage && s != Stage::Distances)
            .copied()
            .unwrap_or(stage);
        let going_on = progress(Progress {
            stage: next,
            bytes_read: 0,
        });
        if going_on {
            Ok(())
        } else {
            Err(SnapshotError::Cancelled)
        }
    }
}

/// A full load ([`Reads::Everything`] or [`Reads::AllButDistances`]): the
/// retainer index comes from reading, and the dominators run beside the
/// class passes and the distances.
fn analyze_indexed(
    mut graph: HeapGraph,
    index: EdgeIndex,
    mut timings: Timings,
    progress: ProgressSink<'_>,
    reads: Reads,
) -> Result<Analysis, SnapshotError> {
    let mut clock = StageClock::start(false);
    let (retainers, weakmaps, essential) =
        essentials(&mut graph, index, &mut timings, &mut clock, progress)?;
    let (first_edge, edge_to) = (Arc::clone(&graph.first_edge), Arc::clone(&graph.edge_to));
    let topology = retainers.topology(&first_edge, &edge_to, graph.root);
    let (immediate, classes_and_distances) = dominators_beside(&topology, &essential, || {
        let mut beside = StageClock::start(true);
        let graph = &mut graph;
        classes_and_distances(graph, &weakmaps, &mut timings, &mut beside, progress, reads)
    });
    let (counts, distances) = classes_and_distances?;
    let analysed = Analysed {
        counts,
        distances: distances.unwrap_or_default(),
        retainers,
        immediate: immediate?,
    };
    analysed.conclude(graph, timings, clock, progress)
}

/// The loads that keep no edges ([`Reads::SummaryRows`], a comparison's
/// baseline and target), side by side in less memory: the retainer
/// index (182 MB of a 1 GB snapshot) is built only after the class passes,
/// which run on both cores, and after the edge names and types (and for
/// the rows, strings and node names: a further 0.2 GB) have gone; the
/// dominators' search from the
/// root runs beside it, and their other passes beside the distances. The
/// dominators' arrays never meet the class passes' (1.00 GB snapshot: a
/// peak of 0.84 GB where reading the index beside the strings and the
/// dominators beside the class passes peaked at 1.09 GB, in the same time).
fn analyze_rows(
    mut graph: HeapGraph,
    marks: EdgeMarks,
    mut timings: Timings,
    progress: ProgressSink<'_>,
    reads: Reads,
) -> Result<Analysis, SnapshotError> {
    let mut clock = StageClock::start(false);
    let (weakmaps, by_edge) =
        marked_essentials(&mut graph, marks, &mut timings, &mut clock, progress)?;
    reads.shed_after_essentials(&mut graph);
    let no_early: EarlySink<'_> = &mut |_| true;
    let mut counts = count_classes(
        &mut graph,
        &mut timings,
        &mut clock,
        progress,
        no_early,
        true,
        reads,
    )?;
    reads.shed_after_class_passes(&mut graph, &mut counts);
    let filter = match reads {
        Reads::SummaryRows => Some(distance_filter(&graph, &weakmaps)?),
        _ => None,
    };
    let shed = (weakmaps, reads.take_after_filter(&mut graph));
    // After the shed: no edge types kept alive here.
    let shared = graph.shared_edges();
    let successors = dominators::Successors::of_shared(&shared);
    let (search, retainers, essential) = search_beside_index(&successors, by_edge, shed)?;
    let (immediate, distances) =
        numbered_dominators(search, retainers, essential, &successors, || {
            // Folded into the classes here, where a core has time for it,
            // and the per-node distances freed before the dominators end.
            let started = Instant::now();
            let by_node = distances::compute_distances(&graph, &filter?);
            let by_class = classes::class_distances(&counts.aggregates, &by_node);
            Some((by_class, started.elapsed()))
        });
    // Only the dominator tree and the self sizes are read from here on.
    if let Some((by_class, took)) = distances {
        classes::set_distances(&mut counts.aggregates, &by_class);
        timings.record_as(Stage::Distances, took, true);
    }
    let analysed = Analysed {
        counts,
        distances: Vec::new(),
        retainers: RetainerIndex::default(),
        immediate: immediate?,
    };
    analysed.conclude(graph, timings, clock, progress)
}

/// The WeakMap tables and the essential edges, from what reading marked.
fn marked_essentials(
    graph: &mut HeapGraph,
    marks: EdgeMarks,
    timings: &mut Timings,
    clock: &mut StageClock,
    progress: ProgressSink<'_>,
) -> Result<(weakmap::WeakMapEdges, FixedBitSet), SnapshotError> {
    let weakmaps = weakmap_edges(graph);
    let by_edge = marks.complete(graph, &weakmaps);
    clock.done(Stage::Retainers, timings, progress)?;
    Ok((weakmaps, by_edge))
}

/// The dominators' search from the root beside the retainer index (with
/// its essential slots); `done_with` is freed first on the search's core.
fn search_beside_index(
    successors: &dominators::Successors<'_>,
    by_edge: FixedBitSet,
    done_with: impl Send,
) -> Result<(dominators::RootSearch, RetainerIndex, EssentialEdges), SnapshotError> {
    let (search, index) = rayon::join(
        || {
            // The search is the shorter of the two, and starts first: what
            // it frees is gone before the index grows.
            drop(done_with);
            dominators::RootSearch::run(successors, &by_edge)
        },
        || retainers_marking(successors.first_edge, successors.edge_to, &by_edge),
    );
    let (retainers, by_slot) = index?;
    Ok((search?, retainers, EssentialEdges { by_edge, by_slot }))
}

/// The immediate dominators over the retainer index, numbered for them
/// on both cores first (the semidominators then look up no number: 1 GB
/// snapshot, wall ratio 0.978 over 10 paired runs) and gone with them;
/// `beside` runs on the other core meanwhile.
fn numbered_dominators<T: Send>(
    search: dominators::RootSearch,
    retainers: RetainerIndex,
    essential: EssentialEdges,
    successors: &dominators::Successors<'_>,
    beside: impl FnOnce() -> T + Send,
) -> (Result<dominators::ImmediateDominators, SnapshotError>, T) {
    let (first_edge, edge_to) = (successors.first_edge, successors.edge_to);
    let topology = retainers.topology(first_edge, edge_to, successors.root);
    let adopted = search.adopt(&topology, &essential);
    let retainers = retainers.into_numbered(adopted.numbers(), &essential.by_slot);
    drop(essential);
    rayon::join(|| adopted.finish_numbered(&retainers, successors), beside)
}

/// The retainer index, with the slots of the essential edges `by_edge`.
fn retainers_marking(
    first_edge: &[u32],
    edge_to: &[u32],
    by_edge: &FixedBitSet,
) -> Result<(RetainerIndex, FixedBitSet), SnapshotError> {
    let mut by_slot = FixedBitSet::with_capacity(edge_to.len());
    let retainers = RetainerIndex::build(first_edge, edge_to, |slot, _, e| {
        if by_edge[e] {
            by_slot.insert(slot);
        }
    })?;
    Ok((retainers, by_slot))
}

/// What a full load starts with: the retainer index, the WeakMap entries
/// and the essential edges.
fn essentials(
    graph: &mut HeapGraph,
    index: EdgeIndex,
    timings: &mut Timings,
    clock: &mut StageClock,
    progress: ProgressSink<'_>,
) -> Result<(RetainerIndex, weakmap::WeakMapEdges, EssentialEdges), SnapshotError> {
    let weakmaps = weakmap_edges(graph);
    let (retainers, essential) = index.complete(graph, &weakmaps);
    clock.done(Stage::Retainers, timings, progress)?;
    Ok((retainers, weakmaps, essential))
}

/// The class passes, then the distances if read, for a load that keeps its
/// graph ([`Reads::Everything`], [`Reads::AllButDistances`]).
fn classes_and_distances(
    graph: &mut HeapGraph,
    weakmaps: &weakmap::WeakMapEdges,
    timings: &mut Timings,
    clock: &mut StageClock,
    progress: ProgressSink<'_>,
    reads: Reads,
) -> Result<(ClassCounts, Option<Vec<i32>>), SnapshotError> {
    let no_early: EarlySink<'_> = &mut |_| true;
    let mut counts = count_classes(graph, timings, clock, progress, no_early, false, reads)?;
    let distances = reads.distances(graph, weakmaps, &mut counts)?;
    if distances.is_some() {
        clock.done(Stage::Distances, timings, progress)?;
    }
    Ok((counts, distances))
}

/// The passes' results before the dominator tree.
struct Analysed {
    counts: ClassCounts,
    distances: Vec<i32>,
    retainers: RetainerIndex,
    immediate: dominators::ImmediateDominators,
}

impl Analysed {
    /// The dominator tree and the class retained sizes: the Analysis.
    fn conclude(
        self,
        mut graph: HeapGraph,
        mut timings: Timings,
        mut clock: StageClock,
        progress: ProgressSink<'_>,
    ) -> Result<Analysis, SnapshotError> {
        graph.set_retainers(self.retainers);
        let dominators = self.immediate.into_tree(&graph)?;
        clock.done(Stage::Dominators, &mut timings, progress)?;
        conclude(
            graph,
            self.counts,
            self.distances,
            dominators,
            timings,
            clock,
        )
    }
}

/// Asks for `bytes` on this thread and gives them back, so that a pass
/// whose arrays `vec!` makes (which aborts, without a file name, when it
/// cannot allocate) fails in one line instead. Asked for on the thread
/// that then allocates them, from the same free memory; untouched, the
/// pages never become resident.
fn room_for(bytes: usize, what: &str) -> Result<(), SnapshotError> {
    Vec::<u8>::new()
        .try_reserve_exact(bytes)
        .map_err(|_| SnapshotError::out_of_memory(bytes, what))
}

/// The distances, when their arrays (a distance and a queue slot a node)
/// can be had.
fn distances_of(
    graph: &HeapGraph,
    weakmaps: &weakmap::WeakMapEdges,
) -> Result<Vec<i32>, SnapshotError> {
    let filter = distance_filter(graph, weakmaps)?;
    Ok(distances::compute_distances(graph, &filter))
}

/// The distances' edge filter, once the arrays of the distances can be
/// had.
fn distance_filter(
    graph: &HeapGraph,
    weakmaps: &weakmap::WeakMapEdges,
) -> Result<distances::DistanceFilter, SnapshotError> {
    room_for(8 * graph.node_count(), "computing distances")?;
    Ok(distances::DistanceFilter::of(graph, weakmaps))
}

/// The WeakMap entry names the parser found, taken out of the graph: the
/// passes that read them get them from here on.
fn weakmap_edges(graph: &mut HeapGraph) -> weakmap::WeakMapEdges {
    std::mem::take(&mut graph.weakmaps)
}

/// The dominators on another thread, beside `work` on this one: on two
/// cores it keeps one busy.
fn dominators_beside<R>(
    topology: &Topology<'_>,
    essential: &EssentialEdges,
    work: impl FnOnce() -> R,
) -> (Result<dominators::ImmediateDominators, SnapshotError>, R) {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().name("heaplens-dominators".into());
        let spawned = thread.spawn_scoped(scope, || {
            dominators::immediate_dominators(topology, essential)
        });
        let done = work();
        let dominators = match spawned {
            Ok(dominators) => join(dominators),
            // No thread to be had (little memory): one after the other.
            Err(_) => dominators::immediate_dominators(topology, essential),
        };
        (dominators, done)
    })
}

/// A scoped thread's result; its panic goes on in this thread.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The TUI's load, everything kept: the Summary's counts go to `early` as
/// soon as the class passes end (reading marks the essential edges
/// instead of indexing retainers, as for [`analyze_rows`]); then the
/// retainer index beside the search from the root, and the rest of the
/// dominators beside the distances.
fn analyze_early(
    mut graph: HeapGraph,
    marks: EdgeMarks,
    mut timings: Timings,
    progress: ProgressSink<'_>,
    early: EarlySink<'_>,
) -> Result<Analysis, SnapshotError> {
    let mut clock = StageClock::start(false);
    let (weakmaps, by_edge) =
        marked_essentials(&mut graph, marks, &mut timings, &mut clock, progress)?;
    let reads = Reads::Everything;
    let counts = count_classes(
        &mut graph,
        &mut timings,
        &mut clock,
        progress,
        early,
        true,
        reads,
    )?;
    let filter = distance_filter(&graph, &weakmaps)?;
    // No pass reads the labels of a plain file until the dominators end:
    // the edge names stay in it, the others are read again after.
    let (labels, shed_labels) = ShedLabels::shed(&mut graph).unzip();
    let shared = graph.shared_edges();
    let successors = dominators::Successors::of_shared(&shared);
    let shed = (weakmaps, shed_labels);
    let (search, retainers, essential) = search_beside_index(&successors, by_edge, shed)?;
    // The distances wait for the semidominators' arrays to go (57 MB of a
    // 1 GB snapshot less at the peak): beside them, the names' checkpoints.
    let (immediate, names_on_disk) =
        numbered_dominators(search, retainers, essential, &successors, || {
            labels.as_ref().map(|l| l.edge_names_on_disk(&graph))
        });
    if let Some(names) = names_on_disk {
        graph.names_on_disk = Some(Arc::new(names?));
    }
    let tree = immediate?.into_tree(&graph)?;
    clock.done(Stage::Dominators, &mut timings, progress)?;
    let mut analysis = conclude(graph, counts, Vec::new(), tree, timings, clock)?;
    // Read by the class retained sizes; the views find a node's children
    // in the dominators instead.
    analysis.dominators.shed_child_lists();
    distances_beside_labels(&mut analysis, labels, filter)?;
    Ok(analysis)
}

/// The distances beside the labels' second read, both once the
/// dominators' arrays are gone (0.25 GB of a 1 GB snapshot less at the
/// peak); the filter stays for "Ignore this retainer".
fn distances_beside_labels(
    analysis: &mut Analysis,
    labels: Option<ShedLabels>,
    filter: distances::DistanceFilter,
) -> Result<(), SnapshotError> {
    let graph = &analysis.graph;
    let (read_back, (distances, took)) = rayon::join(
        || labels.as_ref().map(|labels| labels.read_back(graph)),
        || {
            let started = Instant::now();
            (
                distances::compute_distances(graph, &filter),
                started.elapsed(),
            )
        },
    );
    if let (Some(labels), Some(read)) = (labels, read_back) {
        labels.put_back(read?, &mut analysis.graph);
    }
    classes::add_distances(&mut analysis.aggregates, &distances);
    analysis.timings.record_as(Stage::Distances, took, true);
    analysis.distances = distances;
    analysis.distance_filter = Some(Arc::new(filter));
    Ok(())
}

/// What the first passes give: each node's class and the class counts.
#[derive(Debug)]
struct ClassCounts {
    classes: Vec<u32>,
    interfaces: Vec<InterfaceDefinition>,
    /// Aggregates by internal class key (before public keys merge).
    aggregates: Vec<ClassAggregate>,
    /// Plain objects' property lists and cons strings' parts, when the
    /// edges will not stay.
    kept_shapes: Option<PlainShapes>,
    kept_cons: Option<ConsParts>,
    /// Named here, before the edge names may go.
    scripts: ScriptNames,
}

/// DOM state, shallow sizes, class names and counts (§2 steps 1–4, 9),
/// then the early Summary, then the script names (the edge names they
/// follow may go after the class passes). With `both_cores`, shallow sizes and class names
/// run side by side: both only read the graph (on the TUI's schedule the
/// other core is free then).
fn count_classes(
    graph: &mut HeapGraph,
    timings: &mut Timings,
    clock: &mut StageClock,
    progress: ProgressSink<'_>,
    early: EarlySink<'_>,
    both_cores: bool,
    reads: Reads,
) -> Result<ClassCounts, SnapshotError> {
    dom_state::propagate_dom_state(graph);
    clock.done(Stage::DomState, timings, progress)?;
    let view: &HeapGraph = graph;
    let names = || class_names(view, reads.keeps_shapes());
    let (owners, named) = if both_cores {
        rayon::join(|| shallow::owners(view), names)
    } else {
        let owners = shallow::owners(view);
        clock.done(Stage::ShallowSizes, timings, progress)?;
        (owners, names())
    };
    let (interner, classes, interfaces, kept_shapes) = named?;
    if let Some(owners) = owners {
        shallow::move_sizes(graph, &owners);
    }
    interner.append_to(graph);
    if both_cores {
        clock.done(Stage::ShallowSizes, timings, progress)?;
    }
    clock.done(Stage::ClassNames, timings, progress)?;
    let aggregates =
        classes::try_build_aggregates(graph, &classes, &|c| graph.strings.get(c), &|_| true)?;
    clock.done(Stage::Aggregates, timings, progress)?;
    if !early(early_summary(&aggregates)) {
        return Err(SnapshotError::Cancelled);
    }
    let scripts = ScriptNames::of(graph);
    let kept_cons = reads.keeps_shapes().then(|| ConsParts::of(graph));
    clock.done(Stage::ScriptNames, timings, progress)?;
    Ok(ClassCounts {
        classes,
        interfaces,
        aggregates,
        kept_shapes,
        kept_cons,
        scripts,
    })
}

/// Each node's class (string indexes, some of names still to append), the
/// `{a, b}` interfaces (§5), and the plain objects' property lists if
/// `keep_shapes`: otherwise they are dropped before the peak of the load
/// (25 MB of a 1 GB snapshot).
fn class_names(graph: &HeapGraph, keep_shapes: bool) -> Result<ClassNames, SnapshotError> {
    let mut interner = names::Interner::new(graph);
    let base_classes = names::base_class_names(graph, &mut interner)?;
    let shapes = PlainShapes::of(graph);
    let interfaces = names::infer_interfaces(graph, &shapes);
    let interface_classes: Vec<u32> = interfaces
        .iter()
        .map(|d| interner.intern(&d.name))
        .collect();
    let classes = names::apply_interfaces(
        graph,
        &shapes,
        base_classes,
        &interfaces,
        &interface_classes,
    );
    Ok((interner, classes, interfaces, keep_shapes.then_some(shapes)))
}

/// What [`class_names`] gives.
type ClassNames = (
    names::Interner,
    Vec<u32>,
    Vec<InterfaceDefinition>,
    Option<PlainShapes>,
);

/// Summary rows with counts and shallow sizes only (retained sizes 0,
/// distances unknown), without instance lists.
fn early_summary(aggregates: &[ClassAggregate]) -> Vec<ClassAggregate> {
    classes::merge_public_keys(classes::without_instances(aggregates))
}

/// Class retained sizes, then the Analysis (§2 step 10); the class
/// distances are in `counts` already.
fn conclude(
    graph: HeapGraph,
    counts: ClassCounts,
    distances: Vec<i32>,
    dominators: DominatorTree,
    mut timings: Timings,
    clock: StageClock,
) -> Result<Analysis, SnapshotError> {
    let ClassCounts {
        classes,
        interfaces,
        mut aggregates,
        kept_shapes,
        kept_cons,
        scripts,
    } = counts;
    let node_class = classes::try_node_classes(&aggregates, graph.node_count())?;
    let root = graph.root;
    classes::try_add_class_retained_sizes(&mut aggregates, &node_class, &dominators, root)?;
    let aggregates = classes::merge_public_keys(aggregates);
    timings.record_as(Stage::ClassRetained, clock.started.elapsed(), false);
    Ok(Analysis {
        graph,
        distances,
        dominators,
        classes,
        interfaces,
        kept_shapes,
        kept_cons,
        aggregates,
        scripts,
        timings,
        distance_filter: None,
    })
}

/// DevTools' load pipeline over a parsed graph, everything side by side.
pub(super) fn analyze_graph(
    graph: HeapGraph,
    timings: Timings,
    progress: ProgressSink<'_>,
) -> Result<Analysis, SnapshotError> {
    let index = EdgeIndex::build(&graph.shared_edges(), &graph.layout.types)?;
    analyze_indexed(graph, index, timings, progress, Reads::Everything)
}

#[cfg(test)]
mod essential_tests {
    use std::path::Path;

    use super::*;

    /// The essential edges marked while the index is built (or marked
    /// alone, for the lean loads), then completed, are those computed from
    /// scratch: the same edges, and by retainer slot as many per source and
    /// target. The fixtures have a WeakMap
    /// table (the demo) and old Blink's DOM trees (Chrome 2017).
    #[test]
    fn marking_while_indexing_gives_the_essential_edges() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut tables_seen = 0;
        for file in [
            "demo/after.heapsnapshot.gz",
            "real/chrome2017-stefanpenner.heapsnapshot.gz",
            "real/chromium156-chat-after.heapsnapshot.gz",
            "real/deno2.9.heapsnapshot.gz",
            "real/node8-alinode-devtoolx.heapsnapshot.gz",
            "tiny/tiny-detached-dom.heapsnapshot",
        ] {
            let input = SnapshotInput::open(&fixtures.join(file)).expect(file);
            let (reader, _, _) = input.into_parts().expect(file);
            let mut graph = parse::parse_snapshot(reader, &mut |_| true).expect(file);
            let index = EdgeIndex::build(&graph.shared_edges(), &graph.layout.types).expect(file);
            let weakmaps = weakmap_edges(&mut graph);
            tables_seen += weakmaps.table_ids().len();
            let expected = flags::essential_edges(&graph, &flags::page_owned(&graph), &weakmaps);
            let marks = EdgeMarks::build(&graph.shared_edges(), &graph.layout.types).expect(file);
            assert_eq!(marks.complete(&graph, &weakmaps), expected, "{file}: marks");
            let (retainers, essential) = index.complete(&graph, &weakmaps);
            assert_eq!(essential.by_edge, expected, "{file}");
            let topology = retainers.topology(&graph.first_edge, &graph.edge_to, graph.root);
            let expected_slots = topology.by_retainer_slot(&expected);
            for n in 0..graph.node_count() as u32 {
                let slots: Vec<usize> = topology.retainers(n).collect();
                for run in
                    slots.chunk_by(|&a, &b| topology.retainer_node[a] == topology.retainer_node[b])
                {
                    let count =
                        |set: &fixedbitset::FixedBitSet| run.iter().filter(|&&s| set[s]).count();
                    assert_eq!(
                        count(&essential.by_slot),
                        count(&expected_slots),
                        "{file} @{n}"
                    );
                }
            }
        }
        assert!(tables_seen > 0, "some fixture has a WeakMap table");
    }
}
