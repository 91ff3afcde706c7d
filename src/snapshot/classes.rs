//! Per-class aggregates: the Summary view (spec §5.3, §6; DevTools
//! `buildAggregates`, `calculateClassesRetainedSize`,
//! `getAggregatesByClassKey`).
//!
//! Nodes group by class key: `(scriptId, line, column, name)` for objects
//! whose constructor has a location, else the class string index. Nodes
//! with (adjusted) self size 0 never count.

use std::borrow::Cow;

use fixedbitset::FixedBitSet;
use rayon::prelude::*;
// Keys here are hashed millions of times per load and come from the
// snapshot, not from an attacker with a live connection: FxHash (~3× the
// speed of SipHash on these keys) instead of std's DoS-resistant default.
use rustc_hash::FxHashMap as HashMap;

use super::dominators::{DominatorTree, WalkLists};
use super::error::SnapshotError;
use super::graph::{HeapGraph, Location};
use super::strings::capped;

/// One Summary row.
#[derive(Debug, Clone)]
pub struct ClassAggregate {
    /// DevTools' public class key (`",Name"` or `"sid,line,col,Name"`);
    /// equal across snapshots for the same class.
    pub key: String,
    pub name: String,
    pub location: Option<Location>,
    pub count: u64,
    pub self_size: u64,
    /// Retained size of the instances no same-class instance dominates.
    pub retained_size: u64,
    /// Smallest instance distance (may be -5: unreachable).
    pub distance: i32,
    /// Instances (node ordinals), in ordinal order.
    pub instances: Vec<u32>,
}

/// The most of a class name a row holds and shows, in bytes. A name is
/// any string of the snapshot: one of 600 MB, copied into the key and
/// the name of each of its rows, took a UI to 24 GB. Real class names are
/// far shorter (the longest among the fixtures: 1 012 characters).
pub const MAX_CLASS_NAME_BYTES: usize = 4096;

impl ClassAggregate {
    /// A class with no instances yet, keyed as DevTools' public class key.
    /// A name past [`MAX_CLASS_NAME_BYTES`] is cut, with an ellipsis, and
    /// its key ends with a hash of the whole name: equal names still share
    /// a key (across snapshots too), different ones do not.
    pub fn empty(name: &str, location: Option<Location>) -> ClassAggregate {
        let (shown, whole) = shown_name(name);
        let name = shown.as_ref();
        ClassAggregate {
            key: match location {
                Some(l) => format!("{},{},{},{name}{whole}", l.script_id, l.line, l.column),
                None => format!(",{name}{whole}"),
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
}

/// A name as a row shows it, and what its key adds to tell long names
/// apart (empty for a name shown whole).
fn shown_name(name: &str) -> (Cow<'_, str>, String) {
    let shown = capped(name, MAX_CLASS_NAME_BYTES);
    let whole = match shown {
        Cow::Borrowed(_) => String::new(),
        Cow::Owned(_) => format!(" #{:016x}", xxhash_rust::xxh3::xxh3_64(name.as_bytes())),
    };
    (shown, whole)
}

/// Groups nodes into classes. `class_of` gives each node's class index
/// (string indexes, or other ids `class_name` knows). Returns the aggregates
/// in first-seen order.
///
/// Keys follow DevTools' `classKeyInternal`: the class index itself, or for
/// objects with a constructor location (location, class *name*).
///
/// # Complexity
/// O(nodes), and each distinct class name of a located object hashed once.
pub fn build_aggregates<'a>(
    graph: &'a HeapGraph,
    class_of: &[u32],
    class_name: &dyn Fn(u32) -> &'a str,
    keep: &dyn Fn(u32) -> bool,
) -> Vec<ClassAggregate> {
    try_build_aggregates(graph, class_of, class_name, keep).unwrap_or_else(abort)
}

/// What `vec!` does when memory cannot be had, for the views, which run
/// on a loaded snapshot: the load pipeline calls the `try_` functions.
fn abort<T>(error: SnapshotError) -> T {
    let needed = match error {
        SnapshotError::OutOfMemory { needed, .. } => needed as usize,
        _ => 0,
    };
    let layout = std::alloc::Layout::array::<u8>(needed);
    std::alloc::handle_alloc_error(layout.unwrap_or(std::alloc::Layout::new::<u8>()))
}

/// [`build_aggregates`], failing when its arrays cannot be had (the load
/// pipeline's pass, which says so in one line).
pub fn try_build_aggregates<'a>(
    graph: &'a HeapGraph,
    class_of: &[u32],
    class_name: &dyn Fn(u32) -> &'a str,
    keep: &dyn Fn(u32) -> bool,
) -> Result<Vec<ClassAggregate>, SnapshotError> {
    let object = graph.layout.types.object;
    let mut aggregates: Vec<ClassAggregate> = Vec::new();
    // Class ids are dense (string indexes), so a vector beats hashing.
    let class_ids = class_of.iter().max().map_or(0, |&m| m as usize + 1);
    let mut by_class: Vec<u32> = unset(class_ids)?;
    let mut names = NameIds::new(class_ids);
    let mut by_location: HashMap<(Location, u32), u32> = HashMap::default();
    let mut node_class = unset(graph.node_count())?;
    let mut new_aggregate = |location: Option<Location>, name: &str| {
        aggregates.push(ClassAggregate::empty(name, location));
        aggregates.len() as u32 - 1
    };
    let has_locations = !graph.locations.is_empty();
    let mut location_cursor = 0;
    for n in 0..graph.node_count() as u32 {
        if graph.self_size[n as usize] == 0 || !keep(n) {
            continue;
        }
        let class = class_of[n as usize];
        let location = if has_locations && graph.is_type(n, object) {
            graph.locations.seek(&mut location_cursor, n)
        } else {
            None
        };
        node_class[n as usize] = match location {
            Some(loc) => {
                let name = names.id(class, class_name);
                *by_location
                    .entry((loc, name))
                    .or_insert_with(|| new_aggregate(Some(loc), class_name(class)))
            }
            None => {
                let slot = &mut by_class[class as usize];
                if *slot == u32::MAX {
                    *slot = new_aggregate(None, class_name(class));
                }
                *slot
            }
        };
    }
    for &index in &node_class {
        if let Some(aggregate) = aggregates.get_mut(index as usize) {
            aggregate.count += 1;
        }
    }
    for aggregate in &mut aggregates {
        let count = aggregate.count as usize;
        aggregate
            .instances
            .try_reserve_exact(count)
            .map_err(|_| SnapshotError::out_of_memory(4 * count, "the class instances"))?;
    }
    for (n, &index) in node_class.iter().enumerate() {
        if let Some(aggregate) = aggregates.get_mut(index as usize) {
            aggregate.self_size += u64::from(graph.self_size[n]);
            aggregate.instances.push(n as u32);
        }
    }
    Ok(aggregates)
}

/// `len` entries of `u32::MAX` ("none yet"), if they can be had.
fn unset(len: usize) -> Result<Vec<u32>, SnapshotError> {
    let mut entries = Vec::new();
    entries
        .try_reserve_exact(len)
        .map_err(|_| SnapshotError::out_of_memory(4 * len, "counting classes"))?;
    entries.resize(len, u32::MAX);
    Ok(entries)
}

/// One id per distinct class name text: located objects group by location
/// and name text (two string entries of one text are one class there).
/// Hashing the text per object made counting classes O(objects × name
/// length): 2 000 objects of one 20 MB name took 5.5 s, a 600 MB name
/// 95.8 s; each class index's text is hashed once instead.
struct NameIds<'a> {
    /// By class index; `u32::MAX` until seen.
    of_class: Vec<u32>,
    by_text: HashMap<&'a str, u32>,
}

impl<'a> NameIds<'a> {
    fn new(class_ids: usize) -> Self {
        NameIds {
            of_class: vec![u32::MAX; class_ids],
            by_text: HashMap::default(),
        }
    }

    fn id(&mut self, class: u32, class_name: &dyn Fn(u32) -> &'a str) -> u32 {
        let slot = &mut self.of_class[class as usize];
        if *slot == u32::MAX {
            let next = self.by_text.len() as u32;
            *slot = *self.by_text.entry(class_name(class)).or_insert(next);
        }
        *slot
    }
}

/// Each node's aggregate (`u32::MAX` for nodes in none), from the instance
/// lists: kept only while class retained sizes need it, not beside the
/// dominator arrays (40 MB of a 1 GB snapshot).
pub fn node_classes(aggregates: &[ClassAggregate], node_count: usize) -> Vec<u32> {
    try_node_classes(aggregates, node_count).unwrap_or_else(abort)
}

/// [`node_classes`], failing when its array cannot be had.
pub fn try_node_classes(
    aggregates: &[ClassAggregate],
    node_count: usize,
) -> Result<Vec<u32>, SnapshotError> {
    let mut node_class = unset(node_count)?;
    for (class, aggregate) in aggregates.iter().enumerate() {
        for &n in &aggregate.instances {
            node_class[n as usize] = class as u32;
        }
    }
    Ok(node_class)
}

/// Sets each class's distance: the smallest of its instances' (-5 wins).
pub fn add_distances(aggregates: &mut [ClassAggregate], distances: &[i32]) {
    let by_class = class_distances(aggregates, distances);
    set_distances(aggregates, &by_class);
}

/// Each class's distance, for [`set_distances`]: it reads the aggregates
/// only, so it can run beside other passes.
pub fn class_distances(aggregates: &[ClassAggregate], distances: &[i32]) -> Vec<i32> {
    let smallest = |a: &ClassAggregate| a.instances.iter().map(|&n| distances[n as usize]).min();
    aggregates
        .iter()
        .map(|a| smallest(a).unwrap_or(i32::MAX))
        .collect()
}

pub fn set_distances(aggregates: &mut [ClassAggregate], by_class: &[i32]) {
    for (aggregate, &distance) in aggregates.iter_mut().zip(by_class) {
        aggregate.distance = distance;
    }
}

/// Adds class retained sizes (§6.2): an instance counts unless a counted
/// instance of the same class dominates it. Returns which nodes counted.
///
/// # Complexity
/// O(nodes): one depth-first walk of the dominator tree.
pub fn add_class_retained_sizes(
    aggregates: &mut [ClassAggregate],
    node_class: &[u32],
    tree: &DominatorTree,
    root: u32,
) -> FixedBitSet {
    let walk = ClassWalk::new(aggregates.len(), node_class, tree, root, true);
    let tally = walk.and_then(|walk| walk.run()).unwrap_or_else(abort);
    let mut counted = FixedBitSet::with_capacity(node_class.len());
    counted.extend(tally.counted.iter().map(|&n| n as usize));
    tally.add_to(aggregates);
    counted
}

/// [`add_class_retained_sizes`] without the nodes that counted, failing
/// when its walk cannot grow.
pub fn try_add_class_retained_sizes(
    aggregates: &mut [ClassAggregate],
    node_class: &[u32],
    tree: &DominatorTree,
    root: u32,
) -> Result<(), SnapshotError> {
    let walk = ClassWalk::new(aggregates.len(), node_class, tree, root, false)?;
    walk.run()?.add_to(aggregates);
    Ok(())
}

/// A node whose children are at least this many, in a subtree of at least
/// [`ClassWalk::fork_at`], has them walked on all cores: one context or
/// array holds most of a heap, so the root's own children would not split
/// the work (1 GB snapshot: the stage took 0.12 s with the walk on one
/// core, 0.09 s on two).
const FORK_CHILDREN: usize = 1024;
/// Parts a forking node's children are split into.
const FORK_PARTS: usize = 64;

/// The depth-first walk of the dominator tree for class retained sizes.
struct ClassWalk<'a> {
    classes: usize,
    node_class: &'a [u32],
    lists: WalkLists<'a>,
    retained: &'a [u64],
    root: u32,
    /// The retained size from which a node's many children fork: an
    /// eighth of the heap's, so that few nodes do.
    fork_at: u64,
    keep_counted: bool,
}

/// What a walk found: retained sizes by class, and the nodes that counted
/// if kept.
struct Tally {
    retained: Vec<u64>,
    counted: Vec<u32>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        for (sum, more) in self.retained.iter_mut().zip(other.retained) {
            *sum += more;
        }
        self.counted.extend(other.counted);
    }

    fn add_to(&self, aggregates: &mut [ClassAggregate]) {
        for (aggregate, &retained) in aggregates.iter_mut().zip(&self.retained) {
            aggregate.retained_size += retained;
        }
    }
}

impl<'a> ClassWalk<'a> {
    fn new(
        classes: usize,
        node_class: &'a [u32],
        tree: &'a DominatorTree,
        root: u32,
        keep_counted: bool,
    ) -> Result<Self, SnapshotError> {
        let total = tree.retained.get(root as usize).copied().unwrap_or(0);
        Ok(ClassWalk {
            classes,
            node_class,
            lists: tree.lists_for_walk(root)?,
            retained: &tree.retained,
            root,
            fork_at: total / 8,
            keep_counted,
        })
    }

    fn run(&self) -> Result<Tally, SnapshotError> {
        let mut open = vec![false; self.classes];
        let mut tally = self.tally();
        self.walk(&[self.root], &mut open, &mut tally)?;
        Ok(tally)
    }

    fn tally(&self) -> Tally {
        Tally {
            retained: vec![0; self.classes],
            counted: Vec::new(),
        }
    }

    /// Walks the subtrees of `tops` with the classes `open` on their path.
    fn walk(
        &self,
        tops: &[u32],
        open: &mut [bool],
        tally: &mut Tally,
    ) -> Result<(), SnapshotError> {
        // (node, closing): the closing entry reopens the class after the subtree.
        let mut stack: Vec<(u32, bool)> = tops.iter().map(|&n| (n, false)).collect();
        while let Some((n, closing)) = stack.pop() {
            let class = self.node_class[n as usize];
            if closing {
                open[class as usize] = false;
                continue;
            }
            let children = self.lists.of(n);
            if class != u32::MAX && !open[class as usize] {
                tally.retained[class as usize] += self.retained[n as usize];
                if self.keep_counted {
                    tally.counted.push(n);
                }
                if !children.is_empty() {
                    open[class as usize] = true;
                    stack.push((n, true));
                }
            }
            if children.len() >= FORK_CHILDREN && self.retained[n as usize] >= self.fork_at {
                self.fork(children, open, tally)?;
                continue;
            }
            // The root's children alone can be millions.
            stack.try_reserve(children.len()).map_err(|_| {
                SnapshotError::out_of_memory(8 * children.len(), "class retained sizes")
            })?;
            stack.extend(children.iter().map(|&c| (c, false)));
        }
        Ok(())
    }

    /// Walks `children` in parts on all cores, each from `open`.
    fn fork(
        &self,
        children: &[u32],
        open: &[bool],
        tally: &mut Tally,
    ) -> Result<(), SnapshotError> {
        let part = children.len().div_ceil(FORK_PARTS);
        let tallies: Vec<Result<Tally, SnapshotError>> = children
            .par_chunks(part)
            .map(|tops| {
                let (mut open, mut tally) = (open.to_vec(), self.tally());
                self.walk(tops, &mut open, &mut tally).map(|()| tally)
            })
            .collect();
        for found in tallies {
            tally.add(found?);
        }
        Ok(())
    }
}

/// DevTools turns internal keys into public ones with a plain object
/// assignment, so when two internal keys share a public key (two string
/// entries with the same text) the later aggregate replaces the earlier.
/// The rows without their instance lists: what outlives the analysis.
pub fn without_instances(aggregates: &[ClassAggregate]) -> Vec<ClassAggregate> {
    let rows = aggregates.iter().map(|a| ClassAggregate {
        instances: Vec::new(),
        ..a.clone()
    });
    rows.collect()
}

pub fn merge_public_keys(aggregates: Vec<ClassAggregate>) -> Vec<ClassAggregate> {
    let mut position: HashMap<String, usize> = HashMap::default();
    let mut merged: Vec<ClassAggregate> = Vec::with_capacity(aggregates.len());
    for aggregate in aggregates {
        match position.get(&aggregate.key) {
            Some(&i) => merged[i] = aggregate,
            None => {
                position.insert(aggregate.key.clone(), merged.len());
                merged.push(aggregate);
            }
        }
    }
    merged
}

/// A Summary column. [`SummaryColumn::ALL`] is the one table of them: the
/// `--sort` names ([`SummaryColumn::key`]) and the headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryColumn {
    Name,
    Distance,
    Count,
    Shallow,
    Retained,
}

impl SummaryColumn {
    pub const ALL: [SummaryColumn; 5] = [
        SummaryColumn::Retained,
        SummaryColumn::Shallow,
        SummaryColumn::Count,
        SummaryColumn::Distance,
        SummaryColumn::Name,
    ];

    /// The `--sort` name.
    pub fn key(self) -> &'static str {
        match self {
            SummaryColumn::Name => "name",
            SummaryColumn::Distance => "distance",
            SummaryColumn::Count => "count",
            SummaryColumn::Shallow => "shallow",
            SummaryColumn::Retained => "retained",
        }
    }

    /// DevTools' header.
    pub const fn title(self) -> &'static str {
        match self {
            SummaryColumn::Name => "Constructor",
            SummaryColumn::Distance => "Distance",
            SummaryColumn::Count => "Count",
            SummaryColumn::Shallow => "Shallow Size",
            SummaryColumn::Retained => "Retained Size",
        }
    }

    /// Sizes and counts read best largest-first; names and distances not.
    pub fn default_descending(self) -> bool {
        matches!(
            self,
            SummaryColumn::Count | SummaryColumn::Shallow | SummaryColumn::Retained
        )
    }
}

/// DevTools' Summary comparators (§6.3): the column, then its fixed
/// tie-break, then location so the order is total.
pub fn compare_classes(
    a: &ClassAggregate,
    b: &ClassAggregate,
    column: SummaryColumn,
    descending: bool,
) -> std::cmp::Ordering {
    use super::strings::js_cmp;
    let by_name = || js_cmp(&a.name, &b.name);
    let by_retained_desc = || b.retained_size.cmp(&a.retained_size);
    let (first, tie) = match column {
        SummaryColumn::Name => (by_name(), by_retained_desc()),
        SummaryColumn::Distance => (a.distance.cmp(&b.distance), by_retained_desc()),
        SummaryColumn::Count => (a.count.cmp(&b.count), by_name()),
        SummaryColumn::Shallow => (a.self_size.cmp(&b.self_size), by_name()),
        SummaryColumn::Retained => (a.retained_size.cmp(&b.retained_size), by_name()),
    };
    let first = if descending { first.reverse() } else { first };
    first
        .then(tie)
        .then_with(|| location_text(a).cmp(&location_text(b)))
}

/// `scriptId:line:column`, as the JSON contract writes a class location.
pub fn location_text(a: &ClassAggregate) -> String {
    a.location.map(|l| l.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// A holder of 3000 items (a fork of the walk), each holding an item
    /// of its own class (not counted: its owner counts it) and a leaf:
    /// the items' class retains every item and leaf once; the walk of a
    /// forked holder finds what a walk on one core does.
    #[test]
    fn a_forked_walk_counts_each_instance_once() {
        let mut s = TestSnapshot::new();
        let holder = s.node("object", "Holder", 3, 8);
        s.edge(0, "shortcut", "holder", holder);
        let mut id = 5;
        let mut next_id = || {
            id += 2;
            id
        };
        for i in 0..3000 {
            let item = s.node("object", "Item", next_id(), 10);
            let inner = s.node("object", "Item", next_id(), 20);
            let leaf = s.node("object", "Leaf", next_id(), 1);
            s.edge(holder, "element", &i.to_string(), item);
            s.edge(item, "property", "inner", inner);
            s.edge(inner, "property", "leaf", leaf);
        }
        let analysis = s.analyze();
        let (item, leaf) = (analysis.class("Item"), analysis.class("Leaf"));
        assert_eq!((item.count, item.retained_size), (6000, 3000 * 31));
        assert_eq!(leaf.retained_size, 3000);
        let children = analysis.dominators.children_of(holder as u32).len();
        assert!(children >= super::FORK_CHILDREN, "{children} children fork");
        let rows = &analysis.aggregates;
        let node_class = super::node_classes(rows, analysis.graph.node_count());
        let mut again: Vec<_> = rows
            .iter()
            .map(|a| super::ClassAggregate {
                retained_size: 0,
                ..a.clone()
            })
            .collect();
        let tree = &analysis.dominators;
        let counted = super::add_class_retained_sizes(&mut again, &node_class, tree, 0);
        let sizes = |rows: &[super::ClassAggregate]| -> Vec<u64> {
            rows.iter().map(|a| a.retained_size).collect()
        };
        assert_eq!(sizes(&again), sizes(rows));
        let (outer, inner) = (analysis.ordinal(7), analysis.ordinal(9));
        assert!(counted[outer as usize] && !counted[inner as usize]);
    }
}
