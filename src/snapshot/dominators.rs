//! Immediate dominators and retained sizes (spec §4.3–4.4).
//!
//! The tree of DevTools' `calculateDominatorsAndRetainedSizes` (Lengauer and
//! Tarjan, "A fast algorithm for finding dominators in a flowgraph", ACM
//! TOPLAS 1(1), 1979), computed by Semi-NCA over `u32` arrays indexed by
//! DFS preorder. DevTools' handling of nodes the root cannot reach over
//! essential edges is kept exactly, and it makes the graph something other
//! than a flow graph, so "the same tree, since a flow graph has only one"
//! holds only for what the root and the orphans reach:
//! - nodes whose retainers are all non-essential ("orphans") are DFS'd as
//!   children of the root, and DevTools gives them the root as their one
//!   predecessor: a real root edge;
//! - what is left (cliques retained only by each other, e.g. the eval
//!   script's closures in a snapshot written by `node -e`) is hung under
//!   the root node by node with *no* root edge: their semidominators come
//!   from their real retainers only, which are all hung too, so each is
//!   dominated by the root, and their edges into the rest of the heap
//!   never lower another node's semidominator (they count for nothing).
//!
//! So every node gets a dominator, the root's retained size is the sum of
//! all self sizes, and unreachable garbage is attributed the way the Memory
//! panel attributes it.
//!
//! A node `d` dominates `n` if every path from the root to `n` passes `d`;
//! the immediate dominator is the closest strict dominator. The retained size
//! of `n` is the sum of self sizes in its dominator subtree: what freeing `n`
//! would free.

use std::borrow::Cow;
use std::sync::OnceLock;

use fixedbitset::FixedBitSet;

use super::error::{try_zeroed, SnapshotError};
use super::flags::EssentialEdges;
use super::graph::{
    positions_where, HeapGraph, NumberedRetainers, SharedEdges, Topology, NOT_ESSENTIAL,
};

/// The dominator tree with retained sizes.
#[derive(Debug, Clone, Default)]
pub struct DominatorTree {
    /// Immediate dominator per node ordinal (the root dominates itself).
    pub idom: Vec<u32>,
    /// Retained size per node ordinal, in bytes.
    pub retained: Vec<u64>,
    /// `node_count + 1` offsets into `children`.
    pub first_child: Vec<u32>,
    /// Dominated nodes, per dominator in descending ordinal order (DevTools).
    pub children: Vec<u32>,
    /// Once the lists are shed: the nodes that dominate others, found on
    /// first use.
    pub dominating: OnceLock<FixedBitSet>,
}

/// Child lists for a walk over the whole tree: the tree's own, or made
/// again from `idom` when they were shed (a pass over `idom` per node
/// would make the walk quadratic).
pub struct WalkLists<'a> {
    first: Cow<'a, [u32]>,
    children: Cow<'a, [u32]>,
}

impl WalkLists<'_> {
    /// The nodes `n` immediately dominates, in descending ordinal order.
    pub fn of(&self, n: u32) -> &[u32] {
        listed_children(&self.first, &self.children, n).unwrap_or_default()
    }
}

/// `n`'s list in child lists (`first` offsets into `children`), if they
/// have one for it.
fn listed_children<'a>(first: &[u32], children: &'a [u32], n: u32) -> Option<&'a [u32]> {
    match first.get(n as usize..n as usize + 2)? {
        &[start, end] => children.get(start as usize..end as usize),
        _ => None,
    }
}

impl DominatorTree {
    /// The child lists, made again (80 MB of a 1 GB snapshot, for the
    /// walk's time) if they were shed.
    pub fn lists_for_walk(&self, root: u32) -> Result<WalkLists<'_>, SnapshotError> {
        if !self.first_child.is_empty() || self.idom.is_empty() {
            return Ok(WalkLists {
                first: Cow::Borrowed(&self.first_child),
                children: Cow::Borrowed(&self.children),
            });
        }
        let (first, children) = dominated_lists(&self.idom, root, [Vec::new(), Vec::new()])?;
        Ok(WalkLists {
            first: Cow::Owned(first),
            children: Cow::Owned(children),
        })
    }

    /// Nodes immediately dominated by `n`, in descending ordinal order;
    /// once the lists are shed, found by a pass over `idom` (10 M nodes in
    /// about a millisecond).
    pub fn children_of(&self, n: u32) -> Cow<'_, [u32]> {
        if let Some(listed) = listed_children(&self.first_child, &self.children, n) {
            return Cow::Borrowed(listed);
        }
        let dominated = positions_where(&self.idom, |d| d == n).into_iter().rev();
        let children = dominated.filter(|&c| c != n as usize);
        Cow::Owned(children.map(|c| c as u32).collect())
    }

    /// Whether `n` immediately dominates any node.
    pub fn has_children(&self, n: u32) -> bool {
        if !self.first_child.is_empty() {
            return !self.children_of(n).is_empty();
        }
        let dominating = self.dominating.get_or_init(|| {
            let mut dominating = FixedBitSet::with_capacity(self.idom.len());
            let others = self
                .idom
                .iter()
                .enumerate()
                .filter(|&(c, &d)| c != d as usize);
            dominating.extend(others.map(|(_, &d)| d as usize));
            dominating
        });
        dominating.contains(n as usize)
    }

    /// Frees the child lists (80 MB of a 1 GB snapshot): a comparison
    /// reads none, and the views find a node's children in `idom`.
    pub fn shed_child_lists(&mut self) {
        self.first_child = Vec::new();
        self.children = Vec::new();
    }
}

/// Immediate dominators, before retained sizes.
pub struct ImmediateDominators {
    /// Per node ordinal (the root dominates itself).
    idom: Vec<u32>,
    /// Node ordinals in DFS preorder from index 1.
    order: Vec<u32>,
    root: u32,
    /// The algorithm's spent arrays, for the children lists: their pages
    /// are in memory already (fresh ones fault one by one: 20 K faults of
    /// 80 MB on a 1 GB snapshot).
    scratch: [Vec<u32>; 2],
}

/// Semi-NCA over `topology` alone, so it can run while other passes
/// rewrite node names and sizes: six `u32` arrays of `nodes + 1`.
pub fn immediate_dominators(
    topology: &Topology<'_>,
    essential: &EssentialEdges,
) -> Result<ImmediateDominators, SnapshotError> {
    let successors = Successors::of(topology);
    RootSearch::run(&successors, &essential.by_edge)?.finish(topology, essential)
}

/// The edges one way: all the search from the root reads.
pub struct Successors<'a> {
    pub first_edge: &'a [u32],
    pub edge_to: &'a [u32],
    pub root: u32,
}

impl<'a> Successors<'a> {
    /// The edges of a graph's shared topology.
    pub fn of_shared(shared: &'a SharedEdges) -> Self {
        Successors {
            first_edge: &shared.first_edge,
            edge_to: &shared.edge_to,
            root: shared.root,
        }
    }

    fn of(topology: &Topology<'a>) -> Self {
        Successors {
            first_edge: topology.first_edge,
            edge_to: topology.edge_to,
            root: topology.root,
        }
    }

    fn node_count(&self) -> usize {
        self.first_edge.len() - 1
    }
}

/// The first step of [`immediate_dominators`], which needs no retainers:
/// the depth-first search from the root over essential edges, so that it
/// can run while the retainer index is built.
pub struct RootSearch {
    preorder: Preorder,
    root: u32,
}

impl RootSearch {
    pub fn run(
        successors: &Successors<'_>,
        essential: &FixedBitSet,
    ) -> Result<Self, SnapshotError> {
        let mut preorder = Preorder::new(successors.node_count())?;
        let root = preorder.dfs(successors, essential, successors.root, 0);
        Ok(RootSearch { preorder, root })
    }

    /// The rest: what the root does not reach, then the semidominators and
    /// the nearest common ancestors.
    pub fn finish(
        self,
        topology: &Topology<'_>,
        essential: &EssentialEdges,
    ) -> Result<ImmediateDominators, SnapshotError> {
        let retainers = ByOrdinal {
            topology,
            essential_slots: &essential.by_slot,
        };
        self.adopt(topology, essential)
            .finish_over(topology, &retainers)
    }

    /// What the root does not reach, numbered after what it does.
    pub fn adopt(self, topology: &Topology<'_>, essential: &EssentialEdges) -> Adopted {
        let RootSearch { mut preorder, root } = self;
        let first_hung = preorder.adopt_unreached(topology, essential, root);
        Adopted {
            preorder,
            first_hung,
        }
    }
}

/// Every node numbered in preorder: what the semidominators start from.
pub struct Adopted {
    preorder: Preorder,
    first_hung: u32,
}

impl Adopted {
    /// Preorder numbers by node ordinal.
    pub fn numbers(&self) -> &[u32] {
        &self.preorder.number
    }

    /// The rest of [`RootSearch::finish`], over the retainers numbered by
    /// [`Adopted::numbers`].
    pub fn finish_numbered(
        self,
        retainers: &NumberedRetainers,
        successors: &Successors<'_>,
    ) -> Result<ImmediateDominators, SnapshotError> {
        let Successors {
            first_edge,
            edge_to,
            root,
        } = *successors;
        let topology = retainers.0.topology(first_edge, edge_to, root);
        self.finish_over(
            &topology,
            &Numbered {
                topology: &topology,
            },
        )
    }

    fn finish_over<R: RetainerNumbers>(
        self,
        topology: &Topology<'_>,
        retainers: &R,
    ) -> Result<ImmediateDominators, SnapshotError> {
        let Adopted {
            preorder,
            first_hung,
        } = self;
        let Preorder {
            mut number,
            node,
            parent,
            ..
        } = preorder;
        if !R::READS_NUMBERS {
            // Not read again: gone before the semidominators' arrays come
            // (40 MB of a 1 GB snapshot at the peak).
            number = Vec::new();
        }
        let search = SemiDominators::run(retainers, &number, &node, parent, first_hung)?;
        drop(number);
        let SemiDominators {
            semi,
            parent: mut idom_number,
            ancestor,
            best,
        } = search;
        nearest_common_ancestors(&mut idom_number, &semi);
        // `semi` is spent: it becomes the dominators by ordinal.
        let mut idom = semi;
        for (n, &d) in node.iter().zip(&idom_number).skip(1) {
            idom[*n as usize] = node[d as usize];
        }
        idom.truncate(topology.node_count());
        Ok(ImmediateDominators {
            idom,
            order: node,
            root: topology.root,
            scratch: [ancestor, best],
        })
    }
}

/// The essential retainers of a node as the semidominators read them:
/// their preorder numbers.
trait RetainerNumbers {
    /// Whether [`RetainerNumbers::each`] reads `number`.
    const READS_NUMBERS: bool = true;

    /// Visits those of node `n`, `number` giving the numbers by ordinal.
    fn each(&self, n: u32, number: &[u32], visit: impl FnMut(u32));
}

/// A retainer index by ordinal, the essential slots marked.
struct ByOrdinal<'a> {
    topology: &'a Topology<'a>,
    essential_slots: &'a FixedBitSet,
}

impl RetainerNumbers for ByOrdinal<'_> {
    fn each(&self, n: u32, number: &[u32], mut visit: impl FnMut(u32)) {
        for slot in self.topology.retainers(n) {
            if self.essential_slots[slot] {
                visit(number[self.topology.retainer_node[slot] as usize]);
            }
        }
    }
}

/// A retainer index whose slots hold the numbers themselves
/// ([`NOT_ESSENTIAL`] for the other slots).
struct Numbered<'a> {
    topology: &'a Topology<'a>,
}

impl RetainerNumbers for Numbered<'_> {
    const READS_NUMBERS: bool = false;

    fn each(&self, n: u32, _: &[u32], mut visit: impl FnMut(u32)) {
        let slots = &self.topology.retainer_node[self.topology.retainers(n)];
        for &v in slots {
            if v != NOT_ESSENTIAL {
                visit(v);
            }
        }
    }
}

impl ImmediateDominators {
    /// The tree with retained sizes from `graph`'s (final) self sizes.
    pub fn into_tree(self, graph: &HeapGraph) -> Result<DominatorTree, SnapshotError> {
        let ImmediateDominators {
            idom,
            order,
            root,
            scratch,
        } = self;
        let (retained, lists) = rayon::join(
            || retained_sizes(graph, &idom, &order),
            || dominated_lists(&idom, root, scratch),
        );
        let (retained, (first_child, children)) = (retained?, lists?);
        Ok(DominatorTree {
            idom,
            retained,
            first_child,
            children,
            dominating: OnceLock::new(),
        })
    }
}

/// Self sizes summed up the dominator tree: `order` (ordinals in DFS
/// preorder from index 1) visited backwards reaches children before their
/// dominators.
fn retained_sizes(
    graph: &HeapGraph,
    idom: &[u32],
    order: &[u32],
) -> Result<Vec<u64>, SnapshotError> {
    let sizes = &graph.self_size;
    let mut retained: Vec<u64> = Vec::new();
    retained
        .try_reserve_exact(sizes.len())
        .map_err(|_| SnapshotError::out_of_memory(8 * sizes.len(), "the retained sizes"))?;
    retained.extend(sizes.iter().map(|&s| u64::from(s)));
    for &node in order.iter().skip(2).rev() {
        let size = retained[node as usize];
        retained[idom[node as usize] as usize] += size;
    }
    Ok(retained)
}

/// DevTools' `buildDominatedNodes`: children lists, filled by counting down,
/// so each list is in descending ordinal order. The two arrays become the
/// offsets and the children.
fn dominated_lists(
    idom: &[u32],
    root: u32,
    arrays: [Vec<u32>; 2],
) -> Result<(Vec<u32>, Vec<u32>), SnapshotError> {
    let n = idom.len();
    let [mut first, mut children] = arrays;
    first.clear();
    room(&mut first, n + 1)?;
    first.resize(n + 1, 0);
    for (node, &d) in idom.iter().enumerate() {
        if node as u32 != root {
            first[d as usize] += 1;
        }
    }
    // Each list's end; filling counts each one down to its start, so no
    // second array of cursors (40 MB of a 1 GB snapshot; the lists took
    // 82–87 ms instead of 110–114 ms).
    let mut total = 0;
    for slot in first.iter_mut().take(n) {
        total += *slot;
        *slot = total;
    }
    first[n] = total;
    children.clear();
    room(&mut children, total as usize)?;
    children.resize(total as usize, 0);
    for (node, &d) in idom.iter().enumerate() {
        if node as u32 != root {
            first[d as usize] -= 1;
            children[first[d as usize] as usize] = node as u32;
        }
    }
    Ok((first, children))
}

/// Room for `len` entries in a reused array: it is mostly long enough.
fn room(array: &mut Vec<u32>, len: usize) -> Result<(), SnapshotError> {
    let more = len.saturating_sub(array.len());
    array
        .try_reserve_exact(more)
        .map_err(|_| SnapshotError::out_of_memory(4 * more, "the dominator tree"))
}

/// Depth-first preorder over essential edges. Numbers start at 1; 0 means
/// unvisited (and is the root's parent).
struct Preorder {
    /// Per node ordinal: its number.
    number: Vec<u32>,
    /// Per number: the node ordinal.
    node: Vec<u32>,
    /// Per number: the parent's number in the DFS tree.
    parent: Vec<u32>,
    count: u32,
    /// The DFS path: each vertex's number, next edge and edge end (a stack
    /// as deep as the path, where cursors per node took 40 MB of a 1 GB
    /// snapshot; recursion would overflow the stack on real heaps).
    path: Vec<(u32, u32, u32)>,
}

impl Preorder {
    fn new(node_count: usize) -> Result<Self, SnapshotError> {
        let array = || try_zeroed(node_count + 1, "computing dominators");
        Ok(Preorder {
            number: array()?,
            node: array()?,
            parent: array()?,
            count: 0,
            path: Vec::new(),
        })
    }

    fn visit(&mut self, node: u32, parent: u32) -> u32 {
        self.count += 1;
        let n = self.count;
        self.number[node as usize] = n;
        self.node[n as usize] = node;
        self.parent[n as usize] = parent;
        n
    }

    /// Numbers everything `start` reaches that is not numbered yet; returns
    /// `start`'s number.
    fn dfs(
        &mut self,
        graph: &Successors<'_>,
        essential: &FixedBitSet,
        start: u32,
        parent: u32,
    ) -> u32 {
        let first = self.visit(start, parent);
        let edges = |node: u32| {
            (
                graph.first_edge[node as usize],
                graph.first_edge[node as usize + 1],
            )
        };
        let (from, end) = edges(start);
        self.path.push((first, from, end));
        while let Some(top) = self.path.last_mut() {
            let (n, mut e, end) = *top;
            let mut next = None;
            while e < end {
                let to = graph.edge_to[e as usize];
                e += 1;
                if essential[e as usize - 1] && self.number[to as usize] == 0 {
                    next = Some(to);
                    break;
                }
            }
            top.1 = e;
            match next {
                Some(to) => {
                    let child = self.visit(to, n);
                    let (from, end) = edges(to);
                    self.path.push((child, from, end));
                }
                None => {
                    self.path.pop();
                }
            }
        }
        first
    }

    /// DevTools' handling of what the root does not reach: "orphans", whose
    /// retainers are all non-essential, are searched from as children of
    /// the root; what is left (cliques retained only by each other) is hung
    /// under the root node by node. Returns the first hung number (one
    /// past the last when nothing is hung).
    fn adopt_unreached(
        &mut self,
        graph: &Topology<'_>,
        essential: &EssentialEdges,
        root: u32,
    ) -> u32 {
        let count = graph.node_count() as u32;
        if self.count < count {
            let successors = Successors::of(graph);
            for v in 0..count {
                if self.number[v as usize] == 0
                    && graph.retainers(v).all(|slot| !essential.by_slot[slot])
                {
                    self.dfs(&successors, &essential.by_edge, v, root);
                }
            }
        }
        let first_hung = self.count + 1;
        if self.count < count {
            for v in 0..count {
                if self.number[v as usize] == 0 {
                    self.visit(v, root);
                }
            }
        }
        first_hung
    }
}

/// Semidominators by Lengauer and Tarjan's first pass, over preorder
/// numbers, so the pass walks its arrays in order (0.53–0.75 s of a 1 GB
/// snapshot where Lengauer–Tarjan by ordinal took 0.84–0.91 s). Semi-NCA (Georgiadis,
/// "Linear-Time Algorithms for Dominators and Related Problems", 2005) then
/// needs no buckets. Where the DFS parent is a real predecessor (the root
/// counts as the orphans' one), it is the semidominator's first candidate,
/// and the tree is DevTools' Lengauer–Tarjan's because a flow graph has only
/// one. Hung nodes (numbered from `first_hung`) have no such edge: like
/// DevTools, their candidates start at their own number.
struct SemiDominators {
    /// Per number: the semidominator's number.
    semi: Vec<u32>,
    /// Per number: the DFS parent's number.
    parent: Vec<u32>,
    /// Per number: the link forest, compressed.
    ancestor: Vec<u32>,
    /// Per number: the least semidominator on its compressed path.
    best: Vec<u32>,
}

impl SemiDominators {
    fn run(
        retainers: &impl RetainerNumbers,
        number: &[u32],
        node: &[u32],
        parent: Vec<u32>,
        first_hung: u32,
    ) -> Result<Self, SnapshotError> {
        let len = node.len();
        let array = || try_zeroed(len, "computing dominators");
        let mut search = SemiDominators {
            semi: array()?,
            parent,
            ancestor: array()?,
            best: array()?,
        };
        let mut path = Vec::new();
        for w in (2..len).rev() {
            let mut semi = if w as u32 >= first_hung {
                w as u32
            } else {
                search.parent[w]
            };
            retainers.each(node[w], number, |v| {
                semi = semi.min(search.eval(v, w as u32, &mut path));
            });
            search.semi[w] = semi;
            search.best[w] = semi;
            search.ancestor[w] = search.parent[w];
        }
        Ok(search)
    }

    /// The least semidominator on the path from `v` up to, not including,
    /// the root of its tree in the forest of vertices numbered above
    /// `linked`; `v` itself while it is not linked.
    fn eval(&mut self, v: u32, linked: u32, path: &mut Vec<u32>) -> u32 {
        if v <= linked {
            return v;
        }
        let mut x = v;
        while self.ancestor[x as usize] > linked {
            path.push(x);
            x = self.ancestor[x as usize];
        }
        while let Some(w) = path.pop() {
            let a = self.ancestor[w as usize] as usize;
            let w = w as usize;
            self.best[w] = self.best[w].min(self.best[a]);
            self.ancestor[w] = self.ancestor[a];
        }
        self.best[v as usize]
    }
}

/// Semi-NCA's second pass: each vertex's immediate dominator is the nearest
/// common ancestor, in the dominator tree built so far, of its parent and
/// its semidominator. `parent` becomes the dominators, in place.
fn nearest_common_ancestors(parent: &mut [u32], semi: &[u32]) {
    parent[1] = 1;
    for w in 2..parent.len() {
        let mut d = parent[w];
        while d > semi[w] {
            d = parent[d as usize];
        }
        parent[w] = d;
    }
}

#[cfg(test)]
mod tests {
    use crate::snapshot::pipeline::{analyze_backed, Pipeline};
    use crate::snapshot::test_snapshot::TestSnapshot;
    use crate::snapshot::{Analysis, Reads};

    /// The Summary's lean load, whose semidominators read retainers
    /// numbered beforehand, finds the full load's tree.
    fn lean_load_finds_the_same_tree(s: &TestSnapshot, full: &Analysis) {
        let rows = Pipeline::Headless(Reads::SummaryRows);
        let json = s.json();
        let lean = analyze_backed(json.as_bytes(), None, &mut |_| true, rows).expect("loads");
        assert_eq!(lean.dominators.idom, full.dominators.idom);
        assert_eq!(lean.dominators.retained, full.dominators.retained);
    }

    /// ```text
    ///            root(1)
    ///     shortcut |   \ element
    ///          Window(3)  (GC roots)(19) ──internal──▶ H(21)
    ///          /   |  \ weak
    ///       A(5)  B(7)  ┄┄▶ W(13)        E(15) ⇄ F(17)
    ///          \   /                      (retained only by each other)
    ///          C(9) ⇄ D(11)
    ///
    /// expected dominator tree          retained
    ///   root ─┬─ Window ─┬─ A            A 10, B 20
    ///         │          ├─ B            C 30+40 = 70, D 40
    ///         │          └─ C ── D       Window 100+10+20+70 = 200
    ///         ├─ W   (orphan: weak-only)  W 50
    ///         ├─ E, F (clique: each hung under the root)
    ///         └─ (GC roots) ── H          H 8
    /// ```
    /// B's weak edge to C counts for nothing, in the lean load too.
    #[test]
    fn a_weak_second_retainer_leaves_the_dominator() {
        let mut s = TestSnapshot::new();
        let a = s.node("object", "A", 3, 10);
        let b = s.node("object", "B", 5, 10);
        let c = s.node("object", "C", 7, 10);
        s.edge(0, "element", "1", a).edge(0, "element", "2", b);
        s.edge(a, "property", "c", c).edge(b, "weak", "c", c);
        let an = s.analyze();
        assert_eq!(an.idom_of(7), 3);
        lean_load_finds_the_same_tree(&s, &an);
    }

    #[test]
    fn diamond_cycle_orphan_and_clique() {
        let mut s = TestSnapshot::new();
        let window = s.node("object", "Window", 3, 100);
        let a = s.node("object", "Alpha", 5, 10);
        let b = s.node("object", "Beta", 7, 20);
        let c = s.node("object", "Cyc", 9, 30);
        let d = s.node("object", "Cyc", 11, 40);
        let w = s.node("object", "Weakly", 13, 50);
        let e = s.node("object", "Clique", 15, 5);
        let f = s.node("object", "Clique", 17, 6);
        let gc = s.node("synthetic", "(GC roots)", 19, 0);
        let h = s.node("object", "Held", 21, 8);
        s.edge(0, "shortcut", "1", window)
            .edge(0, "element", "1", gc);
        s.edge(window, "property", "a", a)
            .edge(window, "property", "b", b)
            .edge(window, "weak", "w", w);
        s.edge(a, "property", "x", c).edge(b, "property", "y", c);
        s.edge(c, "property", "z", d).edge(d, "property", "back", c);
        s.edge(e, "property", "f", f).edge(f, "property", "e", e);
        s.edge(gc, "internal", "h", h);
        let an = s.analyze();
        lean_load_finds_the_same_tree(&s, &an);
        for (node, dominator) in [
            (3, 1),
            (5, 3),
            (7, 3),
            (9, 3),
            (11, 9),
            (13, 1),
            (15, 1),
            (17, 1),
            (19, 1),
            (21, 19),
        ] {
            assert_eq!(
                an.idom_of(node),
                dominator,
                "it finds the immediate dominator of @{node}"
            );
        }
        for (node, retained) in [
            (5, 10),
            (7, 20),
            (9, 70),
            (11, 40),
            (3, 200),
            (13, 50),
            (21, 8),
        ] {
            assert_eq!(an.retained_of(node), retained, "retained size of @{node}");
        }
        assert_eq!(an.retained_of(1), 269, "the root retains every self size");
        assert_eq!(
            an.class("Cyc").retained_size,
            70,
            "D is not counted again under C"
        );
        assert_eq!(an.class("Clique").retained_size, 11);
    }

    /// The shape a `node -e` snapshot has: the eval script's closures and
    /// context (C, D) are retained only by each other, and point into the
    /// live heap (C → B). DevTools hangs them under the root without a root
    /// edge, so C's edge does not give B a second path from the root. No
    /// user roots (as in Node 22+), so C → B is essential.
    /// ```text
    ///   root ── Window(3) ── A(5) ── B(7)        hung: C(9) ⇄ D(11), C ──▶ B
    /// expected: B under A (A retains 10+20), C and D under the root
    ///           retaining only themselves (30, 40)
    /// ```
    #[test]
    fn hung_clique_edges_into_the_live_heap_count_for_nothing() {
        let mut s = TestSnapshot::new();
        let window = s.node("object", "Window", 3, 100);
        let a = s.node("object", "Alpha", 5, 10);
        let b = s.node("object", "Beta", 7, 20);
        let c = s.node("closure", "evalScript", 9, 30);
        let d = s.node("object", "EvalContext", 11, 40);
        s.edge(0, "element", "1", window);
        s.edge(window, "property", "a", a)
            .edge(a, "property", "b", b);
        s.edge(c, "context", "context", d)
            .edge(d, "property", "fn", c)
            .edge(c, "property", "held", b);
        let an = s.analyze();
        lean_load_finds_the_same_tree(&s, &an);
        assert_eq!(an.idom_of(7), 5, "B stays dominated by A");
        assert_eq!(an.retained_of(5), 30, "A retains B");
        assert_eq!(an.retained_of(3), 130, "Window retains A and B");
        for (node, own) in [(9, 30), (11, 40)] {
            assert_eq!(an.idom_of(node), 1, "hung @{node} is under the root");
            assert_eq!(an.retained_of(node), own, "hung @{node} retains itself");
        }
    }

    #[test]
    fn weakmap_value_is_dominated_by_its_key_not_the_table() {
        let mut s = TestSnapshot::new();
        let window = s.node("object", "Window", 3, 10);
        let map = s.node("object", "WeakMap", 31, 10);
        let table = s.node("hidden", "system / EphemeronHashTable", 33, 10);
        let key = s.node("object", "Key", 35, 10);
        let value = s.node("object", "Val", 39, 10);
        let name = "part of key (Key @35) -> value (Val @39) pair in WeakMap (table @33)";
        s.edge(0, "shortcut", "1", window);
        s.edge(window, "property", "map", map)
            .edge(window, "property", "key", key);
        s.edge(map, "internal", "table", table);
        s.edge(table, "internal", &format!("1 / {name}"), value);
        s.edge(key, "internal", &format!("2 / {name}"), value);
        let an = s.analyze();
        assert_eq!(an.idom_of(39), 35, "the table's edge is not essential");
        assert_eq!(an.retained_of(35), 20);
    }
}

#[cfg(test)]
mod properties;
