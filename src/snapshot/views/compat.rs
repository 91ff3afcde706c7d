//! Snapshots from different V8 versions: their `snapshot.meta` differs
//! (field lists, type lists), and so may the objects V8 reports and how it
//! names them, so a Comparison between them can show spurious deltas.

use crate::snapshot::meta::Layout;

/// Whether two snapshots describe their nodes and edges the same way: the
/// same node and edge fields (positions), and the same type lists.
pub fn same_meta(a: &Layout, b: &Layout) -> bool {
    let fields = |l: &Layout| {
        [
            l.node_field_count,
            l.node_type,
            l.node_name,
            l.node_id,
            l.node_self_size,
            l.node_edge_count,
            l.node_detachedness.map_or(usize::MAX, |d| d),
            l.edge_field_count,
            l.edge_type,
            l.edge_name,
            l.edge_to_node,
        ]
    };
    fields(a) == fields(b)
        && a.node_type_names == b.node_type_names
        && a.edge_type_names == b.edge_type_names
}

/// The warning for two snapshots whose meta differs (one line).
pub fn meta_warning(base: &str, target: &str) -> String {
    format!(
        "{base} and {target} come from different V8 versions \
         (their snapshot.meta differs); deltas may be spurious"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    #[test]
    fn a_type_list_change_is_a_different_meta() {
        let a = TestSnapshot::new().analyze();
        let mut layout = a.graph.layout.clone();
        assert!(same_meta(&a.graph.layout, &layout));
        layout.node_type_names.push("wasm object".into());
        assert!(!same_meta(&a.graph.layout, &layout));
    }
}
