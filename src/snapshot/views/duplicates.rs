//! Duplicated strings (spec §6.4; DevTools `createDuplicatedStringsFilter`,
//! `getDuplicateStrings`): string and concatenated-string nodes with the same
//! text, groups of two or more.
//!
//! Skipped like DevTools: sliced strings, "flat" cons strings (one part is
//! empty: V8's business, not a duplicate) and self size 0 (V8's encoding of
//! numbers). Strings V8 truncated group by (text, length, hash), since their
//! 1024-character names may agree while the strings differ.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::snapshot::names::display_name;
use crate::snapshot::strings::{capped, Held};
use crate::snapshot::Analysis;

/// The most of a text a group holds and shows, in bytes: V8 writes at
/// most 1024 characters of a string, other producers whole strings (one
/// of 600 MB, copied for each row a UI drew).
pub const MAX_VALUE_BYTES: usize = 4096;

/// One group of equal strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateGroup {
    /// The text, as DevTools displays the string (≤ 1024 characters from
    /// V8), cut to [`MAX_VALUE_BYTES`] with an ellipsis.
    pub value: String,
    /// The copies (node ordinals), in ordinal order.
    pub nodes: Vec<u32>,
    pub total_size: u64,
    /// The largest copy: deduplicating keeps one copy.
    pub copy_size: u64,
    pub retained_size: u64,
    /// V8 truncated the name; `length`/`hash` told the strings apart.
    pub truncated: bool,
    /// Sliced strings whose parent's text is `value` (a string search
    /// lists them apart from the copies; never a duplicate).
    pub sliced: bool,
}

impl DuplicateGroup {
    /// Bytes saved by keeping one (the largest) copy.
    pub fn wasted(&self) -> u64 {
        self.total_size - self.copy_size
    }
}

/// What candidates are bucketed by: a key equal for equal texts (length and
/// hash: strings left on disk give it without being read back), and for
/// truncated strings their V8 length and hash.
type BucketKey = ((u32, u32), Option<(Option<i64>, Option<i64>)>);

/// Groups of ≥ 2 equal strings, most wasted bytes first (then most retained,
/// then text).
///
/// Strings are bucketed by a key of their text first, and only the buckets
/// of two or more compare texts: a long string seen once is never read back
/// from disk.
///
/// # Complexity
/// O(string nodes + their edges).
pub fn duplicated_strings(analysis: &Analysis) -> Vec<DuplicateGroup> {
    let graph = &analysis.graph;
    let mut buckets: HashMap<BucketKey, Vec<u32>> = HashMap::new();
    // Copies of one text mostly share its string entry: each entry's key
    // is computed once, not once a node (2 000 copies of a 20 MB string
    // took 6.2 s, hashed once each).
    let mut keys: HashMap<u32, (u32, u32)> = HashMap::new();
    for n in 0..graph.node_count() as u32 {
        if !is_candidate(analysis, n) {
            continue;
        }
        let key = if graph.is_type(n, graph.layout.types.cons_string) {
            let held = Held::of(&display_name(graph, n));
            (held.len, held.hash)
        } else {
            let name = graph.node_name[n as usize];
            *keys
                .entry(name)
                .or_insert_with(|| graph.strings.key_of(name))
        };
        let metadata = is_truncated(analysis, n).then(|| {
            (
                int_field(analysis, n, "length"),
                int_field(analysis, n, "hash"),
            )
        });
        buckets.entry((key, metadata)).or_default().push(n);
    }
    let mut groups: Vec<DuplicateGroup> = buckets
        .into_iter()
        .filter(|(_, nodes)| nodes.len() >= 2)
        .flat_map(|((_, metadata), nodes)| split_by_text(analysis, nodes, metadata.is_some()))
        .collect();
    groups.sort_by(|a, b| {
        b.wasted()
            .cmp(&a.wasted())
            .then(b.retained_size.cmp(&a.retained_size))
            .then_with(|| a.value.cmp(&b.value))
            .then_with(|| a.nodes.cmp(&b.nodes))
    });
    groups
}

/// The groups of ≥ 2 equal texts among one bucket's nodes (in ordinal
/// order); almost always the whole bucket. Nodes of one string entry are
/// equal without comparing their text: texts are compared once per entry.
fn split_by_text(analysis: &Analysis, nodes: Vec<u32>, truncated: bool) -> Vec<DuplicateGroup> {
    let graph = &analysis.graph;
    let cons_string = graph.layout.types.cons_string;
    let mut by_text: Vec<(Cow<'_, str>, Vec<u32>)> = Vec::new();
    // The group of each string entry met so far.
    let mut group_of: HashMap<u32, usize> = HashMap::new();
    for n in nodes {
        let entry = (!graph.is_type(n, cons_string)).then(|| graph.node_name[n as usize]);
        if let Some(&group) = entry.and_then(|e| group_of.get(&e)) {
            by_text[group].1.push(n);
            continue;
        }
        let text: Cow<'_, str> = match entry {
            Some(_) => Cow::Borrowed(graph.name(n)),
            None => Cow::Owned(display_name(graph, n)),
        };
        let group = match by_text.iter().position(|(t, _)| *t == text) {
            Some(group) => group,
            None => {
                by_text.push((text, Vec::new()));
                by_text.len() - 1
            }
        };
        by_text[group].1.push(n);
        if let Some(entry) = entry {
            group_of.insert(entry, group);
        }
    }
    by_text
        .into_iter()
        .filter(|(_, nodes)| nodes.len() >= 2)
        .map(|(text, nodes)| {
            let sizes = nodes
                .iter()
                .map(|&n| u64::from(graph.self_size[n as usize]));
            DuplicateGroup {
                value: capped(&text, MAX_VALUE_BYTES).into_owned(),
                total_size: sizes.clone().sum(),
                copy_size: sizes.max().unwrap_or(0),
                retained_size: nodes
                    .iter()
                    .map(|&n| analysis.dominators.retained[n as usize])
                    .sum(),
                nodes,
                truncated,
                sliced: false,
            }
        })
        .collect()
}

/// String or non-flat cons string with a size.
fn is_candidate(analysis: &Analysis, n: u32) -> bool {
    let graph = &analysis.graph;
    let t = &graph.layout.types;
    let ty = graph.node_type[n as usize];
    (ty == t.string || ty == t.cons_string)
        && graph.self_size[n as usize] > 0
        && !is_flat_cons_string(analysis, n)
}

/// A cons string whose internal `first` or `second` part has an empty name.
pub(super) fn is_flat_cons_string(analysis: &Analysis, n: u32) -> bool {
    let graph = &analysis.graph;
    let t = &graph.layout.types;
    graph.is_type(n, t.cons_string)
        && graph.edges(n).any(|e| {
            graph.edge_type[e] == t.edge_internal
                && matches!(graph.edge_string(e), "first" | "second")
                && has_empty_name(analysis, graph.edge_to[e])
        })
}

/// Whether `n`'s display name is empty, without copying a plain name
/// (a part can be a string of hundreds of MB).
fn has_empty_name(analysis: &Analysis, n: u32) -> bool {
    let graph = &analysis.graph;
    let t = &graph.layout.types;
    if graph.is_type(n, t.cons_string) || crate::snapshot::names::is_plain_object(graph, n) {
        return display_name(graph, n).is_empty();
    }
    graph.name(n).is_empty()
}

/// The target of `n`'s first internal edge called `name`.
pub(super) fn internal_target(analysis: &Analysis, n: u32, name: &str) -> Option<u32> {
    let graph = &analysis.graph;
    graph
        .edges(n)
        .find(|&e| {
            graph.edge_type[e] == graph.layout.types.edge_internal && graph.edge_string(e) == name
        })
        .map(|e| graph.edge_to[e])
}

/// The text of a V8 `number` node's value (`bool` / `int` nodes, newer V8).
fn number_value<'a>(analysis: &'a Analysis, n: u32, kind: &str) -> Option<&'a str> {
    let graph = &analysis.graph;
    let number = graph
        .layout
        .node_type_names
        .iter()
        .position(|t| t == "number")?;
    if usize::from(graph.node_type[n as usize]) != number || graph.name(n) != kind {
        return None;
    }
    internal_target(analysis, n, "value").map(|v| graph.name(v))
}

/// DevTools' `nodeIsTruncatedString`: `truncated` → bool node → `true`.
fn is_truncated(analysis: &Analysis, n: u32) -> bool {
    internal_target(analysis, n, "truncated").and_then(|b| number_value(analysis, b, "bool"))
        == Some("true")
}

/// DevTools' `nodeValueAsInt` of the internal edge `field` (`parseInt`).
fn int_field(analysis: &Analysis, n: u32, field: &str) -> Option<i64> {
    let target = internal_target(analysis, n, field)?;
    let text = number_value(analysis, target, "int")?;
    crate::snapshot::strings::js_parse_int(text).map(|v| v as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// 2 000 string nodes of one 8 MB text (a gzip or a stream keeps it in
    /// memory): the text was hashed once a node, then compared once a
    /// node (6.2 s of a release build for 2 000 copies of 20 MB). Nodes of
    /// one string entry now share its key and its group.
    #[test]
    fn regression_duplicate_grouping_hashes_each_text_once() {
        let json = crate::snapshot::names::long_names::snapshot(8 << 20, 1, 2_000);
        let a =
            crate::snapshot::analyze_reader(json.as_bytes(), &mut |_| true, None).expect("loads");
        let started = std::time::Instant::now();
        let groups = duplicated_strings(&a);
        let took = started.elapsed();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].nodes.len(), 2_000);
        assert!(groups[0].value.starts_with("Valuennn"));
        assert!(groups[0].value.len() <= MAX_VALUE_BYTES);
        assert!(took.as_secs_f64() < 1.0, "took {took:?}");
    }

    #[test]
    fn equal_texts_group_and_waste_all_but_one_copy() {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        s.edge(0, "shortcut", "global", global);
        let strings = [
            ("abc", 5, 20),
            ("abc", 7, 20),
            ("abc", 9, 24),
            ("solo", 11, 20),
        ];
        let mut ordinals = Vec::new();
        for (i, (text, id, size)) in strings.into_iter().enumerate() {
            let n = s.node("string", text, id, size);
            s.edge(global, "property", &format!("s{i}"), n);
            ordinals.push(n);
        }
        // A cons string "ab" + "c" equals "abc"; a flat one ("abc" + "") does not count.
        let cons = s.node("concatenated string", "(concatenated string)", 13, 32);
        let ab = s.node("string", "ab", 15, 16);
        let c = s.node("string", "c", 17, 16);
        s.edge(global, "property", "cons", cons);
        s.edge(cons, "internal", "first", ab)
            .edge(cons, "internal", "second", c);
        let flat = s.node("concatenated string", "(concatenated string)", 19, 32);
        let empty = s.node("string", "", 21, 0);
        s.edge(global, "property", "flat", flat);
        s.edge(flat, "internal", "first", ordinals[0])
            .edge(flat, "internal", "second", empty);
        let a = s.analyze();
        let groups = duplicated_strings(&a);
        assert_eq!(groups.len(), 1);
        let abc = &groups[0];
        assert_eq!(abc.value, "abc");
        assert_eq!(
            (abc.nodes.len(), abc.total_size, abc.copy_size),
            (4, 96, 32)
        );
        assert_eq!(abc.wasted(), 64);
    }
}
