//! Retained growth: how much more each class retains in the target than in
//! the baseline — what DevTools' Comparison lacks and a leak hunt needs.
//!
//! A class's retained size is the one each snapshot's own Summary shows
//! (§6.2), matched across snapshots by DevTools' public class key, 0 where a
//! snapshot lacks the class: `retained_delta = summary(target) − summary(base)`.

use std::collections::HashMap;

use fixedbitset::FixedBitSet;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::diff::ClassDiff;
use crate::snapshot::classes::{node_classes, ClassAggregate};
use crate::snapshot::graph::NodeIds;
use crate::snapshot::Analysis;

/// Class retained sizes of one snapshot's rows by public class key.
fn retained_by_key(rows: &[ClassAggregate]) -> HashMap<&str, u64> {
    rows.iter()
        .map(|a| (a.key.as_str(), a.retained_size))
        .collect()
}

/// Target minus baseline class retained size, per Comparison row, from
/// each snapshot's Summary rows.
pub fn retained_deltas(
    base: &[ClassAggregate],
    target: &[ClassAggregate],
    diffs: &[ClassDiff],
) -> Vec<i64> {
    let (before, after) = (retained_by_key(base), retained_by_key(target));
    let get = |m: &HashMap<&str, u64>, key: &str| m.get(key).copied().unwrap_or(0) as i64;
    diffs
        .iter()
        .map(|d| get(&after, &d.key) - get(&before, &d.key))
        .collect()
}

/// Target minus baseline retained size of every class named `name` (one
/// name may have several rows, split by constructor location).
pub fn class_retained_delta(base: &[ClassAggregate], target: &[ClassAggregate], name: &str) -> i64 {
    let total = |rows: &[ClassAggregate]| -> i64 {
        rows.iter()
            .filter(|c| c.name == name)
            .map(|c| c.retained_size as i64)
            .sum()
    };
    total(target) - total(base)
}

/// Holders listed per class: as many as an index keeps of each class.
pub const HOLDERS_PER_CLASS: usize = 3;

/// An object that holds instances of a growing class, and how much more it
/// retains in the target than the same object (by id) in the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderGrowth {
    /// The holding object, a target ordinal.
    pub node: u32,
    /// Its snapshot id and label, as reports print them (an index keeps
    /// them, without the target's graph).
    pub id: u64,
    pub label: String,
    /// Instances of the class it immediately dominates.
    pub instances: u64,
    /// Σ retained size of those instances in the target.
    pub instances_retained: u64,
    pub retained: u64,
    /// Its retained size in the baseline; None when it is new.
    pub baseline_retained: Option<u64>,
}

impl HolderGrowth {
    pub fn retained_delta(&self) -> i64 {
        self.retained as i64 - self.baseline_retained.unwrap_or(0) as i64
    }
}

/// The objects that dominate the instances of class `key` in the target
/// (each instance's immediate dominator, past instances of the same class
/// and past V8's internal arrays and hidden objects), largest share first,
/// at most `top`: where the growth of a class hangs, e.g. the one `Map`
/// that holds every leaked record rather than its backing store.
///
/// # Complexity
/// O(instances × (dominator depth within the class + log instances) +
/// holders × top + baseline nodes); `top` is meant to be small.
pub fn holders(base: &Analysis, target: &Analysis, key: &str, top: usize) -> Vec<HolderGrowth> {
    let mut found = target_holders(target, key, top);
    add_baseline_retained(&mut found, &base.graph.node_id, &base.dominators.retained);
    found
}

/// [`holders`] without their baseline sizes.
pub fn target_holders(target: &Analysis, key: &str, top: usize) -> Vec<HolderGrowth> {
    let Some(class) = target.aggregates.iter().find(|a| a.key == key) else {
        return Vec::new();
    };
    // A bit per node: classes have millions of instances.
    let mut in_class = FixedBitSet::with_capacity(target.graph.node_count());
    in_class.extend(class.instances.iter().map(|&n| n as usize));
    class_holders(target, &class.instances, |n| in_class.contains(n), top)
}

/// The top holders of every Summary row of `analysis` as a target (their
/// baseline sizes unknown): what an index keeps for comparisons.
pub fn holders_of_every_class(analysis: &Analysis, top: usize) -> Vec<Vec<HolderGrowth>> {
    let node_class = node_classes(&analysis.aggregates, analysis.graph.node_count());
    let rows = analysis.aggregates.par_iter().enumerate();
    rows.map(|(row, class)| {
        let in_class = |n: usize| node_class[n] == row as u32;
        class_holders(analysis, &class.instances, in_class, top)
    })
    .collect()
}

/// [`holders`] of one class's `instances` in `target`, `in_class` telling
/// its nodes; `baseline_retained` still None.
fn class_holders(
    target: &Analysis,
    instances: &[u32],
    in_class: impl Fn(usize) -> bool + Sync,
    top: usize,
) -> Vec<HolderGrowth> {
    let tree = &target.dominators;
    // `holder << 32 | instance`, sorted, groups each holder's instances:
    // on all cores and in half the memory of a map by holder (the 1 GB
    // pair's 3 M-instance class has 1.3 M holders: 0.31 s and +120 MB of
    // peak RSS with a map).
    let mut held: Vec<u64> = instances
        .par_iter()
        .filter(|&&n| !in_class(tree.idom[n as usize] as usize))
        .map(|&n| u64::from(owning_object(target, tree.idom[n as usize])) << 32 | u64::from(n))
        .collect();
    held.par_sort_unstable();
    // The largest shares by retained size, ties by node.
    let mut holders: Vec<(u32, (u64, u64))> = Vec::with_capacity(top + 1);
    for group in held.chunk_by(|a, b| a >> 32 == b >> 32) {
        let holder = (group[0] >> 32) as u32;
        if holder == target.graph.root {
            continue;
        }
        let retained: u64 = group
            .iter()
            .map(|&k| tree.retained[k as u32 as usize])
            .sum();
        let at = holders.partition_point(|&(_, (_, r))| r >= retained);
        if at < top {
            holders.insert(at, (holder, (group.len() as u64, retained)));
            holders.truncate(top);
        }
    }
    holders
        .into_iter()
        .map(|(node, (instances, instances_retained))| HolderGrowth {
            node,
            id: target.graph.id(node),
            label: target.object_label(node),
            instances,
            instances_retained,
            retained: tree.retained[node as usize],
            baseline_retained: None,
        })
        .collect()
}

/// Sets each holder's retained size in the baseline, whose node ids and
/// retained sizes are `ids` and `retained`: the first node with its id.
pub fn add_baseline_retained(holders: &mut [HolderGrowth], ids: &NodeIds, retained: &[u64]) {
    let wanted: FxHashMap<u64, usize> =
        holders.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
    for (n, id) in ids.iter().enumerate() {
        if let Some(&i) = wanted.get(&id) {
            holders[i].baseline_retained.get_or_insert(retained[n]);
        }
    }
}

/// `n`, or the first dominator above it that is not an internal array or
/// hidden object (a `Map`'s table is reported as the `Map`).
fn owning_object(analysis: &Analysis, mut n: u32) -> u32 {
    let types = &analysis.graph.layout.types;
    while n != analysis.graph.root
        && (analysis.graph.is_type(n, types.array) || analysis.graph.is_type(n, types.hidden))
    {
        n = analysis.dominators.idom[n as usize];
    }
    n
}

#[cfg(test)]
mod holder_tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// global → cache (Map) → 3 Records; global → other → 1 Record.
    /// The baseline has the same Map holding one Record.
    fn pair() -> (Analysis, Analysis) {
        let build = |records: u64| {
            let mut s = TestSnapshot::new();
            let global = s.node("object", "global", 3, 10);
            let map = s.node("object", "Map", 5, 20);
            let other = s.node("object", "Other", 7, 10);
            s.edge(0, "shortcut", "global", global);
            s.edge(global, "property", "cache", map);
            s.edge(global, "property", "other", other);
            for i in 0..records {
                let r = s.node("object", "Record", 101 + 2 * i, 40);
                s.edge(map, "element", &i.to_string(), r);
            }
            let lone = s.node("object", "Record", 99, 40);
            s.edge(other, "property", "r", lone);
            s.analyze()
        };
        (build(1), build(3))
    }

    #[test]
    fn the_map_holding_the_new_records_is_the_top_holder() {
        let (base, target) = pair();
        let found = holders(&base, &target, ",Record", 5);
        let ids: Vec<u64> = found.iter().map(|h| target.graph.id(h.node)).collect();
        assert_eq!(ids, vec![5, 7], "the Map first (3 records), then Other (1)");
        assert_eq!((found[0].instances, found[0].instances_retained), (3, 120));
        assert_eq!(found[0].retained, 140);
        assert_eq!(found[0].baseline_retained, Some(60));
        assert_eq!(
            found[0].retained_delta(),
            80,
            "two more records of 40 bytes"
        );
    }

    /// Holders A, B, C hold one Record each, D two; one Record hangs
    /// from the root itself.
    #[test]
    fn holders_rank_by_retained_then_node_without_the_root() {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        s.edge(0, "shortcut", "global", global);
        let mut id = 11;
        let mut record = |s: &mut TestSnapshot, holder: usize| {
            id += 2;
            let r = s.node("object", "Record", id, 40);
            s.edge(holder, "property", "r", r);
        };
        let held = [("A", 1), ("B", 1), ("D", 2), ("C", 1)];
        for (i, (name, records)) in held.into_iter().enumerate() {
            let holder = s.node("object", name, 5 + 2 * i as u64, 10);
            s.edge(global, "property", name, holder);
            for _ in 0..records {
                record(&mut s, holder);
            }
        }
        record(&mut s, 0);
        let target = s.analyze();
        let names = |top| -> Vec<String> {
            holders(&target, &target, ",Record", top)
                .iter()
                .map(|h| target.graph.name(h.node).to_owned())
                .collect()
        };
        assert_eq!(names(3), ["D", "A", "B"], "D retains 80, ties by node");
        assert_eq!(names(9), ["D", "A", "B", "C"], "the root is no holder");
    }
}
