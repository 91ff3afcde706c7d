//! Retainers of an object, as DevTools' Retainers grid lists them (spec §7),
//! and the expandable retainer tree toward the GC roots.

use super::distances::{BASE_UNREACHABLE_DISTANCE, NO_DISTANCE};
use super::names::display_name;
use super::strings::js_cmp;
use super::tree::{expand_tree, TreeLimits, TreeRow};
use super::Analysis;

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
        let d = self.distances[n as usize];
        if d == NO_DISTANCE {
            BASE_UNREACHABLE_DISTANCE
        } else {
            d
        }
    }

    /// Whether `n` has any retainer the grid lists (no sorting).
    pub fn has_retainers(&self, n: u32) -> bool {
        let graph = &self.graph;
        let weak = graph.layout.types.edge_weak;
        graph
            .retaining_edges(n)
            .into_iter()
            .any(|(edge, from)| from != graph.root && graph.edge_type[edge] != weak)
    }

    /// Retainers of `n` in DevTools' default order: no weak edges and no
    /// edges from the root; by retaining node distance, then its display
    /// name, then slot order.
    pub fn retainers(&self, n: u32) -> Vec<Retainer> {
        let graph = &self.graph;
        let weak = graph.layout.types.edge_weak;
        let mut rows: Vec<(i32, String, Retainer)> = graph
            .retaining_edges(n)
            .into_iter()
            .filter(|&(edge, from)| from != graph.root && graph.edge_type[edge] != weak)
            .map(|(edge, from)| {
                let distance = self.retainers_view_distance(from);
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
        let name = display_name(graph, n);
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
pub fn retainer_tree(analysis: &Analysis, n: u32, limits: TreeLimits) -> (Vec<TreeRow>, usize) {
    let children = |node: u32| -> Vec<(Option<usize>, u32)> {
        analysis
            .retainers(node)
            .into_iter()
            .map(|r| (Some(r.edge), r.from))
            .collect()
    };
    expand_tree(analysis, n, limits, &children)
}
