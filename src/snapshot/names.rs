//! Class names and display names (spec §5, §10.2; DevTools
//! `calculateObjectNames`, `inferInterfaceDefinitions`,
//! `applyInterfaceDefinitions`, `JSHeapSnapshotNode.name`).
//!
//! A node's class is a string index, as in DevTools: objects and natives use
//! their own name's index (so two different string entries with the same
//! text stay two classes, exactly as DevTools groups them), every other
//! class name is interned once in appended strings.

use std::borrow::Cow;
use std::sync::Arc;
// Keys here are hashed millions of times per load and come from the
// snapshot, not from an attacker with a live connection: FxHash (~3× the
// speed of SipHash on these keys) instead of std's DoS-resistant default.
use rustc_hash::FxHashMap as HashMap;

use super::error::SnapshotError;
use super::graph::HeapGraph;
use super::strings::{js_cmp, js_len, json_quote};

const MAX_INTERFACE_NAME_LENGTH: usize = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE: f64 = 2.0;
const MIN_OBJECT_PROPORTION_PER_INTERFACE: f64 = 1000.0;
const MAX_PLAIN_OBJECT_NAME_LENGTH: usize = 100;
const MAX_CONS_STRING_NAME_LENGTH: usize = 1024;
/// Parts (cons strings and leaves) one cons string text is built from at
/// most. DevTools has no such cap, but the text limit alone never ends the
/// walk over empty parts or cons strings that form a cycle, which only a
/// corrupt snapshot has: V8's cons strings are acyclic, and their leaves are
/// non-empty but for flattened `second`s, so a real text needs at most about
/// three parts per character and the cap never binds on one.
const MAX_CONS_STRING_PARTS: usize = 8 * MAX_CONS_STRING_NAME_LENGTH;

/// A `{a, b}` class inferred from plain objects' property lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceDefinition {
    pub name: String,
    /// Raw property names, in the order the inferring object listed them.
    pub properties: Vec<String>,
}

/// Numbers class-name strings on demand, each once, as the indexes they
/// get when [`Interner::append_to`] appends them to the string table: the
/// naming passes only read the graph, so they can run beside another.
/// Each name is held once, shared by the list and the index.
#[derive(Debug)]
pub struct Interner {
    first: u32,
    names: Vec<Arc<str>>,
    indexes: HashMap<Arc<str>, u32>,
}

impl Interner {
    /// Names to be appended to `graph`'s strings.
    pub fn new(graph: &HeapGraph) -> Interner {
        Interner {
            first: graph.strings.len() as u32,
            names: Vec::new(),
            indexes: HashMap::default(),
        }
    }

    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.indexes.get(name) {
            return i;
        }
        let i = self.first + self.names.len() as u32;
        let name: Arc<str> = Arc::from(name);
        self.names.push(Arc::clone(&name));
        self.indexes.insert(name, i);
        i
    }

    /// Appends the names, at the indexes `intern` gave them.
    pub fn append_to(self, graph: &mut HeapGraph) {
        for name in &self.names {
            graph.strings.push(name);
        }
    }
}

/// Class string index per node before interface classes are applied.
///
/// # Complexity
/// O(nodes).
pub fn base_class_names(
    graph: &HeapGraph,
    interner: &mut Interner,
) -> Result<Vec<u32>, SnapshotError> {
    let t = graph.layout.types.clone();
    let fixed = [
        (t.hidden, "(system)"),
        (t.code, "(compiled code)"),
        (t.closure, "Function"),
        (t.regexp, "RegExp"),
    ]
    .map(|(ty, name)| (ty, interner.intern(name)));
    // Class of each other node type, by raw type number.
    let mut by_type = [u32::MAX; 256];
    let mut tags = DomTags::default();
    let mut classes = Vec::new();
    classes
        .try_reserve_exact(graph.node_count())
        .map_err(|_| SnapshotError::out_of_memory(4 * graph.node_count(), "naming classes"))?;
    for n in 0..graph.node_count() as u32 {
        let ty = graph.node_type[n as usize];
        let class = if ty == t.object || ty == t.native {
            tags.class_of(graph, n, interner)
        } else if let Some(&(_, class)) = fixed.iter().find(|(fixed_type, _)| *fixed_type == ty) {
            class
        } else if by_type[usize::from(ty)] != u32::MAX {
            by_type[usize::from(ty)]
        } else {
            let name = format!("({})", graph.layout.node_type_name(ty));
            let class = interner.intern(&name);
            by_type[usize::from(ty)] = class;
            class
        };
        classes.push(class);
    }
    Ok(classes)
}

/// The class of each DOM tag name (`<div id="a">` → `<div>`), by name
/// string index: shortening a name scans it up to its first space, and
/// nodes share names, so each name is shortened and interned once. A
/// 20 MB name starting `<` shared by 2 000 nodes took 16 s to name, once
/// a node.
#[derive(Default)]
struct DomTags {
    by_name: HashMap<u32, u32>,
}

impl DomTags {
    /// The class of object or native node `n`: its DOM tag, or its name.
    fn class_of(&mut self, graph: &HeapGraph, n: u32, interner: &mut Interner) -> u32 {
        let name = graph.node_name[n as usize];
        let text = graph.name(n);
        if !(text.starts_with('<') || text.starts_with("Detached <")) {
            return name;
        }
        *self
            .by_name
            .entry(name)
            .or_insert_with(|| dom_tag_class(text).map_or(name, |tag| interner.intern(&tag)))
    }
}

/// `<div id="a">` → `<div>`, `Detached <div id=x>` → `Detached <div>`.
fn dom_tag_class(name: &str) -> Option<String> {
    let space_from = if name.starts_with('<') {
        0
    } else if name.starts_with("Detached <") {
        10
    } else {
        return None;
    };
    Some(match name[space_from..].find(' ') {
        Some(p) => format!("{}>", &name[..space_from + p]),
        None => name.to_owned(),
    })
}

/// DevTools' `isPlainJSObject`.
pub fn is_plain_object(graph: &HeapGraph, n: u32) -> bool {
    graph.is_type(n, graph.layout.types.object) && graph.name(n) == "Object"
}

/// DevTools' `formatPropertyName`: names with `, ' " { }` become JSON literals.
pub fn format_property_name(name: &str) -> Cow<'_, str> {
    if name.contains([',', '\'', '"', '{', '}']) {
        Cow::Owned(json_quote(name))
    } else {
        Cow::Borrowed(name)
    }
}

/// Every plain object's property list: the names' string indexes, in edge
/// order. Interfaces are inferred and applied from it, and a baseline keeps
/// it when it sheds its edges for a comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlainShapes {
    objects: Vec<u32>,
    /// `objects.len() + 1` offsets into `names`.
    first: Vec<u32>,
    names: Vec<u32>,
}

impl PlainShapes {
    pub fn of(graph: &HeapGraph) -> PlainShapes {
        let property = graph.layout.types.edge_property;
        let mut shapes = PlainShapes {
            first: vec![0],
            ..PlainShapes::default()
        };
        for n in 0..graph.node_count() as u32 {
            if !is_plain_object(graph, n) {
                continue;
            }
            shapes.objects.push(n);
            shapes.names.extend(
                graph
                    .edges(n)
                    .filter(|&e| graph.edge_type[e] == property)
                    .map(|e| graph.edge_name(e)),
            );
            // At most the edge count, which fits 32 bits.
            shapes.first.push(shapes.names.len() as u32);
        }
        shapes
    }

    /// The objects, the offsets of their lists and the names: what an
    /// index file keeps.
    pub fn parts(&self) -> [&[u32]; 3] {
        [&self.objects, &self.first, &self.names]
    }

    /// The shapes [`PlainShapes::parts`] gave; None when they do not fit
    /// together.
    pub fn from_parts(objects: Vec<u32>, first: Vec<u32>, names: Vec<u32>) -> Option<PlainShapes> {
        let fits = first.len() == objects.len() + 1
            && first.first() == Some(&0)
            && first.windows(2).all(|w| w[0] <= w[1])
            && first.last().is_some_and(|&end| end as usize == names.len());
        fits.then_some(PlainShapes {
            objects,
            first,
            names,
        })
    }

    /// The property names of plain object `n`, if it is one of them.
    fn names_of(&self, n: u32) -> Option<&[u32]> {
        let at = self.objects.binary_search(&n).ok()?;
        let range = self.first.get(at..at + 2)?;
        self.names.get(range[0] as usize..range[1] as usize)
    }

    /// `(object, property names)`, in node order.
    fn iter(&self) -> impl Iterator<Item = (u32, &[u32])> {
        self.objects
            .iter()
            .zip(self.first.windows(2))
            .map(|(&n, range)| (n, &self.names[range[0] as usize..range[1] as usize]))
    }
}

/// Infers `{a, b}` interfaces from the property lists of plain objects.
///
/// # Complexity
/// O(properties of plain objects).
pub fn infer_interfaces(graph: &HeapGraph, shapes: &PlainShapes) -> Vec<InterfaceDefinition> {
    let mut order: Vec<(InterfaceDefinition, u64)> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::default();
    let plain_objects = shapes.objects.len();
    let mut memo = ShapeMemo::new(MAX_REMEMBERED_SHAPES);
    for (_, shape) in shapes.iter() {
        let interface = memo.get_or(shape, |shape| {
            let definition = interface_of(graph, shape)?;
            Some(*by_name.entry(definition.name.clone()).or_insert_with(|| {
                order.push((definition, 0));
                order.len() - 1
            }))
        });
        if let Some(i) = interface {
            order[i].1 += 1;
        }
    }
    // Stable sort: ties keep first-seen order, as JS's sort does.
    order.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let min_count = MIN_OBJECT_COUNT_PER_INTERFACE
        .max(plain_objects as f64 / MIN_OBJECT_PROPORTION_PER_INTERFACE);
    order
        .into_iter()
        .take_while(|(_, count)| *count as f64 >= min_count)
        .map(|(definition, _)| definition)
        .collect()
}

/// The `{a, b}` interface a plain object with these property names (string
/// indexes, in edge order) suggests; None without properties.
fn interface_of(graph: &HeapGraph, shape: &[u32]) -> Option<InterfaceDefinition> {
    let mut name = String::from("{");
    let mut name_len = 1;
    let mut properties = Vec::new();
    for &index in shape {
        let property = graph.strings.get(index);
        if property == "__proto__" {
            continue;
        }
        let formatted = format_property_name(property);
        let formatted_len = js_len(&formatted);
        if name_len > 1 && name_len + formatted_len > MAX_INTERFACE_NAME_LENGTH {
            break;
        }
        if name_len != 1 {
            name.push_str(", ");
            name_len += 2;
        }
        name.push_str(&formatted);
        name_len += formatted_len;
        properties.push(property.to_owned());
    }
    if properties.is_empty() {
        return None;
    }
    name.push('}');
    Some(InterfaceDefinition { name, properties })
}

/// Shapes remembered at most: objects used as dictionaries can each have
/// keys of their own, and those are computed afresh instead.
const MAX_REMEMBERED_SHAPES: usize = 1 << 16;

/// A plain object's shape (its property list) maps to one result,
/// computed once: most objects repeat a few shapes, and a result needs the
/// names' texts, formatting or sorting. Applying the 1 GB pair's
/// definitions to its baseline took 0.14–0.22 s with a lookup per object.
struct ShapeMemo<'a, T> {
    known: HashMap<&'a [u32], T>,
    limit: usize,
}

impl<'a, T: Copy> ShapeMemo<'a, T> {
    /// Remembers up to `limit` shapes.
    fn new(limit: usize) -> Self {
        ShapeMemo {
            known: HashMap::default(),
            limit,
        }
    }

    /// The result for `shape`, from `compute` when it is new.
    fn get_or(&mut self, shape: &'a [u32], compute: impl FnOnce(&[u32]) -> T) -> T {
        if let Some(&known) = self.known.get(shape) {
            return known;
        }
        let result = compute(shape);
        if self.known.len() < self.limit {
            self.known.insert(shape, result);
        }
        result
    }
}

/// A trie over sorted property names; a node may end a definition.
#[derive(Default)]
struct PropertyTrie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    next: HashMap<String, usize>,
    /// (property count, definition index) of the definition ending here.
    ends: Option<(usize, usize)>,
}

impl PropertyTrie {
    fn new(definitions: &[InterfaceDefinition]) -> Self {
        let mut trie = PropertyTrie {
            nodes: vec![TrieNode::default()],
        };
        for (index, definition) in definitions.iter().enumerate() {
            let mut properties: Vec<&str> =
                definition.properties.iter().map(String::as_str).collect();
            properties.sort_by(|a, b| js_cmp(a, b));
            let mut at = 0;
            for property in &properties {
                at = match trie.nodes[at].next.get(*property) {
                    Some(&next) => next,
                    None => {
                        trie.nodes.push(TrieNode::default());
                        let next = trie.nodes.len() - 1;
                        trie.nodes[at].next.insert((*property).to_owned(), next);
                        next
                    }
                };
            }
            // Earlier definitions keep priority for the same property set.
            trie.nodes[at].ends.get_or_insert((properties.len(), index));
        }
        trie
    }

    /// The best definition whose properties are all among `sorted`:
    /// most properties first, then the earliest definition.
    fn best_match(&self, sorted: &[&str]) -> Option<usize> {
        let better = |a: (usize, usize), b: Option<(usize, usize)>| match b {
            Some(b) if b.0 > a.0 || (b.0 == a.0 && b.1 < a.1) => b,
            _ => a,
        };
        let mut best: Option<(usize, usize)> = self.nodes[0].ends;
        let mut states = vec![0usize];
        for property in sorted {
            let before = states.len();
            for s in 0..before {
                if let Some(&next) = self.nodes[states[s]].next.get(*property) {
                    if !states.contains(&next) {
                        states.push(next);
                    }
                    if let Some(end) = self.nodes[next].ends {
                        best = Some(better(end, best));
                    }
                }
            }
        }
        best.map(|(_, index)| index)
    }
}

/// `classes` (one class index per node) with `definitions` applied to plain
/// objects: a matching object gets `definition_classes[i]` of its best
/// definition `i`, any other its own name. Every plain object's entry is
/// replaced, so `classes` may come with another set of definitions applied
/// (the diff classifies a baseline with the target's).
///
/// # Complexity
/// O(properties of plain objects × live trie states).
pub fn apply_interfaces(
    graph: &HeapGraph,
    shapes: &PlainShapes,
    mut classes: Vec<u32>,
    definitions: &[InterfaceDefinition],
    definition_classes: &[u32],
) -> Vec<u32> {
    let trie = PropertyTrie::new(definitions);
    let mut memo = ShapeMemo::new(MAX_REMEMBERED_SHAPES);
    for (n, shape) in shapes.iter() {
        let best = memo.get_or(shape, |shape| {
            let mut properties: Vec<&str> = shape.iter().map(|&i| graph.strings.get(i)).collect();
            properties.sort_by(|a, b| js_cmp(a, b));
            trie.best_match(&properties)
        });
        classes[n as usize] = match best {
            Some(index) => definition_classes[index],
            None => graph.node_name[n as usize],
        };
    }
    classes
}

/// DevTools' display name of a node (`JSHeapSnapshotNode.name`): the text of
/// a concatenated string, a `{a, …, z}` preview for plain objects, else the
/// raw name.
pub fn display_name(graph: &HeapGraph, n: u32) -> String {
    Labels::edges(graph).display_name(n)
}

/// Where names find the parts of objects that they show: the edges, or
/// what a load kept of them when it shed the edges.
pub struct Labels<'a> {
    pub graph: &'a HeapGraph,
    /// Used for plain objects when given, else their edges.
    pub shapes: Option<&'a PlainShapes>,
    /// Used for cons strings when given, else their edges.
    pub cons: Option<&'a ConsParts>,
}

impl<'a> Labels<'a> {
    pub fn edges(graph: &'a HeapGraph) -> Labels<'a> {
        Labels {
            graph,
            shapes: None,
            cons: None,
        }
    }

    /// [`display_name`] of `n`.
    pub fn display_name(&self, n: u32) -> String {
        let graph = self.graph;
        let t = &graph.layout.types;
        if graph.is_type(n, t.cons_string) {
            return cons_string_text(graph, n, |node| match self.cons {
                Some(kept) => kept.parts_of(node),
                None => cons_parts_of(graph, node),
            });
        }
        if !is_plain_object(graph, n) {
            return graph.name(n).to_owned();
        }
        match self.shapes {
            Some(shapes) => {
                let names = shapes.names_of(n).unwrap_or_default();
                plain_object_preview(names.len(), |i| Some(graph.strings.get(names[i])))
            }
            None => {
                let edges = graph.edges(n);
                let property = t.edge_property;
                plain_object_preview(edges.len(), |i| {
                    let e = edges.start + i;
                    // The type first: other edges' names may be on disk.
                    (graph.edge_type[e] == property).then(|| graph.edge_string(e))
                })
            }
        }
    }
}

/// The ends of cons string `n`'s `first` and `second` internal edges.
fn cons_parts_of(graph: &HeapGraph, n: u32) -> (Option<u32>, Option<u32>) {
    let internal = graph.layout.types.edge_internal;
    let (mut first, mut second) = (None, None);
    for e in graph.edges(n) {
        if first.is_some() && second.is_some() {
            break;
        }
        if graph.edge_type[e] == internal {
            match graph.edge_string(e) {
                "first" => first = Some(graph.edge_to[e]),
                "second" => second = Some(graph.edge_to[e]),
                _ => {}
            }
        }
    }
    (first, second)
}

/// Every cons string's parts ([`cons_parts_of`]), kept when the edges are
/// shed: a comparison's target names its holders with them.
#[derive(Debug, Clone, Default)]
pub struct ConsParts {
    /// Cons strings in node order, and their parts.
    strings: Vec<u32>,
    parts: Vec<(Option<u32>, Option<u32>)>,
}

impl ConsParts {
    pub fn of(graph: &HeapGraph) -> ConsParts {
        let cons_string = graph.layout.types.cons_string;
        let strings: Vec<u32> = (0..graph.node_count() as u32)
            .filter(|&n| graph.is_type(n, cons_string))
            .collect();
        let parts = strings.iter().map(|&n| cons_parts_of(graph, n)).collect();
        ConsParts { strings, parts }
    }

    /// The parts of `n`; none when it is no cons string.
    fn parts_of(&self, n: u32) -> (Option<u32>, Option<u32>) {
        match self.strings.binary_search(&n) {
            Ok(at) => self.parts[at],
            Err(_) => (None, None),
        }
    }
}

/// DevTools' cons string name: its parts' texts, depth first, `parts_of`
/// giving a cons string's two parts.
fn cons_string_text(
    graph: &HeapGraph,
    n: u32,
    parts_of: impl Fn(u32) -> (Option<u32>, Option<u32>),
) -> String {
    let t = &graph.layout.types;
    let mut text = String::new();
    let mut text_len = 0;
    let mut stack = vec![Some(n)];
    let mut parts = 0;
    while text_len < MAX_CONS_STRING_NAME_LENGTH && parts < MAX_CONS_STRING_PARTS {
        let Some(next) = stack.pop() else { break };
        parts += 1;
        // DevTools pushes node index 0 (the root) for a missing part.
        let node = next.unwrap_or(0);
        if !graph.is_type(node, t.cons_string) {
            text.push_str(graph.name(node));
            text_len += js_len(graph.name(node));
            continue;
        }
        let (first, second) = parts_of(node);
        stack.push(second);
        stack.push(first);
    }
    text
}

/// DevTools' plain object name: its property names from both ends, up to
/// a length; `name_at(i)` gives the `i`th of `count` entries' name, None
/// for an entry that is no property.
fn plain_object_preview<'s>(count: usize, name_at: impl Fn(usize) -> Option<&'s str>) -> String {
    let (mut from_start, mut from_end) = (0, count as isize - 1);
    let mut start = String::from("{");
    let mut end = String::from("}");
    let (mut start_len, mut end_len) = (1, 1);
    let mut take_end = false;
    while from_start <= from_end {
        let i = if take_end { from_end } else { from_start } as usize;
        let name = name_at(i);
        let Some(name) = name.filter(|&name| name != "__proto__") else {
            if take_end {
                from_end -= 1;
            } else {
                from_start += 1;
            }
            continue;
        };
        let formatted = format_property_name(name);
        let formatted_len = js_len(&formatted);
        if start_len > 1 && start_len + end_len + formatted_len > MAX_PLAIN_OBJECT_NAME_LENGTH {
            break;
        }
        if take_end {
            from_end -= 1;
            if end_len > 1 {
                end.insert_str(0, ", ");
                end_len += 2;
            }
            end.insert_str(0, &formatted);
            end_len += formatted_len;
        } else {
            from_start += 1;
            if start_len > 1 {
                start.push_str(", ");
                start_len += 2;
            }
            start.push_str(&formatted);
            start_len += formatted_len;
        }
        take_end = !take_end;
    }
    if from_start <= from_end {
        start.push_str(", …");
    }
    if end_len > 1 {
        start.push_str(", ");
    }
    start + &end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A nested cons string with a missing part, and plain objects with
    /// `__proto__`, other edges and more names than fit: named the same
    /// from the kept property lists and parts as from the edges.
    #[test]
    fn kept_parts_name_as_the_edges_do() {
        use crate::snapshot::test_snapshot::TestSnapshot;
        let mut s = TestSnapshot::new();
        let outer = s.node("concatenated string", "", 3, 32);
        let inner = s.node("concatenated string", "", 5, 32);
        let lone = s.node("concatenated string", "", 7, 32);
        for (id, text) in [(9, "ab"), (11, "cd"), (13, "ef")] {
            s.node("string", text, id, 16);
        }
        s.edge(0, "element", "1", outer)
            .edge(0, "element", "2", lone);
        s.edge(outer, "internal", "first", inner);
        s.edge(outer, "internal", "second", 6);
        s.edge(inner, "internal", "second", 5);
        s.edge(inner, "internal", "first", 4);
        s.edge(lone, "internal", "second", 6);
        let small = s.node("object", "Object", 15, 16);
        let big = s.node("object", "Object", 17, 16);
        s.edge(0, "element", "3", small)
            .edge(0, "element", "4", big);
        s.edge(small, "property", "__proto__", 4);
        s.edge(small, "internal", "map", 4);
        s.edge(small, "property", "a,b", 5);
        for i in 0..40 {
            s.edge(big, "property", &format!("property{i}"), 6);
        }
        let mut analysis = s.analyze();
        let nodes = [outer, inner, lone, small, big].map(|n| n as u32);
        let from_edges = nodes.map(|n| display_name(&analysis.graph, n));
        assert_eq!(from_edges[0], "abcdef");
        assert_eq!(
            from_edges[2], "ef",
            "the missing first part: the root's empty name"
        );
        assert_eq!(from_edges[3], "{\"a,b\"}");
        assert!(from_edges[4].starts_with("{property0, property1"));
        assert!(from_edges[4].ends_with(", property38, property39}"));
        assert!(from_edges[4].contains(", …"));
        analysis.shed_for_holders();
        assert!(analysis.graph.edge_to.is_empty());
        assert_eq!(nodes.map(|n| analysis.labels().display_name(n)), from_edges);
    }

    /// Objects of shapes {a}, {b}, {b}, {a}: each shape is computed once,
    /// and once the memo is full, again for every object.
    #[test]
    fn shapes_are_computed_once_up_to_the_limit() {
        use crate::snapshot::test_snapshot::TestSnapshot;
        let mut s = TestSnapshot::new();
        let objects: Vec<usize> = ["a", "b", "b", "a"]
            .iter()
            .enumerate()
            .map(|(i, property)| {
                let object = s.node("object", "Object", 3 + 2 * i as u64, 16);
                let value = s.node("object", "Value", 21 + 2 * i as u64, 16);
                s.edge(0, "shortcut", &i.to_string(), object);
                s.edge(object, "property", property, value);
                object
            })
            .collect();
        let graph = s.analyze().graph;
        let shapes = PlainShapes::of(&graph);
        let plain: Vec<usize> = shapes.iter().map(|(n, _)| n as usize).collect();
        assert_eq!(plain, objects, "the plain objects, in node order");
        let shapes_seen = |limit| {
            let mut memo = ShapeMemo::new(limit);
            let mut computed = 0;
            let names: Vec<&str> = shapes
                .iter()
                .map(|(_, shape)| {
                    memo.get_or(shape, |shape| {
                        computed += 1;
                        graph.strings.get(shape[0])
                    })
                })
                .collect();
            assert_eq!(names, ["a", "b", "b", "a"], "limit {limit}");
            computed
        };
        assert_eq!(shapes_seen(MAX_REMEMBERED_SHAPES), 2);
        assert_eq!(shapes_seen(1), 3, "{{b}} is not remembered");
        assert_eq!(shapes_seen(0), 4);
    }

    #[test]
    fn dom_tags_are_shortened() {
        assert_eq!(
            dom_tag_class("<div id=\"a\" class=\"b\">").as_deref(),
            Some("<div>")
        );
        assert_eq!(dom_tag_class("<br>").as_deref(), Some("<br>"));
        assert_eq!(
            dom_tag_class("Detached <li class=x>").as_deref(),
            Some("Detached <li>")
        );
        assert_eq!(dom_tag_class("Foo"), None);
    }

    /// Found by fuzzing: a cons string whose parts loop back to it, or
    /// whose parts are all empty, never reached the text limit and hung.
    #[test]
    fn cyclic_and_empty_cons_strings_end() {
        use crate::snapshot::test_snapshot::TestSnapshot;
        let mut s = TestSnapshot::new();
        let cycle = s.node("concatenated string", "", 3, 32);
        s.edge(0, "shortcut", "a", cycle);
        s.edge(cycle, "internal", "first", cycle);
        // 2^40 empty leaves: a DAG walk that would take days.
        let mut previous = s.node("string", "", 5, 16);
        for i in 0..40 {
            let next = s.node("concatenated string", "", 7 + 2 * i, 32);
            s.edge(next, "internal", "first", previous);
            s.edge(next, "internal", "second", previous);
            previous = next;
        }
        s.edge(0, "shortcut", "b", previous);
        let a = s.analyze();
        assert_eq!(display_name(&a.graph, cycle as u32), "");
        assert_eq!(display_name(&a.graph, previous as u32), "");
    }

    #[test]
    fn long_cons_strings_of_one_character_parts_are_not_cut() {
        use crate::snapshot::test_snapshot::TestSnapshot;
        // `s += "x"` in a loop: a left-deep tree with a 1-character leaf per
        // level, ~2 parts per character, well under the parts cap.
        let mut s = TestSnapshot::new();
        let mut text = s.node("string", "x", 3, 16);
        for i in 0..1100 {
            let leaf = s.node("string", "y", 5 + 4 * i, 16);
            let next = s.node("concatenated string", "", 7 + 4 * i, 32);
            s.edge(next, "internal", "first", text);
            s.edge(next, "internal", "second", leaf);
            text = next;
        }
        s.edge(0, "shortcut", "s", text);
        let a = s.analyze();
        let name = display_name(&a.graph, text as u32);
        assert_eq!(name.len(), MAX_CONS_STRING_NAME_LENGTH);
        assert_eq!(&name[..2], "xy");
    }

    /// One 8 MB name shared by 2 000 located objects, and one starting `<`
    /// by 2 000 DOM objects: the text was hashed and compared once an
    /// object to count them, and scanned, copied and hashed once an object
    /// to name them (4.6 s and 6.2 s of a release build). Each distinct
    /// name is handled once now; rows show at most a capped name.
    #[test]
    fn regression_class_naming_is_linear_in_objects() {
        use crate::snapshot::classes::MAX_CLASS_NAME_BYTES;
        let name_bytes = 8 << 20;
        let json = long_names::snapshot(name_bytes, 2_000, 0);
        let started = std::time::Instant::now();
        let a =
            crate::snapshot::analyze_reader(json.as_bytes(), &mut |_| true, None).expect("loads");
        let took = started.elapsed();
        let long: Vec<_> = a.aggregates.iter().filter(|c| c.count == 2_000).collect();
        assert_eq!(long.len(), 2, "the located class and the DOM tag class");
        for class in long {
            assert!(
                class.name.len() <= MAX_CLASS_NAME_BYTES,
                "{}",
                class.name.len()
            );
            assert!(class.name.ends_with('…'));
            assert!(
                class.key.len() < MAX_CLASS_NAME_BYTES + 40,
                "{}",
                class.key.len()
            );
        }
        let located = a.aggregates.iter().find(|c| c.location.is_some());
        assert!(located.is_some_and(|c| c.name.starts_with("Longnnn") && c.count == 2_000));
        assert!(took.as_secs_f64() < 3.0, "took {took:?}");
    }

    #[test]
    fn property_names_with_punctuation_are_quoted() {
        assert_eq!(format_property_name("a,b"), "\"a,b\"");
        assert_eq!(format_property_name("it's"), "\"it's\"");
        assert_eq!(format_property_name("plain"), "plain");
    }
}

/// Snapshots where one long string names many objects: class naming must
/// cost O(objects), not O(objects × name length).
#[cfg(test)]
pub(crate) mod long_names {
    use std::fmt::Write;

    /// A snapshot of `objects` located objects named `Long…` (the same
    /// constructor location), as many DOM objects named `<div…`, and
    /// `values` string nodes of one `Value…` text, each string
    /// `name_bytes` long: the root holds every node by an element edge.
    pub fn snapshot(name_bytes: usize, objects: usize, values: usize) -> String {
        let nodes = 1 + 2 * objects + values;
        let mut json = format!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}},"node_count":{nodes},"edge_count":{},"trace_function_count":0}},"nodes":[9,0,1,0,{},0,0"#,
            nodes - 1,
            nodes - 1
        );
        // (type, name): objects, DOM objects, values.
        let kinds = [(3, 2, objects), (3, 3, objects), (2, 4, values)];
        let mut id = 3;
        for (ty, name, count) in kinds {
            for _ in 0..count {
                let _ = write!(json, ",{ty},{name},{id},16,0,0,0");
                id += 2;
            }
        }
        json.push_str("],\"edges\":[");
        for n in 1..nodes {
            let comma = if n > 1 { "," } else { "" };
            let _ = write!(json, "{comma}1,{n},{}", 7 * n);
        }
        json.push_str("],\"locations\":[");
        for n in 1..=objects {
            let comma = if n > 1 { "," } else { "" };
            let _ = write!(json, "{comma}{},1,7,0", 7 * n);
        }
        json.push_str("],\"strings\":[\"\",\"1\"");
        for start in ["Long", "<div", "Value"] {
            let _ = write!(json, ",\"{start}{}\"", "n".repeat(name_bytes - start.len()));
        }
        json.push_str("]}");
        json
    }
}
