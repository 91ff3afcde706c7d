//! Property tests of the whole pipeline on random small graphs: the
//! dominator tree against the textbook definition, retained-size totals,
//! self-comparison, determinism, and a parser that never panics on
//! damaged input.

use fixedbitset::FixedBitSet;
use proptest::prelude::*;

use crate::snapshot::flags;
use crate::snapshot::graph::HeapGraph;
use crate::snapshot::progress::Timings;
use crate::snapshot::test_snapshot::TestSnapshot;
use crate::snapshot::views::diff;
use crate::snapshot::weakmap::{EphemeronName, WeakMapEdges};
use crate::snapshot::{analyze, parse, Analysis};

/// Node types the random graphs draw from (the global is always `object`).
const NODE_TYPES: [&str; 7] = [
    "object",
    "object",
    "hidden",
    "array",
    "closure",
    "string",
    "synthetic",
];
const EDGE_TYPES: [&str; 4] = ["property", "element", "weak", "internal"];
const NAMES: [&str; 4] = ["Alpha", "Beta", "Object", "system / Context"];

/// A random graph: the root (0), a global (1) the root reaches by a
/// shortcut, and up to ten more nodes; edges of random types anywhere.
#[derive(Debug, Clone)]
struct RandomGraph {
    /// (type, name, self size) of nodes 1.. (node 1's type is ignored).
    nodes: Vec<(usize, usize, u32)>,
    /// (from, edge type, to), over all nodes including the root.
    edges: Vec<(usize, usize, usize)>,
}

impl RandomGraph {
    fn snapshot(&self) -> TestSnapshot {
        let mut s = TestSnapshot::new();
        for (i, &(ty, name, size)) in self.nodes.iter().enumerate() {
            let (ty, name) = if i == 0 {
                ("object", "Window")
            } else {
                (NODE_TYPES[ty], NAMES[name])
            };
            s.node(ty, name, 3 + 2 * i as u64, size);
        }
        s.edge(0, "shortcut", "1", 1);
        for (k, &(from, ty, to)) in self.edges.iter().enumerate() {
            let name = if EDGE_TYPES[ty] == "element" {
                k.to_string()
            } else {
                format!("e{k}")
            };
            s.edge(from, EDGE_TYPES[ty], &name, to);
        }
        s
    }

    fn self_size_total(&self) -> u64 {
        self.nodes.iter().map(|&(_, _, size)| u64::from(size)).sum()
    }
}

fn random_graph() -> impl Strategy<Value = RandomGraph> {
    (1usize..=11).prop_flat_map(|extra| {
        let count = extra + 1;
        (
            prop::collection::vec((0..NODE_TYPES.len(), 0..NAMES.len(), 0u32..100), extra),
            prop::collection::vec((0..count, 0..EDGE_TYPES.len(), 0..count), 0..3 * count),
        )
            .prop_map(|(nodes, edges)| RandomGraph { nodes, edges })
    })
}

/// The essential edges, recomputed from their definition's inputs (the
/// WeakMap names too: the load took the parser's list out of the graph).
fn essential_edges(graph: &HeapGraph) -> FixedBitSet {
    let names: Vec<EphemeronName> = (0..graph.strings.len() as u32)
        .filter_map(|i| EphemeronName::read(i, graph.strings.get(i)))
        .collect();
    let weakmaps = WeakMapEdges::new(&names, graph.strings.len());
    flags::essential_edges(graph, &flags::page_owned(graph), &weakmaps)
}

/// DevTools' flow graph for dominators: the essential edges, plus an edge
/// from the root to every "orphan", a node no essential edge retains
/// (DevTools DFSes those from the root after the main DFS). Edges are
/// (from, to) pairs.
fn flow_graph(graph: &HeapGraph, essential: &FixedBitSet) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); graph.node_count()];
    let mut retained = vec![false; graph.node_count()];
    for n in 0..graph.node_count() as u32 {
        for e in graph.edges(n) {
            if essential[e] {
                out[n as usize].push(graph.edge_to[e]);
                retained[graph.edge_to[e] as usize] = true;
            }
        }
    }
    for n in 0..graph.node_count() as u32 {
        if n != graph.root && !retained[n as usize] {
            out[graph.root as usize].push(n);
        }
    }
    out
}

/// Nodes reachable from `from` in `flow`, never entering `removed`.
fn reachable(flow: &[Vec<u32>], from: &[u32], removed: Option<u32>) -> Vec<bool> {
    let mut seen = vec![false; flow.len()];
    let mut stack: Vec<u32> = from
        .iter()
        .copied()
        .filter(|&n| Some(n) != removed)
        .collect();
    for &n in &stack {
        seen[n as usize] = true;
    }
    while let Some(n) = stack.pop() {
        for &to in &flow[n as usize] {
            if Some(to) != removed && !seen[to as usize] {
                seen[to as usize] = true;
                stack.push(to);
            }
        }
    }
    seen
}

/// The strict dominators of `n` following the computed idom chain.
fn chain(analysis: &Analysis, n: u32) -> Vec<u32> {
    let root = analysis.graph.root;
    let mut out = Vec::new();
    let mut at = n;
    while at != root && out.len() <= analysis.graph.node_count() {
        at = analysis.dominators.idom[at as usize];
        out.push(at);
    }
    out.sort_unstable();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// d dominates n iff removing d cuts n off from the root in DevTools'
    /// flow graph (essential edges, plus root edges to orphans); the
    /// computed idom chain of n must be exactly those d. Nodes the flow
    /// graph does not reach (cycles retained only by each other) are hung
    /// under the root with no root edge: each is dominated by the root, and
    /// their edges into the reachable heap change no one's dominators.
    #[test]
    fn dominators_match_the_definition(g in random_graph()) {
        let analysis = g.snapshot().analyze();
        let graph = &analysis.graph;
        let flow = flow_graph(graph, &essential_edges(graph));
        let root = [graph.root];
        let from_root = reachable(&flow, &root, None);
        let without: Vec<Vec<bool>> = (0..graph.node_count() as u32)
            .map(|d| reachable(&flow, &root, Some(d)))
            .collect();
        prop_assert_eq!(analysis.dominators.idom[graph.root as usize], graph.root);
        for n in 0..graph.node_count() as u32 {
            if n == graph.root {
                continue;
            }
            if !from_root[n as usize] {
                prop_assert_eq!(chain(&analysis, n), vec![graph.root], "hung node {}", n);
                continue;
            }
            let expected: Vec<u32> = (0..graph.node_count() as u32)
                .filter(|&d| d != n && !without[d as usize][n as usize])
                .collect();
            prop_assert_eq!(chain(&analysis, n), expected, "dominators of node {}", n);
        }
    }

    /// The root retains everything, and each node retains itself plus what
    /// its dominator-tree children retain.
    #[test]
    fn retained_sizes_add_up(g in random_graph()) {
        let analysis = g.snapshot().analyze();
        let tree = &analysis.dominators;
        let sizes = &analysis.graph.self_size;
        let total: u64 = sizes.iter().map(|&s| u64::from(s)).sum();
        prop_assert_eq!(total, g.self_size_total(), "shallow attribution moves, never loses");
        prop_assert_eq!(tree.retained[analysis.graph.root as usize], total);
        prop_assert_eq!(analysis.total_self_size(), total);
        for n in 0..analysis.graph.node_count() as u32 {
            let children: u64 = tree.children_of(n).iter().map(|&c| tree.retained[c as usize]).sum();
            prop_assert_eq!(
                tree.retained[n as usize],
                u64::from(sizes[n as usize]) + children,
                "retained size of node {}", n
            );
        }
    }

    /// Comparing a snapshot with itself (or with a second load of the same
    /// file) shows no new and no deleted objects.
    #[test]
    fn comparing_a_snapshot_with_itself_is_empty(g in random_graph()) {
        let snapshot = g.snapshot();
        let a = snapshot.analyze();
        let b = snapshot.analyze();
        prop_assert!(diff::compare(&a, &a).is_empty());
        prop_assert!(diff::compare(&a, &b).is_empty());
    }

    /// Loading is deterministic: same aggregates, distances, dominators.
    #[test]
    fn analysing_twice_gives_the_same_numbers(g in random_graph()) {
        let snapshot = g.snapshot();
        let a = snapshot.analyze();
        let b = snapshot.analyze();
        prop_assert_eq!(format!("{:?}", a.aggregates), format!("{:?}", b.aggregates));
        prop_assert_eq!(&a.distances, &b.distances);
        prop_assert_eq!(&a.dominators.idom, &b.dominators.idom);
        prop_assert_eq!(&a.dominators.retained, &b.dominators.retained);
        prop_assert_eq!(&a.classes, &b.classes);
    }

    /// Damaged input (cut short, bytes overwritten) never panics the parser
    /// or the analysis, and every error is a single line.
    #[test]
    fn damaged_snapshots_never_panic(
        g in random_graph(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(b"0123456789,-.e[]{}\" \\\xff".to_vec())),
            0..4,
        ),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = g.snapshot().json().into_bytes();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let result = parse::parse_snapshot(bytes.as_slice(), &mut |_| true)
            .and_then(|graph| analyze(graph, Timings::default(), &mut |_| true));
        if let Err(e) = result {
            let message = e.to_string();
            prop_assert!(!message.contains('\n'), "one line: {}", message);
            prop_assert!(!message.is_empty());
        }
    }
}

/// Why the flow graph has root edges to orphans: an object only weakly
/// held (an orphan, which DevTools hangs under the root) that strongly
/// holds B gives B a second way in, so A no longer dominates B. (Off the
/// page-owned part of the heap: an edge from O into what the global owns
/// would not be essential.)
///
/// ```text
///   root ─element─▶ (GC roots) ─▶ A ─▶ B
///                                 ┆weak ▲
///                                 ▼     │
///                                 O ────┘
/// ```
#[test]
fn an_orphan_reaching_into_the_heap_is_a_second_path() {
    let mut s = TestSnapshot::new();
    let gc = s.node("synthetic", "(GC roots)", 3, 0);
    let a = s.node("object", "A", 5, 10);
    let b = s.node("object", "B", 7, 10);
    let o = s.node("object", "O", 9, 10);
    s.edge(0, "element", "1", gc);
    s.edge(gc, "internal", "a", a);
    s.edge(a, "property", "b", b).edge(a, "weak", "o", o);
    s.edge(o, "property", "b", b);
    let analysis = s.analyze();
    assert_eq!(analysis.idom_of(9), 1, "the orphan hangs under the root");
    assert_eq!(analysis.idom_of(7), 1, "B is reached via A and via O");
    assert_eq!(analysis.retained_of(5), 10, "A retains only itself");
}
