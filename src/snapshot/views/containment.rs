//! What an object holds: the Containment view (spec §7.6; every outgoing
//! edge, weak ones included, by retained size then DevTools' edge-name
//! order) and the dominator tree (children by retained size).

use std::cmp::Ordering;

use super::tree::{expand_tree, TreeLimits, TreeRow};
use crate::snapshot::strings::{js_cmp, js_parse_int};
use crate::snapshot::Analysis;

/// The outgoing edges of `n` in DevTools' default Containment order:
/// target retained size descending, then edge name (`__proto__` last,
/// named edges before index edges), then edge order.
pub fn containment_edges(analysis: &Analysis, n: u32) -> Vec<usize> {
    let graph = &analysis.graph;
    let retained = &analysis.dominators.retained;
    let mut edges: Vec<usize> = graph.edges(n).collect();
    edges.sort_by(|&a, &b| {
        let (ta, tb) = (graph.edge_to[a] as usize, graph.edge_to[b] as usize);
        retained[tb]
            .cmp(&retained[ta])
            .then_with(|| compare_edge_names(analysis, a, b))
    });
    edges
}

/// DevTools' `!edgeName` comparator (ascending): `__proto__` always last,
/// string-named edges before index edges, then JS string order.
pub fn compare_edge_names(analysis: &Analysis, a: usize, b: usize) -> Ordering {
    let graph = &analysis.graph;
    let (name_a, name_b) = (graph.edge_name_text(a), graph.edge_name_text(b));
    // DevTools returns "less" for any pair ending in __proto__, even two of
    // them; equal keeps Rust's sort consistent and the edge order decides.
    match (name_a == "__proto__", name_b == "__proto__") {
        (true, true) => return Ordering::Equal,
        (false, true) => return Ordering::Less,
        (true, false) => return Ordering::Greater,
        (false, false) => {}
    }
    match (has_string_name(analysis, a), has_string_name(analysis, b)) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => js_cmp(&name_a, &name_b),
    }
}

/// DevTools' `hasStringName`: not element/hidden, and shortcut names that
/// parse as integers count as indexes.
fn has_string_name(analysis: &Analysis, e: usize) -> bool {
    let graph = &analysis.graph;
    if !graph.edge_has_string_name(e) {
        return false;
    }
    graph.edge_type[e] != graph.layout.types.edge_shortcut
        || js_parse_int(graph.edge_string(e)).is_none()
}

/// The nodes `n` immediately dominates, largest retained size first (then
/// by id).
pub fn dominated_children(analysis: &Analysis, n: u32) -> Vec<u32> {
    let mut children = analysis.dominators.children_of(n).to_vec();
    analysis.sort_by_retained_size(&mut children);
    children
}

/// The Containment tree below `n`.
pub fn containment_tree(analysis: &Analysis, n: u32, limits: TreeLimits) -> (Vec<TreeRow>, usize) {
    let children = |node: u32| -> Vec<(Option<usize>, u32)> {
        containment_edges(analysis, node)
            .into_iter()
            .map(|e| (Some(e), analysis.graph.edge_to[e]))
            .collect()
    };
    expand_tree(analysis, n, limits, &children)
}

/// The dominator tree below `n`.
pub fn dominator_tree(analysis: &Analysis, n: u32, limits: TreeLimits) -> (Vec<TreeRow>, usize) {
    let children = |node: u32| -> Vec<(Option<usize>, u32)> {
        dominated_children(analysis, node)
            .into_iter()
            .map(|c| (None, c))
            .collect()
    };
    expand_tree(analysis, n, limits, &children)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    fn heap() -> Analysis {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        let big = s.node("object", "Big", 5, 100);
        let small = s.node("object", "Small", 7, 10);
        let proto = s.node("object", "Proto", 9, 500);
        let other = s.node("object", "Other", 11, 10);
        s.edge(0, "shortcut", "global", global);
        s.edge(global, "property", "__proto__", proto);
        s.edge(global, "element", "1", other);
        s.edge(global, "property", "zeta", small);
        s.edge(global, "property", "alpha", other);
        s.edge(global, "property", "big", big);
        s.edge(global, "weak", "w", big);
        s.edge(big, "property", "back", global);
        s.analyze()
    }

    fn labels(a: &Analysis, edges: &[usize]) -> Vec<String> {
        edges.iter().map(|&e| a.edge_label(e)).collect()
    }

    #[test]
    fn containment_lists_weak_edges_by_retained_then_name() {
        let a = heap();
        let global = a.ordinal(3);
        let edges = containment_edges(&a, global);
        // Proto (500) first; Big (100) via "big" then "w"; the 10-byte ones:
        // named before index, alpha < zeta.
        assert_eq!(
            labels(&a, &edges),
            ["__proto__", "big", "w", "alpha", "zeta", "[1]"]
        );
    }

    #[test]
    fn proto_goes_last_among_equals() {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        let x = s.node("object", "X", 5, 10);
        let y = s.node("object", "Y", 7, 10);
        s.edge(0, "shortcut", "global", global);
        s.edge(global, "property", "__proto__", x);
        s.edge(global, "property", "z", y);
        let a = s.analyze();
        let edges = containment_edges(&a, a.ordinal(3));
        assert_eq!(labels(&a, &edges), ["z", "__proto__"]);
    }

    #[test]
    fn cycles_are_marked_and_not_expanded() {
        let a = heap();
        let limits = TreeLimits {
            depth: 3,
            fan_out: 10,
            max_rows: 100,
        };
        let (rows, more) = containment_tree(&a, a.ordinal(3), limits);
        assert_eq!((rows.len(), more), (6, 0));
        let big = &rows[1];
        assert_eq!(big.children.len(), 1);
        assert!(big.children[0].cycle, "Big.back → global is a cycle");
    }

    #[test]
    fn dominator_children_are_by_retained_size() {
        let a = heap();
        let (rows, _) = dominator_tree(
            &a,
            a.ordinal(3),
            TreeLimits {
                depth: 1,
                fan_out: 10,
                max_rows: 100,
            },
        );
        let ids: Vec<u64> = rows.iter().map(|r| a.graph.id(r.node)).collect();
        assert_eq!(ids, [9, 5, 7, 11]);
    }
}
