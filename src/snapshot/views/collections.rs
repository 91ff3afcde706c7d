//! Growing collections: the Maps, Sets, WeakMaps, WeakSets, arrays and
//! plain objects used as dictionaries that gained entries between two
//! snapshots. A leak is usually one collection that never shrinks; this
//! names it, with its entry counts, its retained sizes and its path to the
//! roots.
//!
//! Entries are counted in V8's backing stores but reported on the object a
//! program sees: a Map, not its `table` (V8 replaces the table as the Map
//! grows, while the Map keeps its id, so only the Map can be matched
//! across snapshots). How V8 lays the stores out (Node 20–26):
//!
//! * Map and Set (`OrderedHashMap`/`OrderedHashSet`): the `table` internal
//!   edge leads to a hash table whose heap-object slots are internal edges
//!   named by slot index. A Map entry is `[key, value, chain]`, a Set entry
//!   `[key, chain]`; the chain is a small integer, never an edge.
//! * WeakMap and WeakSet (`EphemeronHashTable`): entries `[key, value]`,
//!   listed as weak edges named by slot index (plus WeakMap entry edges
//!   with long names, which are not slots).
//! * Dictionary-mode objects: the `properties` internal edge leads to a
//!   `(object properties)` hash table of `[key, value, details]` entries.
//! * Arrays: each element that is a heap object is an `element` edge of
//!   the array itself (and an internal edge of its `(object elements)`
//!   store).
//!
//! Small integers are no heap objects and have no edge: a slot holding one
//! is invisible. In every table layout above two slots of one entry are
//! the only adjacent ones (the chain, the details, or in an ephemeron table
//! the key of the next entry, which is never a small integer, sits
//! between), so an entry is a run of one slot or of two adjacent ones: that
//! counts a Map keyed by numbers, or holding numbers, right. Arrays and
//! fast-mode objects count only the entries that hold heap objects.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::snapshot::graph::HeapGraph;
use crate::snapshot::names::is_plain_object;
use crate::snapshot::Analysis;

/// A plain object in fast mode counts as a dictionary from this many
/// entries on (one in dictionary mode always does): a class instance or an
/// options bag has a few fixed fields, a lookup table many.
pub const DICTIONARY_MIN_ENTRIES: u64 = 16;

/// Where a collection's entries are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// A Map, Set, WeakMap or WeakSet: the slots of its `table`.
    Table(u32),
    /// An Array: its element edges (its `elements` store, if listed).
    Elements(Option<u32>),
    /// A plain object: its properties (the dictionary-mode `properties`
    /// table, if it has one, else its property edges) and elements.
    Properties(Option<u32>),
}

impl Store {
    /// The internal edge from the collection to the store holding its
    /// entries, and that store; None when the entries are its own edges.
    pub fn owner_step(self) -> Option<(&'static str, u32)> {
        match self {
            Store::Table(n) => Some(("table", n)),
            Store::Elements(n) => n.map(|n| ("elements", n)),
            Store::Properties(n) => n.map(|n| ("properties", n)),
        }
    }
}

/// One snapshot's collections by DevTools id (the Comparison matches
/// objects by it): what the baseline must keep of itself, a few words per
/// collection instead of the whole graph.
#[derive(Debug, Clone, Default)]
pub struct Census {
    /// (DevTools id, entries, retained size), sorted by id.
    by_id: Vec<(u32, u64, u64)>,
}

impl Census {
    /// Every collection of `analysis`, any size.
    ///
    /// # Complexity
    /// O(nodes + edges), on all cores.
    pub fn of(analysis: &Analysis) -> Census {
        let graph = &analysis.graph;
        let mut by_id: Vec<(u32, u64, u64)> = (0..graph.node_count() as u32)
            .into_par_iter()
            .filter_map(|n| {
                let (_, entries) = collection_of(graph, n)?;
                let retained = analysis.dominators.retained[n as usize];
                Some((graph.node_id.devtools(n), entries, retained))
            })
            .collect();
        by_id.sort_unstable();
        Census { by_id }
    }

    /// (entries, retained size) of the collection with DevTools id `id`.
    fn get(&self, id: u32) -> Option<(u64, u64)> {
        let at = self.by_id.binary_search_by_key(&id, |&(i, _, _)| i).ok()?;
        let (_, entries, retained) = self.by_id[at];
        Some((entries, retained))
    }
}

/// A collection of the target that gained entries since the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrowingCollection {
    /// The collection, a target ordinal.
    pub node: u32,
    pub store: Store,
    pub entries_before: u64,
    pub entries_after: u64,
    pub retained_before: u64,
    pub retained_after: u64,
    /// Classes of what its entries point at (keys and values), most
    /// first: (class name, entries).
    pub holds: Vec<(String, u64)>,
}

impl GrowingCollection {
    pub fn gained(&self) -> u64 {
        self.entries_after - self.entries_before
    }

    pub fn retained_delta(&self) -> i64 {
        self.retained_after as i64 - self.retained_before as i64
    }

    /// How many of its entries point at instances of `class`.
    pub fn holding(&self, class: &str) -> u64 {
        self.holds
            .iter()
            .find(|(name, _)| name == class)
            .map_or(0, |&(_, count)| count)
    }
}

/// The target's collections that exist in the baseline (same DevTools id)
/// and have more entries now: most entries gained first, then most
/// retained growth, then by id.
///
/// # Complexity
/// O(nodes + edges) of the target, plus the growing collections' entries,
/// on all cores.
pub fn growing_collections(base: &Census, target: &Analysis) -> Vec<GrowingCollection> {
    let graph = &target.graph;
    let mut found: Vec<GrowingCollection> = (0..graph.node_count() as u32)
        .into_par_iter()
        .filter_map(|n| {
            let (store, entries_after) = collection_of(graph, n)?;
            let (entries_before, retained_before) = base.get(graph.node_id.devtools(n))?;
            let grew = entries_after > entries_before && is_reported(store, entries_after);
            grew.then(|| GrowingCollection {
                node: n,
                store,
                entries_before,
                entries_after,
                retained_before,
                retained_after: target.dominators.retained[n as usize],
                holds: Vec::new(),
            })
        })
        .collect();
    found
        .par_iter_mut()
        .for_each(|c| c.holds = held_classes(target, c.node, c.store));
    found.sort_by(|a, b| {
        b.gained()
            .cmp(&a.gained())
            .then(b.retained_delta().cmp(&a.retained_delta()))
            .then_with(|| graph.id(a.node).cmp(&graph.id(b.node)))
    });
    found
}

/// Whether a collection that grew is reported: a plain object only when it
/// is used as a dictionary.
fn is_reported(store: Store, entries: u64) -> bool {
    match store {
        Store::Properties(dictionary) => dictionary.is_some() || entries >= DICTIONARY_MIN_ENTRIES,
        Store::Table(_) | Store::Elements(_) => true,
    }
}

/// Node `n` as a collection: where its entries are and how many there are.
fn collection_of(graph: &HeapGraph, n: u32) -> Option<(Store, u64)> {
    let t = &graph.layout.types;
    if !graph.is_type(n, t.object) {
        return None;
    }
    if let Some(table) = internal_store(graph, n, "table") {
        return Some((Store::Table(table), table_entries(graph, table)));
    }
    let is_array = graph.name(n) == "Array";
    if !is_array && !is_plain_object(graph, n) {
        return None;
    }
    let elements = graph
        .edges(n)
        .filter(|&e| graph.edge_type[e] == t.edge_element)
        .count() as u64;
    if is_array {
        let store = internal_store(graph, n, "elements");
        return Some((Store::Elements(store), elements));
    }
    let dictionary =
        internal_store(graph, n, "properties").filter(|&p| graph.name(p) == "(object properties)");
    let properties = match dictionary {
        Some(table) => table_entries(graph, table),
        None => graph
            .edges(n)
            .filter(|&e| is_own_property(graph, e))
            .count() as u64,
    };
    Some((Store::Properties(dictionary), properties + elements))
}

/// The array node `n`'s internal edge `name` leads to (V8's backing stores
/// are `array` nodes).
fn internal_store(graph: &HeapGraph, n: u32, name: &str) -> Option<u32> {
    let t = &graph.layout.types;
    graph
        .edges(n)
        .find(|&e| graph.edge_type[e] == t.edge_internal && graph.edge_string(e) == name)
        .map(|e| graph.edge_to[e])
        .filter(|&to| graph.is_type(to, t.array))
}

/// A property edge other than `__proto__`.
fn is_own_property(graph: &HeapGraph, e: usize) -> bool {
    graph.edge_type[e] == graph.layout.types.edge_property && graph.edge_string(e) != "__proto__"
}

/// The slot index of a hash-table edge: an internal or weak edge named by
/// a number. WeakMap entry names are long and may be on disk: they are
/// ruled out by length, not read back.
fn slot_index(graph: &HeapGraph, e: usize) -> Option<u32> {
    let t = &graph.layout.types;
    let ty = graph.edge_type[e];
    if ty != t.edge_internal && ty != t.edge_weak {
        return None;
    }
    let name = graph.edge_name(e);
    if graph.strings.byte_len(name) > 10 {
        return None;
    }
    let text = graph.strings.get(name);
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The entries of a hash table: its slots, two adjacent ones being one
/// entry (see the module documentation).
fn table_entries(graph: &HeapGraph, table: u32) -> u64 {
    let mut slots: Vec<u32> = graph
        .edges(table)
        .filter_map(|e| slot_index(graph, e))
        .collect();
    slots.sort_unstable();
    slots.dedup();
    count_entries(&slots)
}

/// Runs of one slot or two adjacent slots in sorted, distinct `slots`.
fn count_entries(slots: &[u32]) -> u64 {
    let mut entries = 0;
    let mut i = 0;
    while i < slots.len() {
        let pair = slots.get(i + 1) == Some(&(slots[i] + 1));
        i += if pair { 2 } else { 1 };
        entries += 1;
    }
    entries
}

/// The edges of a collection that are its entries: a hash table's slots
/// (keys and values), else its own elements and properties.
fn entry_edges(graph: &HeapGraph, n: u32, store: Store) -> Vec<usize> {
    let t = &graph.layout.types;
    let elements = graph
        .edges(n)
        .filter(|&e| graph.edge_type[e] == t.edge_element);
    let slots = |table: u32| {
        graph
            .edges(table)
            .filter(|&e| slot_index(graph, e).is_some())
    };
    match store {
        Store::Table(table) => slots(table).collect(),
        Store::Properties(Some(table)) => slots(table).chain(elements).collect(),
        Store::Elements(_) | Store::Properties(None) => graph
            .edges(n)
            .filter(|&e| graph.edge_type[e] == t.edge_element || is_own_property(graph, e))
            .collect(),
    }
}

/// Classes of what a collection's entries point at, most first (ties by
/// name).
fn held_classes(analysis: &Analysis, n: u32, store: Store) -> Vec<(String, u64)> {
    let graph = &analysis.graph;
    let mut counts: FxHashMap<u32, u64> = FxHashMap::default();
    for e in entry_edges(graph, n, store) {
        *counts
            .entry(analysis.classes[graph.edge_to[e] as usize])
            .or_default() += 1;
    }
    let mut held: Vec<(String, u64)> = counts
        .into_iter()
        .map(|(class, count)| (graph.strings.get(class).to_owned(), count))
        .collect();
    held.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    held
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// A heap with a Map, a Set, a WeakMap, an Array and two plain objects
    /// under the global, `grown` entries in each. The Map's keys are
    /// strings but for the first, a small integer (no edge); its table is
    /// reallocated (a new id) as V8 does when a Map grows.
    fn heap(grown: u64) -> Analysis {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        s.edge(0, "shortcut", "global", global);
        let mut id = 1000;
        let mut next = || {
            id += 2;
            id
        };
        let mut object =
            |s: &mut TestSnapshot, ty: &str, name: &str, size: u32| s.node(ty, name, next(), size);
        let map = s.node("object", "Map", 11, 24);
        let table = s.node("array", "", 100 + grown, 64);
        s.edge(global, "property", "cache", map);
        s.edge(map, "internal", "table", table);
        let set = s.node("object", "Set", 13, 24);
        let set_table = s.node("array", "", 15, 64);
        s.edge(global, "property", "seen", set);
        s.edge(set, "internal", "table", set_table);
        let weak = s.node("object", "WeakMap", 17, 24);
        let weak_table = s.node("array", "", 19, 64);
        s.edge(global, "property", "meta", weak);
        s.edge(weak, "internal", "table", weak_table);
        let array = s.node("object", "Array", 21, 16);
        let elements = s.node("array", "(object elements)", 23, 64);
        s.edge(global, "property", "log", array);
        s.edge(array, "internal", "elements", elements);
        let dict = s.node("object", "Object", 25, 16);
        let properties = s.node("array", "(object properties)", 27, 64);
        s.edge(global, "property", "byName", dict);
        s.edge(dict, "internal", "properties", properties);
        let small = s.node("object", "Object", 29, 16);
        s.edge(global, "property", "options", small);
        let start = 3 + 8;
        for i in 0..grown as u32 {
            let value = object(&mut s, "object", "Record", 40);
            let key = object(&mut s, "string", &format!("k{i}"), 16);
            let slot = start + 3 * i;
            if i > 0 {
                s.edge(table, "internal", &slot.to_string(), key);
            }
            s.edge(table, "internal", &(slot + 1).to_string(), value);
            s.edge(set_table, "internal", &(start + 2 * i).to_string(), value);
            let weak_slot = 3 + 2 * i;
            s.edge(weak_table, "weak", &weak_slot.to_string(), value);
            s.edge(weak_table, "weak", &(weak_slot + 1).to_string(), key);
            s.edge(array, "element", &i.to_string(), value);
            s.edge(elements, "internal", &i.to_string(), value);
            s.edge(properties, "internal", &(start + 3 * i).to_string(), key);
            s.edge(dict, "property", &format!("k{i}"), value);
            s.edge(small, "property", &format!("f{i}"), key);
        }
        s.analyze()
    }

    fn entries(a: &Analysis, id: u64) -> Option<(Store, u64)> {
        collection_of(&a.graph, a.ordinal(id))
    }

    #[test]
    fn entries_are_counted_in_each_store_layout() {
        let a = heap(5);
        let counts: Vec<u64> = [11, 13, 17, 21, 25, 29]
            .iter()
            .map(|&id| entries(&a, id).map_or(0, |(_, n)| n))
            .collect();
        assert_eq!(
            counts,
            [5, 5, 5, 5, 5, 5],
            "Map, Set, WeakMap, Array, objects"
        );
        assert!(entries(&a, 100 + 5).is_none(), "a table is no collection");
        assert!(
            entries(&a, 3).is_none(),
            "an object of another class is none"
        );
        assert!(matches!(
            entries(&a, 11),
            Some((Store::Table(t), _)) if a.graph.id(t) == 105
        ));
    }

    #[test]
    fn adjacent_slots_are_one_entry() {
        assert_eq!(count_entries(&[]), 0);
        assert_eq!(count_entries(&[11, 12, 14, 15]), 2, "two Map entries");
        assert_eq!(count_entries(&[12, 15, 18]), 3, "number keys: values only");
        assert_eq!(count_entries(&[11, 13, 15]), 3, "a Set");
        assert_eq!(
            count_entries(&[3, 4, 5, 7, 8]),
            3,
            "WeakMap, one value a number"
        );
    }

    #[test]
    fn the_collections_that_gained_entries_rank_by_entries_gained() {
        let (base, target) = (heap(2), heap(5));
        let grown = growing_collections(&Census::of(&base), &target);
        let ids: Vec<u64> = grown.iter().map(|c| target.graph.id(c.node)).collect();
        // All gained 3 entries; the Map, the Set, the WeakMap, the Array
        // and the dictionary retain the records and keys; `options`, a
        // fast-mode object of 5 fields, is no dictionary.
        assert_eq!(ids.len(), 5, "{ids:?}");
        assert!(!ids.contains(&29), "{ids:?}");
        assert!(
            !ids.contains(&105),
            "the Map's table is reported as the Map"
        );
        let map = grown.iter().find(|c| target.graph.id(c.node) == 11);
        let Some(map) = map else {
            panic!("the Map grew: {ids:?}")
        };
        assert_eq!(
            (map.entries_before, map.entries_after, map.gained()),
            (2, 5, 3)
        );
        assert_eq!(map.retained_before, base.retained_of(11));
        assert_eq!(map.retained_after, target.retained_of(11));
        assert_eq!(
            map.holds,
            [("Record".to_owned(), 5), ("(string)".to_owned(), 4)]
        );
        assert_eq!(map.holding("Record"), 5);
        let deltas: Vec<i64> = grown
            .iter()
            .map(GrowingCollection::retained_delta)
            .collect();
        assert!(deltas.windows(2).all(|w| w[0] >= w[1]), "{deltas:?}");
    }

    #[test]
    fn collections_that_did_not_grow_or_are_new_are_left_out() {
        let (base, target) = (heap(5), heap(5));
        assert!(growing_collections(&Census::of(&base), &target).is_empty());
        let shrunk = growing_collections(&Census::of(&heap(5)), &heap(2));
        assert!(shrunk.is_empty());
        let empty = Census::default();
        assert!(growing_collections(&empty, &target).is_empty(), "all new");
    }
}
