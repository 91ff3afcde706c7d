//! Page ownership and the essential edges the dominator tree is built from
//! (spec §4.1–4.2, DevTools `markPageOwnedNodes`, `computeIsEssentialEdge`).

use fixedbitset::FixedBitSet;
use rayon::slice::ParallelSliceMut;

use super::graph::SharedEdges;
use super::graph::{HeapGraph, RetainerIndex};
use super::meta::Types;
use super::weakmap::WeakMapEdges;

/// Page-owned nodes: those reachable over non-weak edges from the root's
/// shortcut targets (the user globals) and from `(Document DOM trees)`.
/// This gives the shortcut part, from the edge topology alone (so it can
/// run while the strings are still being read); [`add_dom_tree_owners`]
/// the rest.
///
/// # Complexity
/// O(nodes + edges).
pub fn shortcut_owned(shared: &SharedEdges, types: &Types) -> Vec<bool> {
    let root = shared.root as usize;
    let edges = shared.first_edge[root] as usize..shared.first_edge[root + 1] as usize;
    let seeds: Vec<u32> = edges
        .filter(|&e| shared.edge_type[e] == types.edge_shortcut)
        .map(|e| shared.edge_to[e])
        .collect();
    let mut owned = vec![false; shared.first_edge.len() - 1];
    let topology = (
        &shared.first_edge[..],
        &shared.edge_to[..],
        &shared.edge_type[..],
    );
    flood(&mut owned, topology, types.edge_weak, &seeds);
    owned
}

/// All page-owned nodes of a parsed graph (the load builds them in two
/// steps, see `EdgeIndex`).
#[cfg(test)]
pub fn page_owned(graph: &HeapGraph) -> Vec<bool> {
    let mut owned = shortcut_owned(&graph.shared_edges(), &graph.layout.types);
    add_dom_tree_owners(graph, &mut owned);
    owned
}

/// Adds to `owned` what `(Document DOM trees)` (a root element in old Blink
/// snapshots) reaches; returns whether that was anything.
pub fn add_dom_tree_owners(graph: &HeapGraph, owned: &mut [bool]) -> bool {
    let t = &graph.layout.types;
    let seeds: Vec<u32> = graph
        .edges(graph.root)
        .filter(|&e| graph.edge_type[e] == t.edge_element)
        .map(|e| graph.edge_to[e])
        .filter(|&to| is_document_dom_trees_root(graph, to))
        .collect();
    let topology = (
        &graph.first_edge[..],
        &graph.edge_to[..],
        &graph.edge_type[..],
    );
    flood(owned, topology, t.edge_weak, &seeds)
}

/// Marks in `owned` what `seeds` reach over non-weak edges. Nodes already
/// marked are not entered again: what they reach is marked already.
/// Returns whether it marked any.
fn flood(owned: &mut [bool], topology: (&[u32], &[u32], &[u8]), weak: u8, seeds: &[u32]) -> bool {
    let (first_edge, edge_to, edge_type) = topology;
    let mut stack = Vec::new();
    for &seed in seeds {
        if !owned[seed as usize] {
            owned[seed as usize] = true;
            stack.push(seed);
        }
    }
    let marked_any = !stack.is_empty();
    while let Some(n) = stack.pop() {
        for e in first_edge[n as usize] as usize..first_edge[n as usize + 1] as usize {
            let to = edge_to[e] as usize;
            if !owned[to] && edge_type[e] != weak {
                owned[to] = true;
                stack.push(to as u32);
            }
        }
    }
    marked_any
}

/// The synthetic `(Document DOM trees)` node old Blink put under the root.
pub fn is_document_dom_trees_root(graph: &HeapGraph, n: u32) -> bool {
    graph.is_type(n, graph.layout.types.synthetic) && graph.name(n) == "(Document DOM trees)"
}

/// DevTools' user roots: root children that are not synthetic, or are
/// `(Document DOM trees)`.
pub fn is_user_root(graph: &HeapGraph, n: u32) -> bool {
    !graph.is_type(n, graph.layout.types.synthetic) || is_document_dom_trees_root(graph, n)
}

/// One bit per edge: does it count for dominators? A bit set rather than
/// bytes: 4.4 MB instead of 35 MB for a 1 GB snapshot, small enough to stay
/// in cache during the dominators' random lookups.
///
/// # Complexity
/// O(edges); the WeakMap names were parsed as the strings were read.
pub fn essential_edges(
    graph: &HeapGraph,
    page_owned: &[bool],
    weakmaps: &WeakMapEdges,
) -> FixedBitSet {
    // Two halves of the nodes on two threads, then one OR of the bit sets.
    let half = graph.node_count() as u32 / 2;
    let (mut essential, second) = rayon::join(
        || essential_in(graph, 0..half, page_owned, weakmaps),
        || essential_in(graph, half..graph.node_count() as u32, page_owned, weakmaps),
    );
    essential.union_with(&second);
    essential
}

/// The essential edges of the nodes in `nodes`.
fn essential_in(
    graph: &HeapGraph,
    nodes: std::ops::Range<u32>,
    page_owned: &[bool],
    weakmaps: &WeakMapEdges,
) -> FixedBitSet {
    let t = &graph.layout.types;
    let mut essential = FixedBitSet::with_capacity(graph.edge_count());
    for n in nodes {
        for e in graph.edges(n) {
            if is_essential(graph, n, e, page_owned, weakmaps, t) {
                essential.insert(e);
            }
        }
    }
    essential
}

fn is_essential(
    graph: &HeapGraph,
    from: u32,
    e: usize,
    page_owned: &[bool],
    weakmaps: &WeakMapEdges,
    t: &Types,
) -> bool {
    !is_weakmap_table_edge(graph, from, e, weakmaps)
        && is_essential_by_ends(
            from,
            graph.edge_to[e],
            graph.edge_type[e],
            graph.root,
            page_owned,
            t,
        )
}

/// A WeakMap value is kept by key and table together; DevTools keeps only
/// the key's edge so the key dominates the value: the table's is not
/// essential.
fn is_weakmap_table_edge(graph: &HeapGraph, from: u32, e: usize, weakmaps: &WeakMapEdges) -> bool {
    graph.edge_type[e] == graph.layout.types.edge_internal
        && weakmaps
            .get(graph.edge_name(e))
            .is_some_and(|entry| entry.table_id == Some(graph.node_id.devtools(from)))
}

/// Whether an edge is essential by its type and its ends alone (all but the
/// WeakMap rule), so while the strings are still being read.
pub fn is_essential_by_ends(
    from: u32,
    to: u32,
    edge_type: u8,
    root: u32,
    page_owned: &[bool],
    t: &Types,
) -> bool {
    if edge_type == t.edge_weak || from == to {
        return false;
    }
    if from != root {
        if edge_type == t.edge_shortcut {
            return false;
        }
        // Debugger/console references must not change page dominators.
        // The source first: most are page-owned, which spares a random
        // lookup of the target (the index with these marks took 0.72–0.75 s
        // of a 1 GB snapshot instead of 0.84–1.15 s).
        if !page_owned[from as usize] && page_owned[to as usize] {
            return false;
        }
    }
    true
}

/// Takes the WeakMap tables' edges out of `by_edge`, built by
/// [`is_essential_by_ends`]; returns `(to, from)` of each.
pub fn unmark_weakmap_table_edges(
    by_edge: &mut FixedBitSet,
    graph: &HeapGraph,
    weakmaps: &WeakMapEdges,
) -> Vec<(u32, u32)> {
    // Only the tables' edges are looked at: a scan of all edges took
    // 0.12 s of a 1 GB snapshot.
    let tables = weakmaps.table_ids();
    let mut unmarked = Vec::new();
    if tables.is_empty() {
        return unmarked;
    }
    for from in 0..graph.node_count() as u32 {
        if tables.binary_search(&graph.node_id.devtools(from)).is_err() {
            continue;
        }
        for e in graph.edges(from) {
            if by_edge[e] && is_weakmap_table_edge(graph, from, e, weakmaps) {
                by_edge.set(e, false);
                unmarked.push((graph.edge_to[e], from));
            }
        }
    }
    unmarked
}

/// The edges essential by their types and ends alone (see
/// [`is_essential_by_ends`]), without a retainer index.
pub fn essential_by_ends(shared: &SharedEdges, types: &Types, owned: &[bool]) -> FixedBitSet {
    let mut essential = FixedBitSet::with_capacity(shared.edge_to.len());
    for from in 0..shared.first_edge.len() as u32 - 1 {
        let edges = shared.first_edge[from as usize]..shared.first_edge[from as usize + 1];
        for e in edges.map(|e| e as usize) {
            let (to, edge_type) = (shared.edge_to[e], shared.edge_type[e]);
            if is_essential_by_ends(from, to, edge_type, shared.root, owned, types) {
                essential.insert(e);
            }
        }
    }
    essential
}

/// The essential edges twice over: by edge, for the dominators' search
/// along out-edges, and by retainer slot, for their pass over in-edges.
pub struct EssentialEdges {
    pub by_edge: FixedBitSet,
    pub by_slot: FixedBitSet,
}

impl EssentialEdges {
    /// Both sets sized for `edge_count` edges, empty.
    pub fn with_capacity(edge_count: usize) -> EssentialEdges {
        EssentialEdges {
            by_edge: FixedBitSet::with_capacity(edge_count),
            by_slot: FixedBitSet::with_capacity(edge_count),
        }
    }

    /// Everything [`essential_edges`] gives for `graph`, from scratch.
    pub fn of(
        graph: &HeapGraph,
        retainers: &RetainerIndex,
        page_owned: &[bool],
        weakmaps: &WeakMapEdges,
    ) -> EssentialEdges {
        let by_edge = essential_edges(graph, page_owned, weakmaps);
        let topology = retainers.topology(&graph.first_edge, &graph.edge_to, graph.root);
        let by_slot = topology.by_retainer_slot(&by_edge);
        EssentialEdges { by_edge, by_slot }
    }

    /// Takes the WeakMap tables' edges out of sets built by
    /// [`is_essential_by_ends`]. The slots cleared for a source and target
    /// are any essential ones of theirs: the dominators ask only whether a
    /// retainer has some essential edge to a node, and this keeps the count
    /// of those per pair exact.
    pub fn drop_weakmap_table_edges(
        &mut self,
        graph: &HeapGraph,
        retainers: &RetainerIndex,
        weakmaps: &WeakMapEdges,
    ) {
        // Pairs with one edge each are cleared at once; the others are
        // grouped, so a value a table holds a million times (a target with
        // a million slots) is scanned once, not once per edge.
        let mut shared = Vec::new();
        for (to, from) in unmark_weakmap_table_edges(&mut self.by_edge, graph, weakmaps) {
            let slots = retainers.slots_from(to, from);
            if slots.len() == 1 {
                self.by_slot.set(slots.start, false);
            } else {
                shared.push((to, from));
            }
        }
        shared.par_sort_unstable();
        for group in shared.chunk_by(|a, b| a == b) {
            let (to, from) = group[0];
            let mut left = group.len();
            for slot in retainers.slots_from(to, from) {
                if left == 0 {
                    break;
                }
                if self.by_slot[slot] {
                    self.by_slot.set(slot, false);
                    left -= 1;
                }
            }
        }
    }
}
