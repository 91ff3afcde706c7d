//! Parity with DevTools for the views issue 6 added: the Summary filtered to
//! "Objects allocated between" two snapshots, Statistics and Duplicated
//! strings. The goldens in `fixtures/expected/` were printed by DevTools'
//! own code (`aggregatesWithFilter`, `getStatistics`, `getDuplicateStrings`;
//! see fixtures/README.md); every field they have must be equal.

use serde_json::Value;

use crate::report_util::{array, fixture_json, json};

/// Classes keyed by (name, location), as the oracle makes them unique.
fn by_class(doc: &Value) -> Vec<(String, Value)> {
    let mut classes: Vec<(String, Value)> = array(doc, "classes")
        .iter()
        .map(|c| (format!("{}|{}", c["name"], c["location"]), c.clone()))
        .collect();
    classes.sort_by(|a, b| a.0.cmp(&b.0));
    classes
}

/// `actual` reduced to the fields `expected` has.
fn same_fields(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| same_fields(v, av))),
        _ => expected == actual,
    }
}

#[test]
fn allocated_between_summary_matches_devtools() {
    let expected = fixture_json("expected/demo-after.allocated-after-baseline.summary.json");
    let actual = json(&[
        "summary",
        "demo/after.heapsnapshot",
        "--allocated-after",
        "demo/baseline.heapsnapshot",
        "--format",
        "json",
    ]);
    assert!(same_fields(&expected["snapshot"], &actual["snapshot"]));
    assert_eq!(expected["allocated"], actual["allocated"]);
    let (e, a) = (by_class(&expected), by_class(&actual));
    assert_eq!(e.len(), a.len(), "one row per class DevTools shows");
    for ((key, ec), (_, ac)) in e.iter().zip(&a) {
        assert!(same_fields(ec, ac), "{key}: DevTools {ec}, heaplens {ac}");
    }
    // The generator's leak: all 1,000 SessionRecords of the leak phase.
    let session = a.iter().find(|(k, _)| k.starts_with("\"SessionRecord\""));
    assert_eq!(session.map(|(_, c)| c["count"].clone()), Some(1000.into()));
}

#[test]
fn statistics_match_devtools() {
    for name in [
        "demo-after",
        "chromium156-chat-after",
        "node8-alinode-devtoolx",
        "deno2.9",
        "chrome2017-stefanpenner",
    ] {
        let expected = fixture_json(&format!("expected/{name}.stats.json"));
        let file = if name.starts_with("demo") {
            "demo/after.heapsnapshot".to_owned()
        } else {
            format!("real/{name}.heapsnapshot")
        };
        let actual = json(&["stats", &file, "--format", "json"]);
        assert!(
            same_fields(&expected, &actual),
            "{name}: DevTools {expected}\n heaplens {actual}"
        );
    }
}

/// (value, count, total size, retained size, truncated), sorted.
fn groups(doc: &Value) -> Vec<String> {
    let mut groups: Vec<String> = array(doc, "groups")
        .iter()
        .map(|g| {
            format!(
                "{}|{}|{}|{}|{}",
                g["value"], g["count"], g["total_size"], g["retained_size"], g["truncated"]
            )
        })
        .collect();
    groups.sort();
    groups
}

#[test]
fn duplicated_strings_match_devtools() {
    for (name, file) in [
        ("demo-after", "demo/after.heapsnapshot"),
        (
            "node8-alinode-devtoolx",
            "real/node8-alinode-devtoolx.heapsnapshot",
        ),
    ] {
        let expected = fixture_json(&format!("expected/{name}.duplicates.json"));
        let actual = json(&["duplicates", file, "--format", "json"]);
        assert_eq!(groups(&expected), groups(&actual), "{name}");
    }
}

#[test]
fn duplicated_strings_find_the_generators_audit_log() {
    let truth = fixture_json("demo/expected.json");
    let actual = json(&["duplicates", "demo/after.heapsnapshot", "--format", "json"]);
    let Some(expected) = truth["duplicated_strings_after"].as_object() else {
        panic!("expected.json names the duplicated strings");
    };
    for (value, copies) in expected {
        let group = array(&actual, "groups")
            .iter()
            .find(|g| g["value"] == *value);
        assert_eq!(
            group.map(|g| g["count"].clone()),
            Some(copies.clone()),
            "{value}"
        );
    }
    // Sorted by wasted bytes; wasted = total − one (the largest) copy.
    let wasted: Vec<i64> = array(&actual, "groups")
        .iter()
        .map(|g| {
            let w = g["wasted"].as_i64().unwrap_or(-1);
            let total = g["total_size"].as_i64().unwrap_or(-1);
            assert_eq!(w, total - g["copy_size"].as_i64().unwrap_or(-1));
            w
        })
        .collect();
    assert!(wasted.windows(2).all(|w| w[0] >= w[1]), "by wasted bytes");
}
