//! The headless engine: parse → graph → DevTools' analysis passes.
//!
//! Nothing in here knows about terminals; the CLI, the TUI's loader thread,
//! the tests and the benchmarks all call [`load`] (or, wanting the class
//! counts early, [`load_with_early`]) the same way. A load runs its passes
//! on scoped threads of its own where they are independent. Every pass replicates Chrome DevTools'
//! `HeapSnapshot.ts` (`docs/heapsnapshot-semantics.md` in `shared/`, cited
//! as §N), so the numbers match the Memory panel exactly.

pub mod classes;
pub mod diff;
pub mod distances;
pub mod dom_state;
pub mod dominators;
pub mod error;
pub mod flags;
pub mod graph;
pub mod meta;
pub mod names;
pub mod parse;
pub mod progress;
pub mod retainers;
pub mod shallow;
pub mod source;
pub mod strings;
pub mod tree;
pub mod weakmap;
// Leak-hunting views (issue 6): pure functions of analysed snapshots.
pub mod allocation;
pub mod compat;
pub mod containment;
pub mod duplicates;
pub mod gate;
pub mod growth;
pub mod leaks;
pub mod named_filters;
pub mod statistics;

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

pub use classes::ClassAggregate;
pub use dominators::DominatorTree;
pub use error::SnapshotError;
use flags::EssentialEdges;
pub use graph::HeapGraph;
use graph::{NodeIds, RetainerIndex, Topology};
pub use names::{InterfaceDefinition, PlainShapes};
pub use progress::{Progress, ProgressSink, Stage, Timings};

/// A fully analysed snapshot. Immutable once built, but for a baseline's
/// [`Analysis::shed_for_comparison`]; one loaded for fewer [`Reads`] serves
/// only those.
#[derive(Debug)]
pub struct Analysis {
    pub graph: HeapGraph,
    /// Distance per node (§3): -5 unreachable, ≥ 100000000 system-only.
    pub distances: Vec<i32>,
    pub dominators: DominatorTree,
    /// Class string index per node, as the Summary groups it.
    pub classes: Vec<u32>,
    pub interfaces: Vec<InterfaceDefinition>,
    /// Plain objects' property lists, kept when the edges are shed.
    kept_shapes: Option<PlainShapes>,
    /// Summary rows in first-seen order (one per public class key).
    pub aggregates: Vec<ClassAggregate>,
    pub timings: Timings,
}

/// Reads and analyses the snapshot at `path` (gzip or plain; `-` is stdin).
pub fn load(path: &Path, progress: ProgressSink<'_>) -> Result<Analysis, SnapshotError> {
    load_for(path, progress, Reads::Everything, Schedule::SideBySide)
}

/// Receives the early Summary rows (counts and shallow sizes, no retained
/// sizes or distances yet); returning false cancels the load.
pub type EarlySink<'a> = &'a mut dyn FnMut(Vec<ClassAggregate>) -> bool;

/// Like [`load`], and hands the Summary rows to `early` as soon as class
/// counts and shallow sizes are known.
pub fn load_with_early(
    path: &Path,
    progress: ProgressSink<'_>,
    early: EarlySink<'_>,
) -> Result<Analysis, SnapshotError> {
    load_file(path, progress, Pipeline::Early(early))
}

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
}

impl Reads {
    /// No pass reads node ids after the essential edges.
    fn shed_after_essentials(self, graph: &mut HeapGraph) {
        if self == Reads::SummaryRows {
            graph.node_id = NodeIds::default();
        }
    }

    /// A baseline keeps the plain objects' property lists the class passes
    /// make, instead of its edges.
    fn keeps_shapes(self) -> bool {
        self == Reads::ComparisonBaseline
    }

    /// Nor each node's class and detachedness after the class passes.
    fn shed_after_class_passes(self, graph: &mut HeapGraph, counts: &mut ClassCounts) {
        if self == Reads::SummaryRows {
            counts.classes = Vec::new();
            graph.detachedness = Vec::new();
        }
    }

    /// The distances, if read, folded into the class rows; kept per node
    /// unless only the rows are read.
    fn distances(
        self,
        graph: &HeapGraph,
        weakmaps: &weakmap::WeakMapEdges,
        counts: &mut ClassCounts,
    ) -> Option<Vec<i32>> {
        if matches!(self, Reads::AllButDistances | Reads::ComparisonBaseline) {
            return None;
        }
        let distances = distances::compute_distances(graph, weakmaps);
        classes::add_distances(&mut counts.aggregates, &distances);
        Some(match self {
            Reads::SummaryRows => Vec::new(),
            _ => distances,
        })
    }

    /// Nor edge names and types after the distances: the dominators read
    /// neither.
    fn shed_after_distances(self, graph: &mut HeapGraph) {
        if matches!(self, Reads::SummaryRows | Reads::ComparisonBaseline) {
            graph.edge_name = Vec::new();
            graph.edge_type = Arc::default();
        }
    }
}

/// How the passes after reading share the two cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// The dominators beside the class passes and distances: the fastest.
    SideBySide,
    /// One pass at a time: with [`Reads::SummaryRows`], what a pass drops
    /// is gone before the next allocates, and the peak is the reading's
    /// (1.00 GB snapshot: 0.98 GB, against 1.18 GB side by side), ~0.7 s
    /// slower on two cores.
    OnePassAtATime,
}

/// [`load`] for a caller that `reads` only some of the Analysis, on
/// `schedule`.
pub fn load_for(
    path: &Path,
    progress: ProgressSink<'_>,
    reads: Reads,
    schedule: Schedule,
) -> Result<Analysis, SnapshotError> {
    load_file(path, progress, Pipeline::Headless(reads, schedule))
}

/// What runs after reading.
enum Pipeline<'a> {
    Headless(Reads, Schedule),
    /// Everything side by side; the Summary's counts to the sink first (a
    /// UI).
    Early(EarlySink<'a>),
}

/// A plain file's long strings stay in it (see `strings`). Reading's
/// progress counts the file's own bytes, which its size measures.
fn load_file(
    path: &Path,
    progress: ProgressSink<'_>,
    pipeline: Pipeline<'_>,
) -> Result<Analysis, SnapshotError> {
    let (reader, file_read) = source::open_counted(path)?;
    let mut progress_in_file = |report: Progress| {
        progress(match report.stage {
            Stage::Read => Progress {
                bytes_read: file_read.get(),
                ..report
            },
            _ => report,
        })
    };
    analyze_backed(
        reader,
        source::backing_file(path),
        &mut progress_in_file,
        pipeline,
    )
}

/// Reads and analyses a snapshot from any byte source, with an early
/// Summary to `early` if given.
pub fn analyze_reader(
    reader: impl std::io::Read,
    progress: ProgressSink<'_>,
    early: Option<EarlySink<'_>>,
) -> Result<Analysis, SnapshotError> {
    let everything = Pipeline::Headless(Reads::Everything, Schedule::SideBySide);
    let pipeline = early.map_or(everything, Pipeline::Early);
    analyze_backed(reader, None, progress, pipeline)
}

/// [`analyze_reader`] where `backing`, if any, is the file `reader` reads.
fn analyze_backed(
    reader: impl std::io::Read,
    backing: Option<std::fs::File>,
    progress: ProgressSink<'_>,
    pipeline: Pipeline<'_>,
) -> Result<Analysis, SnapshotError> {
    let started = Instant::now();
    std::thread::scope(|scope| {
        // The edges come before the strings: they are indexed on another
        // core while this one reads the rest.
        let mut indexing = None;
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
                indexing = Some(scope.spawn(move || EdgeIndex::build(&shared, &types)));
            },
        )?;
        let mut timings = Timings::default();
        timings.record(Stage::Read, started.elapsed());
        let index = match indexing {
            Some(handle) => join(handle),
            None => EdgeIndex::build(&graph.shared_edges(), &graph.layout.types),
        };
        match pipeline {
            Pipeline::Headless(reads, Schedule::SideBySide) => {
                analyze_indexed(graph, index, timings, progress, reads)
            }
            Pipeline::Headless(reads, Schedule::OnePassAtATime) => {
                analyze_one_pass_at_a_time(graph, index, timings, progress, reads)
            }
            Pipeline::Early(early) => analyze_early(graph, index, timings, progress, early),
        }
    })
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
    fn build(shared: &graph::SharedEdges, types: &meta::Types) -> EdgeIndex {
        let shortcut_owned = flags::shortcut_owned(shared, types);
        let (edge_to, edge_type) = (&shared.edge_to, &shared.edge_type);
        let mut essential = EssentialEdges::with_capacity(edge_to.len());
        let retainers = RetainerIndex::build(&shared.first_edge, edge_to, |slot, from, e| {
            let (to, root) = (edge_to[e], shared.root);
            if flags::is_essential_by_ends(from, to, edge_type[e], root, &shortcut_owned, types) {
                essential.by_edge.insert(e);
                essential.by_slot.insert(slot);
            }
        });
        EdgeIndex {
            retainers,
            shortcut_owned,
            essential,
        }
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

/// Runs DevTools' load pipeline (§2) over a parsed graph, for when nobody
/// waits for an early Summary: the dominators, which keep one core busy,
/// runs beside the class passes and the distances instead of after them.
pub fn analyze(
    graph: HeapGraph,
    timings: Timings,
    progress: ProgressSink<'_>,
) -> Result<Analysis, SnapshotError> {
    let index = EdgeIndex::build(&graph.shared_edges(), &graph.layout.types);
    analyze_indexed(graph, index, timings, progress, Reads::Everything)
}

fn analyze_indexed(
    mut graph: HeapGraph,
    index: EdgeIndex,
    mut timings: Timings,
    progress: ProgressSink<'_>,
    reads: Reads,
) -> Result<Analysis, SnapshotError> {
    let mut clock = StageClock::start(false);
    let (retainers, weakmaps, essential) =
        essentials(&mut graph, index, reads, &mut timings, &mut clock, progress)?;
    let (first_edge, edge_to) = (Arc::clone(&graph.first_edge), Arc::clone(&graph.edge_to));
    let topology = retainers.topology(&first_edge, &edge_to, graph.root);
    let (immediate, classes_and_distances) = dominators_beside(&topology, &essential, || {
        let mut beside = StageClock::start(true);
        let passes = Passes {
            reads,
            progress,
            both_cores: false,
        };
        passes.classes_and_distances(&mut graph, &weakmaps, &mut timings, &mut beside)
    });
    let (counts, distances) = classes_and_distances?;
    let analysed = Analysed {
        counts,
        distances: distances.unwrap_or_default(),
        retainers,
        immediate,
    };
    analysed.conclude(graph, timings, clock, progress)
}

/// [`analyze_indexed`] one pass at a time ([`Schedule::OnePassAtATime`]).
fn analyze_one_pass_at_a_time(
    mut graph: HeapGraph,
    index: EdgeIndex,
    mut timings: Timings,
    progress: ProgressSink<'_>,
    reads: Reads,
) -> Result<Analysis, SnapshotError> {
    let mut clock = StageClock::start(false);
    let (retainers, weakmaps, essential) =
        essentials(&mut graph, index, reads, &mut timings, &mut clock, progress)?;
    let passes = Passes {
        reads,
        progress,
        both_cores: true,
    };
    let (counts, distances) =
        passes.classes_and_distances(&mut graph, &weakmaps, &mut timings, &mut clock)?;
    let (first_edge, edge_to) = (Arc::clone(&graph.first_edge), Arc::clone(&graph.edge_to));
    let topology = retainers.topology(&first_edge, &edge_to, graph.root);
    let immediate = dominators::immediate_dominators(&topology, &essential);
    let analysed = Analysed {
        counts,
        distances: distances.unwrap_or_default(),
        retainers,
        immediate,
    };
    analysed.conclude(graph, timings, clock, progress)
}

/// What the headless pipelines start with: the retainer index, the WeakMap
/// entries and the essential edges, then what `reads` drops after them.
fn essentials(
    graph: &mut HeapGraph,
    index: EdgeIndex,
    reads: Reads,
    timings: &mut Timings,
    clock: &mut StageClock,
    progress: ProgressSink<'_>,
) -> Result<(RetainerIndex, weakmap::WeakMapEdges, EssentialEdges), SnapshotError> {
    let weakmaps = weakmap_edges(graph);
    let (retainers, essential) = index.complete(graph, &weakmaps);
    clock.done(Stage::Retainers, timings, progress)?;
    reads.shed_after_essentials(graph);
    Ok((retainers, weakmaps, essential))
}

/// How the headless pipelines run the class passes and the distances.
struct Passes<'p> {
    reads: Reads,
    progress: ProgressSink<'p>,
    /// Shallow sizes and class names side by side (nothing else runs).
    both_cores: bool,
}

impl Passes<'_> {
    /// The class passes, then the distances if read, each followed by what
    /// `reads` drops after it.
    fn classes_and_distances(
        self,
        graph: &mut HeapGraph,
        weakmaps: &weakmap::WeakMapEdges,
        timings: &mut Timings,
        clock: &mut StageClock,
    ) -> Result<(ClassCounts, Option<Vec<i32>>), SnapshotError> {
        let Passes {
            reads,
            progress,
            both_cores,
        } = self;
        let no_early: EarlySink<'_> = &mut |_| true;
        let mut counts =
            count_classes(graph, timings, clock, progress, no_early, both_cores, reads)?;
        reads.shed_after_class_passes(graph, &mut counts);
        let distances = reads.distances(graph, weakmaps, &mut counts);
        if distances.is_some() {
            clock.done(Stage::Distances, timings, progress)?;
        }
        reads.shed_after_distances(graph);
        Ok((counts, distances))
    }
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
        let dominators = self.immediate.into_tree(&graph);
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
) -> (dominators::ImmediateDominators, R) {
    std::thread::scope(|scope| {
        let dominators = scope.spawn(|| dominators::immediate_dominators(topology, essential));
        let done = work();
        (join(dominators), done)
    })
}

/// A scoped thread's result; its panic goes on in this thread.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The pipeline for a UI (§2): DOM state, shallow sizes, class names and
/// counts first, so that `early` gets the Summary's counts and shallow
/// sizes while the rest runs; then the WeakMap names, and dominators with
/// the distances beside them. The retainer index comes from reading.
fn analyze_early(
    mut graph: HeapGraph,
    index: EdgeIndex,
    mut timings: Timings,
    progress: ProgressSink<'_>,
    early: EarlySink<'_>,
) -> Result<Analysis, SnapshotError> {
    let mut clock = StageClock::start(false);
    let reads = Reads::Everything;
    let mut counts = count_classes(
        &mut graph,
        &mut timings,
        &mut clock,
        progress,
        early,
        true,
        reads,
    )?;
    let weakmaps = weakmap_edges(&mut graph);
    let (retainers, essential) = index.complete(&graph, &weakmaps);
    graph.set_retainers(retainers);
    clock.done(Stage::Retainers, &mut timings, progress)?;
    // The distances (0.4 s of a 1 GB snapshot) hide behind the dominators.
    let (immediate, (distances, distances_took)) =
        dominators_beside(&graph.topology(), &essential, || {
            let started = Instant::now();
            let distances = distances::compute_distances(&graph, &weakmaps);
            (distances, started.elapsed())
        });
    classes::add_distances(&mut counts.aggregates, &distances);
    let dominators = immediate.into_tree(&graph);
    clock.done(Stage::Dominators, &mut timings, progress)?;
    timings.record_as(Stage::Distances, distances_took, true);
    conclude(graph, counts, distances, dominators, timings, clock)
}

/// What the first passes give: each node's class and the class counts.
#[derive(Debug)]
struct ClassCounts {
    classes: Vec<u32>,
    interfaces: Vec<InterfaceDefinition>,
    /// Aggregates by internal class key (before public keys merge).
    aggregates: Vec<ClassAggregate>,
    /// Plain objects' property lists, when the edges will not stay.
    kept_shapes: Option<PlainShapes>,
}

/// DOM state, shallow sizes, class names and counts (§2 steps 1–4, 9),
/// then the early Summary. With `both_cores`, shallow sizes and class names
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
    let (owners, (interner, classes, interfaces, kept_shapes)) = if both_cores {
        rayon::join(|| shallow::owners(view), names)
    } else {
        let owners = shallow::owners(view);
        clock.done(Stage::ShallowSizes, timings, progress)?;
        (owners, names())
    };
    if let Some(owners) = owners {
        shallow::move_sizes(graph, &owners);
    }
    interner.append_to(graph);
    if both_cores {
        clock.done(Stage::ShallowSizes, timings, progress)?;
    }
    clock.done(Stage::ClassNames, timings, progress)?;
    let aggregates =
        classes::build_aggregates(graph, &classes, &|c| graph.strings.get(c), &|_| true);
    clock.done(Stage::Aggregates, timings, progress)?;
    if !early(early_summary(&aggregates)) {
        return Err(SnapshotError::Cancelled);
    }
    Ok(ClassCounts {
        classes,
        interfaces,
        aggregates,
        kept_shapes,
    })
}

/// Each node's class (string indexes, some of names still to append), the
/// `{a, b}` interfaces (§5), and the plain objects' property lists if
/// `keep_shapes`: otherwise they are dropped before the peak of the load
/// (25 MB of a 1 GB snapshot).
fn class_names(graph: &HeapGraph, keep_shapes: bool) -> ClassNames {
    let mut interner = names::Interner::new(graph);
    let base_classes = names::base_class_names(graph, &mut interner);
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
    (interner, classes, interfaces, keep_shapes.then_some(shapes))
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
    let rows = aggregates.iter().map(|a| ClassAggregate {
        instances: Vec::new(),
        ..a.clone()
    });
    classes::merge_public_keys(rows.collect())
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
    } = counts;
    let node_class = classes::node_classes(&aggregates, graph.node_count());
    let _counted =
        classes::add_class_retained_sizes(&mut aggregates, &node_class, &dominators, graph.root);
    let aggregates = classes::merge_public_keys(aggregates);
    timings.record_as(Stage::ClassRetained, clock.started.elapsed(), false);
    Ok(Analysis {
        graph,
        distances,
        dominators,
        classes,
        interfaces,
        kept_shapes,
        aggregates,
        timings,
    })
}

impl Analysis {
    /// Σ adjusted self sizes (= the root's retained size).
    pub fn total_self_size(&self) -> u64 {
        self.graph.self_size.iter().map(|&s| u64::from(s)).sum()
    }

    /// DevTools' percentage base: root retained + `extra_native_bytes`.
    pub fn total_size(&self) -> u64 {
        self.dominators.retained[self.graph.root as usize] + self.graph.extra_native_bytes
    }

    /// DevTools' order of a list of objects: retained size descending, then id.
    pub fn sort_by_retained_size(&self, nodes: &mut [u32]) {
        let retained = &self.dominators.retained;
        nodes.sort_by(|&a, &b| {
            retained[b as usize]
                .cmp(&retained[a as usize])
                .then(self.graph.id(a).cmp(&self.graph.id(b)))
        });
    }

    /// The node with snapshot id `id`.
    pub fn node_by_id(&self, id: u64) -> Option<u32> {
        self.graph.node_id.position(id)
    }

    /// Class name of a node, as the Summary shows it.
    pub fn class_name(&self, n: u32) -> &str {
        self.graph.strings.get(self.classes[n as usize])
    }

    /// Plain objects' property lists, to classify them with another
    /// snapshot's interfaces.
    pub fn plain_shapes(&self) -> Cow<'_, PlainShapes> {
        match &self.kept_shapes {
            Some(shapes) => Cow::Borrowed(shapes),
            None => Cow::Owned(PlainShapes::of(&self.graph)),
        }
    }

    /// Drops what comparing this snapshot as a baseline does not read:
    /// edges, retainers, distances and the dominator tree's links (retained
    /// sizes, classes, aggregates and the plain objects' property lists
    /// stay). Afterwards it serves only as `diff::compare`'s and
    /// `growth`'s baseline. `diff` loads its baseline first and sheds it,
    /// so the two loads' peaks do not add up.
    pub fn shed_for_comparison(&mut self) {
        if self.kept_shapes.is_none() {
            self.kept_shapes = Some(PlainShapes::of(&self.graph));
        }
        let graph = &mut self.graph;
        graph.first_edge = Arc::default();
        graph.edge_type = Arc::default();
        graph.edge_to = Arc::default();
        graph.edge_name = Vec::new();
        graph.first_retainer = Vec::new();
        graph.retainer_node = Vec::new();
        self.distances = Vec::new();
        self.dominators.idom = Vec::new();
        self.dominators.shed_child_lists();
    }
}
#[cfg(test)]
pub mod test_snapshot;

#[cfg(test)]
mod essential_tests {
    use std::path::Path;

    use super::*;

    /// The essential edges marked while the index is built, then completed,
    /// are those computed from scratch: the same edges, and by retainer
    /// slot as many per source and target. The fixtures have a WeakMap
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
            let reader = source::open(&fixtures.join(file)).expect(file);
            let mut graph = parse::parse_snapshot(reader, &mut |_| true).expect(file);
            let index = EdgeIndex::build(&graph.shared_edges(), &graph.layout.types);
            let weakmaps = weakmap_edges(&mut graph);
            tables_seen += weakmaps.table_ids().len();
            let expected = flags::essential_edges(&graph, &flags::page_owned(&graph), &weakmaps);
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

#[cfg(test)]
mod schedule_tests {
    use std::path::Path;

    use super::*;

    /// Everything a view reads, to compare two analyses: class rows with
    /// their instances, then the per-node arrays.
    pub(super) fn numbers(a: &Analysis) -> (Vec<String>, Vec<Vec<u64>>) {
        let rows = a
            .aggregates
            .iter()
            .map(|c| {
                let sizes = [c.count, c.self_size, c.retained_size, c.distance as u64];
                format!("{} {sizes:?} {:?}", c.key, c.instances)
            })
            .collect();
        let tree = &a.dominators;
        let wide = |v: &[u32]| v.iter().map(|&x| u64::from(x)).collect();
        let per_node = vec![
            wide(&a.classes),
            a.distances.iter().map(|&d| d as u64).collect(),
            wide(&tree.idom),
            tree.retained.clone(),
            wide(&tree.children),
        ];
        (rows, per_node)
    }

    /// The TUI's schedule (early Summary first) and the headless one
    /// (dominators beside the class passes) give the same analysis, and the
    /// early rows the same counts and shallow sizes; one pass at a time the
    /// same analysis; for the Summary's rows, either way, the same rows and
    /// totals, without distances the same but for them, and as a
    /// comparison's baseline the same rows and property lists.
    #[test]
    fn every_schedule_gives_the_same_analysis() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        for file in [
            "demo/after.heapsnapshot.gz",
            "real/chromium156-chat-after.heapsnapshot.gz",
            "real/deno2.9.heapsnapshot.gz",
            "real/node8-alinode-devtoolx.heapsnapshot.gz",
            "tiny/tiny-detached-dom.heapsnapshot",
            "tiny/tiny-no-user-roots.heapsnapshot",
        ] {
            let path = fixtures.join(file);
            let throughput = load(&path, &mut |_| true).expect(file);
            let mut early_rows = Vec::new();
            let early = load_with_early(&path, &mut |_| true, &mut |rows| {
                early_rows = rows;
                true
            })
            .expect(file);
            assert_eq!(numbers(&throughput), numbers(&early), "{file}");
            let counts = |rows: &[ClassAggregate]| -> Vec<(String, u64, u64)> {
                rows.iter()
                    .map(|c| (c.key.clone(), c.count, c.self_size))
                    .collect()
            };
            assert_eq!(counts(&early_rows), counts(&early.aggregates), "{file}");
            let load = |reads, schedule| load_for(&path, &mut |_| true, reads, schedule);
            let sequential = load(Reads::Everything, Schedule::OnePassAtATime).expect(file);
            assert_eq!(numbers(&throughput), numbers(&sequential), "{file}");
            for schedule in [Schedule::SideBySide, Schedule::OnePassAtATime] {
                let rows_only = load(Reads::SummaryRows, schedule).expect(file);
                assert_eq!(numbers(&throughput).0, numbers(&rows_only).0, "{file}");
                assert_eq!(
                    summary_totals(&throughput),
                    summary_totals(&rows_only),
                    "{file}"
                );
                let unmeasured = load(Reads::AllButDistances, schedule).expect(file);
                assert!(unmeasured.distances.is_empty(), "{file}");
                assert_eq!(
                    but_distances(&throughput),
                    but_distances(&unmeasured),
                    "{file}"
                );
                let mut baseline = load(Reads::ComparisonBaseline, schedule).expect(file);
                assert!(baseline.graph.edge_name.is_empty(), "{file}");
                baseline.shed_for_comparison();
                assert_eq!(
                    format!("{:?}", baseline.plain_shapes()),
                    format!("{:?}", throughput.plain_shapes()),
                    "{file}: the property lists kept before the edges went"
                );
                let rows = |a: &Analysis| -> Vec<String> {
                    a.aggregates
                        .iter()
                        .map(|c| {
                            format!(
                                "{} {} {} {:?}",
                                c.key, c.self_size, c.retained_size, c.instances
                            )
                        })
                        .collect()
                };
                assert_eq!(rows(&baseline), rows(&throughput), "{file}");
            }
        }
    }

    /// [`numbers`] but for the distances.
    fn but_distances(a: &Analysis) -> (Vec<String>, Vec<Vec<u64>>) {
        let (_, mut per_node) = numbers(a);
        per_node.remove(1);
        let rows = a
            .aggregates
            .iter()
            .map(|c| {
                let sizes = [c.count, c.self_size, c.retained_size];
                format!("{} {sizes:?} {:?}", c.key, c.instances)
            })
            .collect();
        (rows, per_node)
    }

    /// What a Summary report prints besides its rows.
    fn summary_totals(a: &Analysis) -> [u64; 4] {
        let graph = &a.graph;
        let counts = [graph.node_count(), graph.edge_count()];
        [
            counts[0] as u64,
            counts[1] as u64,
            a.total_size(),
            a.total_self_size(),
        ]
    }
}

#[cfg(test)]
mod on_disk_tests {
    use std::io::Write;

    use super::strings::CHANGED_ON_DISK;
    use super::test_snapshot::TestSnapshot;
    use super::*;

    /// A snapshot whose names include long strings, escaped ones among them.
    fn with_long_strings() -> (TestSnapshot, Vec<String>) {
        let long: Vec<String> = vec![
            "L".repeat(64),
            format!("caf\u{e9} {}", "x".repeat(70)),
            format!("two\nlines\t\"quoted\" {}", "y".repeat(80)),
            "(map descriptors)".to_owned(),
            format!(
                "{} / part of key (K @3) -> value (V @5) pair in WeakMap (table @7)",
                1
            ),
        ];
        let mut s = TestSnapshot::new();
        for (i, name) in long.iter().enumerate() {
            let n = s.node("string", name, 3 + 2 * i as u64, 32);
            s.edge(0, "element", &(i + 1).to_string(), n);
        }
        // A second copy of the first, for the duplicated strings.
        let copy = s.node("string", &long[0], 101, 32);
        s.edge(0, "element", "99", copy);
        (s, long)
    }

    /// That snapshot's JSON, written to a plain file, and its long strings.
    fn written() -> (String, tempfile::NamedTempFile, Vec<String>) {
        let (snapshot, long) = with_long_strings();
        let json = snapshot.json();
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(json.as_bytes()).expect("written");
        (json, file, long)
    }

    /// Long strings of a plain file are read back from it, equal to what
    /// was loaded; a gzip or in-memory source keeps them all.
    #[test]
    fn long_strings_left_on_disk_read_back_the_same() {
        let (json, file, long) = written();
        let from_file = load(file.path(), &mut |_| true).expect("loads");
        let in_memory = analyze_reader(json.as_bytes(), &mut |_| true, None).expect("loads");
        assert_eq!(in_memory.graph.strings.on_disk_count(), 0);
        assert!(from_file.graph.strings.on_disk_count() >= 4);
        let all = |a: &Analysis| -> Vec<String> {
            (0..a.graph.strings.len() as u32)
                .map(|i| a.graph.strings.get(i).to_owned())
                .collect()
        };
        assert_eq!(all(&from_file), all(&in_memory));
        let duplicates = super::duplicates::duplicated_strings;
        let (on_disk, held) = (duplicates(&from_file), duplicates(&in_memory));
        assert_eq!(on_disk, held);
        assert_eq!(on_disk.len(), 1);
        assert_eq!(on_disk[0].value, long[0]);
        for text in &long {
            assert_eq!(from_file.graph.strings.indexes_of(text).len(), 1, "{text}");
        }
    }

    /// Loading and the statistics read no string back from disk, though
    /// WeakMap entry names stay there and name edges of objects both look
    /// at (a plain object and an array used as keys); the numbers are the
    /// ones of an in-memory load.
    #[test]
    fn loading_reads_no_weakmap_name_back() {
        let mut s = TestSnapshot::new();
        let key = s.node("object", "Object", 3, 16);
        let array = s.node("object", "Array", 5, 16);
        let elements = s.node("array", "", 7, 64);
        let table = s.node("array", "system / EphemeronHashTable", 9, 64);
        let value = s.node("object", "Value", 11, 16);
        let other = s.node("object", "Other", 13, 16);
        let entry = |n: u32, k: u64| {
            format!(
                "{n} / part of key (Object @{k}) -> value (Value @11) pair in WeakMap (table @9)"
            )
        };
        for n in [key, array, table, value] {
            s.edge(0, "element", &n.to_string(), n);
        }
        s.edge(key, "internal", &entry(1, 3), value);
        s.edge(key, "property", "size", other);
        s.edge(array, "internal", &entry(2, 5), value);
        s.edge(array, "internal", "elements", elements);
        s.edge(table, "internal", &entry(3, 3), value);
        let json = s.json();
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(json.as_bytes()).expect("written");
        let analysis = load(file.path(), &mut |_| true).expect("loads");
        let strings = &analysis.graph.strings;
        assert_eq!(strings.on_disk_count(), 3, "the three entry names");
        let statistics = format!("{:?}", super::statistics::statistics(&analysis));
        assert_eq!(strings.read_back_count(), 0);
        let in_memory = analyze_reader(json.as_bytes(), &mut |_| true, None).expect("loads");
        let same = format!("{:?}", super::statistics::statistics(&in_memory));
        assert_eq!(statistics, same);
        assert_eq!(
            schedule_tests::numbers(&analysis),
            schedule_tests::numbers(&in_memory)
        );
    }

    /// A file rewritten after loading is noticed, not misread.
    #[test]
    fn a_rewritten_file_gives_a_placeholder_not_other_text() {
        let (json, file, long) = written();
        let analysis = load(file.path(), &mut |_| true).expect("loads");
        let strings = &analysis.graph.strings;
        let read_before = strings.indexes_of(&long[0])[0];
        let changed = json
            .replace(&"L".repeat(64), &"M".repeat(64))
            .replace(&"y".repeat(80), &"z".repeat(80));
        std::fs::write(file.path(), changed).expect("rewritten");
        assert_eq!(strings.get(read_before), long[0], "kept since it was read");
        let read: Vec<&str> = (0..strings.len() as u32).map(|i| strings.get(i)).collect();
        assert!(read.contains(&CHANGED_ON_DISK));
        assert!(!read
            .iter()
            .any(|s| s.contains("MMMM") || s.contains("zzzz")));
    }
}
