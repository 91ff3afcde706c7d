//! Distances from the user roots, exactly as DevTools computes them (spec
//! §3.1, `HeapSnapshot.calculateDistances` + the `JSHeapSnapshot` filter).
//!
//! Two BFS passes: first from the user roots (the globals, distance 1), then
//! from the root for everything else, which starts at 100000000 so "only
//! reachable from system roots" shows as `−`. Weak edges never count.

use std::collections::VecDeque;

use fixedbitset::{Block, FixedBitSet};

use super::flags::is_user_root;
use super::graph::HeapGraph;
use super::strings::js_parse_int;
use super::weakmap::WeakMapEdges;

/// Distance of a node nothing reaches (DevTools `noDistance`).
pub const NO_DISTANCE: i32 = -5;
/// Added to distances of nodes reached only from system roots.
pub const BASE_SYSTEM_DISTANCE: i32 = 100_000_000;
/// Distance DevTools gives unreachable retainers so they sort last.
pub const BASE_UNREACHABLE_DISTANCE: i32 = 200_000_000;

/// The distance DevTools displays: `None` where the grid shows `−`.
pub fn display_distance(d: i32) -> Option<i32> {
    (0..BASE_SYSTEM_DISTANCE).contains(&d).then_some(d)
}

/// Computes per-node distances.
///
/// # Complexity
/// O(nodes + edges).
pub fn compute_distances(graph: &HeapGraph, filter: &DistanceFilter) -> Vec<i32> {
    distances_avoiding(graph, filter, None)
}

/// The Retainers view's distances after DevTools' "Ignore this retainer":
/// the same passes, refusing every edge into an `ignored` node (before the
/// distance filter, whose ephemeron pairing does not see those edges). A
/// user root still starts at 1.
///
/// Reads only the graph's topology (`first_edge`, `edge_to`): the edge
/// names, types and node names are in `filter`.
pub fn distances_avoiding(
    graph: &HeapGraph,
    filter: &DistanceFilter,
    ignored: Option<&FixedBitSet>,
) -> Vec<i32> {
    let mut bfs = Bfs {
        graph,
        filter,
        ignored,
        distances: vec![NO_DISTANCE; graph.node_count()],
        queue: VecDeque::new(),
        pending_ephemerons: vec![false; filter.pair_count],
    };
    for &to in &filter.user_roots {
        bfs.distances[to as usize] = 1;
        bfs.queue.push_back(to);
    }
    let found_user_roots = !bfs.queue.is_empty();
    bfs.run();
    bfs.distances[graph.root as usize] = if found_user_roots {
        BASE_SYSTEM_DISTANCE
    } else {
        0
    };
    bfs.queue.push_back(graph.root);
    bfs.run();
    bfs.distances
}

struct Bfs<'a> {
    graph: &'a HeapGraph,
    filter: &'a DistanceFilter,
    /// Nodes no edge may lead to (the Retainers view's ignored nodes).
    ignored: Option<&'a FixedBitSet>,
    distances: Vec<i32>,
    /// The nodes reached and not yet searched from: a ring as long as the
    /// widest level, where a vector of every node reached took 40 MB at
    /// the peak of a 1 GB snapshot's summary.
    queue: VecDeque<u32>,
    /// Per ephemeron pair: one of its two edges was seen (shared by both
    /// passes).
    pending_ephemerons: Vec<bool>,
}

impl Bfs<'_> {
    fn run(&mut self) {
        let graph = self.graph;
        while let Some(n) = self.queue.pop_front() {
            let distance = self.distances[n as usize] + 1;
            for e in graph.edges(n) {
                if self.filter.blocked[e] {
                    continue;
                }
                let to = graph.edge_to[e];
                // DevTools checks "already reached" before its filter; the
                // ephemeron pairing has side effects, so order matters.
                if self.distances[to as usize] != NO_DISTANCE
                    || self.ignored.is_some_and(|ignored| ignored[to as usize])
                    || self.skips_first_of_pair(e)
                {
                    continue;
                }
                self.distances[to as usize] = distance;
                self.queue.push_back(to);
            }
        }
    }

    /// Skips the first of the two edges into a WeakMap value, so the
    /// value's distance is max(key, table) + 1 (crbug 1290800).
    fn skips_first_of_pair(&mut self, e: usize) -> bool {
        let Some(pair) = self.filter.ephemerons.pair(e) else {
            return false;
        };
        let pending = &mut self.pending_ephemerons[pair as usize];
        *pending = !*pending;
        *pending
    }
}

/// DevTools' `JSHeapSnapshot.calculateDistances` edge filter, decided once
/// per edge from the edge names and types and the node names, so the
/// passes read none of them: a summary drops the edge names and types
/// (178 MB of a 1 GB snapshot) before its distances.
#[derive(Debug)]
pub struct DistanceFilter {
    /// Edges never followed: weak ones, a NativeContext's
    /// `sloppy_function_map`, the descriptor slots DevTools skips.
    blocked: FixedBitSet,
    /// Internal edges named as WeakMap entries, with their pair.
    ephemerons: EdgePairs,
    /// `(edge, pair)` of the other such edges, blocked or from a
    /// descriptor array (none in V8's snapshots).
    unfollowed_ephemerons: Vec<(u32, u32)>,
    pair_count: usize,
    /// The root's edges' ends that are user roots, in edge order.
    user_roots: Vec<u32>,
}

impl DistanceFilter {
    /// # Complexity
    /// O(nodes + edges), on two cores.
    pub fn of(graph: &HeapGraph, weakmaps: &WeakMapEdges) -> DistanceFilter {
        let sources = Sources::new(graph);
        let half = graph.node_count() as u32 / 2;
        let classify = |nodes: std::ops::Range<u32>| {
            let mut part = FilterPart::new(graph.edge_count());
            for n in nodes {
                part.add_edges_of(graph, n, sources.of(graph, n), weakmaps);
            }
            part
        };
        let (mut first, second) = rayon::join(
            || classify(0..half),
            || classify(half..graph.node_count() as u32),
        );
        first.blocked.union_with(&second.blocked);
        first.ephemeral.union_with(&second.ephemeral);
        first.pairs.extend(second.pairs);
        first.unfollowed.extend(second.unfollowed);
        let user_roots = graph
            .edges(graph.root)
            .map(|e| graph.edge_to[e])
            .filter(|&to| is_user_root(graph, to))
            .collect();
        DistanceFilter {
            blocked: first.blocked,
            ephemerons: EdgePairs::new(first.ephemeral, first.pairs),
            unfollowed_ephemerons: first.unfollowed,
            pair_count: weakmaps.pair_count(),
            user_roots,
        }
    }

    /// `(edge, pair)` of every internal edge named as a WeakMap entry.
    pub fn ephemeron_edges(&self) -> impl Iterator<Item = (usize, u32)> + '_ {
        let followed = self
            .ephemerons
            .marked
            .ones()
            .zip(self.ephemerons.pairs.iter().copied());
        let unfollowed = self.unfollowed_ephemerons.iter();
        followed.chain(unfollowed.map(|&(e, pair)| (e as usize, pair)))
    }
}

/// A [`DistanceFilter`] for a range of nodes.
struct FilterPart {
    blocked: FixedBitSet,
    /// The WeakMap entry edges, and their pairs in edge order.
    ephemeral: FixedBitSet,
    pairs: Vec<u32>,
    unfollowed: Vec<(u32, u32)>,
}

impl FilterPart {
    fn new(edge_count: usize) -> FilterPart {
        FilterPart {
            blocked: FixedBitSet::with_capacity(edge_count),
            ephemeral: FixedBitSet::with_capacity(edge_count),
            pairs: Vec::new(),
            unfollowed: Vec::new(),
        }
    }

    fn add_edges_of(&mut self, graph: &HeapGraph, n: u32, source: Source, weakmaps: &WeakMapEdges) {
        let types = &graph.layout.types;
        for e in graph.edges(n) {
            let edge_type = graph.edge_type[e];
            let blocked = edge_type == types.edge_weak
                || match source {
                    Source::NativeContext => graph.edge_string(e) == "sloppy_function_map",
                    Source::DescriptorArray => !follows_descriptor_slot(graph, e),
                    Source::Plain => false,
                };
            if blocked {
                self.blocked.insert(e);
            }
            if edge_type != types.edge_internal {
                continue;
            }
            if let Some(entry) = weakmaps.get(graph.edge_name(e)) {
                if blocked || source == Source::DescriptorArray {
                    self.unfollowed.push((e as u32, entry.pair));
                } else {
                    self.ephemeral.insert(e);
                    self.pairs.push(entry.pair);
                }
            }
        }
    }
}

/// Whether DevTools follows edge `e` of a `(map descriptors)` array:
/// descriptor values may belong to other maps (crbug 413608).
fn follows_descriptor_slot(graph: &HeapGraph, e: usize) -> bool {
    let index = if graph.edge_has_string_name(e) {
        js_parse_int(graph.edge_string(e))
    } else {
        Some(f64::from(graph.edge_name(e)))
    };
    match index {
        Some(i) => i < 2.0 || i % 3.0 != 1.0,
        None => true,
    }
}

/// A value for some edges, found in O(1): a bit per edge, and the values
/// in edge order indexed by the bits set before (a rank). A few lines where
/// a succinct-structures crate would bring much more than this one query.
#[derive(Debug)]
struct EdgePairs {
    marked: FixedBitSet,
    /// Per block of `marked`: the bits set in the blocks before it.
    before: Vec<u32>,
    pairs: Vec<u32>,
}

impl EdgePairs {
    /// `pairs` holds a value per bit of `marked`, in order.
    fn new(marked: FixedBitSet, pairs: Vec<u32>) -> EdgePairs {
        let mut seen = 0;
        let before = marked
            .as_slice()
            .iter()
            .map(|block| {
                let here = seen;
                seen += block.count_ones();
                here
            })
            .collect();
        EdgePairs {
            marked,
            before,
            pairs,
        }
    }

    fn pair(&self, e: usize) -> Option<u32> {
        if !self.marked.contains(e) {
            return None;
        }
        let (block, bit) = (e / Block::BITS as usize, e % Block::BITS as usize);
        let below: Block = (1 << bit) - 1;
        let rank = self.before[block] + (self.marked.as_slice()[block] & below).count_ones();
        self.pairs.get(rank as usize).copied()
    }
}

/// What DevTools' distance filter needs to know about an edge's source.
#[derive(Clone, Copy, PartialEq)]
enum Source {
    Plain,
    /// `system / NativeContext`: its `sloppy_function_map` is not followed.
    NativeContext,
    /// A `(map descriptors)` array: only some of its slots are followed.
    DescriptorArray,
}

/// The filter's special sources, by their names' string indexes.
struct Sources {
    native_contexts: Vec<u32>,
    descriptor_arrays: Vec<u32>,
}

impl Sources {
    fn new(graph: &HeapGraph) -> Self {
        let [native_contexts, descriptor_arrays] = graph
            .strings
            .indexes_of_each(["system / NativeContext", "(map descriptors)"]);
        Sources {
            native_contexts,
            descriptor_arrays,
        }
    }

    /// Compared by string index: by text, the names of the millions of
    /// hidden nodes took most of the filter's time.
    fn of(&self, graph: &HeapGraph, n: u32) -> Source {
        let t = &graph.layout.types;
        let name = graph.node_name[n as usize];
        if graph.is_type(n, t.hidden) && self.native_contexts.contains(&name) {
            Source::NativeContext
        } else if graph.is_type(n, t.array) && self.descriptor_arrays.contains(&name) {
            Source::DescriptorArray
        } else {
            Source::Plain
        }
    }
}

#[cfg(test)]
mod tests {
    use fixedbitset::FixedBitSet;

    use super::{EdgePairs, NO_DISTANCE};
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// Every rule of DevTools' distance filter in one graph:
    /// ```text
    /// root ─▶ Window(3) ─ctx─▶ NativeContext(5) ┄sloppy_function_map┄▶ M(7)
    ///           │ ─d─▶ (map descriptors)(9) ┄"4"┄▶ X(11)   ─"2"─▶ Y(13)
    ///           │ ┄weak┄▶ Z(15)
    ///           │ ─key─▶ K(17) ┄entry 1┄▶ V(23)
    ///           │ ─a─▶ A(19) ─t─▶ Table(21) ─entry 2─▶ V(23)
    ///           └─p─▶ P1(25) ─q─▶ P2(27) ─▶ M, X
    /// ```
    /// ┄ edges are not followed: M and X come by the long way (4), Z not at
    /// all, and V after the later of its two WeakMap edges: max(2, 3) + 1.
    #[test]
    fn the_filter_skips_what_devtools_skips() {
        let mut s = TestSnapshot::new();
        let window = s.node("object", "Window", 3, 10);
        let context = s.node("hidden", "system / NativeContext", 5, 10);
        let m = s.node("object", "M", 7, 10);
        let descriptors = s.node("array", "(map descriptors)", 9, 10);
        let x = s.node("object", "X", 11, 10);
        let y = s.node("object", "Y", 13, 10);
        let z = s.node("object", "Z", 15, 10);
        let key = s.node("object", "K", 17, 10);
        let a = s.node("object", "A", 19, 10);
        let table = s.node("object", "Table", 21, 10);
        let value = s.node("object", "V", 23, 10);
        let p1 = s.node("object", "P1", 25, 10);
        let p2 = s.node("object", "P2", 27, 10);
        let entry = |n: u32| {
            format!("{n} / part of key (K @17) -> value (V @23) pair in WeakMap (table @21)")
        };
        s.edge(0, "element", "1", window);
        s.edge(window, "property", "ctx", context)
            .edge(window, "property", "d", descriptors)
            .edge(window, "weak", "w", z)
            .edge(window, "property", "key", key)
            .edge(window, "property", "a", a)
            .edge(window, "property", "p", p1);
        s.edge(context, "internal", "sloppy_function_map", m);
        s.edge(descriptors, "hidden", "4", x)
            .edge(descriptors, "hidden", "2", y);
        s.edge(key, "internal", &entry(1), value);
        s.edge(a, "property", "t", table);
        s.edge(table, "internal", &entry(2), value);
        s.edge(p1, "property", "q", p2);
        s.edge(p2, "property", "m", m).edge(p2, "property", "x", x);
        let an = s.analyze();
        for (id, distance) in [(3, 1), (5, 2), (7, 4), (11, 4), (13, 3), (21, 3), (23, 4)] {
            assert_eq!(an.distance_of(id), distance, "@{id}");
        }
        assert_eq!(an.distance_of(15), NO_DISTANCE, "weak only");
    }

    /// The rank finds each value across block boundaries, and none for an
    /// edge without one.
    #[test]
    fn edge_pairs_rank_across_blocks() {
        let edges = [0, 63, 64, 65, 130, 199];
        let mut marked = FixedBitSet::with_capacity(200);
        for &e in &edges {
            marked.insert(e);
        }
        let pairs = EdgePairs::new(marked, edges.iter().map(|&e| e as u32 * 10).collect());
        for e in 0..200 {
            let expected = edges.contains(&e).then_some(e as u32 * 10);
            assert_eq!(pairs.pair(e), expected, "edge {e}");
        }
    }
}
