//! WeakMap ephemeron edge names, which both distances and dominators treat
//! specially (spec §3.1, §4.1; DevTools `tryParseWeakMapEdgeName`).
//!
//! V8 names both edges into a WeakMap value
//! `N / part of key (K @k) -> value (V @v) pair in WeakMap (table @t)`:
//! one from the key, one from the table.

// Keys here are hashed millions of times per load and come from the
// snapshot, not from an attacker with a live connection: FxHash (~3× the
// speed of SipHash on these keys) instead of std's DoS-resistant default.
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

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
        let parsed: Vec<(u32, Ephemeron)> = candidates
            .par_iter()
            .filter_map(|&name| Some((name, parse_ephemeron(graph.strings.get(name))?)))
            .collect();
        let mut entry_of = vec![NOT_EPHEMERON; graph.strings.len()];
        let mut entries = Vec::with_capacity(parsed.len());
        // Shared parts are compared here once, not at every edge the
        // distances pass follows (string compares were 2 % of a load).
        let mut pair_of: HashMap<&str, u32> = HashMap::default();
        pair_of.reserve(parsed.len());
        for (name, ephemeron) in parsed {
            let next = pair_of.len() as u32;
            let shared = &graph.strings.get(name)[ephemeron.shared_from..];
            let pair = *pair_of.entry(shared).or_insert(next);
            entry_of[name as usize] = entries.len() as u32;
            entries.push(WeakMapEdge {
                table_id: ephemeron.table_id,
                pair,
            });
        }
        WeakMapEdges {
            entry_of,
            entries,
            pairs: pair_of.len() as u32,
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
