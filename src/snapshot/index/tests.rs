//! An analysis written to an index and read back is the analysis loaded
//! from the snapshot, for every `Need`; an index is refused for another
//! snapshot and when damaged.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::snapshot::schedule_tests::numbers;
use crate::snapshot::test_snapshot::TestSnapshot;
use crate::snapshot::views::diff::{compare, compare_sides};
use crate::snapshot::views::growth::{add_baseline_retained, holders, HOLDERS_PER_CLASS};
use crate::snapshot::{load, SnapshotInput};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// `snapshot` loaded, indexed into `dir` and the index opened.
fn indexed(snapshot: &Path, dir: &Path) -> (Analysis, IndexFile) {
    let analysis = load(snapshot, &mut |_| true).expect("loads");
    let identity = SnapshotIdentity::of(snapshot).expect("identity");
    let output = dir.join("index.hlx");
    write_index(&analysis, identity, snapshot, &output).expect("written");
    (analysis, IndexFile::open(&output).expect("opens"))
}

/// The plain file's backing for its long strings, as the commands give it.
fn backing(snapshot: &Path) -> Option<Arc<File>> {
    let input = SnapshotInput::open(snapshot).expect("opens");
    match input.is_gzip() {
        true => None,
        false => input.into_parts().expect("parts").2,
    }
}

/// Every string, node id, edge, retainer and location of the graph.
fn graph_parts(a: &Analysis) -> Vec<String> {
    let g = &a.graph;
    let strings: Vec<&str> = (0..g.strings.len() as u32)
        .map(|i| g.strings.get(i))
        .collect();
    vec![
        format!("{strings:?}"),
        format!("{:?}", g.node_id.iter().collect::<Vec<_>>()),
        format!("{:?} {:?} {:?}", g.node_type, g.node_name, g.self_size),
        format!("{:?}", g.detachedness),
        format!("{:?} {:?}", g.first_edge, g.edge_to),
        format!("{:?} {:?}", g.edge_type, g.edge_name),
        format!("{:?} {:?}", g.first_retainer, g.retainer_node),
        format!("{:?}", g.locations.iter().collect::<Vec<_>>()),
        format!("{:?}", a.interfaces),
        format!("{:?}", g.layout),
        format!("{} {}", g.root, g.extra_native_bytes),
    ]
}

/// The parts of two graphs are equal, named by position when one is not
/// (they are too long to print).
fn same_graph(read: &Analysis, loaded: &Analysis, file: &str) {
    let (read, loaded) = (graph_parts(read), graph_parts(loaded));
    for (i, (r, l)) in read.iter().zip(&loaded).enumerate() {
        assert!(r == l, "{file}: graph part {i} differs");
    }
}

#[test]
fn everything_reads_back_as_loaded() {
    for file in [
        "demo/after.heapsnapshot.gz",
        "real/chromium156-chat-after.heapsnapshot.gz",
        "real/deno2.9.heapsnapshot.gz",
        "real/node8-alinode-devtoolx.heapsnapshot.gz",
        "tiny/tiny-detached-dom.heapsnapshot",
        "tiny/tiny-class-locations.heapsnapshot",
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let snapshot = fixture(file);
        let (loaded, index) = indexed(&snapshot, dir.path());
        let read = index
            .load(Need::Everything, backing(&snapshot))
            .expect(file);
        assert_eq!(numbers(&read), numbers(&loaded), "{file}");
        same_graph(&read, &loaded, file);
        assert_eq!(read.scripts, loaded.scripts, "{file}");
        assert_eq!(
            format!("{:?}", read.plain_shapes()),
            format!("{:?}", loaded.plain_shapes()),
            "{file}"
        );
        let rows = index.class_rows().expect(file);
        assert_eq!(rows.totals, Totals::of(&loaded), "{file}");
        let expected = ClassRows::of(&loaded);
        assert_eq!(
            format!("{:?}", rows.aggregates),
            format!("{:?}", expected.aggregates),
            "{file}"
        );
        assert_eq!(rows.scripts, expected.scripts, "{file}");
        let baseline = index
            .load(Need::ComparisonBaseline, backing(&snapshot))
            .expect(file);
        assert_eq!(
            format!("{:?}", baseline.plain_shapes()),
            format!("{:?}", loaded.plain_shapes()),
            "{file}: the baseline's property lists"
        );
        assert!(baseline.graph.edge_to.is_empty(), "{file}: no edges read");
    }
}

use crate::snapshot::class_rows::{ClassRows, Totals};

/// A plain file's long strings stay in it: the index keeps their places
/// and reads them back from the snapshot, as a load does.
#[test]
fn long_strings_are_read_back_from_the_snapshot() {
    let mut s = TestSnapshot::new();
    let long = format!("two\nlines \"quoted\" {}", "y".repeat(80));
    let n = s.node("string", &long, 3, 32);
    s.edge(0, "element", "1", n);
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("long.heapsnapshot");
    std::fs::File::create(&snapshot)
        .and_then(|mut f| f.write_all(s.json().as_bytes()))
        .expect("written");
    let (loaded, index) = indexed(&snapshot, dir.path());
    assert_eq!(loaded.graph.strings.on_disk_count(), 1);
    let read = index
        .load(Need::Everything, backing(&snapshot))
        .expect("reads");
    assert_eq!(read.graph.strings.on_disk_count(), 1);
    same_graph(&read, &loaded, "long strings");
    assert!(read.graph.strings.indexes_of(&long).len() == 1);
}

#[test]
fn an_index_of_another_snapshot_is_named_by_what_differs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, index) = indexed(&fixture("tiny/tiny-dominators.heapsnapshot"), dir.path());
    let other = SnapshotIdentity::of(&fixture("tiny/tiny-distances.heapsnapshot")).expect("id");
    assert!(matches!(
        index.mismatch(&other),
        Some(Mismatch::Size { .. })
    ));
    let same = index.identity();
    let touched = SnapshotIdentity {
        mtime_ns: same.mtime_ns + 1,
        ..same
    };
    assert_eq!(index.mismatch(&touched), Some(Mismatch::Modified));
    let rewritten = SnapshotIdentity {
        head_hash: !same.head_hash,
        ..touched
    };
    assert_eq!(index.mismatch(&rewritten), Some(Mismatch::Header));
    assert_eq!(index.mismatch(&same), None);
}

/// A section whose bytes pass their checksum but do not fit the rest
/// (a hand-made index) is refused, not read past.
#[test]
fn sections_that_do_not_fit_are_refused() {
    let snapshot = fixture("tiny/tiny-dominators.heapsnapshot");
    let mut wrong = load(&snapshot, &mut |_| true).expect("loads");
    let first_edge = Arc::make_mut(&mut wrong.graph.first_edge);
    first_edge.swap(1, 2);
    if first_edge[1] == first_edge[2] {
        first_edge[1] += 1;
    }
    assert_eq!(
        refusal_of(&wrong, &snapshot),
        "damaged: its first_edge section does not fit"
    );
}

/// An edge to a node that is not there (a hand-made index whose checksums
/// hold) is refused rather than followed.
#[test]
fn references_past_the_nodes_are_refused() {
    let snapshot = fixture("tiny/tiny-dominators.heapsnapshot");
    let mut wrong = load(&snapshot, &mut |_| true).expect("loads");
    let nodes = wrong.graph.node_count() as u32;
    Arc::make_mut(&mut wrong.graph.edge_to)[0] = nodes;
    assert_eq!(
        refusal_of(&wrong, &snapshot),
        "damaged: its edge_to section names what is not there"
    );
}

/// Why an index written from `analysis` (of `snapshot`) is refused.
fn refusal_of(analysis: &Analysis, snapshot: &Path) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dir.path().join("wrong.hlx");
    let identity = SnapshotIdentity::of(snapshot).expect("identity");
    write_index(analysis, identity, snapshot, &output).expect("written");
    let index = IndexFile::open(&output).expect("opens");
    let error = index.load(Need::Everything, None).expect_err("refused");
    error.to_string()
}

/// Two snapshots loaded, and their indexes read for a comparison: whether
/// the baseline's comparison sections serve, and what is read of each.
fn compared_pair(old: &str, new: &str) -> ([Analysis; 2], bool, [ComparedIndex; 2]) {
    let dirs = [(); 2].map(|()| tempfile::tempdir().expect("temp dir"));
    let (base, base_index) = indexed(&fixture(old), dirs[0].path());
    let (target, target_index) = indexed(&fixture(new), dirs[1].path());
    let head = |index: &IndexFile| index.comparison_head().expect("the small sections");
    let [base_head, target_head] = [head(&base_index), head(&target_index)];
    let serves = base_head.serves_as_baseline_of(&target_head, HOLDERS_PER_CLASS);
    let read = |index: &IndexFile, head, role| index.compared(head, role).expect("the columns");
    let indexes = [
        read(&base_index, base_head, Role::Baseline),
        read(&target_index, target_head, Role::Target),
    ];
    ([base, target], serves, indexes)
}

/// A comparison of two indexes' comparison sections is the comparison of
/// the snapshots loaded: each row with its new and deleted objects, and
/// each row's holders with their sizes in the baseline.
#[test]
fn comparisons_read_back_as_computed() {
    for [old, new] in [
        ["three/s1.heapsnapshot.gz", "three/s2.heapsnapshot.gz"],
        ["three/s2.heapsnapshot.gz", "three/s3.heapsnapshot.gz"],
        // Ids past 32 bits.
        [
            "bigids/julia-style.heapsnapshot",
            "bigids/julia-style-after.heapsnapshot",
        ],
    ] {
        let ([base, target], serves, [base_index, target_index]) = compared_pair(old, new);
        assert!(serves, "{old}: the same interfaces");
        let sides = [
            base_index.side(Role::Baseline).expect("baseline"),
            target_index.side(Role::Target).expect("target"),
        ];
        let expected = compare(&base, &target);
        assert!(!expected.is_empty(), "{new}: a comparison with rows");
        let read = compare_sides(&sides[0], &sides[1]);
        assert_eq!(format!("{read:?}"), format!("{expected:?}"), "{new}");
        for diff in &expected {
            let key = &diff.key;
            let mut read = target_index.holders(key, HOLDERS_PER_CLASS);
            add_baseline_retained(&mut read, &base_index.node_id, &base_index.retained);
            let expected = holders(&base, &target, key, HOLDERS_PER_CLASS);
            assert_eq!(read, expected, "{new}: {key}");
        }
    }
}

/// A baseline whose `{a, b}` interfaces are not the target's is classified
/// again by the target's: its index's rows do not serve.
#[test]
fn a_baseline_of_other_interfaces_does_not_serve() {
    let ([base, target], serves, _) = compared_pair(
        "demo/baseline.heapsnapshot.gz",
        "demo/after.heapsnapshot.gz",
    );
    assert_ne!(base.interfaces, target.interfaces);
    assert!(!serves);
}
