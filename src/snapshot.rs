//! The headless engine: parse → graph → DevTools' analysis passes.
//!
//! Nothing in here knows about terminals, threads or channels; the CLI, the
//! TUI's loader thread, the tests and the benchmarks all call [`load`] or
//! [`analyze`] the same way. Every pass replicates Chrome DevTools'
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
pub mod statistics;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

pub use classes::ClassAggregate;
pub use dominators::DominatorTree;
pub use error::SnapshotError;
pub use graph::HeapGraph;
use graph::RetainerIndex;
pub use names::InterfaceDefinition;
pub use progress::{Progress, ProgressSink, Stage, Timings};

/// A fully analysed snapshot. Immutable once built.
#[derive(Debug)]
pub struct Analysis {
    pub graph: HeapGraph,
    /// Distance per node (§3): -5 unreachable, ≥ 100000000 system-only.
    pub distances: Vec<i32>,
    pub dominators: DominatorTree,
    /// Class string index per node, as the Summary groups it.
    pub classes: Vec<u32>,
    pub interfaces: Vec<InterfaceDefinition>,
    /// Summary rows in first-seen order (one per public class key).
    pub aggregates: Vec<ClassAggregate>,
    pub timings: Timings,
}

/// Reads and analyses the snapshot at `path` (gzip or plain; `-` is stdin).
pub fn load(path: &Path, progress: ProgressSink<'_>) -> Result<Analysis, SnapshotError> {
    load_with_early(path, progress, &mut |_| true)
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
    analyze_reader(source::open(path)?, progress, early)
}

/// Reads and analyses a snapshot from any byte source.
pub fn analyze_reader(
    reader: impl std::io::Read,
    progress: ProgressSink<'_>,
    early: EarlySink<'_>,
) -> Result<Analysis, SnapshotError> {
    let started = Instant::now();
    let graph = parse::parse_snapshot(reader, &mut |bytes_read| {
        progress(Progress {
            stage: Stage::Read,
            bytes_read,
        })
    })?;
    let mut timings = Timings::default();
    timings.record(Stage::Read, started.elapsed());
    prepare(graph, timings, progress, early)?.finish(progress)
}

/// Runs DevTools' load pipeline (§2) over a parsed graph.
pub fn analyze(
    graph: HeapGraph,
    timings: Timings,
    progress: ProgressSink<'_>,
) -> Result<Analysis, SnapshotError> {
    prepare(graph, timings, progress, &mut |_| true)?.finish(progress)
}

/// Times stages and reports each finished one as the start of the next.
struct StageClock {
    started: Instant,
}

impl StageClock {
    fn done(
        &mut self,
        stage: Stage,
        timings: &mut Timings,
        progress: ProgressSink<'_>,
    ) -> Result<(), SnapshotError> {
        timings.record(stage, self.started.elapsed());
        self.started = Instant::now();
        let next = Stage::ALL
            .iter()
            .skip_while(|&&s| s != stage)
            .nth(1)
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

/// The first half of the pipeline: class counts and shallow sizes, which a
/// UI can show while dominators are still being computed.
#[derive(Debug)]
pub struct Prepared {
    graph: HeapGraph,
    weakmaps: weakmap::WeakMapEdges,
    page_owned: Vec<bool>,
    counts: ClassCounts,
    timings: Timings,
}

/// DOM state, shallow sizes, class names and counts, then retainers (§2
/// steps 1–6, 9). The early Summary goes to `early` before the retainers.
pub fn prepare(
    mut graph: HeapGraph,
    mut timings: Timings,
    progress: ProgressSink<'_>,
    early: EarlySink<'_>,
) -> Result<Prepared, SnapshotError> {
    let mut clock = StageClock {
        started: Instant::now(),
    };
    // The retainer index and page ownership need only the edge topology:
    // another thread builds them while this one rewrites names and sizes
    // (0.55 s of a 1 GB snapshot off the critical path).
    let seeds = flags::ownership_seeds(&graph);
    let weak = graph.layout.types.edge_weak;
    let first_edge = Arc::clone(&graph.first_edge);
    let edge_to = Arc::clone(&graph.edge_to);
    let edge_type = Arc::clone(&graph.edge_type);
    let (counts, topology) = std::thread::scope(|scope| {
        let topology = scope.spawn(move || {
            let retainers = RetainerIndex::build(&first_edge, &edge_to);
            let owned = flags::owned_from(&first_edge, &edge_to, &edge_type, weak, &seeds);
            (retainers, owned)
        });
        let counts = count_classes(&mut graph, &mut timings, &mut clock, progress, early);
        (counts, topology.join())
    });
    let (retainers, page_owned) = topology.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let counts = counts?;
    graph.set_retainers(retainers);
    let weakmaps = weakmap::WeakMapEdges::new(&graph);
    clock.done(Stage::Retainers, &mut timings, progress)?;
    Ok(Prepared {
        graph,
        weakmaps,
        page_owned,
        counts,
        timings,
    })
}

/// What the first passes give: each node's class and the class counts.
#[derive(Debug)]
struct ClassCounts {
    classes: Vec<u32>,
    interfaces: Vec<InterfaceDefinition>,
    /// Aggregates by internal class key (before public keys merge).
    aggregates: Vec<ClassAggregate>,
}

/// DOM state, shallow sizes, class names and counts (§2 steps 1–4, 9),
/// then the early Summary.
fn count_classes(
    graph: &mut HeapGraph,
    timings: &mut Timings,
    clock: &mut StageClock,
    progress: ProgressSink<'_>,
    early: EarlySink<'_>,
) -> Result<ClassCounts, SnapshotError> {
    dom_state::propagate_dom_state(graph);
    clock.done(Stage::DomState, timings, progress)?;
    shallow::attribute_shallow_sizes(graph);
    clock.done(Stage::ShallowSizes, timings, progress)?;
    let mut interner = names::Interner::default();
    let base_classes = names::base_class_names(graph, &mut interner);
    let interfaces = names::infer_interfaces(graph);
    let interface_classes: Vec<u32> = interfaces
        .iter()
        .map(|d| interner.intern(graph, &d.name))
        .collect();
    let classes = names::apply_interfaces(graph, base_classes, &interfaces, &interface_classes);
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
    })
}

/// Summary rows with counts and shallow sizes only (retained sizes 0,
/// distances unknown), without instance lists.
fn early_summary(aggregates: &[ClassAggregate]) -> Vec<ClassAggregate> {
    let rows = aggregates.iter().map(|a| ClassAggregate {
        instances: Vec::new(),
        ..a.clone()
    });
    classes::merge_public_keys(rows.collect())
}

impl Prepared {
    /// Dominators, retained sizes, distances and class totals (§2 steps 5, 7, 8, 10).
    pub fn finish(self, progress: ProgressSink<'_>) -> Result<Analysis, SnapshotError> {
        let Prepared {
            graph,
            weakmaps,
            page_owned,
            counts,
            mut timings,
        } = self;
        let ClassCounts {
            classes,
            interfaces,
            mut aggregates,
        } = counts;
        let mut clock = StageClock {
            started: Instant::now(),
        };
        let essential = flags::essential_edges(&graph, &page_owned, &weakmaps);
        drop(page_owned);
        let essential_took = clock.started.elapsed();
        // Dominators and distances are independent: on two cores the
        // distances (0.4 s of a 1 GB snapshot) hide behind the dominators,
        // and so does the slot index of the essential edges, which the
        // dominators need only after their first depth-first search. A
        // thread of its own, not `rayon::join`: the dominators wait for it.
        let (slots_sent, slots) = std::sync::mpsc::sync_channel(1);
        let ((dominators, dominators_took), (distances, distances_took, node_class)) =
            std::thread::scope(|scope| {
                let side = scope.spawn(|| {
                    // A closed channel only means the dominators are gone.
                    let _ = slots_sent.send(graph.by_retainer_slot(&essential));
                    let started = Instant::now();
                    let distances = distances::compute_distances(&graph, &weakmaps);
                    let took = started.elapsed();
                    let node_class = classes::node_classes(&aggregates, graph.node_count());
                    (distances, took, node_class)
                });
                let started = Instant::now();
                let dominators = dominators::compute_dominators_with(&graph, &essential, || {
                    slots
                        .recv()
                        .unwrap_or_else(|_| graph.by_retainer_slot(&essential))
                });
                let dominators_took = essential_took + started.elapsed();
                let side = side.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
                ((dominators, dominators_took), side)
            });
        timings.record(Stage::Dominators, dominators_took);
        timings.record(Stage::Distances, distances_took);
        clock.started = Instant::now();
        if !progress(Progress {
            stage: Stage::ClassRetained,
            bytes_read: 0,
        }) {
            return Err(SnapshotError::Cancelled);
        }
        classes::add_distances(&mut aggregates, &distances);
        let _counted = classes::add_class_retained_sizes(
            &mut aggregates,
            &node_class,
            &dominators,
            graph.root,
        );
        let aggregates = classes::merge_public_keys(aggregates);
        timings.record(Stage::ClassRetained, clock.started.elapsed());
        Ok(Analysis {
            graph,
            distances,
            dominators,
            classes,
            interfaces,
            aggregates,
            timings,
        })
    }
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

    /// The node with snapshot id `id`.
    pub fn node_by_id(&self, id: u64) -> Option<u32> {
        self.graph
            .node_id
            .iter()
            .position(|&i| u64::from(i) == id)
            .map(|p| p as u32)
    }

    /// Class name of a node, as the Summary shows it.
    pub fn class_name(&self, n: u32) -> &str {
        self.graph.strings.get(self.classes[n as usize])
    }
}
#[cfg(test)]
pub mod test_snapshot;
