//! WeakMap ephemeron edge names, which both distances and dominators treat
//! specially (spec §3.1, §4.1; DevTools `tryParseWeakMapEdgeName`).
//!
//! V8 names both edges into a WeakMap value
//! `N / part of key (K @k) -> value (V @v) pair in WeakMap (table @t)`:
//! one from the key, one from the table.

use std::sync::LazyLock;

use fixedbitset::FixedBitSet;
use memchr::memchr3;
use memchr::memmem::Finder;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_128;

/// A parsed ephemeron edge name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ephemeron {
    /// Byte offset where the name's shared part starts (after the number).
    pub shared_from: usize,
    /// The table's node id (None past 32 bits: DevTools compares it with
    /// the low 32 bits of node ids, so it never finds such a table).
    pub table_id: Option<u32>,
}

/// An internal edge name that is an ephemeron name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeakMapEdge {
    /// The table's node id (None past 32 bits: DevTools compares it with
    /// the low 32 bits of node ids, so it never finds such a table).
    pub table_id: Option<u32>,
    /// Numbers the name's shared part (everything after `N / `): the key's
    /// and the table's edge into the same value share it.
    pub pair: u32,
}

/// An ephemeron name found while the strings were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EphemeronName {
    /// Its string index.
    pub index: u32,
    /// The table's node id (None past 32 bits: DevTools compares it with
    /// the low 32 bits of node ids, so it never finds such a table).
    pub table_id: Option<u32>,
    /// A 128-bit hash of the shared part. Equal hashes are taken as equal
    /// texts: among the ~1 M names of a 1 GB snapshot a collision has odds
    /// near 1e-27, and comparing texts meant keeping every name in memory
    /// (85 MB there) or reading them back.
    pub shared: u128,
}

impl EphemeronName {
    /// The string `text` at `index`, if it is an ephemeron name. The parser
    /// asks while the text is in cache: afterwards parsing the ~2 M internal
    /// edge names of a 1 GB snapshot took 0.35 s, mostly fetching them.
    pub fn read(index: u32, text: &str) -> Option<EphemeronName> {
        let parsed = parse_ephemeron(text)?;
        Some(EphemeronName {
            index,
            table_id: parsed.table_id,
            shared: xxh3_128(&text.as_bytes()[parsed.shared_from..]),
        })
    }
}

/// The ephemeron names among the strings, numbered by shared part. Only
/// internal edges' names are looked up, as DevTools parses only those.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeakMapEdges {
    /// Per string: its entry in `entries`, or `NOT_EPHEMERON`. An array, not
    /// a hash map: every internal edge asks, and for the ~1 M names of a
    /// 1 GB snapshot the map and its flag array held 60 MB more.
    entry_of: Vec<u32>,
    /// A bit per string with an entry, asked first: 0.4 MB that stays in
    /// cache where `entry_of` (13 MB) missed for most internal edges.
    named: FixedBitSet,
    entries: Vec<WeakMapEdge>,
    pairs: u32,
}

const NOT_EPHEMERON: u32 = u32::MAX;

const KEY_PREFIX: &str = " / part of key (";
const TABLE_SUFFIX: &str = " pair in WeakMap (table @";
const VALUE_INFIX: &str = ") -> value (";
/// Built once: `match_indices` set a searcher up for every name.
static VALUE_INFIX_FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(VALUE_INFIX));

/// Matches DevTools' ephemeron regex by hand:
/// `^\d+ / part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$`.
/// A hand matcher is ~20× faster than the regex crate here (every WeakMap
/// entry has its own edge name, so there are as many names as entries):
/// 62–74 ns a name on the 1 GB snapshot's 948 K names of 109 bytes.
pub fn parse_ephemeron(name: &str) -> Option<Ephemeron> {
    // The parser asks of every string: the cheap tests come first.
    let shared_from = name.bytes().position(|b| !b.is_ascii_digit())?;
    if shared_from == 0 {
        return None;
    }
    let middle = name[shared_from..].strip_prefix(KEY_PREFIX)?;
    // JavaScript's `.` stops at line terminators. Their bytes are looked
    // for first: `contains` with chars alone took half of this function.
    if memchr3(b'\n', b'\r', 0xE2, name.as_bytes()).is_some()
        && name.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
    {
        return None;
    }
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
    let key_end = VALUE_INFIX_FINDER
        .find_iter(&pairs.as_bytes()[..last_at])
        .find(|&at| {
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
    /// Numbers `names` (of a table of `string_count` strings) by shared
    /// part: the key's and the table's edge into a value get one number.
    ///
    /// # Complexity
    /// O(n log n) in the names, sorted by hash.
    pub fn new(names: &[EphemeronName], string_count: usize) -> WeakMapEdges {
        let mut order: Vec<(u128, u32)> = names
            .iter()
            .enumerate()
            .map(|(i, name)| (name.shared, i as u32))
            .collect();
        order.par_sort_unstable();
        let mut pair_of = vec![0u32; names.len()];
        let mut pairs = 0;
        for run in order.chunk_by(|a, b| a.0 == b.0) {
            for &(_, i) in run {
                pair_of[i as usize] = pairs;
            }
            pairs += 1;
        }
        let mut entry_of = vec![NOT_EPHEMERON; string_count];
        let mut named = FixedBitSet::with_capacity(string_count);
        let entries = names
            .iter()
            .zip(pair_of)
            .enumerate()
            .map(|(i, (name, pair))| {
                if let Some(entry) = entry_of.get_mut(name.index as usize) {
                    *entry = i as u32;
                    named.insert(name.index as usize);
                }
                WeakMapEdge {
                    table_id: name.table_id,
                    pair,
                }
            })
            .collect();
        WeakMapEdges {
            entry_of,
            named,
            entries,
            pairs,
        }
    }

    /// The node ids of the tables the names name, sorted, once each.
    pub fn table_ids(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.entries.iter().filter_map(|e| e.table_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// How many distinct shared parts the names have.
    pub fn pair_count(&self) -> usize {
        self.pairs as usize
    }

    /// The ephemeron parse of an internal edge's name, if it is one.
    pub fn get(&self, name_index: u32) -> Option<&WeakMapEdge> {
        if !self.named.contains(name_index as usize) {
            return None;
        }
        let entry = *self.entry_of.get(name_index as usize)?;
        self.entries.get(entry as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key's and the table's names of one entry share a number; other
    /// entries, and strings that are not ephemeron names, do not.
    #[test]
    fn names_of_one_entry_share_a_pair() {
        let texts = [
            "3 / part of key (Object @21) -> value (Meta @23) pair in WeakMap (table @25)",
            "just a string",
            "7 / part of key (Object @21) -> value (Meta @23) pair in WeakMap (table @25)",
            "7 / part of key (Object @31) -> value (Meta @23) pair in WeakMap (table @25)",
        ];
        let names: Vec<EphemeronName> = (0..texts.len() as u32)
            .filter_map(|i| EphemeronName::read(i, texts[i as usize]))
            .collect();
        assert_eq!(names.len(), 3);
        let weakmaps = WeakMapEdges::new(&names, texts.len());
        let pair = |i: u32| weakmaps.get(i).map(|e| e.pair);
        assert_eq!(pair(0), pair(2));
        assert_ne!(pair(0), pair(3));
        assert_eq!(pair(1), None);
        assert_eq!(weakmaps.pair_count(), 2);
        assert_eq!(weakmaps.get(3).and_then(|e| e.table_id), Some(25));
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
