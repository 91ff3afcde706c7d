//! Retained growth: how much more each class retains in the target than in
//! the baseline — what DevTools' Comparison lacks and a leak hunt needs.
//!
//! A class's retained size is the one each snapshot's own Summary shows
//! (§6.2), matched across snapshots by DevTools' public class key, 0 where a
//! snapshot lacks the class: `retained_delta = summary(target) − summary(base)`.

use std::collections::HashMap;

use super::diff::ClassDiff;
use super::Analysis;

/// Class retained sizes of one snapshot by public class key.
fn retained_by_key(analysis: &Analysis) -> HashMap<&str, u64> {
    analysis
        .aggregates
        .iter()
        .map(|a| (a.key.as_str(), a.retained_size))
        .collect()
}

/// Target minus baseline class retained size, per Comparison row.
pub fn retained_deltas(base: &Analysis, target: &Analysis, diffs: &[ClassDiff]) -> Vec<i64> {
    let (before, after) = (retained_by_key(base), retained_by_key(target));
    let get = |m: &HashMap<&str, u64>, key: &str| m.get(key).copied().unwrap_or(0) as i64;
    diffs
        .iter()
        .map(|d| get(&after, &d.key) - get(&before, &d.key))
        .collect()
}

/// Target minus baseline retained size of every class named `name` (one
/// name may have several rows, split by constructor location).
pub fn class_retained_delta(base: &Analysis, target: &Analysis, name: &str) -> i64 {
    let total = |a: &Analysis| -> i64 {
        a.aggregates
            .iter()
            .filter(|c| c.name == name)
            .map(|c| c.retained_size as i64)
            .sum()
    };
    total(target) - total(base)
}

/// Change of the whole heap (DevTools' total size): class retained sizes
/// overlap, so their sum would count nested objects more than once.
pub fn total_retained_delta(base: &Analysis, target: &Analysis) -> i64 {
    target.total_size() as i64 - base.total_size() as i64
}
