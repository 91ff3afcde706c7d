//! DevTools' named Summary filters, the entries of the Summary's filter
//! drop-down beside the allocation ranges (`createNamedFilter` in
//! `HeapSnapshot.ts`).
//!
//! The three "retained by" filters search the heap breadth-first from the
//! root over every edge but weak ones, refusing the edges the filter
//! blocks; a node passes when that search does not reach it although the
//! normal distances do: only a blocked edge keeps it alive.
//! - detached DOM: edges into nodes whose (propagated) state is detached;
//! - console: edges named `… / DevTools console` from synthetic nodes;
//! - event handlers: edges into the handler functions of `V8EventListener`
//!   nodes (the callback, or the first of its children that has code).
//!
//! "Duplicated strings" keeps the strings of the Duplicated strings view
//! (every copy in a group of two or more), reachable or not.

use fixedbitset::FixedBitSet;

use super::allocation::filtered_summary;
use super::duplicates::duplicated_strings;
use crate::snapshot::classes::ClassAggregate;
use crate::snapshot::distances::NO_DISTANCE;
use crate::snapshot::dom_state::DETACHED;
use crate::snapshot::Analysis;

/// One of DevTools' named filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedFilter {
    DetachedDom,
    Console,
    EventHandlers,
    DuplicatedStrings,
}

impl NamedFilter {
    pub const ALL: [NamedFilter; 4] = [
        NamedFilter::DetachedDom,
        NamedFilter::Console,
        NamedFilter::EventHandlers,
        NamedFilter::DuplicatedStrings,
    ];

    /// The name on the command line and in JSON.
    pub fn cli_name(self) -> &'static str {
        match self {
            NamedFilter::DetachedDom => "detached-dom",
            NamedFilter::Console => "console",
            NamedFilter::EventHandlers => "event-handlers",
            NamedFilter::DuplicatedStrings => "duplicated-strings",
        }
    }

    /// The drop-down's text in DevTools.
    pub fn title(self) -> &'static str {
        match self {
            NamedFilter::DetachedDom => "Objects retained by detached DOM nodes",
            NamedFilter::Console => "Objects retained by the DevTools console",
            NamedFilter::EventHandlers => "Objects retained by event handlers",
            NamedFilter::DuplicatedStrings => "Duplicated strings",
        }
    }

    pub fn from_cli_name(name: &str) -> Option<NamedFilter> {
        NamedFilter::ALL.into_iter().find(|f| f.cli_name() == name)
    }
}

/// The nodes `filter` keeps, by ordinal. Needs the edges, their names and
/// types, the propagated DOM state and the distances.
///
/// # Complexity
/// O(nodes + edges): one search of the heap (or one pass over strings).
pub fn kept_nodes(analysis: &Analysis, filter: NamedFilter) -> FixedBitSet {
    let graph = &analysis.graph;
    match filter {
        NamedFilter::DetachedDom => retained_only_through(analysis, &|_, _, to| {
            graph.detachedness.get(to as usize) == Some(&DETACHED)
        }),
        NamedFilter::Console => {
            let synthetic = graph.layout.types.synthetic;
            retained_only_through(analysis, &|from, e, _| {
                graph.is_type(from, synthetic)
                    && graph.edge_has_string_name(e)
                    && graph.edge_string(e).ends_with(" / DevTools console")
            })
        }
        NamedFilter::EventHandlers => {
            let handlers = event_handlers(analysis);
            retained_only_through(analysis, &|_, _, to| handlers[to as usize])
        }
        NamedFilter::DuplicatedStrings => {
            let mut kept = FixedBitSet::with_capacity(graph.node_count());
            for group in duplicated_strings(analysis) {
                for n in group.nodes {
                    kept.insert(n as usize);
                }
            }
            kept
        }
    }
}

/// The Summary's class rows under `filter` (DevTools' `aggregatesWithFilter`
/// with a `filterName`).
pub fn named_summary(analysis: &Analysis, filter: NamedFilter) -> Vec<ClassAggregate> {
    let kept = kept_nodes(analysis, filter);
    filtered_summary(analysis, &|n| kept[n as usize]).aggregates
}

/// Nodes with a distance that the root does not reach over non-weak edges
/// once the edges `blocked(from, edge, to)` accepts are refused.
fn retained_only_through(
    analysis: &Analysis,
    blocked: &dyn Fn(u32, usize, u32) -> bool,
) -> FixedBitSet {
    let graph = &analysis.graph;
    let mut reached = FixedBitSet::with_capacity(graph.node_count());
    let mut stack = vec![graph.root];
    reached.insert(graph.root as usize);
    let weak = graph.layout.types.edge_weak;
    while let Some(from) = stack.pop() {
        for e in graph.edges(from) {
            let to = graph.edge_to[e];
            if graph.edge_type[e] == weak || reached[to as usize] || blocked(from, e, to) {
                continue;
            }
            reached.insert(to as usize);
            stack.push(to);
        }
    }
    let mut kept = FixedBitSet::with_capacity(graph.node_count());
    for (n, &distance) in analysis.distances.iter().enumerate() {
        if distance != NO_DISTANCE && !reached[n] {
            kept.insert(n);
        }
    }
    kept
}

/// The handler function of each `V8EventListener` (by its name after the
/// `Detached ` renaming, as DevTools reads it): the target of its edge
/// named `1` (`callback_object_`) if that has code, else the first of the
/// callback's children that has code (a framework's wrapper), else the
/// callback itself.
fn event_handlers(analysis: &Analysis) -> FixedBitSet {
    let graph = &analysis.graph;
    let mut handlers = FixedBitSet::with_capacity(graph.node_count());
    let target_named = |n: u32, name: &str| {
        graph
            .edges(n)
            .find(|&e| graph.edge_name_text(e) == name)
            .map(|e| graph.edge_to[e])
    };
    for n in 0..graph.node_count() as u32 {
        if graph.name(n) != "V8EventListener" {
            continue;
        }
        let Some(callback) = target_named(n, "1") else {
            continue;
        };
        let handler = if target_named(callback, "code").is_some() {
            callback
        } else {
            graph
                .edges(callback)
                .map(|e| graph.edge_to[e])
                .find(|&child| target_named(child, "code").is_some())
                .unwrap_or(callback)
        };
        handlers.insert(handler as usize);
    }
    handlers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// ```text
    ///   root ─shortcut─▶ Window ─▶ Plain
    ///                      ├─▶ <ul> (detached) ─▶ RowData
    ///                      └─▶ V8EventListener ─[1]─▶ onClick() ─code─▶ code
    ///                                                   └─context─▶ ClickState
    ///   root ─▶ (Global handles) ─"1 / DevTools console"─▶ Logged ─▶ LoggedPart
    /// ```
    fn heap() -> Analysis {
        let mut s = TestSnapshot::new();
        let window = s.node("object", "Window", 3, 10);
        let plain = s.node("object", "Plain", 5, 10);
        let list = s.node("native", "<ul>", 6, 10);
        let row = s.node("object", "RowData", 7, 10);
        let listener = s.node("native", "V8EventListener", 8, 10);
        let handler = s.node("closure", "onClick", 9, 10);
        let code = s.node("code", "onClick", 11, 10);
        let state = s.node("object", "ClickState", 13, 10);
        let handles = s.node("synthetic", "(Global handles)", 15, 0);
        let logged = s.node("object", "Logged", 17, 10);
        let part = s.node("object", "LoggedPart", 19, 10);
        s.detachedness(list, 2);
        s.edge(0, "shortcut", "window", window)
            .edge(0, "element", "1", handles);
        s.edge(window, "property", "plain", plain)
            .edge(window, "property", "list", list)
            .edge(window, "property", "listener", listener);
        s.edge(list, "property", "row", row);
        s.edge(listener, "element", "1", handler);
        s.edge(handler, "internal", "code", code)
            .edge(handler, "context", "state", state);
        s.edge(handles, "internal", "1 / DevTools console", logged);
        s.edge(logged, "property", "part", part);
        s.analyze()
    }

    fn kept_classes(analysis: &Analysis, filter: NamedFilter) -> Vec<String> {
        let mut names: Vec<String> = named_summary(analysis, filter)
            .into_iter()
            .map(|a| a.name)
            .collect();
        names.sort();
        names
    }

    #[test]
    fn each_filter_keeps_what_only_its_edges_retain() {
        let a = heap();
        assert_eq!(
            kept_classes(&a, NamedFilter::DetachedDom),
            ["Detached <ul>", "RowData"],
            "the detached node and what hangs on it"
        );
        assert_eq!(
            kept_classes(&a, NamedFilter::Console),
            ["Logged", "LoggedPart"]
        );
        assert_eq!(
            kept_classes(&a, NamedFilter::EventHandlers),
            ["(compiled code)", "ClickState", "Function"],
            "the handler (it has code), its code and what only it holds"
        );
    }

    #[test]
    fn cli_names_round_trip() {
        for filter in NamedFilter::ALL {
            assert_eq!(NamedFilter::from_cli_name(filter.cli_name()), Some(filter));
        }
    }
}
