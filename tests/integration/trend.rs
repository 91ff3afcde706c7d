//! `heaplens trend` on fixtures/three (made by fixtures/leaky-three.js,
//! whose expected.json says what leaked between S1 and S2 and stayed), its
//! `--fail-if` rules, its formats and its loading under a memory budget.

use serde_json::Value;

use crate::report_util::{array, fixture_json, int, json, run, run_with_env, text};

const THREE: [&str; 3] = [
    "three/s1.heapsnapshot",
    "three/s2.heapsnapshot",
    "three/s3.heapsnapshot",
];

fn trend(extra: &[&str]) -> Value {
    let mut args = vec!["trend"];
    args.extend(THREE);
    args.extend(["--format", "json"]);
    args.extend_from_slice(extra);
    json(&args)
}

fn class<'a>(report: &'a Value, name: &str) -> &'a Value {
    array(report, "classes")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in the trend"))
}

fn numbers(class: &Value, key: &str) -> Vec<i64> {
    array(class, key)
        .iter()
        .map(|v| v.as_i64().unwrap_or_else(|| panic!("{key}: integers")))
        .collect()
}

#[test]
fn leaked_classes_grow_from_the_first_snapshot_to_the_last() {
    let truth = fixture_json("three/expected.json");
    let report = trend(&[]);
    assert_eq!(array(&report, "snapshots").len(), 3);
    let Some(leaked) = truth["leaked"].as_object() else {
        panic!("expected.json lists the leaked classes");
    };
    for (name, count) in leaked {
        let c = class(&report, name);
        let count = count.as_i64().unwrap_or_default();
        // Allocated between S1 and S2 and kept: none, then all of them.
        assert_eq!(numbers(c, "counts"), [0, count, count], "{name}");
        assert_eq!(int(c, "count_growth"), count, "{name}");
        assert!(int(c, "retained_growth") > 0, "{name}");
        let retained = numbers(c, "retained_sizes");
        assert_eq!(int(c, "retained_growth"), retained[2] - retained[0]);
        assert_eq!(c["grew_every_step"], false, "{name}: flat from S2 to S3");
    }
    for name in ["EarlyBird", "FreedLater", "Transient"] {
        let grew = array(&report, "classes")
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["grew_every_step"].clone());
        assert_ne!(grew, Some(Value::Bool(true)), "{name}");
    }
    assert_eq!(numbers(class(&report, "EarlyBird"), "counts"), [40, 40, 40]);
    assert_eq!(numbers(class(&report, "FreedLater"), "counts"), [0, 200, 0]);
    let growth: Vec<i64> = array(&report, "classes")
        .iter()
        .map(|c| int(c, "retained_growth"))
        .collect();
    assert!(
        growth.windows(2).all(|w| w[0] >= w[1]),
        "sorted by retained growth, largest first"
    );
    let cached = class(&report, "CachedOrder");
    assert!(cached["location"]
        .as_str()
        .is_some_and(|l| l.ends_with(":53:31")));
    assert!(
        cached["script"]
            .as_str()
            .is_some_and(|s| s.ends_with("/leaky-three.js")),
        "{cached}"
    );
}

/// Two snapshots are one step: the classes allocated between them grew at
/// every step; with the third they stop.
#[test]
fn only_growing_keeps_the_classes_that_grew_at_every_step() {
    let pair = json(&[
        "trend",
        THREE[0],
        THREE[1],
        "--only-growing",
        "--format",
        "json",
    ]);
    let names: Vec<&str> = array(&pair, "classes")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    for name in ["CachedOrder", "PendingJob", "Listener", "FreedLater"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(array(&pair, "classes")
        .iter()
        .all(|c| c["grew_every_step"] == true));
    let three = trend(&["--only-growing"]);
    assert!(array(&three, "classes")
        .iter()
        .all(|c| c["name"] != "CachedOrder"));
    let top = trend(&["--top", "2", "--filter", "order"]);
    assert_eq!(array(&top, "classes").len(), 1, "{top}");
}

fn gate(snapshots: &[&str], rules: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["trend"];
    args.extend_from_slice(snapshots);
    for rule in rules {
        args.extend(["--fail-if", rule]);
    }
    let out = run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), stderr)
}

#[test]
fn fail_if_rules_gate_a_soak_test() {
    let (code, stderr) = gate(
        &THREE,
        &[
            "grew_every_step(CachedOrder)",
            "grew_every_step(EarlyBird)",
            "count_growth(PendingJob) > 120",
            "retained_growth(CachedOrder) > 1MB",
        ],
    );
    assert_eq!(code, Some(0), "no rule holds: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let (code, stderr) = gate(
        &THREE,
        &[
            "count_growth(PendingJob) >= 120",
            "retained_growth(CachedOrder) > 1kB",
        ],
    );
    assert_eq!(code, Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].ends_with("count_growth(PendingJob) = 120"),
        "{stderr}"
    );
    assert!(
        lines[1].contains("retained_growth(CachedOrder) = "),
        "{stderr}"
    );
    let (code, stderr) = gate(&THREE[..2], &["grew_every_step(CachedOrder)"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("--fail-if 'grew_every_step(CachedOrder)' holds: 0 \u{2192} 300"),
        "{stderr}"
    );
    for (rule, why) in [
        ("grew_every_step(CachedOrder) > 3", "yes/no test"),
        ("delta(CachedOrder) > 3", "unknown metric"),
        ("count_growth(CachedOrder) > 3kB", "counts objects"),
    ] {
        let (code, stderr) = gate(&THREE, &[rule]);
        assert_eq!(code, Some(2), "{rule}: {stderr}");
        assert!(stderr.contains(why), "{rule}: {stderr}");
    }
}

#[test]
fn the_table_and_markdown_name_scripts_and_draw_counts() {
    let mut args = vec!["trend"];
    args.extend(THREE);
    let table = text(&args);
    assert!(table.starts_with("Trend over 3 snapshots: s1.heapsnapshot.gz \u{2192} "));
    let row = table
        .lines()
        .find(|l| l.starts_with("CachedOrder (leaky-three.js:53:31)"))
        .unwrap_or_else(|| panic!("a CachedOrder row: {table}"));
    assert!(
        row.contains("0 \u{2192} 300 \u{b7}\u{2588}\u{2588}"),
        "none, then 300 twice: {row}"
    );
    assert!(row.contains("+300"), "{row}");
    args.extend(["--format", "markdown"]);
    let md = text(&args);
    assert!(
        md.starts_with("# Heap trend: `s1.heapsnapshot.gz` \u{2192} "),
        "{md}"
    );
    assert!(
        md.contains("| `CachedOrder` (leaky-three.js:53:31) |"),
        "{md}"
    );
    let rows = md.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(rows, 10, "ten rows by default: {md}");
}

/// Short of memory for all three, the snapshots load fewer at a time, and
/// the trend is the same.
#[test]
fn a_small_budget_loads_fewer_at_a_time_with_the_same_trend() {
    let mut args = vec!["trend"];
    args.extend(THREE);
    args.extend(["--format", "json", "--timings"]);
    let together = run_with_env(&args, &[]);
    let alone = run_with_env(&args, &[("HEAPLENS_MAX_MEMORY", "50MB")]);
    for out in [&together, &alone] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(together.stdout, alone.stdout);
    let said = String::from_utf8_lossy(&alone.stderr);
    assert!(said.contains("one snapshot loaded at a time"), "{said}");
    let refused = run_with_env(&args, &[("HEAPLENS_MAX_MEMORY", "5MB")]);
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("even loading one snapshot at a time"),
        "{said}"
    );
}

#[test]
fn one_snapshot_is_no_trend() {
    let out = run(&["trend", THREE[0]]);
    assert_eq!(out.status.code(), Some(2));
}
