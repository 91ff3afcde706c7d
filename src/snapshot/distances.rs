//! Distances from the user roots, exactly as DevTools computes them (spec
//! §3.1, `HeapSnapshot.calculateDistances` + the `JSHeapSnapshot` filter).
//!
//! Two BFS passes: first from the user roots (the globals, distance 1), then
//! from the root for everything else, which starts at 100000000 so "only
//! reachable from system roots" shows as `−`. Weak edges never count.

use fixedbitset::FixedBitSet;

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
pub fn compute_distances(graph: &HeapGraph, weakmaps: &WeakMapEdges) -> Vec<i32> {
    distances_avoiding(graph, weakmaps, None)
}

/// The Retainers view's distances after DevTools' "Ignore this retainer":
/// the same passes, refusing every edge into an `ignored` node (before the
/// distance filter, whose ephemeron pairing does not see those edges). A
/// user root still starts at 1.
pub fn distances_avoiding(
    graph: &HeapGraph,
    weakmaps: &WeakMapEdges,
    ignored: Option<&FixedBitSet>,
) -> Vec<i32> {
    let mut bfs = Bfs {
        graph,
        weakmaps,
        ignored,
        distances: vec![NO_DISTANCE; graph.node_count()],
        queue: Vec::with_capacity(graph.node_count()),
        pending_ephemerons: vec![false; weakmaps.pair_count()],
        descriptor_arrays: DescriptorArrays::new(graph),
    };
    for e in graph.edges(graph.root) {
        let to = graph.edge_to[e];
        if is_user_root(graph, to) {
            bfs.distances[to as usize] = 1;
            bfs.queue.push(to);
        }
    }
    let found_user_roots = !bfs.queue.is_empty();
    bfs.run();
    bfs.distances[graph.root as usize] = if found_user_roots {
        BASE_SYSTEM_DISTANCE
    } else {
        0
    };
    bfs.queue.clear();
    bfs.queue.push(graph.root);
    bfs.run();
    bfs.distances
}

struct Bfs<'a> {
    graph: &'a HeapGraph,
    weakmaps: &'a WeakMapEdges,
    /// Nodes no edge may lead to (the Retainers view's ignored nodes).
    ignored: Option<&'a FixedBitSet>,
    distances: Vec<i32>,
    queue: Vec<u32>,
    /// Per ephemeron pair: one of its two edges was seen (shared by both
    /// passes).
    pending_ephemerons: Vec<bool>,
    descriptor_arrays: DescriptorArrays,
}

/// What DevTools' distance filter needs to know about an edge's source,
/// decided once per node instead of once per edge.
#[derive(Clone, Copy, PartialEq)]
enum Source {
    Plain,
    /// `system / NativeContext`: its `sloppy_function_map` is not followed.
    NativeContext,
    /// A `(map descriptors)` array: only some of its slots are followed.
    DescriptorArray,
}

impl<'a> Bfs<'a> {
    fn run(&mut self) {
        let graph = self.graph;
        let weak = graph.layout.types.edge_weak;
        let mut head = 0;
        while head < self.queue.len() {
            let n = self.queue[head];
            head += 1;
            let distance = self.distances[n as usize] + 1;
            let source = self.source(n);
            for e in graph.edges(n) {
                if graph.edge_type[e] == weak {
                    continue;
                }
                let to = graph.edge_to[e];
                // DevTools checks "already reached" before its filter; the
                // filter has side effects (ephemeron pairing), so order matters.
                if self.distances[to as usize] != NO_DISTANCE
                    || self.ignored.is_some_and(|ignored| ignored[to as usize])
                    || !self.traverses(source, e)
                {
                    continue;
                }
                self.distances[to as usize] = distance;
                self.queue.push(to);
            }
        }
    }

    fn source(&self, n: u32) -> Source {
        let graph = self.graph;
        let t = &graph.layout.types;
        if graph.is_type(n, t.hidden) && graph.name(n) == "system / NativeContext" {
            Source::NativeContext
        } else if self.descriptor_arrays.contains(graph, n) {
            Source::DescriptorArray
        } else {
            Source::Plain
        }
    }

    /// DevTools' `JSHeapSnapshot.calculateDistances` edge filter.
    fn traverses(&mut self, source: Source, e: usize) -> bool {
        let graph = self.graph;
        match source {
            Source::NativeContext if graph.edge_string(e) == "sloppy_function_map" => {
                return false;
            }
            Source::DescriptorArray => {
                // Descriptor values may belong to other maps (crbug 413608).
                let index = if graph.edge_has_string_name(e) {
                    js_parse_int(graph.edge_string(e))
                } else {
                    Some(f64::from(graph.edge_name[e]))
                };
                return match index {
                    Some(i) => i < 2.0 || i % 3.0 != 1.0,
                    None => true,
                };
            }
            _ => {}
        }
        if graph.edge_type[e] == graph.layout.types.edge_internal {
            if let Some(entry) = self.weakmaps.get(graph.edge_name[e]) {
                // Skip the first of the two edges into a WeakMap value, so the
                // value's distance is max(key, table) + 1 (crbug 1290800).
                let pending = &mut self.pending_ephemerons[entry.pair as usize];
                *pending = !*pending;
                if *pending {
                    return false;
                }
            }
        }
        true
    }
}

/// The `(map descriptors)` array nodes, by their name's string index.
struct DescriptorArrays {
    name_indexes: Vec<u32>,
}

impl DescriptorArrays {
    fn new(graph: &HeapGraph) -> Self {
        let name_indexes = graph.strings.indexes_of("(map descriptors)");
        DescriptorArrays { name_indexes }
    }

    fn contains(&self, graph: &HeapGraph, n: u32) -> bool {
        graph.is_type(n, graph.layout.types.array)
            && self.name_indexes.contains(&graph.node_name[n as usize])
    }
}
