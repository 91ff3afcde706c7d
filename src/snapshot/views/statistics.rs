//! DevTools' Statistics view (spec §9.3; `JSHeapSnapshot.calculateStatistics`,
//! `calculateArraySize`, the pie legend of `HeapSnapshotView`).
//!
//! Every node falls in one bucket, checked in DevTools' order: hidden →
//! system, native → native (typed arrays among them), code, strings, and
//! nodes named `Array` → JS arrays (plus their `elements` store when only
//! the array holds it). All sizes are the adjusted self sizes (§2.1).

use crate::snapshot::Analysis;

/// The numbers behind DevTools' Statistics pie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Statistics {
    /// Root retained size + `extra_native_bytes`.
    pub total: u64,
    /// `extra_native_bytes` + Σ native nodes.
    pub native_total: u64,
    /// Native `system / JSArrayBufferData` nodes.
    pub typed_arrays: u64,
    pub code: u64,
    pub strings: u64,
    pub js_arrays: u64,
    pub system: u64,
}

impl Statistics {
    /// `v8heap.total`: everything that is not native.
    /// DevTools' pie legend, in its order: (category, bytes).
    pub fn legend(&self) -> [(&'static str, i64); 7] {
        [
            ("Code", self.code as i64),
            ("Strings", self.strings as i64),
            ("JS arrays", self.js_arrays as i64),
            ("Typed arrays", self.typed_arrays as i64),
            ("System objects", self.system as i64),
            ("Other JS objects", self.other_js()),
            (
                "Other non-JS objects (such as HTML and CSS)",
                self.other_non_js(),
            ),
        ]
    }

    pub fn v8heap_total(&self) -> i64 {
        self.total as i64 - self.native_total as i64
    }

    /// "Other JS objects" = V8 heap − code − strings − JS arrays − system.
    pub fn other_js(&self) -> i64 {
        self.v8heap_total() - (self.code + self.strings + self.js_arrays + self.system) as i64
    }

    /// "Other non-JS objects (such as HTML and CSS)" = native − typed arrays.
    pub fn other_non_js(&self) -> i64 {
        self.native_total as i64 - self.typed_arrays as i64
    }
}

/// Computes the Statistics of a snapshot.
///
/// # Complexity
/// O(nodes + edges of `Array` nodes).
pub fn statistics(analysis: &Analysis) -> Statistics {
    let graph = &analysis.graph;
    let t = &graph.layout.types;
    let mut stats = Statistics {
        total: analysis.total_size(),
        native_total: graph.extra_native_bytes,
        ..Statistics::default()
    };
    let mut stores = Vec::new();
    for n in 0..graph.node_count() as u32 {
        let size = u64::from(graph.self_size[n as usize]);
        let ty = graph.node_type[n as usize];
        if ty == t.hidden {
            stats.system += size;
        } else if ty == t.native {
            stats.native_total += size;
            if graph.name(n) == "system / JSArrayBufferData" {
                stats.typed_arrays += size;
            }
        } else if ty == t.code {
            stats.code += size;
        } else if ty == t.string || ty == t.cons_string || ty == t.sliced_string {
            stats.strings += size;
        } else if graph.name(n) == "Array" {
            stats.js_arrays += u64::from(graph.self_size[n as usize]);
            stores.extend(elements_store(analysis, n));
        }
    }
    stats.js_arrays += owned_stores_size(analysis, stores);
    stats
}

/// An array's first internal `elements` store (`calculateArraySize`),
/// compared without reading back the long names of other internal edges
/// (an array that is a WeakMap key has its entry names).
fn elements_store(analysis: &Analysis, n: u32) -> Option<u32> {
    let graph = &analysis.graph;
    let elements = graph.edges(n).find(|&e| {
        graph.edge_type[e] == graph.layout.types.edge_internal
            && graph.strings.is(graph.edge_name(e), "elements")
    });
    elements.map(|e| graph.edge_to[e])
}

/// The sizes of the stores that their array alone retains, the retainers
/// of all counted in one go.
fn owned_stores_size(analysis: &Analysis, mut stores: Vec<u32>) -> u64 {
    let graph = &analysis.graph;
    let mut distinct = stores.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let counts = graph.retainer_counts(&distinct);
    stores.retain(|s| distinct.binary_search(s).is_ok_and(|at| counts[at] == 1));
    stores
        .iter()
        .map(|&s| u64::from(graph.self_size[s as usize]))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    #[test]
    fn every_bucket_is_counted_once() {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 100);
        let array = s.node("object", "Array", 5, 32);
        let store = s.node("array", "(object elements)", 7, 64);
        let text = s.node("string", "hello", 9, 20);
        let code = s.node("code", "f", 11, 40);
        let system = s.node("hidden", "system / Foo", 13, 8);
        let buffer = s.node("native", "system / JSArrayBufferData", 14, 1000);
        let html = s.node("native", "HTMLDivElement", 16, 300);
        s.edge(0, "shortcut", "global", global);
        for (i, to) in [array, text, code, system, buffer, html]
            .into_iter()
            .enumerate()
        {
            s.edge(global, "property", &format!("p{i}"), to);
        }
        s.edge(array, "internal", "elements", store);
        // Two owners keep the hidden node's size its own (§2.1).
        s.edge(array, "internal", "shared", system);
        let a = s.analyze();
        let stats = statistics(&a);
        // The store's 64 B moved to the Array at load (§2.1), so both ways it is 96.
        assert_eq!(stats.js_arrays, 96);
        assert_eq!((stats.strings, stats.code, stats.system), (20, 40, 8));
        assert_eq!((stats.native_total, stats.typed_arrays), (1300, 1000));
        assert_eq!(stats.total, 1564);
        assert_eq!(stats.other_js(), 1564 - 1300 - 20 - 40 - 96 - 8);
        assert_eq!(stats.other_non_js(), 300);
    }
}
