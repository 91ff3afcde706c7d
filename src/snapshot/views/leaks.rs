//! The three-snapshot leak report: objects allocated between S1 and S2 that
//! are still alive in S3 (memlab's find-leaks idea), grouped by class, then
//! by their shortest retainer path with shared upper parts merged (Eclipse
//! MAT's "merge shortest paths to GC roots").
//!
//! The path of an object follows, from the object up, the first row of
//! DevTools' Retainers grid (smallest distance), exactly as DevTools opens
//! the Retainers tree (§7.5): until a user root (distance ≤ 1), an
//! unreachable retainer, a cycle, or 20 levels.

use std::collections::HashMap;

use fixedbitset::FixedBitSet;

use super::allocation::{filtered_summary, IdRange};
use super::retainers::Retainer;
use crate::snapshot::classes::{add_class_retained_sizes, ClassAggregate};
use crate::snapshot::distances::BASE_UNREACHABLE_DISTANCE;
use crate::snapshot::graph::{HeapGraph, Location};
use crate::snapshot::Analysis;

/// DevTools' `expandRetainersChain(20)` depth.
pub const MAX_PATH_LEVELS: usize = 20;

/// The label a group shows when its merged edges had different index names.
pub const ANY_INDEX: &str = "[…]";

/// Leaked objects of S3, by class.
#[derive(Debug, Clone)]
pub struct LeakReport {
    pub range: IdRange,
    /// Leaked objects in all classes.
    pub count: u64,
    /// What the leaked objects retain together (each object counted once,
    /// unlike a sum over classes, whose retained sizes overlap).
    pub retained_size: u64,
    /// Sorted by retained size, largest first.
    pub classes: Vec<LeakClass>,
}

/// The leaked objects of one class.
#[derive(Debug, Clone)]
pub struct LeakClass {
    pub key: String,
    pub name: String,
    pub location: Option<Location>,
    pub count: u64,
    /// DevTools' class retained size over the leaked objects only.
    pub retained_size: u64,
    /// The leaked objects (S3 ordinals), in ordinal order.
    pub instances: Vec<u32>,
    /// Merged retainer paths, root end first; largest retained first.
    pub paths: Vec<PathGroup>,
}

/// One step of merged retainer paths: every leaked object below it is held
/// through an edge with this label from a retainer of this class.
#[derive(Debug, Clone)]
pub struct PathGroup {
    /// The edge label (`[…]` when merged index edges had different indexes).
    pub edge: String,
    /// The retaining object's class.
    pub class: String,
    /// The retaining object, when every merged path goes through the same one.
    pub node: Option<u32>,
    /// Leaked objects whose path goes through this step.
    pub count: u64,
    pub retained_size: u64,
    pub children: Vec<PathGroup>,
}

/// Whether `n` is V8's own bookkeeping rather than a program's object:
/// compiled code, object shapes, internal arrays, `system / …` objects and
/// heap numbers. New ones between snapshots are mostly lazily compiled code
/// and inline caches, not leaks, so `leaks` leaves them out by default (as
/// memlab does with its "trivial" nodes).
pub fn is_v8_internal(analysis: &Analysis, n: u32) -> bool {
    let graph = &analysis.graph;
    let t = &graph.layout.types;
    let ty = graph.node_type[n as usize];
    [t.hidden, t.code, t.array].contains(&ty)
        || matches!(graph.type_name(n), "object shape" | "number")
}

/// Finds the objects allocated between `s1` and `s2` that `s3` still holds,
/// among the nodes of S3 that `include` accepts.
///
/// # Complexity
/// O(nodes of S3 + leaked objects × path length); each retainer list is
/// sorted once.
pub fn find_leaks(
    s1: &HeapGraph,
    s2: &HeapGraph,
    s3: &Analysis,
    include: &dyn Fn(u32) -> bool,
) -> LeakReport {
    let range = IdRange::between(s1, s2);
    let mut alive_in_s2: Vec<u32> = (0..s2.node_count() as u32)
        .filter(|&n| range.contains_node(s2, n))
        .map(|n| s2.node_id.devtools(n))
        .collect();
    alive_in_s2.sort_unstable();
    let graph = &s3.graph;
    let keep = |n: u32| {
        range.contains_node(graph, n)
            && alive_in_s2
                .binary_search(&graph.node_id.devtools(n))
                .is_ok()
            && include(n)
    };
    let summary = filtered_summary(s3, &keep);
    let retained_size = union_retained_size(s3, &keep);
    let mut paths = PathFinder::new(s3);
    let leaked: Vec<u32> = summary
        .aggregates
        .iter()
        .flat_map(|row| row.instances.iter().copied())
        .collect();
    paths.prefetch(&leaked);
    let mut classes: Vec<LeakClass> = summary
        .aggregates
        .into_iter()
        .map(|row| leak_class(s3, row, &summary.counted, &mut paths))
        .collect();
    classes.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.key.cmp(&b.key))
    });
    LeakReport {
        range,
        count: classes.iter().map(|c| c.count).sum(),
        retained_size,
        classes,
    }
}

/// Σ retained size of the kept nodes that no kept node dominates: the class
/// retained rule (§6.2) with every kept node in one class.
fn union_retained_size(analysis: &Analysis, keep: &dyn Fn(u32) -> bool) -> u64 {
    let graph = &analysis.graph;
    let one_class: Vec<u32> = (0..graph.node_count() as u32)
        .map(|n| {
            if graph.self_size[n as usize] > 0 && keep(n) {
                0
            } else {
                u32::MAX
            }
        })
        .collect();
    let mut union = [ClassAggregate::empty("", None)];
    add_class_retained_sizes(&mut union, &one_class, &analysis.dominators, graph.root);
    union[0].retained_size
}

fn leak_class(
    s3: &Analysis,
    row: ClassAggregate,
    counted: &FixedBitSet,
    paths: &mut PathFinder<'_>,
) -> LeakClass {
    let mut trie = Trie::default();
    for &n in &row.instances {
        let retained = if counted[n as usize] {
            s3.dominators.retained[n as usize]
        } else {
            0
        };
        let path = paths.shortest_path(n);
        trie.insert(s3, path.iter().rev(), retained);
    }
    LeakClass {
        paths: trie.groups(s3, &trie.top),
        key: row.key,
        name: row.name,
        location: row.location,
        count: row.count,
        retained_size: row.retained_size,
        instances: row.instances,
    }
}

/// Shortest retainer paths, with each node's first retainer remembered:
/// leaked objects share most of their paths.
pub struct PathFinder<'a> {
    analysis: &'a Analysis,
    first: HashMap<u32, Option<Retainer>>,
}

impl<'a> PathFinder<'a> {
    pub fn new(analysis: &'a Analysis) -> Self {
        PathFinder {
            analysis,
            first: HashMap::new(),
        }
    }

    /// The path from `n` toward the GC roots: each step is the retainer of
    /// the previous node (the first is `n`'s own retainer).
    pub fn shortest_path(&mut self, n: u32) -> Vec<Retainer> {
        let mut path: Vec<Retainer> = Vec::new();
        let mut at = n;
        while path.len() < MAX_PATH_LEVELS {
            let Some(step) = self.first_retainer(at) else {
                break;
            };
            let from = step.from;
            let cycle = from == n || path.iter().any(|r| r.from == from);
            path.push(step);
            let distance = self.analysis.retainers_view_distance(from);
            if cycle || distance <= 1 || distance >= BASE_UNREACHABLE_DISTANCE {
                break;
            }
            at = from;
        }
        path
    }

    /// Finds the first retainers of `nodes` and of theirs, level by level
    /// up to the paths' length, each level in one pass over the edges
    /// (see [`Analysis::first_retainers`]).
    pub fn prefetch(&mut self, nodes: &[u32]) {
        let analysis = self.analysis;
        let mut level = nodes.to_vec();
        for _ in 0..MAX_PATH_LEVELS {
            level.retain(|n| !self.first.contains_key(n));
            level.sort_unstable();
            level.dedup();
            if level.is_empty() {
                return;
            }
            let firsts = analysis.first_retainers(&level);
            let mut next = Vec::new();
            for (&n, first) in level.iter().zip(firsts) {
                next.extend(first.as_ref().map(|r| r.from));
                self.first.insert(n, first);
            }
            level = next;
        }
    }

    fn first_retainer(&mut self, n: u32) -> Option<Retainer> {
        let analysis = self.analysis;
        self.first
            .entry(n)
            .or_insert_with(|| analysis.retainers(n).into_iter().next())
            .clone()
    }
}

/// The key a path step merges on: index-like edge names (array elements,
/// hash-table slots) merge regardless of the index.
fn edge_key(analysis: &Analysis, edge: usize) -> String {
    let graph = &analysis.graph;
    let t = &graph.layout.types;
    let ty = graph.edge_type[edge];
    let name = graph.edge_name_text(edge);
    let index_like = ty == t.edge_element
        || ty == t.edge_hidden
        || (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()));
    if index_like {
        ANY_INDEX.to_owned()
    } else {
        analysis.edge_label(edge)
    }
}

#[derive(Default)]
struct Trie {
    nodes: Vec<TrieNode>,
    /// Children of the (implicit) top, by key.
    top: HashMap<(String, u32), usize>,
}

struct TrieNode {
    label: String,
    class: u32,
    node: Option<u32>,
    count: u64,
    retained: u64,
    children: HashMap<(String, u32), usize>,
}

impl Trie {
    /// Adds one object's path, given root end first.
    fn insert<'r>(
        &mut self,
        analysis: &Analysis,
        steps: impl Iterator<Item = &'r Retainer>,
        retained: u64,
    ) {
        let mut parent: Option<usize> = None;
        for step in steps {
            let class = analysis.classes[step.from as usize];
            let key = (edge_key(analysis, step.edge), class);
            let label = analysis.edge_label(step.edge);
            let at = self.child(parent, key, &label, class, step.from);
            let node = &mut self.nodes[at];
            node.count += 1;
            node.retained += retained;
            if node.label != label {
                node.label = ANY_INDEX.to_owned();
            }
            if node.node != Some(step.from) {
                node.node = None;
            }
            parent = Some(at);
        }
    }

    fn child(
        &mut self,
        parent: Option<usize>,
        key: (String, u32),
        label: &str,
        class: u32,
        from: u32,
    ) -> usize {
        let next = self.nodes.len();
        let map = match parent {
            Some(p) => &mut self.nodes[p].children,
            None => &mut self.top,
        };
        let at = *map.entry(key).or_insert(next);
        if at == next {
            self.nodes.push(TrieNode {
                label: label.to_owned(),
                class,
                node: Some(from),
                count: 0,
                retained: 0,
                children: HashMap::new(),
            });
        }
        at
    }

    /// The groups of `map`'s children, largest retained first.
    fn groups(&self, analysis: &Analysis, map: &HashMap<(String, u32), usize>) -> Vec<PathGroup> {
        let mut groups: Vec<PathGroup> = map
            .values()
            .map(|&i| {
                let t = &self.nodes[i];
                PathGroup {
                    edge: t.label.clone(),
                    class: analysis.graph.strings.get(t.class).to_owned(),
                    node: t.node,
                    count: t.count,
                    retained_size: t.retained,
                    children: self.groups(analysis, &t.children),
                }
            })
            .collect();
        groups.sort_by(|a, b| {
            b.retained_size
                .cmp(&a.retained_size)
                .then(b.count.cmp(&a.count))
                .then_with(|| a.edge.cmp(&b.edge))
                .then_with(|| a.class.cmp(&b.class))
        });
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// S1: global @3 → list @5 (an array). S2 adds Item @7 and @9 (list
    /// elements) and Item @11 in a Map @13 hung off the list. S3 has dropped
    /// @9 and gained Item @15 (allocated after S2: not a leak).
    fn three() -> (Analysis, Analysis, Analysis) {
        let s1 = base_heap().analyze();
        let mut s2 = base_heap();
        add_item(&mut s2, LIST, "element", "0", 7);
        add_item(&mut s2, LIST, "element", "1", 9);
        let map = add_map(&mut s2);
        add_item(&mut s2, map, "property", "a", 11);
        let mut s3 = base_heap();
        add_item(&mut s3, LIST, "element", "0", 7);
        let map = add_map(&mut s3);
        add_item(&mut s3, map, "property", "a", 11);
        add_item(&mut s3, LIST, "element", "2", 15);
        (s1, s2.analyze(), s3.analyze())
    }

    /// The list's ordinal in every test heap.
    const LIST: usize = 2;

    fn base_heap() -> TestSnapshot {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        let list = s.node("array", "", 5, 16);
        s.edge(0, "shortcut", "global", global);
        s.edge(global, "property", "list", list);
        s
    }

    fn add_map(s: &mut TestSnapshot) -> usize {
        let map = s.node("object", "Map", 13, 8);
        s.edge(LIST, "property", "byId", map);
        map
    }

    fn add_item(s: &mut TestSnapshot, holder: usize, edge_type: &str, name: &str, id: u64) {
        let item = s.node("object", "Item", id, 24);
        s.edge(holder, edge_type, name, item);
    }

    #[test]
    fn leaks_are_allocated_between_s1_and_s2_and_alive_in_s3() {
        let (s1, s2, s3) = three();
        let report = find_leaks(&s1.graph, &s2.graph, &s3, &|_| true);
        let item = report.classes.iter().find(|c| c.name == "Item");
        let item = item.map(|c| (c.count, c.retained_size));
        assert_eq!(item, Some((2, 48)));
        // The Map @13 leaked too and retains Item @11: 8 + 24 + 24.
        assert_eq!((report.count, report.retained_size), (3, 56));
        assert!(report.classes.iter().all(|c| c.name != "global"));
    }

    #[test]
    fn internals_can_be_left_out() {
        let (s1, s2, s3) = three();
        let report = find_leaks(&s1.graph, &s2.graph, &s3, &|n| !is_v8_internal(&s3, n));
        assert_eq!(report.count, 3);
        let only_items = find_leaks(&s1.graph, &s2.graph, &s3, &|n| s3.class_name(n) == "Item");
        assert_eq!((only_items.count, only_items.retained_size), (2, 48));
    }

    #[test]
    fn paths_merge_from_the_root_end() {
        let (s1, s2, s3) = three();
        let report = find_leaks(&s1.graph, &s2.graph, &s3, &|_| true);
        let Some(item) = report.classes.iter().find(|c| c.name == "Item") else {
            panic!("Item leaks");
        };
        // Both paths start at the global: one group at the top.
        assert_eq!(item.paths.len(), 1);
        let top = &item.paths[0];
        assert_eq!((top.edge.as_str(), top.count), ("list", 2));
        let edges: Vec<(&str, u64)> = top
            .children
            .iter()
            .map(|g| (g.edge.as_str(), g.count))
            .collect();
        assert_eq!(edges, [("[0]", 1), ("byId", 1)]);
    }
}
