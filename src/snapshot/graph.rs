//! `HeapGraph`: the snapshot as flat struct-of-arrays over `u32` ordinals.
//!
//! We keep V8's flat layout instead of a node-per-struct graph: a 1 GB
//! snapshot has ~10 M nodes and ~35 M edges, and a `petgraph` node costs
//! several words each. Nodes are ordinals `0..node_count`; edges are ordinals
//! `0..edge_count` in CSR form (`first_edge[n]..first_edge[n + 1]` are node
//! n's edges, in file order); retainers are the reverse index in DevTools'
//! slot order (§7.1 of the semantics spec), which tie-breaks depend on.

use std::sync::{Arc, OnceLock};

use elsa::sync::FrozenMap;
use fixedbitset::FixedBitSet;
use rayon::prelude::*;
use rayon::slice::ParallelSliceMut;

use super::edge_names::{EdgeNamesOnDisk, Expected, UNREADABLE};
use super::error::{try_zeroed, SnapshotError};
use super::meta::Layout;
use super::parse::SectionOffsets;
use super::strings::{StringTable, CHANGED_ON_DISK};
use super::weakmap::WeakMapEdges;

/// Where the constructor of an object was defined (`locations` section).
/// 32 bits each, as DevTools stores them (half the memory of `u64`s: 35 MB
/// of a 1 GB snapshot).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Location {
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

/// `scriptId:line:column`, as the JSON contract writes a class location.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.script_id, self.line, self.column)
    }
}

/// Constructor locations by node ordinal: a sorted vector, searched by
/// bisection (a hash map of millions of entries cost ~5% of a load).
#[derive(Debug, Clone, Default)]
pub struct Locations {
    sorted: Vec<(u32, Location)>,
}

impl Locations {
    /// From `(ordinal, location)` pairs in file order; a later entry for the
    /// same node wins, as in DevTools' location map.
    pub fn from_entries(entries: Vec<(u32, Location)>) -> Locations {
        // Sort keys of (ordinal, last entry first) packed in a u64: V8
        // writes the entries in runs, not in node order, and a stable sort
        // of the 2.2 M 32-byte entries of a 1 GB snapshot took 0.26 s; this
        // takes 0.05 s.
        let mut keys: Vec<u64> = entries
            .iter()
            .enumerate()
            .map(|(i, &(n, _))| u64::from(n) << 32 | u64::from(u32::MAX - i as u32))
            .collect();
        keys.par_sort_unstable();
        keys.dedup_by_key(|k| *k >> 32);
        let sorted = keys
            .iter()
            .map(|&k| ((k >> 32) as u32, entries[(u32::MAX - k as u32) as usize].1))
            .collect();
        Locations { sorted }
    }

    /// From entries already in strictly increasing node order (as
    /// [`Locations::iter`] gives them); None if they are not.
    pub fn from_sorted(sorted: Vec<(u32, Location)>) -> Option<Locations> {
        let increasing = sorted.windows(2).all(|w| w[0].0 < w[1].0);
        increasing.then_some(Locations { sorted })
    }

    pub fn get(&self, node: &u32) -> Option<&Location> {
        self.sorted
            .binary_search_by_key(node, |&(n, _)| n)
            .ok()
            .map(|i| &self.sorted[i].1)
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// `(node, location)` of every located node, by node ordinal.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Location)> + '_ {
        self.sorted.iter().copied()
    }

    /// Like `get` for nodes visited in increasing order: `cursor` (starting
    /// at 0) remembers where the last lookup ended, so a pass over all
    /// nodes costs O(nodes + locations) instead of a bisection each.
    pub fn seek(&self, cursor: &mut usize, node: u32) -> Option<Location> {
        while self.sorted.get(*cursor).is_some_and(|&(n, _)| n < node) {
            *cursor += 1;
        }
        self.sorted
            .get(*cursor)
            .filter(|&&(n, _)| n == node)
            .map(|&(_, l)| l)
    }
}

/// The edge topology, shared as soon as the `edges` section is read (before
/// the strings, ~0.5 s of a 1 GB snapshot on one core), so that another
/// thread can index it meanwhile. The same arrays end up in the graph.
#[derive(Clone)]
pub struct SharedEdges {
    /// `node_count + 1` offsets into the edge arrays.
    pub first_edge: Arc<Vec<u32>>,
    pub edge_to: Arc<Vec<u32>>,
    pub edge_type: Arc<Vec<u8>>,
    pub root: u32,
}

/// Snapshot ids by node ordinal. V8 writes 32-bit ids, but Julia writes
/// object addresses: the high halves are kept only for files that have such
/// ids, so a V8 snapshot pays 4 bytes a node.
///
/// DevTools loads the nodes into a `Uint32Array` and so knows only the low
/// 32 bits of an id: its Comparison matches objects, its allocation filters
/// range and its WeakMap rule finds tables by those ([`NodeIds::devtools`]),
/// and heaplens does the same for equal numbers. Lookups and displays use
/// the id as written ([`NodeIds::get`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeIds {
    low: Vec<u32>,
    /// Empty, or the high 32 bits of every node's id.
    high: Vec<u32>,
}

impl NodeIds {
    /// From every id's low half and the `(ordinal, id)` pairs of the ids
    /// past 32 bits (ordinals past `low` are ignored: a cut-short read).
    pub fn new(low: Vec<u32>, wide: Vec<(u64, u64)>) -> NodeIds {
        let mut high = Vec::new();
        if !wide.is_empty() {
            high = vec![0; low.len()];
            for (ordinal, id) in wide {
                if let Some(slot) = high.get_mut(ordinal as usize) {
                    *slot = (id >> 32) as u32;
                }
            }
        }
        NodeIds { low, high }
    }

    /// The id of node `n`, as written in the file.
    pub fn get(&self, n: u32) -> u64 {
        let high = self.high.get(n as usize).map_or(0, |&h| u64::from(h));
        high << 32 | u64::from(self.low[n as usize])
    }

    /// The id of node `n` as DevTools keeps it: its low 32 bits.
    pub fn devtools(&self, n: u32) -> u32 {
        self.low[n as usize]
    }

    /// Every node's id as DevTools keeps it, by ordinal.
    pub fn devtools_ids(&self) -> &[u32] {
        &self.low
    }

    pub fn len(&self) -> usize {
        self.low.len()
    }

    pub fn is_empty(&self) -> bool {
        self.low.is_empty()
    }

    /// Whether some id needs more than 32 bits.
    pub fn is_wide(&self) -> bool {
        !self.high.is_empty()
    }

    /// Ids in ordinal order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.low.len() as u32).map(|n| self.get(n))
    }

    /// The first node with id `id`; in a file with ids past 32 bits, else
    /// the first whose id DevTools shows as `id` (its low 32 bits).
    pub fn position(&self, id: u64) -> Option<u32> {
        let as_devtools_shows = || {
            let low = u32::try_from(id).ok()?;
            self.low.iter().position(|&i| i == low)
        };
        let found = if self.is_wide() {
            self.iter().position(|i| i == id).or_else(as_devtools_shows)
        } else {
            as_devtools_shows()
        };
        found.map(|p| p as u32)
    }
}

/// The parsed graph. Immutable after analysis except for the load-time
/// passes that DevTools also applies in place (DOM renaming, shallow sizes)
/// and the long strings the table leaves on disk once read.
#[derive(Debug, Clone)]
pub struct HeapGraph {
    pub layout: Layout,
    pub strings: StringTable,
    /// The WeakMap entry names among the strings, parsed as they were read
    /// and numbered by pair when reading ended; the load takes them.
    pub weakmaps: WeakMapEdges,
    pub node_type: Vec<u8>,
    /// String index of the node's name.
    pub node_name: Vec<u32>,
    /// Snapshot ids, as written in the file.
    pub node_id: NodeIds,
    /// Self size in bytes (`u32`, as in DevTools' arrays).
    pub self_size: Vec<u32>,
    /// Detachedness (0 unknown, 1 attached, 2 detached) per node.
    pub detachedness: Vec<u8>,
    /// `node_count + 1` CSR offsets into the edge arrays. The edge topology
    /// is shared (`Arc`): a thread indexes it while the strings are read,
    /// another computes dominators over it while names and sizes change.
    pub first_edge: Arc<Vec<u32>>,
    pub edge_type: Arc<Vec<u8>>,
    /// String index, or the element/hidden index itself.
    pub edge_name: Vec<u32>,
    /// Target node ordinal.
    pub edge_to: Arc<Vec<u32>>,
    /// `node_count + 1` offsets into `retainer_node`.
    pub first_retainer: Vec<u32>,
    /// The retaining node of each retainer slot. The slot's edge is not
    /// stored (142 MB of a 1 GB snapshot): [`HeapGraph::retaining_edges`]
    /// finds it among the retaining node's edges.
    pub retainer_node: Vec<u32>,
    /// Constructor locations by node ordinal.
    pub locations: Locations,
    /// The plain file read, and where its sections start: what a load
    /// that sheds labels reads them back from.
    pub sections_at: Option<SectionOffsets>,
    /// The edge names once `edge_name` is shed, read back from the file.
    pub names_on_disk: Option<Arc<EdgeNamesOnDisk>>,
    /// The edges of retaining nodes with many, sorted by target, as
    /// [`HeapGraph::retaining_edges`] asked for them.
    pub big_sources: FrozenMap<u32, Box<[(u32, u32)]>>,
    /// The nodes that have a retainer the Retainers view lists, found on
    /// first use.
    pub listed_retainers: OnceLock<FixedBitSet>,
    pub root: u32,
    pub extra_native_bytes: u64,
}

impl HeapGraph {
    pub fn node_count(&self) -> usize {
        self.node_type.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_to.len()
    }

    /// Edge ordinals of node `n`, in file order.
    pub fn edges(&self, n: u32) -> std::ops::Range<usize> {
        self.first_edge[n as usize] as usize..self.first_edge[n as usize + 1] as usize
    }

    /// Retainer slots of node `n` (index `retainer_node`).
    pub fn retainers(&self, n: u32) -> std::ops::Range<usize> {
        self.topology().retainers(n)
    }

    /// Snapshot id of node `n`.
    pub fn id(&self, n: u32) -> u64 {
        self.node_id.get(n)
    }

    pub fn name(&self, n: u32) -> &str {
        self.strings.get(self.node_name[n as usize])
    }

    pub fn type_name(&self, n: u32) -> &str {
        self.layout.node_type_name(self.node_type[n as usize])
    }

    pub fn is_type(&self, n: u32, raw: u8) -> bool {
        self.node_type[n as usize] == raw
    }

    /// Edge `e`'s name: a string index, or the element/hidden index itself;
    /// [`UNREADABLE`] if it was left on disk and the file changed since.
    #[inline]
    pub fn edge_name(&self, e: usize) -> u32 {
        match self.edge_name.get(e) {
            Some(&name) => name,
            None => self.edge_name_on_disk(e),
        }
    }

    #[cold]
    fn edge_name_on_disk(&self, e: usize) -> u32 {
        let expected = Expected {
            edge_type: &self.edge_type,
            edge_to: &self.edge_to,
        };
        let on_disk = self.names_on_disk.as_ref();
        on_disk.map_or(UNREADABLE, |names| names.name(e, &expected))
    }

    /// Whether edge `e` is named by a string (all types but element/hidden).
    pub fn edge_has_string_name(&self, e: usize) -> bool {
        let t = self.edge_type[e];
        t != self.layout.types.edge_element && t != self.layout.types.edge_hidden
    }

    /// The edge's name as DevTools' `edge.name()` gives it: the string, or
    /// the index as decimal text; integer-like shortcut names as integers.
    pub fn edge_name_text(&self, e: usize) -> String {
        let index = self.edge_name(e);
        if index == UNREADABLE {
            return CHANGED_ON_DISK.to_owned();
        }
        if !self.edge_has_string_name(e) {
            return index.to_string();
        }
        let name = self.strings.get(index);
        if self.edge_type[e] == self.layout.types.edge_shortcut {
            if let Some(n) = super::strings::js_parse_int(name) {
                return format!("{n}");
            }
        }
        name.to_owned()
    }

    /// The raw string name of a string-named edge ("" otherwise).
    pub fn edge_string(&self, e: usize) -> &str {
        if self.edge_has_string_name(e) {
            self.strings.get(self.edge_name(e))
        } else {
            ""
        }
    }

    /// `(edge, retaining node)` of every retainer slot of `n`, in slot
    /// order. A retaining node's slots are contiguous and hold its edges to
    /// `n` last first (see [`RetainerIndex::build`]), so they are found among
    /// its edges: scanned when it has few, looked up in its edges sorted by
    /// target (once per node, kept) when it has many, so that the objects of
    /// a big array do not each scan all of it.
    pub fn retaining_edges(&self, n: u32) -> Vec<(usize, u32)> {
        if !self.has_retainer_index() {
            return self.scan_retaining_edges(n);
        }
        let sources = &self.retainer_node[self.retainers(n)];
        let mut found = Vec::with_capacity(sources.len());
        for run in sources.chunk_by(|a, b| a == b) {
            let from = run[0];
            let edges = self.edges(from);
            if edges.len() <= SCAN_EDGES {
                let to_n = edges.rev().filter(|&e| self.edge_to[e] == n);
                found.extend(to_n.take(run.len()).map(|e| (e, from)));
            } else {
                let by_target = self.edges_by_target(from);
                let start = by_target.partition_point(|&(to, _)| to < n);
                let end = by_target.partition_point(|&(to, _)| to <= n);
                let last_first = by_target[start..end].iter().rev();
                found.extend(last_first.take(run.len()).map(|&(_, e)| (e as usize, from)));
            }
        }
        found
    }

    /// Whether the retainer index is kept: a TUI's load drops it after the
    /// dominators (182 MB of a 1 GB snapshot) and finds retainers by a
    /// pass over the edges instead.
    pub fn has_retainer_index(&self) -> bool {
        !self.first_retainer.is_empty()
    }

    /// [`HeapGraph::retaining_edges`] without the index: the edges into
    /// `n` (35.5 M edges in 3.8 ms), last first as the index's slots hold
    /// them.
    fn scan_retaining_edges(&self, n: u32) -> Vec<(usize, u32)> {
        let into = self.edges_into(|to| to == n);
        into.into_iter().rev().map(|e| (e, self.owner(e))).collect()
    }

    /// The edges whose target passes `wanted`, in edge order.
    pub fn edges_into(&self, wanted: impl Fn(u32) -> bool) -> Vec<usize> {
        positions_where(&self.edge_to, wanted)
    }

    /// Whether `n` has a retainer other than the root over an edge that is
    /// not weak: what the Retainers view lists.
    pub fn has_listed_retainer(&self, n: u32) -> bool {
        let listed = self.listed_retainers.get_or_init(|| self.listed_targets());
        listed.contains(n as usize)
    }

    /// Whether the Retainers view lists edge `e` from `from`: not from the
    /// root, not weak.
    pub fn is_listed_retainer(&self, e: usize, from: u32) -> bool {
        from != self.root && self.edge_type[e] != self.layout.types.edge_weak
    }

    /// The targets of the edges [`HeapGraph::has_listed_retainer`] counts,
    /// from every node on all cores.
    fn listed_targets(&self) -> FixedBitSet {
        let empty = || FixedBitSet::with_capacity(self.node_count());
        (0..self.node_count() as u32)
            .into_par_iter()
            .fold(empty, |mut listed, n| {
                let edges = self.edges(n).filter(|&e| self.is_listed_retainer(e, n));
                listed.extend(edges.map(|e| self.edge_to[e] as usize));
                listed
            })
            .reduce(empty, |mut a, b| {
                a.union_with(&b);
                a
            })
    }

    /// The node edge `e` belongs to.
    pub fn owner(&self, e: usize) -> u32 {
        let after = self
            .first_edge
            .partition_point(|&first| first as usize <= e);
        after.saturating_sub(1) as u32
    }

    /// The number of retainer slots of each of `targets` (sorted, no
    /// repeats), as one pass when there is no retainer index.
    pub fn retainer_counts(&self, targets: &[u32]) -> Vec<usize> {
        if self.has_retainer_index() {
            return targets.iter().map(|&t| self.retainers(t).len()).collect();
        }
        let mut wanted = FixedBitSet::with_capacity(self.node_count());
        wanted.extend(targets.iter().map(|&t| t as usize));
        let mut counts = vec![0; targets.len()];
        for e in self.edges_into(|to| wanted.contains(to as usize)) {
            if let Ok(at) = targets.binary_search(&self.edge_to[e]) {
                counts[at] += 1;
            }
        }
        counts
    }

    /// `(target, edge)` of node `n`'s edges, sorted, built on first use.
    fn edges_by_target(&self, n: u32) -> &[(u32, u32)] {
        if let Some(sorted) = self.big_sources.get(&n) {
            return sorted;
        }
        let mut sorted: Vec<(u32, u32)> =
            self.edges(n).map(|e| (self.edge_to[e], e as u32)).collect();
        sorted.sort_unstable();
        self.big_sources.insert(n, sorted.into_boxed_slice())
    }

    /// The edge topology, shared.
    pub fn shared_edges(&self) -> SharedEdges {
        SharedEdges {
            first_edge: Arc::clone(&self.first_edge),
            edge_to: Arc::clone(&self.edge_to),
            edge_type: Arc::clone(&self.edge_type),
            root: self.root,
        }
    }

    pub fn topology(&self) -> Topology<'_> {
        Topology {
            first_edge: &self.first_edge,
            edge_to: &self.edge_to,
            first_retainer: &self.first_retainer,
            retainer_node: &self.retainer_node,
            root: self.root,
        }
    }

    pub fn set_retainers(&mut self, index: RetainerIndex) {
        self.first_retainer = index.first;
        self.retainer_node = index.nodes;
    }
}

/// The positions of the values that pass `wanted`, in order. Blocks of 64
/// values are tested first, without branches, so that the compiler
/// vectorises the test: 3.8 ms for 35.5 M edges' targets, where filtering
/// value by value took 12.6 ms. On one core: on both it took 2.8 ms, but
/// the UI thread then waited for a pool that a load in progress keeps busy.
pub fn positions_where(values: &[u32], wanted: impl Fn(u32) -> bool) -> Vec<usize> {
    const BLOCK: usize = 64;
    let mut found = Vec::new();
    for (b, block) in values.chunks(BLOCK).enumerate() {
        if block.iter().fold(false, |any, &v| any | wanted(v)) {
            let hits = block.iter().enumerate().filter(|&(_, &v)| wanted(v));
            found.extend(hits.map(|(i, _)| b * BLOCK + i));
        }
    }
    found
}

/// The edges both ways, apart from the node data that load passes rewrite:
/// the dominators can be computed over it while those passes run.
#[derive(Clone, Copy)]
pub struct Topology<'a> {
    pub first_edge: &'a [u32],
    pub edge_to: &'a [u32],
    pub first_retainer: &'a [u32],
    pub retainer_node: &'a [u32],
    pub root: u32,
}

impl Topology<'_> {
    pub fn node_count(&self) -> usize {
        self.first_edge.len() - 1
    }

    /// Retainer slots of node `n`.
    pub fn retainers(&self, n: u32) -> std::ops::Range<usize> {
        self.first_retainer[n as usize] as usize..self.first_retainer[n as usize + 1] as usize
    }

    /// Re-indexes a set of edges by retainer slot.
    pub fn by_retainer_slot(&self, edges: &FixedBitSet) -> FixedBitSet {
        let mut slots = FixedBitSet::with_capacity(self.edge_to.len());
        let mut ends = self.first_retainer[1..].to_vec();
        fill_slots(self.first_edge, self.edge_to, &mut ends, |slot, _, e| {
            if edges[e] {
                slots.insert(slot);
            }
        });
        slots
    }
}

/// Retaining nodes with up to this many edges are scanned for the edges
/// to a retained node; larger ones are sorted once.
const SCAN_EDGES: usize = 64;

/// Calls `visit(slot, source, edge)` for every edge in DevTools' slot
/// filling order: sources in ordinal order, each target's slots from its
/// last backwards. `fill[t]` counts down from the end of t's slots to
/// their start.
fn fill_slots(
    first_edge: &[u32],
    edge_to: &[u32],
    fill: &mut [u32],
    mut visit: impl FnMut(usize, u32, usize),
) {
    for (src, range) in first_edge.windows(2).enumerate() {
        let edges_of_src = range[0] as usize..range[1] as usize;
        for (&to, e) in edge_to[edges_of_src.clone()].iter().zip(edges_of_src) {
            let slot = &mut fill[to as usize];
            *slot -= 1;
            visit(*slot as usize, src as u32, e);
        }
    }
}

/// What a slot of [`NumberedRetainers`] holds for an edge that is not
/// essential.
pub const NOT_ESSENTIAL: u32 = u32::MAX;

/// A retainer index by preorder number ([`RetainerIndex::into_numbered`]):
/// its topology is for the dominators alone.
pub struct NumberedRetainers(pub(super) RetainerIndex);

/// The reverse edge index, built apart from the graph (from its shared
/// topology) while other passes rewrite the graph.
#[derive(Default)]
pub struct RetainerIndex {
    first: Vec<u32>,
    nodes: Vec<u32>,
}

impl RetainerIndex {
    /// This index with the edges it was built from.
    pub fn topology<'a>(
        &'a self,
        first_edge: &'a [u32],
        edge_to: &'a [u32],
        root: u32,
    ) -> Topology<'a> {
        Topology {
            first_edge,
            edge_to,
            first_retainer: &self.first,
            retainer_node: &self.nodes,
            root,
        }
    }

    /// This index with each slot rewritten, on all cores, as the preorder
    /// `number` of its retaining node when `essential_slots` has it, else
    /// as [`NOT_ESSENTIAL`]: the semidominators then look up no number.
    pub fn into_numbered(
        mut self,
        number: &[u32],
        essential_slots: &FixedBitSet,
    ) -> NumberedRetainers {
        self.nodes
            .par_iter_mut()
            .enumerate()
            .for_each(|(slot, from)| {
                *from = match essential_slots[slot] {
                    true => number[*from as usize],
                    false => NOT_ESSENTIAL,
                };
            });
        NumberedRetainers(self)
    }

    /// Builds the retainer index in DevTools' slot order: slots filled from
    /// the last backwards while scanning sources in ordinal order.
    ///
    /// # Complexity
    /// O(nodes + edges), two passes (counting sort).
    /// The index of `edge_to`'s edges; `visit(slot, source, edge)` sees
    /// each edge as it gets its slot.
    pub fn build(
        first_edge: &[u32],
        edge_to: &[u32],
        mut visit: impl FnMut(usize, u32, usize),
    ) -> Result<RetainerIndex, SnapshotError> {
        let n = first_edge.len() - 1;
        let mut first = try_zeroed::<u32>(n + 1, "the retainer index")?;
        for &to in edge_to {
            first[to as usize] += 1;
        }
        // Each target's end; filling counts it down to the target's start
        // (no copy of 40 MB on a 1 GB snapshot).
        let mut total = 0u32;
        for slot in first.iter_mut().take(n) {
            total += *slot;
            *slot = total;
        }
        first[n] = total;
        let mut nodes = try_zeroed::<u32>(edge_to.len(), "the retainer index")?;
        fill_slots(first_edge, edge_to, &mut first, |slot, src, e| {
            nodes[slot] = src;
            visit(slot, src, e);
        });
        Ok(RetainerIndex { first, nodes })
    }

    /// The slots of `to` that `from` holds: a target's slots run from its
    /// last source to its first.
    pub fn slots_from(&self, to: u32, from: u32) -> std::ops::Range<usize> {
        let start = self.first[to as usize] as usize;
        let sources = &self.nodes[start..self.first[to as usize + 1] as usize];
        let before = sources.partition_point(|&source| source > from);
        let through = sources.partition_point(|&source| source >= from);
        start + before..start + through
    }
}

#[cfg(test)]
mod tests {
    use fixedbitset::FixedBitSet;

    use crate::snapshot::test_snapshot::TestSnapshot;

    /// Two sources, one with two edges to the same target: DevTools' slot
    /// order is the later source first, then the earlier one's edges last
    /// first.
    #[test]
    fn retaining_edges_follow_the_slot_order() {
        let mut s = TestSnapshot::new();
        let holder = s.node("object", "Holder", 3, 10);
        let other = s.node("object", "Other", 5, 10);
        let target = s.node("object", "Target", 7, 10);
        s.edge(0, "element", "1", holder)
            .edge(0, "element", "2", other);
        s.edge(holder, "property", "x", target);
        s.edge(holder, "property", "y", target);
        s.edge(other, "property", "z", target);
        let analysis = s.analyze();
        let graph = &analysis.graph;
        let t = analysis.ordinal(7);
        let found: Vec<(String, u32)> = graph
            .retaining_edges(t)
            .into_iter()
            .map(|(e, from)| (graph.edge_name_text(e), from))
            .collect();
        let (h, o) = (analysis.ordinal(3), analysis.ordinal(5));
        let expected = [
            ("z".to_owned(), o),
            ("y".to_owned(), h),
            ("x".to_owned(), h),
        ];
        assert_eq!(found, expected);
        let index = super::RetainerIndex::build(&graph.first_edge, &graph.edge_to, |_, _, _| {})
            .expect("room for the index");
        let start = graph.retainers(t).start;
        assert_eq!(index.slots_from(t, h), start + 1..start + 3, "x and y");
        assert_eq!(index.slots_from(t, o), start..start + 1, "z");
        assert!(index.slots_from(t, t).is_empty(), "no self edge");

        // The same from a retaining node with too many edges to scan.
        let mut s = TestSnapshot::new();
        let holder = s.node("object", "Holder", 3, 10);
        let target = s.node("object", "Target", 7, 10);
        s.edge(0, "element", "1", holder);
        for i in 0..2 * super::SCAN_EDGES {
            let filler = s.node("object", "Filler", 9 + 2 * i as u64, 10);
            s.edge(holder, "element", &i.to_string(), filler);
            if i == 5 {
                s.edge(holder, "property", "x", target);
            }
        }
        s.edge(holder, "property", "y", target);
        let big = s.analyze();
        let names: Vec<String> = big
            .graph
            .retaining_edges(big.ordinal(7))
            .into_iter()
            .map(|(e, _)| big.graph.edge_name_text(e))
            .collect();
        assert_eq!(names, ["y", "x"]);

        // An edge set re-indexed by slot marks the slots of those edges.
        let mut edges = FixedBitSet::with_capacity(graph.edge_count());
        let x = graph.retaining_edges(t)[2].0;
        edges.insert(x);
        let slots = graph.topology().by_retainer_slot(&edges);
        let marked: Vec<usize> = slots.ones().collect();
        assert_eq!(marked, [graph.retainers(t).start + 2]);
    }
}
