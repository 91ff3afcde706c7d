//! WeakMap ephemeron edge names, which both distances and dominators treat
//! specially (spec §3.1, §4.1; DevTools `tryParseWeakMapEdgeName`).
//!
//! V8 names both edges into a WeakMap value
//! `N / part of key (K @k) -> value (V @v) pair in WeakMap (table @t)`:
//! one from the key, one from the table.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::graph::HeapGraph;

/// A parsed ephemeron edge name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ephemeron {
    /// Byte offset where the name's shared part starts (after the number).
    pub shared_from: usize,
    /// The table's node id (None if it overflows, which never matches).
    pub table_id: Option<u64>,
}

/// The ephemeron names among the internal edges' names, by string index,
/// parsed once up front: the same names repeat across many edges.
#[derive(Debug, Default)]
pub struct WeakMapEdges {
    by_name: HashMap<u32, Ephemeron>,
}

fn pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    // JavaScript's `.` excludes \n \r U+2028 U+2029.
    PATTERN.get_or_init(|| {
        let any = r"[^\n\r\u{2028}\u{2029}]*?";
        let text = format!(
            r"^[0-9]+( / part of key \({any} @[0-9]+\) -> value \({any} @[0-9]+\) pair in WeakMap \(table @([0-9]+)\))$"
        );
        Regex::new(&text).unwrap_or_else(|e| panic!("static WeakMap pattern is valid: {e}"))
    })
}

/// Parses a name string without the cache.
pub fn parse_ephemeron(name: &str) -> Option<Ephemeron> {
    if !name.contains(" pair in WeakMap (table @") {
        return None;
    }
    let captures = pattern().captures(name)?;
    let shared = captures.get(1)?;
    Some(Ephemeron {
        shared_from: shared.start(),
        table_id: captures.get(2).and_then(|m| m.as_str().parse().ok()),
    })
}

impl WeakMapEdges {
    /// Scans the names of all internal edges.
    ///
    /// # Complexity
    /// O(edges) plus one regex match per distinct candidate name.
    pub fn new(graph: &HeapGraph) -> WeakMapEdges {
        let internal = graph.layout.types.edge_internal;
        let mut checked = vec![false; graph.strings.len()];
        let mut by_name = HashMap::new();
        for (e, &edge_type) in graph.edge_type.iter().enumerate() {
            let name = graph.edge_name[e];
            if edge_type != internal || checked[name as usize] {
                continue;
            }
            checked[name as usize] = true;
            if let Some(parsed) = parse_ephemeron(graph.strings.get(name)) {
                by_name.insert(name, parsed);
            }
        }
        WeakMapEdges { by_name }
    }

    /// The ephemeron parse of an internal edge's name, if it is one.
    pub fn get(&self, name_index: u32) -> Option<&Ephemeron> {
        if self.by_name.is_empty() {
            return None;
        }
        self.by_name.get(&name_index)
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
