//! Retainers of an object, as DevTools' Retainers grid lists them (spec §7),
//! the expandable retainer tree toward the GC roots, and DevTools' "Ignore
//! this retainer".

use fixedbitset::FixedBitSet;

use super::tree::{expand_tree, TreeLimits, TreeRow};
use crate::snapshot::distances::{
    distances_avoiding, DistanceFilter, BASE_UNREACHABLE_DISTANCE, NO_DISTANCE,
};
use crate::snapshot::names::display_name;
use crate::snapshot::strings::js_cmp;
use crate::snapshot::weakmap::{EphemeronName, WeakMapEdges};
use crate::snapshot::Analysis;

/// DevTools' "Ignore this retainer" (`ignoreNodeInRetainersView`): the
/// Retainers view's distances recomputed as if no edge led to the ignored
/// nodes. The rows stay; a retainer the roots no longer reach sorts last
/// (by its old distance) and shows no distance, and so does the WeakMap
/// edge into a value whose other half (key or table) is cut off. Sizes,
/// dominators and the Summary's distances do not change.
#[derive(Debug, Clone, Default)]
pub struct IgnoredRetainers {
    /// In the order they were ignored.
    nodes: Vec<u32>,
    /// The Retainers view's distances; empty when nothing is ignored.
    distances: Vec<i32>,
    /// WeakMap edges shown unreachable.
    hidden_edges: FixedBitSet,
}

impl IgnoredRetainers {
    /// The view with `nodes` ignored (nothing ignored when empty).
    ///
    /// # Complexity
    /// O(nodes + edges): the two distance passes again.
    pub fn new(analysis: &Analysis, nodes: Vec<u32>) -> IgnoredRetainers {
        if nodes.is_empty() {
            return IgnoredRetainers::default();
        }
        let graph = &analysis.graph;
        let mut ignored = FixedBitSet::with_capacity(graph.node_count());
        for &n in &nodes {
            ignored.insert(n as usize);
        }
        let rebuilt;
        let filter = match &analysis.distance_filter {
            Some(kept) => kept.as_ref(),
            None => {
                rebuilt = DistanceFilter::of(graph, &ephemeron_edges(analysis));
                &rebuilt
            }
        };
        let distances = distances_avoiding(graph, filter, Some(&ignored));
        let hidden_edges = cut_off_weakmap_edges(analysis, filter, &distances);
        IgnoredRetainers {
            nodes,
            distances,
            hidden_edges,
        }
    }

    pub fn nodes(&self) -> &[u32] {
        &self.nodes
    }

    pub fn is_ignored(&self, n: u32) -> bool {
        self.nodes.contains(&n)
    }

    /// The view's distances and hidden edges, to compare two views.
    #[cfg(test)]
    pub(crate) fn parts(&self) -> (&[i32], Vec<usize>) {
        (&self.distances, self.hidden_edges.ones().collect())
    }
}

/// The WeakMap entry names among the internal edges' names (the load does
/// not keep them).
fn ephemeron_edges(analysis: &Analysis) -> WeakMapEdges {
    let graph = &analysis.graph;
    let internal = graph.layout.types.edge_internal;
    let mut seen = FixedBitSet::with_capacity(graph.strings.len());
    let mut names = Vec::new();
    for e in 0..graph.edge_count() {
        let index = graph.edge_name(e);
        if graph.edge_type[e] != internal || seen.put(index as usize) {
            continue;
        }
        names.extend(EphemeronName::read(index, graph.strings.get(index)));
    }
    WeakMapEdges::new(&names, graph.strings.len())
}

/// DevTools' `#updateIgnoredEdgesInRetainersView`: a WeakMap value is kept
/// by key and table together, so when a node the view no longer reaches
/// holds one half of an entry, both edges into the value show unreachable.
fn cut_off_weakmap_edges(
    analysis: &Analysis,
    filter: &DistanceFilter,
    distances: &[i32],
) -> FixedBitSet {
    let graph = &analysis.graph;
    // The entry edges alone are walked (not every node, nor the retainers
    // of each value): the filter has them.
    let mut cut_off: Vec<(u32, u32)> = filter
        .ephemeron_edges()
        .filter(|&(e, _)| distances[graph.owner(e) as usize] == NO_DISTANCE)
        .map(|(e, pair)| (graph.edge_to[e], pair))
        .collect();
    cut_off.sort_unstable();
    cut_off.dedup();
    let mut hidden = FixedBitSet::with_capacity(graph.edge_count());
    for (e, pair) in filter.ephemeron_edges() {
        if cut_off.binary_search(&(graph.edge_to[e], pair)).is_ok() {
            hidden.insert(e);
        }
    }
    hidden
}

/// One retaining edge of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retainer {
    /// Edge ordinal (in the retaining node's edge list).
    pub edge: usize,
    /// The retaining node.
    pub from: u32,
}

impl Analysis {
    /// The Retainers grid's distance of a node: unreachable nodes sort last.
    pub fn retainers_view_distance(&self, n: u32) -> i32 {
        self.retainer_distance(n, None, &IgnoredRetainers::default())
    }

    /// The Retainers grid's distance of the row `edge` from `from`
    /// (DevTools' `getDistanceForRetainersView`): with nodes ignored, the
    /// view's distance; what it no longer reaches sorts last, by its old
    /// distance.
    pub fn retainer_distance(
        &self,
        from: u32,
        edge: Option<usize>,
        ignored: &IgnoredRetainers,
    ) -> i32 {
        if edge.is_some_and(|e| ignored.hidden_edges.contains(e)) {
            return BASE_UNREACHABLE_DISTANCE;
        }
        let normal = self.distances[from as usize];
        let d = ignored
            .distances
            .get(from as usize)
            .copied()
            .unwrap_or(normal);
        if d == NO_DISTANCE {
            BASE_UNREACHABLE_DISTANCE + normal.max(0)
        } else {
            d
        }
    }

    /// Whether `n` has any retainer the grid lists (no sorting).
    pub fn has_retainers(&self, n: u32) -> bool {
        self.graph.has_listed_retainer(n)
    }

    /// How many retainers the grid lists for `n`, without sorting them
    /// (a prototype's millions would each be named).
    pub fn retainer_count(&self, n: u32) -> usize {
        let graph = &self.graph;
        let edges = graph.retaining_edges(n);
        edges
            .iter()
            .filter(|&&(e, from)| graph.is_listed_retainer(e, from))
            .count()
    }

    /// Retainers of `n` in DevTools' default order: no weak edges and no
    /// edges from the root; by retaining node distance, then its display
    /// name, then slot order.
    pub fn retainers(&self, n: u32) -> Vec<Retainer> {
        self.retainers_ignoring(n, &IgnoredRetainers::default())
    }

    /// [`Analysis::retainers`] in the Retainers view with nodes ignored.
    pub fn retainers_ignoring(&self, n: u32, ignored: &IgnoredRetainers) -> Vec<Retainer> {
        self.listed_retainers(self.graph.retaining_edges(n), ignored)
    }

    /// The first of [`Analysis::retainers`] of each of `nodes` (sorted, no
    /// repeats), all found in one pass over the edges when there is no
    /// retainer index: a pass per node took minutes for the paths of
    /// 100 k leaked objects.
    pub fn first_retainers(&self, nodes: &[u32]) -> Vec<Option<Retainer>> {
        let graph = &self.graph;
        if graph.has_retainer_index() {
            return nodes
                .iter()
                .map(|&n| self.retainers(n).into_iter().next())
                .collect();
        }
        let mut wanted = FixedBitSet::with_capacity(graph.node_count());
        wanted.extend(nodes.iter().map(|&n| n as usize));
        let mut into: Vec<Vec<(usize, u32)>> = vec![Vec::new(); nodes.len()];
        // Last edge first, as the index's slots hold them.
        for e in graph
            .edges_into(|to| wanted.contains(to as usize))
            .into_iter()
            .rev()
        {
            if let Ok(at) = nodes.binary_search(&graph.edge_to[e]) {
                into[at].push((e, graph.owner(e)));
            }
        }
        let none = IgnoredRetainers::default();
        let first = |edges| self.listed_retainers(edges, &none).into_iter().next();
        into.into_iter().map(first).collect()
    }

    /// The rows the Retainers grid lists of `retaining` (a node's
    /// `(edge, retaining node)`, in slot order), in its default order.
    fn listed_retainers(
        &self,
        retaining: Vec<(usize, u32)>,
        ignored: &IgnoredRetainers,
    ) -> Vec<Retainer> {
        let graph = &self.graph;
        let mut rows: Vec<(i32, String, Retainer)> = retaining
            .into_iter()
            .filter(|&(edge, from)| graph.is_listed_retainer(edge, from))
            .map(|(edge, from)| {
                let distance = self.retainer_distance(from, Some(edge), ignored);
                (distance, display_name(graph, from), Retainer { edge, from })
            })
            .collect();
        // Stable: equal keys keep slot order, DevTools' last tie-break.
        rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| js_cmp(&a.1, &b.1)));
        rows.into_iter().map(|(_, _, r)| r).collect()
    }

    /// The label DevTools puts before ` in ` for an edge: `[3]` for
    /// elements, `(empty)` for an empty name, else the name.
    pub fn edge_label(&self, edge: usize) -> String {
        let name = self.graph.edge_name_text(edge);
        if self.graph.edge_type[edge] == self.graph.layout.types.edge_element {
            format!("[{name}]")
        } else if name.is_empty() {
            "(empty)".to_owned()
        } else {
            name
        }
    }

    /// DevTools' object label: `"text"` for strings, `name()` for closures,
    /// `name[]` for arrays, else the display name.
    pub fn object_label(&self, n: u32) -> String {
        let graph = &self.graph;
        let t = &graph.layout.types;
        let name = self.labels().display_name(n);
        let ty = graph.node_type[n as usize];
        if ty == t.string || ty == t.cons_string {
            format!("\"{name}\"")
        } else if ty == t.regexp {
            format!("/{name}/")
        } else if ty == t.closure {
            format!("{name}()")
        } else if ty == t.array {
            if name.is_empty() {
                "(internal array)[]".to_owned()
            } else {
                format!("{name}[]")
            }
        } else {
            name
        }
    }
}

/// The retainer tree of `n` toward the GC roots (each level in DevTools'
/// order), with cycles marked. Returns the top level and how many
/// retainers of `n` were left out.
pub fn retainer_tree(
    analysis: &Analysis,
    n: u32,
    limits: TreeLimits,
    ignored: &IgnoredRetainers,
) -> (Vec<TreeRow>, usize) {
    let children = |node: u32| -> Vec<(Option<usize>, u32)> {
        analysis
            .retainers_ignoring(node, ignored)
            .into_iter()
            .map(|r| (Some(r.edge), r.from))
            .collect()
    };
    expand_tree(analysis, n, limits, &children)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::distances::display_distance;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// `root → Window → Alpha → Target` and `Window → Beta → Target`.
    fn heap() -> Analysis {
        let mut s = TestSnapshot::new();
        let window = s.node("object", "Window", 3, 10);
        let alpha = s.node("object", "Alpha", 5, 10);
        let beta = s.node("object", "Beta", 7, 10);
        let target = s.node("object", "Target", 9, 10);
        s.edge(0, "shortcut", "window", window);
        s.edge(window, "property", "a", alpha)
            .edge(window, "property", "b", beta);
        s.edge(alpha, "property", "t", target)
            .edge(beta, "property", "t", target);
        s.analyze()
    }

    fn rows(a: &Analysis, ignored: &IgnoredRetainers) -> Vec<(u64, Option<i32>)> {
        let target = a.ordinal(9);
        a.retainers_ignoring(target, ignored)
            .into_iter()
            .map(|r| {
                let d = a.retainer_distance(r.from, Some(r.edge), ignored);
                (a.graph.id(r.from), display_distance(d))
            })
            .collect()
    }

    #[test]
    fn an_ignored_retainer_sorts_last_with_no_distance() {
        let a = heap();
        let none = IgnoredRetainers::default();
        assert_eq!(rows(&a, &none), [(5, Some(2)), (7, Some(2))], "by name");
        let ignored = IgnoredRetainers::new(&a, vec![a.ordinal(5)]);
        assert_eq!(rows(&a, &ignored), [(7, Some(2)), (5, None)]);
        assert_eq!(a.distance_of(5), 2, "the Summary's distance stays");
        assert_eq!(a.retained_of(3), 40, "sizes stay");
    }
}
