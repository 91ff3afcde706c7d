//! `heaplens collections` on the demo pair and the node-M pairs, whose
//! generators say how many entries each collection holds (demo/expected.json:
//! `module_state_sizes` after `baseline_requests` and `after_requests`;
//! majors-app.js: 150 then 450 requests, one entry per request).

use serde_json::Value;

use crate::report_util::{array, fixture_json, int, json, run, text};

const BASE: &str = "demo/baseline.heapsnapshot";
const TARGET: &str = "demo/after.heapsnapshot";

fn collections(base: &str, target: &str) -> Value {
    json(&["collections", base, target, "--format", "json"])
}

/// The collection held through the edge named `edge` (its path's last step).
fn held_as<'a>(report: &'a Value, edge: &str) -> Option<&'a Value> {
    array(report, "collections").iter().find(|c| {
        array(c, "path")
            .last()
            .is_some_and(|step| step["edge"] == edge)
    })
}

#[test]
fn the_session_cache_map_tops_the_demo_pair() {
    let report = collections(BASE, TARGET);
    let top = &array(&report, "collections")[0];
    assert_eq!(top["class"], "Map");
    let path = array(top, "path");
    assert_eq!(
        path.last().map(|s| s["edge"].clone()),
        Some("sessionCache".into()),
        "held by the module's sessionCache variable: {top}"
    );
    assert_eq!(path[0]["class"], "global", "root end first: {top}");
    let owner = array(top, "owner_path");
    assert_eq!(owner.len(), 1, "{top}");
    assert_eq!(
        owner[0]["edge"], "table",
        "the Map is reported, not its table"
    );
    assert_ne!(owner[0]["id"], top["id"]);
    let holds = array(top, "holds");
    assert_eq!(holds[0]["class"], "SessionRecord");
    assert_eq!(int(&holds[0], "count"), 1500);
    assert!(int(top, "retained_after") > int(top, "retained_before"));
    assert_eq!(
        int(top, "retained_delta"),
        int(top, "retained_after") - int(top, "retained_before")
    );
}

#[test]
fn entries_are_the_generators_module_state_sizes() {
    let truth = fixture_json("demo/expected.json");
    let before = int(&truth, "baseline_requests");
    let after = int(&truth, "after_requests");
    let sizes = &truth["module_state_sizes"];
    let report = collections(BASE, TARGET);
    // (variable in leaky-app.js, edge that holds it, entries per request).
    let per_request = [
        ("sessionCache", "sessionCache", 1),
        ("listeners", "reload", 1),
        ("auditLog", "auditLog", 1),
        ("pendingCallbacks", "pendingCallbacks", 10),
        ("undoStack", "undoStack", 5),
    ];
    for (name, edge, every) in per_request {
        let Some(found) = held_as(&report, edge) else {
            panic!("{name} grows: {report}");
        };
        assert_eq!(int(found, "entries_after"), int(sizes, name), "{name}");
        assert_eq!(int(found, "entries_before"), before / every, "{name}");
        assert_eq!(
            int(found, "entries_delta"),
            (after - before) / every,
            "{name}"
        );
    }
    assert!(
        held_as(&report, "lru").is_none(),
        "the bounded LRU Map does not grow"
    );
    let gained: Vec<i64> = array(&report, "collections")
        .iter()
        .map(|c| int(c, "entries_delta"))
        .collect();
    assert!(gained.windows(2).all(|w| w[0] >= w[1]), "{gained:?}");
    assert_eq!(int(&report, "count"), gained.len() as i64);
}

#[test]
fn map_set_and_weakmap_entries_count_on_node_22_24_26() {
    for major in ["22", "24", "26"] {
        let base = format!("node-{major}/before.heapsnapshot");
        let target = format!("node-{major}/after.heapsnapshot");
        let report = collections(&base, &target);
        for (edge, class) in [
            ("sessions", "Map"),
            ("metaBySession", "WeakMap"),
            ("recentIds", "Set"),
        ] {
            let found = held_as(&report, edge);
            let counts = found.map(|c| {
                (
                    c["class"].clone(),
                    int(c, "entries_before"),
                    int(c, "entries_after"),
                )
            });
            assert_eq!(
                counts,
                Some((class.into(), 150, 450)),
                "node {major}: {edge}"
            );
        }
    }
}

#[test]
fn top_table_and_markdown_name_the_map_and_its_path() {
    let one = json(&[
        "collections",
        BASE,
        TARGET,
        "--format",
        "json",
        "--top",
        "1",
    ]);
    assert_eq!(array(&one, "collections").len(), 1);
    assert!(int(&one, "count") > 1, "count is over all collections");
    let table = text(&["collections", BASE, TARGET, "--top", "2"]);
    let first_row = table.lines().nth(3).unwrap_or_default();
    assert!(
        first_row.starts_with("Map @124997") && first_row.contains("500 \u{2192} 1,500"),
        "{table}"
    );
    assert!(
        table.contains("sessionCache in system / Context @6235"),
        "{table}"
    );
    assert!(table.contains("holds SessionRecord \u{d7}1,500"), "{table}");
    let markdown = text(&["collections", BASE, TARGET, "--format", "markdown"]);
    assert!(markdown.starts_with("# Growing collections:"), "{markdown}");
    assert!(
        markdown.contains("| `Map @124997` | 500 | 1,500 |"),
        "{markdown}"
    );
    assert!(markdown.contains("`sessionCache` in"), "{markdown}");
}

#[test]
fn collections_need_two_snapshots() {
    let out = run(&["collections", TARGET]);
    assert_eq!(out.status.code(), Some(2));
}
