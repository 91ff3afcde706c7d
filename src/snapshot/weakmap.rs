//! WeakMap ephemeron edge names, which both distances and dominators treat
//! specially (spec §3.1, §4.1; DevTools `tryParseWeakMapEdgeName`).
//!
//! V8 names both edges into a WeakMap value
//! `N / part of key (K @k) -> value (V @v) pair in WeakMap (table @t)`:
//! one from the key, one from the table.

// Names here are hashed millions of times per load and come from the
// snapshot, not from an attacker with a live connection: FxHash (~3× the
// speed of SipHash on these keys) instead of std's DoS-resistant default.
use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use super::graph::HeapGraph;

/// A parsed ephemeron edge name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ephemeron {
    /// Byte offset where the name's shared part starts (after the number).
    pub shared_from: usize,
    /// The table's node id (None if it overflows, which never matches).
    pub table_id: Option<u64>,
}

/// An internal edge name that is an ephemeron name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeakMapEdge {
    /// The table's node id (None if it overflows, which never matches).
    pub table_id: Option<u64>,
    /// Numbers the name's shared part (everything after `N / `): the key's
    /// and the table's edge into the same value share it.
    pub pair: u32,
}

/// The ephemeron names among the internal edges' names, by string index,
/// parsed once up front: the same names repeat across many edges.
#[derive(Debug, Default)]
pub struct WeakMapEdges {
    /// Per string: its entry in `entries`, or `NOT_EPHEMERON`. An array, not
    /// a hash map: every internal edge asks, and for the ~1 M names of a
    /// 1 GB snapshot the map and its flag array held 60 MB more.
    entry_of: Vec<u32>,
    entries: Vec<WeakMapEdge>,
    pairs: u32,
}

const NOT_EPHEMERON: u32 = u32::MAX;

const KEY_PREFIX: &str = " / part of key (";
const TABLE_SUFFIX: &str = " pair in WeakMap (table @";
const VALUE_INFIX: &str = ") -> value (";

/// Whether `name` starts like an ephemeron name (`N / part of key (`): the
/// cheap test the parser uses to keep such names in memory for this pass.
pub fn may_be_ephemeron(name: &str) -> bool {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && name[digits..].starts_with(KEY_PREFIX)
}

/// Matches DevTools' ephemeron regex by hand:
/// `^\d+ / part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$`.
/// A hand matcher is ~20× faster than the regex crate here (every WeakMap
/// entry has its own edge name, so there are as many names as entries).
pub fn parse_ephemeron(name: &str) -> Option<Ephemeron> {
    // JavaScript's `.` stops at line terminators.
    if name.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
        return None;
    }
    let shared_from = name.bytes().position(|b| !b.is_ascii_digit())?;
    if shared_from == 0 {
        return None;
    }
    let middle = name[shared_from..].strip_prefix(KEY_PREFIX)?;
    let table_digits = trailing_digits(middle.strip_suffix(')')?)?;
    let before_table = &middle[..middle.len() - 1 - table_digits.len()];
    let pairs = before_table.strip_suffix(TABLE_SUFFIX)?;
    // pairs = KEY " @" digits ") -> value (" VALUE " @" digits ")"
    let value_end = pairs.strip_suffix(')')?;
    let value_id = trailing_digits(value_end)?;
    let value_at = value_end.len() - value_id.len();
    if !value_end[..value_at].ends_with(" @") {
        return None;
    }
    let last_at = value_at - 2;
    // The earliest `" @" digits ") -> value ("` that ends before the value's id.
    let key_end = pairs[..last_at]
        .match_indices(VALUE_INFIX)
        .find(|&(at, _)| {
            let key = &pairs[..at];
            trailing_digits(key).is_some_and(|d| key[..key.len() - d.len()].ends_with(" @"))
        });
    key_end?;
    Some(Ephemeron {
        shared_from,
        table_id: table_digits.parse().ok(),
    })
}

/// Numbers items `0..count` by equal `text`: the same number for the
/// same text, numbers dense from 0; returns them and how many there are.
/// Shared parts are compared here once, not at every edge the distances
/// pass follows (string compares were 2 % of a load). Items are sorted by
/// `hash` and only equal hashes compared, on all cores: a hash map of the
/// ~1 M names of a 1 GB snapshot took 0.3 s, mostly fetching the texts.
fn number_equal<'a>(
    count: usize,
    hash: impl Fn(usize) -> u64,
    text: impl Fn(usize) -> &'a str + Sync,
) -> (Vec<u32>, u32) {
    // (hash, item, the item's text among the distinct texts of its hash)
    let mut order: Vec<(u64, u32, u32)> = (0..count).map(|i| (hash(i), i as u32, 0)).collect();
    order.par_sort_unstable();
    order
        .par_chunk_by_mut(|a, b| a.0 == b.0)
        .for_each(|run| number_run(run, &text));
    let mut number = vec![0u32; count];
    let mut next = 0u32;
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        let mut distinct = 0;
        for &(_, item, local) in run {
            number[item as usize] = next + local;
            distinct = distinct.max(local + 1);
        }
        next += distinct;
    }
    (number, next)
}

/// Numbers the distinct texts of one hash (almost always one) in order.
fn number_run<'a>(run: &mut [(u64, u32, u32)], text: &impl Fn(usize) -> &'a str) {
    let mut seen: Vec<&str> = Vec::new();
    for entry in run {
        let t = text(entry.1 as usize);
        entry.2 = match seen.iter().position(|&s| s == t) {
            Some(local) => local as u32,
            None => {
                seen.push(t);
                seen.len() as u32 - 1
            }
        };
    }
}

/// The run of ASCII digits at the end of `s`, if any.
fn trailing_digits(s: &str) -> Option<&str> {
    let start = s
        .bytes()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p + 1);
    (start < s.len()).then(|| &s[start..])
}

impl WeakMapEdges {
    /// Scans the names of all internal edges.
    ///
    /// # Complexity
    /// O(edges) plus one regex match per distinct candidate name.
    pub fn new(graph: &HeapGraph) -> WeakMapEdges {
        let internal = graph.layout.types.edge_internal;
        let mut checked = vec![false; graph.strings.len()];
        let mut candidates = Vec::new();
        for (e, &edge_type) in graph.edge_type.iter().enumerate() {
            let name = graph.edge_name[e];
            if edge_type == internal && !checked[name as usize] {
                checked[name as usize] = true;
                candidates.push(name);
            }
        }
        // Every WeakMap entry has names of its own: millions to parse.
        let parsed: Vec<(u32, Ephemeron, u64)> = candidates
            .par_iter()
            .filter_map(|&name| {
                let text = graph.strings.get(name);
                let ephemeron = parse_ephemeron(text)?;
                let hash = FxBuildHasher.hash_one(&text[ephemeron.shared_from..]);
                Some((name, ephemeron, hash))
            })
            .collect();
        let shared = |i: usize| {
            let (name, ephemeron, _) = &parsed[i];
            &graph.strings.get(*name)[ephemeron.shared_from..]
        };
        let (pair_of, pairs) = number_equal(parsed.len(), |i| parsed[i].2, shared);
        let mut entry_of = vec![NOT_EPHEMERON; graph.strings.len()];
        let entries = parsed
            .iter()
            .zip(pair_of)
            .enumerate()
            .map(|(i, ((name, ephemeron, _), pair))| {
                entry_of[*name as usize] = i as u32;
                WeakMapEdge {
                    table_id: ephemeron.table_id,
                    pair,
                }
            })
            .collect();
        WeakMapEdges {
            entry_of,
            entries,
            pairs,
        }
    }

    /// How many distinct shared parts the names have.
    pub fn pair_count(&self) -> usize {
        self.pairs as usize
    }

    /// The ephemeron parse of an internal edge's name, if it is one.
    pub fn get(&self, name_index: u32) -> Option<&WeakMapEdge> {
        let entry = *self.entry_of.get(name_index as usize)?;
        self.entries.get(entry as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal texts share a number, whatever their hashes collide with.
    #[test]
    fn equal_texts_share_a_number_even_when_hashes_collide() {
        let texts = ["b", "a", "b", "c", "a"];
        // A hash of the text that collides for "a" and "c", and one that
        // collides for all.
        let some = |i: usize| u64::from(texts[i].as_bytes()[0] % 2);
        let all = |i: usize| texts[i].len() as u64;
        for hash in [&some as &dyn Fn(usize) -> u64, &all] {
            let (numbers, count) = number_equal(texts.len(), hash, |i| texts[i]);
            assert_eq!(count, 3);
            for (i, a) in texts.iter().enumerate() {
                for (j, b) in texts.iter().enumerate() {
                    assert_eq!(a == b, numbers[i] == numbers[j], "{a} {b}");
                }
            }
        }
    }

    #[test]
    fn parses_v8_ephemeron_names() {
        let name = "12 / part of key (Object @21) -> value (Meta @23) pair in WeakMap (table @25)";
        let parsed = parse_ephemeron(name);
        assert_eq!(
            parsed,
            Some(Ephemeron {
                shared_from: 2,
                table_id: Some(25)
            })
        );
        assert_eq!(parse_ephemeron("key (Object @21) in WeakMap"), None);
        assert_eq!(
            parse_ephemeron("x / part of key (a @1) -> value (b @2) pair in WeakMap (table @3)"),
            None
        );
    }
}
