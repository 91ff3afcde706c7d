//! String search: the string values of a snapshot that match a regular
//! expression, grouped by value, with their copies, bytes and retained
//! sizes (where a token, a session id or a user's data is kept, and how
//! often).
//!
//! A value is the text DevTools shows: a string's, a concatenated string's
//! (its parts joined, as `display_name` gives it). A sliced string shows as
//! `(sliced string)` in DevTools and the snapshot does not say which part
//! of its parent it is; it is searched by its parent's text and grouped
//! apart from the copies of that text (`sliced`). As in Duplicated strings,
//! strings of size 0 and flat concatenated strings (one part empty: the
//! other part is the copy) are left out.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;
use regex::Regex;
use rustc_hash::FxHashMap;

use super::duplicates::{internal_target, is_flat_cons_string, DuplicateGroup};
use crate::snapshot::names::display_name;
use crate::snapshot::strings::js_cmp;
use crate::snapshot::Analysis;

/// Which values a search keeps.
#[derive(Debug, Clone, Default)]
pub struct StringQuery {
    /// None: every value.
    pattern: Option<Regex>,
    /// Fewer characters than this: left out.
    pub min_length: usize,
}

impl StringQuery {
    /// Values that `pattern` matches somewhere (the `regex` crate's syntax:
    /// unanchored, case-sensitive unless it starts with `(?i)`), of at least
    /// `min_length` characters.
    pub fn new(pattern: Option<&str>, min_length: usize) -> Result<StringQuery, regex::Error> {
        Ok(StringQuery {
            pattern: pattern.map(Regex::new).transpose()?,
            min_length,
        })
    }

    /// [`StringQuery::new`] for text typed as it goes (the TUI's filter):
    /// text that is not a regular expression (yet) is matched as it is.
    pub fn lenient(text: &str) -> StringQuery {
        match lenient_regex(text) {
            Some(pattern) => StringQuery {
                pattern: Some(pattern),
                min_length: 0,
            },
            // Past the regex size limit: no value is that long.
            None => StringQuery {
                pattern: None,
                min_length: usize::MAX,
            },
        }
    }

    /// Whether a value is kept.
    pub fn matches(&self, text: &str) -> bool {
        text.chars().count() >= self.min_length
            && self.pattern.as_ref().is_none_or(|p| p.is_match(text))
    }
}

/// `text` as a regular expression, or when it is none, as literal text;
/// None past the regex size limit (a pasted megabyte).
pub fn lenient_regex(text: &str) -> Option<Regex> {
    Regex::new(text)
        .or_else(|_| Regex::new(&regex::escape(text)))
        .ok()
}

/// The values `query` keeps, grouped (copies in ordinal order): most bytes
/// first, then most copies, then by value.
///
/// # Complexity
/// O(string nodes + their edges); each distinct text of a plain string is
/// matched once, on all cores. Long strings left on disk are read back
/// (once each) when they are long enough to be kept.
pub fn search_strings(analysis: &Analysis, query: &StringQuery) -> Vec<DuplicateGroup> {
    let mut by_value: HashMap<Value<'_>, Vec<u32>> = HashMap::new();
    for (value, nodes) in matching(analysis, query) {
        by_value.entry(value).or_default().extend(nodes);
    }
    let mut groups: Vec<DuplicateGroup> = by_value
        .into_iter()
        .map(|((text, sliced), nodes)| group(analysis, text.into_owned(), sliced, nodes))
        .collect();
    groups.sort_by(|a, b| {
        b.total_size
            .cmp(&a.total_size)
            .then(b.nodes.len().cmp(&a.nodes.len()))
            .then_with(|| js_cmp(&a.value, &b.value))
            .then(a.sliced.cmp(&b.sliced))
    });
    groups
}

/// A value as groups are keyed: its text, and whether it is a slice's.
type Value<'a> = (Cow<'a, str>, bool);

/// The values `query` keeps and their nodes, a value possibly more than
/// once (equal texts at different string indexes, composed strings).
fn matching<'a>(analysis: &'a Analysis, query: &StringQuery) -> Vec<(Value<'a>, Vec<u32>)> {
    let graph = &analysis.graph;
    let (by_name, composed) = candidates(analysis);
    let plain = by_name.into_par_iter().filter_map(|(name, nodes)| {
        // By length first: a short string left on disk is not read back.
        let kept = graph.strings.byte_len(name) >= query.min_length
            && query.matches(graph.strings.get(name));
        kept.then(|| ((Cow::Borrowed(graph.strings.get(name)), false), nodes))
    });
    let composed = composed.into_par_iter().filter_map(|n| {
        let (text, sliced) = composed_text(analysis, n)?;
        query
            .matches(&text)
            .then(|| ((Cow::Owned(text), sliced), vec![n]))
    });
    plain.chain(composed).collect()
}

/// The strings with a size: plain ones by string index (equal texts share
/// one, so each is matched once), and the concatenated and sliced ones.
fn candidates(analysis: &Analysis) -> (FxHashMap<u32, Vec<u32>>, Vec<u32>) {
    let graph = &analysis.graph;
    let t = &graph.layout.types;
    let mut by_name: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    let mut composed: Vec<u32> = Vec::new();
    for n in 0..graph.node_count() as u32 {
        if graph.self_size[n as usize] == 0 {
            continue;
        }
        let ty = graph.node_type[n as usize];
        if ty == t.string {
            let name = graph.node_name[n as usize];
            by_name.entry(name).or_default().push(n);
        } else if ty == t.cons_string || ty == t.sliced_string {
            composed.push(n);
        }
    }
    (by_name, composed)
}

/// The text of a concatenated string, or a sliced string's parent's and
/// true; None for a flat concatenated string.
fn composed_text(analysis: &Analysis, n: u32) -> Option<(String, bool)> {
    let graph = &analysis.graph;
    if !graph.is_type(n, graph.layout.types.sliced_string) {
        return (!is_flat_cons_string(analysis, n)).then(|| (display_name(graph, n), false));
    }
    let text = match internal_target(analysis, n, "parent") {
        Some(parent) => display_name(graph, parent),
        None => graph.name(n).to_owned(),
    };
    Some((text, true))
}

fn group(analysis: &Analysis, value: String, sliced: bool, mut nodes: Vec<u32>) -> DuplicateGroup {
    nodes.sort_unstable();
    let sizes = nodes
        .iter()
        .map(|&n| u64::from(analysis.graph.self_size[n as usize]));
    DuplicateGroup {
        value,
        total_size: sizes.clone().sum(),
        copy_size: sizes.max().unwrap_or(0),
        retained_size: nodes
            .iter()
            .map(|&n| analysis.dominators.retained[n as usize])
            .sum(),
        nodes,
        truncated: false,
        sliced,
    }
}

/// The copy to open for a group: the one retaining most, the first of
/// equals.
pub fn example(analysis: &Analysis, group: &DuplicateGroup) -> Option<u32> {
    let retained = &analysis.dominators.retained;
    group
        .nodes
        .iter()
        .copied()
        .rev()
        .max_by_key(|&n| retained[n as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// Two copies of a session id, another id, a token split in a
    /// concatenated string, a slice of the first id and a flat concatenated
    /// string (not a copy).
    fn heap() -> Analysis {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        s.edge(0, "shortcut", "global", global);
        let hold = |s: &mut TestSnapshot, ty: &str, name: &str, id: u64, size: u32| {
            let n = s.node(ty, name, id, size);
            s.edge(global, "property", &format!("p{id}"), n);
            n
        };
        let first = hold(&mut s, "string", "sess-1", 5, 20);
        hold(&mut s, "string", "sess-1", 7, 24);
        hold(&mut s, "string", "sess-22", 9, 20);
        let token = hold(&mut s, "string", "token=", 11, 20);
        let abc = hold(&mut s, "string", "abc", 13, 16);
        let cons = hold(
            &mut s,
            "concatenated string",
            "(concatenated string)",
            15,
            32,
        );
        s.edge(cons, "internal", "first", token)
            .edge(cons, "internal", "second", abc);
        let slice = hold(&mut s, "sliced string", "(sliced string)", 17, 32);
        s.edge(slice, "internal", "parent", first);
        let empty = hold(&mut s, "string", "", 19, 0);
        let flat = hold(
            &mut s,
            "concatenated string",
            "(concatenated string)",
            21,
            32,
        );
        s.edge(flat, "internal", "first", first)
            .edge(flat, "internal", "second", empty);
        s.analyze()
    }

    fn search(a: &Analysis, pattern: Option<&str>, min: usize) -> Vec<(String, usize, bool)> {
        let query = StringQuery::new(pattern, min).unwrap_or_else(|e| panic!("{e}"));
        search_strings(a, &query)
            .into_iter()
            .map(|g| (g.value, g.nodes.len(), g.sliced))
            .collect()
    }

    #[test]
    fn matching_values_group_by_text_with_slices_apart() {
        let a = heap();
        let found = search(&a, Some("^sess-"), 0);
        assert_eq!(
            found,
            [
                ("sess-1".to_owned(), 2, false),
                ("sess-1".to_owned(), 1, true),
                ("sess-22".to_owned(), 1, false),
            ],
            "44 bytes, then the 32-byte slice, then 20 bytes"
        );
        let groups = search_strings(
            &a,
            &StringQuery::new(Some("^sess-1$"), 0).unwrap_or_default(),
        );
        assert_eq!((groups[0].total_size, groups[0].copy_size), (44, 24));
        assert_eq!(example(&a, &groups[0]).map(|n| a.graph.id(n)), Some(7));
    }

    #[test]
    fn concatenated_strings_match_by_their_joined_text() {
        let a = heap();
        assert_eq!(
            search(&a, Some("=abc"), 0),
            [("token=abc".to_owned(), 1, false)]
        );
        assert!(
            search(&a, Some("(?i)TOKEN=A"), 0).len() == 1,
            "(?i) ignores case"
        );
        assert!(search(&a, Some("TOKEN"), 0).is_empty(), "case-sensitive");
    }

    #[test]
    fn min_length_and_no_pattern() {
        let a = heap();
        let all = search(&a, None, 0);
        assert_eq!(all.len(), 6, "no empty string, no flat cons: {all:?}");
        let long = search(&a, None, 7);
        let values: Vec<&str> = long.iter().map(|(v, _, _)| v.as_str()).collect();
        assert_eq!(values, ["token=abc", "sess-22"]);
    }

    #[test]
    fn typed_text_that_is_no_regex_matches_literally() {
        let a = heap();
        let query = StringQuery::lenient("sess-(");
        assert!(search_strings(&a, &query).is_empty());
        assert!(StringQuery::lenient("n=a").matches("token=abc"));
        assert!(StringQuery::lenient("[").matches("a[b"));
        assert!(StringQuery::new(Some("["), 0).is_err());
    }
}
