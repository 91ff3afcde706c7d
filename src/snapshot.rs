//! The headless engine: parse → graph → DevTools' analysis passes.
//!
//! Nothing in here knows about terminals; the CLI, the TUI's loader thread,
//! the tests and the benchmarks all call [`load`] (or, wanting the class
//! counts early, [`load_with_early`]) the same way. A load runs its passes
//! on scoped threads of its own where they are independent. Every pass replicates Chrome DevTools'
//! `HeapSnapshot.ts` (`docs/heapsnapshot-semantics.md` in `shared/`, cited
//! as §N), so the numbers match the Memory panel exactly.

pub mod class_rows;
pub mod classes;
pub mod distances;
pub mod dom_state;
pub mod dominators;
pub mod edge_names;
pub mod error;
pub mod flags;
pub mod graph;
pub mod index;
pub mod input;
mod labels;
pub mod meta;
pub mod names;
pub mod parse;
mod pipeline;
pub mod progress;
pub mod scripts;
pub mod shallow;
pub mod source;
pub mod strings;
pub mod views;
pub mod weakmap;
// Leak-hunting views (issue 6): pure functions of analysed snapshots.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

pub use classes::ClassAggregate;
use distances::DistanceFilter;
pub use dominators::DominatorTree;
pub use error::SnapshotError;
pub use graph::HeapGraph;
pub use input::SnapshotInput;
pub use names::{ConsParts, InterfaceDefinition, PlainShapes};
use pipeline::Pipeline;
pub use pipeline::Reads;
pub use progress::{Progress, ProgressSink, Stage, Timings};
pub use scripts::ScriptNames;

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
    /// Plain objects' property lists and cons strings' parts, kept when
    /// the edges are shed.
    kept_shapes: Option<PlainShapes>,
    kept_cons: Option<ConsParts>,
    /// Summary rows in first-seen order (one per public class key).
    pub aggregates: Vec<ClassAggregate>,
    /// Names of the scripts the class locations point into.
    pub scripts: ScriptNames,
    pub timings: Timings,
    /// The distances' edge filter, kept by the TUI's load (whose edge
    /// names may be on disk): "Ignore this retainer" reads it instead of
    /// deciding every edge again.
    pub distance_filter: Option<Arc<DistanceFilter>>,
}

/// Opens, reads and analyses the snapshot at `path` (gzip or plain; `-`
/// is standard input).
pub fn load(path: &Path, progress: ProgressSink<'_>) -> Result<Analysis, SnapshotError> {
    let input = SnapshotInput::open(path)?;
    load_for(input, progress, Reads::Everything)
}

/// Receives the early Summary rows (counts and shallow sizes, no retained
/// sizes or distances yet); returning false cancels the load.
pub type EarlySink<'a> = &'a mut dyn FnMut(Vec<ClassAggregate>) -> bool;

/// Like [`load`], and hands the Summary rows to `early` as soon as class
/// counts and shallow sizes are known.
pub fn load_with_early(
    input: SnapshotInput,
    progress: ProgressSink<'_>,
    early: EarlySink<'_>,
) -> Result<Analysis, SnapshotError> {
    pipeline::load_input(input, progress, Pipeline::Early(early))
}

/// [`load`] for a caller that `reads` only some of the Analysis.
pub fn load_for(
    input: SnapshotInput,
    progress: ProgressSink<'_>,
    reads: Reads,
) -> Result<Analysis, SnapshotError> {
    pipeline::load_input(input, progress, Pipeline::Headless(reads))
}

/// Reads and analyses a snapshot from any byte source, with an early
/// Summary to `early` if given.
pub fn analyze_reader(
    reader: impl std::io::Read,
    progress: ProgressSink<'_>,
    early: Option<EarlySink<'_>>,
) -> Result<Analysis, SnapshotError> {
    let everything = Pipeline::Headless(Reads::Everything);
    let pipeline = early.map_or(everything, Pipeline::Early);
    pipeline::analyze_backed(reader, None, progress, pipeline)
}

/// Runs DevTools' load pipeline (§2) over a parsed graph, for when nobody
/// waits for an early Summary: the dominators, which keep one core busy,
/// runs beside the class passes and the distances instead of after them.
pub fn analyze(
    graph: HeapGraph,
    timings: Timings,
    progress: ProgressSink<'_>,
) -> Result<Analysis, SnapshotError> {
    pipeline::analyze_graph(graph, timings, progress)
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
        self.shed_for_holders();
        self.dominators.idom = Vec::new();
    }

    /// Drops what a comparison's target does not read: what a baseline
    /// does not, but for the immediate dominators, which find the holders
    /// of its classes' instances (their labels come from the kept property
    /// lists and cons strings' parts).
    pub fn shed_for_holders(&mut self) {
        // An index's baseline comes without edges (and with its shapes).
        let has_edges = !self.graph.first_edge.is_empty();
        if has_edges && self.kept_shapes.is_none() {
            self.kept_shapes = Some(PlainShapes::of(&self.graph));
        }
        if has_edges && self.kept_cons.is_none() {
            self.kept_cons = Some(ConsParts::of(&self.graph));
        }
        let graph = &mut self.graph;
        graph.first_edge = Arc::default();
        graph.edge_type = Arc::default();
        graph.edge_to = Arc::default();
        graph.edge_name = Vec::new();
        graph.first_retainer = Vec::new();
        graph.retainer_node = Vec::new();
        self.distances = Vec::new();
        self.dominators.shed_child_lists();
    }

    /// Names as [`names::display_name`] gives them, from what was kept of
    /// the edges once they are shed.
    pub fn labels(&self) -> names::Labels<'_> {
        names::Labels {
            graph: &self.graph,
            shapes: self.kept_shapes.as_ref(),
            cons: self.kept_cons.as_ref(),
        }
    }
}
#[cfg(test)]
pub mod test_snapshot;

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
            // Which nodes dominate others (the lists themselves follow
            // from `idom`; the TUI's load sheds them).
            (0..a.graph.node_count() as u32)
                .map(|n| u64::from(tree.has_children(n)))
                .collect(),
        ];
        (rows, per_node)
    }

    /// The TUI's load keeps no retainer index nor dominated lists and,
    /// from a plain file, no edge names: its views find the retainers,
    /// labels, children, statistics and "Ignore this retainer" distances
    /// of the full load.
    #[test]
    fn the_tuis_load_answers_as_the_full_load() {
        use std::io::{Read, Write};

        use views::allocation::filtered_summary;
        use views::leaks::PathFinder;
        use views::retainers::IgnoredRetainers;
        use views::statistics::statistics;

        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        for file in [
            "demo/after.heapsnapshot.gz",
            "real/chromium156-chat-after.heapsnapshot.gz",
            "real/deno2.9.heapsnapshot.gz",
            "real/node8-alinode-devtoolx.heapsnapshot.gz",
        ] {
            let gzip = std::fs::File::open(fixtures.join(file)).expect(file);
            let mut json = Vec::new();
            let mut inflated = flate2::read::GzDecoder::new(gzip);
            inflated.read_to_end(&mut json).expect(file);
            let mut plain = tempfile::NamedTempFile::new().expect("temp file");
            plain.write_all(&json).expect("written");
            let full = load(plain.path(), &mut |_| true).expect(file);
            let input = SnapshotInput::open(plain.path()).expect(file);
            let tui = load_with_early(input, &mut |_| true, &mut |_| true).expect(file);
            assert!(full.graph.has_retainer_index(), "{file}");
            assert!(!tui.graph.has_retainer_index(), "{file}");
            assert!(tui.graph.edge_name.is_empty(), "{file}");
            assert!(tui.dominators.children.is_empty(), "{file}");
            // The labels shed for the dominators' time are read back as
            // the load left them (renamed `Detached` nodes, added names).
            let (g, h) = (&full.graph, &tui.graph);
            assert_eq!(g.node_name, h.node_name, "{file}");
            assert_eq!(g.node_id, h.node_id, "{file}");
            let located = |g: &HeapGraph| g.locations.iter().collect::<Vec<_>>();
            assert_eq!(located(g), located(h), "{file}");
            assert_eq!(g.strings.len(), h.strings.len(), "{file}");
            for i in 0..g.strings.len() as u32 {
                assert_eq!(g.strings.get(i), h.strings.get(i), "{file} string {i}");
            }
            let view = |a: &Analysis, n: u32| {
                let rows: Vec<(String, u32)> = a
                    .retainers(n)
                    .iter()
                    .map(|r| (a.edge_label(r.edge), r.from))
                    .collect();
                (rows, a.has_retainers(n))
            };
            let count = full.graph.node_count() as u32;
            let step = (count / 300).max(1) as usize;
            let mut ignorable = Vec::new();
            for n in (0..count).step_by(step) {
                let expected = view(&full, n);
                assert_eq!(expected, view(&tui, n), "{file} {n}");
                assert_eq!(tui.retainer_count(n), expected.0.len(), "{file} {n}");
                let children = |a: &Analysis| a.dominators.children_of(n).to_vec();
                assert_eq!(children(&full), children(&tui), "{file} {n}");
                ignorable.extend(expected.0.first().map(|&(_, from)| from));
            }
            assert_eq!(statistics(&full), statistics(&tui), "{file}");
            // The walks over every node: leak paths found level by level,
            // a filtered Summary's retained sizes over lists made again.
            let sample: Vec<u32> = (0..count).step_by(step).collect();
            let (mut by_index, mut by_pass) = (PathFinder::new(&full), PathFinder::new(&tui));
            by_pass.prefetch(&sample);
            for &n in &sample {
                assert_eq!(
                    by_index.shortest_path(n),
                    by_pass.shortest_path(n),
                    "{file} {n}"
                );
            }
            let odd = |n: u32| n % 2 == 1;
            let rows = |a: &Analysis| {
                let summary = filtered_summary(a, &odd);
                let rows = summary.aggregates.iter();
                let rows: Vec<_> = rows
                    .map(|c| (c.key.clone(), c.count, c.retained_size))
                    .collect();
                (rows, summary.counted)
            };
            assert_eq!(rows(&full), rows(&tui), "{file}");
            // What a comparison reads of it: its plain objects' shapes.
            assert!(full.plain_shapes() == tui.plain_shapes(), "{file}");
            for &n in ignorable.iter().step_by(ignorable.len() / 5 + 1) {
                let (a, b) = (
                    IgnoredRetainers::new(&full, vec![n]),
                    IgnoredRetainers::new(&tui, vec![n]),
                );
                assert!(a.parts() == b.parts(), "{file} ignoring {n}");
            }
        }
    }

    /// The TUI's schedule (early Summary first) and the headless one
    /// (dominators beside the class passes) give the same analysis, and the
    /// early rows the same counts and shallow sizes; for the Summary's rows
    /// (the retainer index after the class passes) the same rows and
    /// totals, without distances the same but for them, and as a
    /// comparison's baseline the same rows and property lists.
    #[test]
    fn every_schedule_gives_the_same_analysis() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut with_scripts = 0;
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
            with_scripts += usize::from(!throughput.scripts.is_empty());
            let mut early_rows = Vec::new();
            let early = load_with_early(
                SnapshotInput::open(&path).expect(file),
                &mut |_| true,
                &mut |rows| {
                    early_rows = rows;
                    true
                },
            )
            .expect(file);
            assert_eq!(numbers(&throughput), numbers(&early), "{file}");
            assert_eq!(throughput.scripts, early.scripts, "{file}");
            let counts = |rows: &[ClassAggregate]| -> Vec<(String, u64, u64)> {
                rows.iter()
                    .map(|c| (c.key.clone(), c.count, c.self_size))
                    .collect()
            };
            assert_eq!(counts(&early_rows), counts(&early.aggregates), "{file}");
            let load = |reads| {
                load_for(
                    SnapshotInput::open(&path).expect(file),
                    &mut |_| true,
                    reads,
                )
            };
            let rows_only = load(Reads::SummaryRows).expect(file);
            assert_eq!(numbers(&throughput).0, numbers(&rows_only).0, "{file}");
            assert_eq!(
                summary_totals(&throughput),
                summary_totals(&rows_only),
                "{file}"
            );
            assert_eq!(
                throughput.scripts, rows_only.scripts,
                "{file}: scripts named before the edge names go"
            );
            let unmeasured = load(Reads::AllButDistances).expect(file);
            assert!(unmeasured.distances.is_empty(), "{file}");
            assert_eq!(
                but_distances(&throughput),
                but_distances(&unmeasured),
                "{file}"
            );
            let mut baseline = load(Reads::ComparisonBaseline).expect(file);
            assert!(baseline.graph.edge_name.is_empty(), "{file}");
            baseline.shed_for_comparison();
            assert_eq!(baseline.scripts, throughput.scripts, "{file}");
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
            let mut target = load(Reads::ComparisonTarget).expect(file);
            target.shed_for_holders();
            assert!(target.graph.edge_to.is_empty(), "{file}");
            assert_eq!(rows(&target), rows(&throughput), "{file}");
            assert_eq!(target.dominators.idom, throughput.dominators.idom);
            assert_eq!(target.dominators.retained, throughput.dominators.retained);
            let labels = |a: &Analysis| -> Vec<String> {
                (0..a.graph.node_count() as u32)
                    .map(|n| a.object_label(n))
                    .collect()
            };
            assert_eq!(
                labels(&target),
                labels(&throughput),
                "{file}: labels from the kept property lists and cons strings' parts"
            );
        }
        assert_eq!(with_scripts, 3, "the demo, Chromium and Deno name scripts");
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
        let duplicates = super::views::duplicates::duplicated_strings;
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
        let statistics = format!("{:?}", super::views::statistics::statistics(&analysis));
        assert_eq!(strings.read_back_count(), 0);
        let in_memory = analyze_reader(json.as_bytes(), &mut |_| true, None).expect("loads");
        let same = format!("{:?}", super::views::statistics::statistics(&in_memory));
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
