//! "Objects allocated between snapshots" (spec §6.4) and the Summary under a
//! node filter (§6.1, §6.2).
//!
//! V8 hands out object ids in increasing order when a snapshot first sees an
//! object, so the objects a target snapshot gained since a base snapshot are
//! the ones whose id lies above the base's largest JS (odd) id and at most
//! the target's. DevTools applies its filters to the class-retained walk as
//! well, so a filtered Summary is recomputed here, not derived from rows.

use std::collections::HashMap;

use super::classes::{self, ClassAggregate};
use super::dominators::DominatorTree;
use super::graph::{HeapGraph, Location};
use super::Analysis;

/// DevTools' `maxJSObjectId`: the largest odd node id (0 when there is none).
/// Even ids are embedder objects whose ids are not stable across snapshots.
pub fn max_js_object_id(graph: &HeapGraph) -> u64 {
    graph
        .node_id
        .iter()
        .copied()
        .filter(|id| id % 2 == 1)
        .max()
        .unwrap_or(0)
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
}

/// Summary rows of the nodes a filter keeps, and which of those nodes add
/// their retained size to their class (no counted same-class dominator).
#[derive(Debug, Clone)]
pub struct FilteredSummary {
    /// Rows in first-seen order, public keys merged as DevTools does.
    pub aggregates: Vec<ClassAggregate>,
    /// Per node ordinal: counted in its class's retained size.
    pub counted: Vec<bool>,
}

/// The Summary restricted to the nodes `keep` accepts: DevTools'
/// `getAggregatesByClassKey` with a filter (§6.1, and §6.2 for retained).
///
/// # Complexity
/// O(nodes): one pass to group, one dominator-tree walk.
pub fn filtered_summary(analysis: &Analysis, keep: &dyn Fn(u32) -> bool) -> FilteredSummary {
    let (mut aggregates, node_class) = group_filtered(analysis, keep);
    classes::add_distances(&mut aggregates, &analysis.distances);
    let counted = class_retained_roots(
        &analysis.dominators,
        analysis.graph.root,
        &node_class,
        aggregates.len(),
    );
    for (n, _) in counted.iter().enumerate().filter(|(_, &c)| c) {
        let class = node_class[n] as usize;
        aggregates[class].retained_size += analysis.dominators.retained[n];
    }
    FilteredSummary {
        aggregates: classes::merge_public_keys(aggregates),
        counted,
    }
}

/// The Summary of `target` filtered to objects allocated in `range`.
pub fn allocated_summary(target: &Analysis, range: IdRange) -> Vec<ClassAggregate> {
    let ids = &target.graph.node_id;
    filtered_summary(target, &|n| range.contains(ids[n as usize])).aggregates
}

/// Groups the kept nodes with self size > 0 by DevTools' internal class key
/// (`classKeyInternal`: the class index, or location and name for objects
/// with a constructor location), in ordinal order; returns the rows and
/// each node's row (`u32::MAX`: none).
fn group_filtered(
    analysis: &Analysis,
    keep: &dyn Fn(u32) -> bool,
) -> (Vec<ClassAggregate>, Vec<u32>) {
    let graph = &analysis.graph;
    let object = graph.layout.types.object;
    let mut aggregates: Vec<ClassAggregate> = Vec::new();
    // Class indexes are string indexes: dense, so a vector beats hashing.
    let mut by_class: Vec<u32> = vec![u32::MAX; graph.strings.len()];
    let mut by_location: HashMap<(Location, &str), u32> = HashMap::new();
    let mut node_class = vec![u32::MAX; graph.node_count()];
    for n in 0..graph.node_count() as u32 {
        let size = graph.self_size[n as usize];
        if size == 0 || !keep(n) {
            continue;
        }
        let name = analysis.class_name(n);
        let location = graph
            .is_type(n, object)
            .then(|| graph.locations.get(&n).copied())
            .flatten();
        let mut add_row = |location| {
            aggregates.push(empty_row(name, location));
            aggregates.len() as u32 - 1
        };
        let index = match location {
            Some(loc) => *by_location
                .entry((loc, name))
                .or_insert_with(|| add_row(Some(loc))),
            None => {
                let class = analysis.classes[n as usize] as usize;
                if by_class.len() <= class {
                    by_class.resize(class + 1, u32::MAX);
                }
                if by_class[class] == u32::MAX {
                    by_class[class] = add_row(None);
                }
                by_class[class]
            }
        };
        let row = &mut aggregates[index as usize];
        row.count += 1;
        row.self_size += u64::from(size);
        row.instances.push(n);
        node_class[n as usize] = index;
    }
    (aggregates, node_class)
}

fn empty_row(name: &str, location: Option<Location>) -> ClassAggregate {
    ClassAggregate {
        key: match location {
            Some(l) => format!("{},{},{},{name}", l.script_id, l.line, l.column),
            None => format!(",{name}"),
        },
        name: name.to_owned(),
        location,
        count: 0,
        self_size: 0,
        retained_size: 0,
        distance: i32::MAX,
        instances: Vec::new(),
    }
}

/// DevTools' class-retained rule (§6.2) as a per-node flag: a node with a
/// class counts unless a counted node of its class dominates it.
///
/// # Complexity
/// O(nodes): one depth-first walk of the dominator tree.
pub fn class_retained_roots(
    tree: &DominatorTree,
    root: u32,
    node_class: &[u32],
    class_count: usize,
) -> Vec<bool> {
    let mut counted = vec![false; node_class.len()];
    let mut open = vec![false; class_count];
    // (node, closing): the closing entry reopens the class after the subtree.
    let mut stack: Vec<(u32, bool)> = vec![(root, false)];
    while let Some((n, closing)) = stack.pop() {
        let class = node_class[n as usize];
        if closing {
            open[class as usize] = false;
            continue;
        }
        let children = tree.children_of(n);
        if class != u32::MAX && !open[class as usize] {
            counted[n as usize] = true;
            if !children.is_empty() {
                open[class as usize] = true;
                stack.push((n, true));
            }
        }
        stack.extend(children.iter().map(|&c| (c, false)));
    }
    counted
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
