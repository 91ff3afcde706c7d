//! `heaplens strings` on the demo's `after` snapshot: leaky-app.js keeps
//! one id string `sess-<n in base 36>-u<user>` per request, and its audit
//! log's four duplicated lines (demo/expected.json).

use crate::report_util::{array, fixture_json, int, json, run, text};

const AFTER: &str = "demo/after.heapsnapshot";
const SESSION_ID: &str = "^sess-[0-9a-z]+-u[0-9]+$";

#[test]
fn session_ids_are_found_once_each() {
    let truth = fixture_json("demo/expected.json");
    let report = json(&["strings", AFTER, SESSION_ID, "--format", "json"]);
    let sessions = int(&truth["module_state_sizes"], "sessionCache");
    assert_eq!(int(&report, "values"), sessions);
    assert_eq!(int(&report, "copies"), sessions, "one string per id");
    let strings = array(&report, "strings");
    assert_eq!(strings.len() as i64, sessions, "JSON lists all");
    for s in strings {
        assert_eq!(int(s, "copies"), 1, "{s}");
        assert!(int(s, "bytes") > 0 && int(s, "retained_size") >= int(s, "bytes"));
    }
    for s in &strings[..3] {
        let id = int(s, "example_id");
        let node = json(&["node", AFTER, &format!("@{id}"), "--format", "json"]);
        assert_eq!(node["name"], s["value"], "the example is a copy");
    }
    // Unanchored: `sess-` also finds the script's own "sess-" constant.
    let loose = json(&["strings", AFTER, "sess-", "--format", "json"]);
    assert_eq!(int(&loose, "values"), sessions + 1);
}

#[test]
fn duplicated_audit_lines_show_their_copies() {
    let truth = fixture_json("demo/expected.json");
    let report = json(&["strings", AFTER, "status=200$", "--format", "json"]);
    let Some(expected) = truth["duplicated_strings_after"].as_object() else {
        panic!("expected.json names the duplicated strings");
    };
    for (value, copies) in expected {
        let found = array(&report, "strings")
            .iter()
            .find(|s| s["value"] == *value)
            .map(|s| s["copies"].clone());
        assert_eq!(found, Some(copies.clone()), "{value}");
    }
    let bytes: Vec<i64> = array(&report, "strings")
        .iter()
        .map(|s| int(s, "bytes"))
        .collect();
    assert!(bytes.windows(2).all(|w| w[0] >= w[1]), "most bytes first");
}

#[test]
fn min_length_top_and_the_table_cut() {
    let long = json(&["strings", AFTER, "--min-length", "200", "--format", "json"]);
    for s in array(&long, "strings") {
        let value = s["value"].as_str().unwrap_or_default();
        assert!(value.chars().count() >= 200, "{value}");
    }
    let table = text(&["strings", AFTER, "--min-length", "200", "--top", "3"]);
    let rows: Vec<&str> = table.lines().skip(1).take(3).collect();
    assert_eq!(rows.len(), 3, "{table}");
    for row in rows {
        let value = row.split("\"  ").next().unwrap_or_default();
        assert!(value.ends_with('\u{2026}'), "long values are cut: {row}");
        assert!(value.chars().count() <= 82, "at 80 characters: {row}");
    }
    assert!(table.contains("(3 shown)"), "{table}");
}

#[test]
fn a_bad_pattern_is_one_line_without_the_pattern() {
    let out = run(&["strings", AFTER, "secret-(token"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "heaplens: PATTERN is not a regular expression: unclosed group\n"
    );
}
