//! "Objects allocated between snapshots" (spec §6.4) and the Summary under a
//! node filter (§6.1, §6.2).
//!
//! V8 hands out object ids in increasing order when a snapshot first sees an
//! object, so the objects a target snapshot gained since a base snapshot are
//! the ones whose id lies above the base's largest JS (odd) id and at most
//! the target's. DevTools applies its filters to the class-retained walk as
//! well, so a filtered Summary is recomputed here, not derived from rows.

use fixedbitset::FixedBitSet;

use crate::snapshot::classes::{self, ClassAggregate};
use crate::snapshot::graph::HeapGraph;
use crate::snapshot::Analysis;

/// DevTools' `maxJSObjectId`: the largest odd node id (0 when there is none),
/// of the ids as DevTools keeps them. Even ids are embedder objects whose ids
/// are not stable across snapshots.
pub fn max_js_object_id(graph: &HeapGraph) -> u64 {
    graph
        .node_id
        .devtools_ids()
        .iter()
        .copied()
        .filter(|id| id % 2 == 1)
        .max()
        .map_or(0, u64::from)
}

/// DevTools' node-id range filter: `after < id <= up_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdRange {
    pub after: u64,
    pub up_to: u64,
}

impl IdRange {
    /// "Objects allocated between BASE and TARGET".
    pub fn between(base: &HeapGraph, target: &HeapGraph) -> IdRange {
        IdRange {
            after: max_js_object_id(base),
            up_to: max_js_object_id(target),
        }
    }

    pub fn contains(&self, id: u64) -> bool {
        id > self.after && id <= self.up_to
    }

    /// Whether node `n`'s id, as DevTools keeps it, is in the range.
    pub fn contains_node(&self, graph: &HeapGraph, n: u32) -> bool {
        self.contains(u64::from(graph.node_id.devtools(n)))
    }
}

/// Summary rows of the nodes a filter keeps, and which of those nodes add
/// their retained size to their class (no counted same-class dominator).
#[derive(Debug, Clone)]
pub struct FilteredSummary {
    /// Rows in first-seen order, public keys merged as DevTools does.
    pub aggregates: Vec<ClassAggregate>,
    /// Per node ordinal: counted in its class's retained size.
    pub counted: FixedBitSet,
}

/// The Summary restricted to the nodes `keep` accepts: DevTools'
/// `getAggregatesByClassKey` with a filter (§6.1, and §6.2 for retained).
///
/// # Complexity
/// O(nodes): one pass to group, one dominator-tree walk.
pub fn filtered_summary(analysis: &Analysis, keep: &dyn Fn(u32) -> bool) -> FilteredSummary {
    let graph = &analysis.graph;
    let mut aggregates =
        classes::build_aggregates(graph, &analysis.classes, &|c| graph.strings.get(c), keep);
    classes::add_distances(&mut aggregates, &analysis.distances);
    let node_class = classes::node_classes(&aggregates, graph.node_count());
    let counted = classes::add_class_retained_sizes(
        &mut aggregates,
        &node_class,
        &analysis.dominators,
        graph.root,
    );
    FilteredSummary {
        aggregates: classes::merge_public_keys(aggregates),
        counted,
    }
}

/// The Summary of `target` filtered to objects allocated in `range`.
pub fn allocated_summary(target: &Analysis, range: IdRange) -> Vec<ClassAggregate> {
    let graph = &target.graph;
    filtered_summary(target, &|n| range.contains_node(graph, n)).aggregates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// root → global (id 3) → Foo @5 → Foo @7 (dominated) ; global → Foo @9, Bar @11.
    fn heap() -> Analysis {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        let foo5 = s.node("object", "Foo", 5, 10);
        let foo7 = s.node("object", "Foo", 7, 20);
        let foo9 = s.node("object", "Foo", 9, 30);
        let bar = s.node("object", "Bar", 11, 40);
        let native = s.node("native", "Native", 12, 50);
        s.edge(0, "shortcut", "global", global);
        s.edge(global, "property", "a", foo5);
        s.edge(foo5, "property", "b", foo7);
        s.edge(global, "property", "c", foo9);
        s.edge(global, "property", "d", bar);
        s.edge(global, "property", "e", native);
        s.analyze()
    }

    #[test]
    fn max_js_object_id_skips_even_ids() {
        assert_eq!(max_js_object_id(&heap().graph), 11);
    }

    #[test]
    fn id_range_is_open_below_closed_above() {
        let range = IdRange { after: 5, up_to: 9 };
        assert!(!range.contains(5));
        assert!(range.contains(7));
        assert!(range.contains(9));
        assert!(!range.contains(10));
    }

    #[test]
    fn unfiltered_summary_equals_the_analysis() {
        let a = heap();
        let all = filtered_summary(&a, &|_| true).aggregates;
        assert_eq!(all.len(), a.aggregates.len());
        for (x, y) in all.iter().zip(&a.aggregates) {
            assert_eq!(
                (&x.key, x.count, x.self_size, x.retained_size, x.distance),
                (&y.key, y.count, y.self_size, y.retained_size, y.distance)
            );
        }
    }

    #[test]
    fn a_filtered_out_dominator_does_not_block_its_class() {
        let a = heap();
        // Keeps @7 and @9 only: @5 (which dominates @7) is filtered out, so
        // @7 counts on its own (§6.2: "ancestors that fail the filter do not block").
        let range = IdRange {
            after: 5,
            up_to: 10,
        };
        let rows = allocated_summary(&a, range);
        let foo = rows.iter().find(|r| r.name == "Foo");
        let foo = foo.map(|f| (f.count, f.self_size, f.retained_size));
        assert_eq!(foo, Some((2, 50, 50)));
        assert!(rows.iter().all(|r| r.name != "Bar" && r.name != "Native"));
    }
}
