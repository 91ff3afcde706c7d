//! `heaplens diff --fail-if`: exit 1 and one stderr line per violated rule
//! (after the normal report), 0 when no rule holds, 2 for a bad rule.
//! Also retained growth (`retained_delta`) and the V8-version warning.

use serde_json::Value;

use crate::report_util::{array, fixture_json, int, json, run};

const BASE: &str = "demo/baseline.heapsnapshot";
const TARGET: &str = "demo/after.heapsnapshot";

fn diff_with(rules: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["diff", BASE, TARGET, "--top", "3"];
    for rule in rules {
        args.extend(["--fail-if", rule]);
    }
    let out = run(&args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn violated_rules_exit_1_after_the_report() {
    let (code, stdout, stderr) = diff_with(&[
        "delta(SessionRecord) > 999",
        "size_delta > 50MB",
        "retained_delta(SessionRecord) >= 400 kB",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stdout.starts_with("Constructor"),
        "the report is printed: {stdout}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].ends_with("delta(SessionRecord) = 1000"),
        "{stderr}"
    );
    assert!(
        lines[1].contains("retained_delta(SessionRecord) = "),
        "{stderr}"
    );
}

#[test]
fn rules_that_do_not_hold_exit_0() {
    let (code, stdout, stderr) = diff_with(&["delta(SessionRecord) > 1000", "size_delta > 50MB"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("Retained \u{394}"));
}

#[test]
fn the_generators_growth_passes_an_exact_gate() {
    // One rule per class of expected.json: "delta differs from the truth".
    let truth = fixture_json("demo/expected.json");
    let Some(classes) = truth["classes"].as_object() else {
        panic!("expected.json lists the classes");
    };
    let rules: Vec<String> = classes
        .iter()
        .filter(|(name, _)| name.as_str() != "ResponseEnvelope")
        .map(|(name, c)| format!("delta({name}) != {}", c["delta"]))
        .collect();
    let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
    let (code, _, stderr) = diff_with(&rules);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn bad_rules_are_usage_errors() {
    for (rule, why) in [
        ("delta(SessionRecord) = 3", "unknown operator"),
        ("growth > 3", "unknown metric"),
        ("delta > 3MB", "counts objects"),
    ] {
        let (code, stdout, stderr) = diff_with(&[rule]);
        assert_eq!(code, Some(2), "{rule}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(why), "{rule}: {stderr}");
    }
}

/// (name, location) → retained size in a DevTools summary golden.
fn retained(golden: &Value, name: &Value, location: &Value) -> i64 {
    array(golden, "classes")
        .iter()
        .find(|c| c["name"] == *name && c["location"] == *location)
        .map_or(0, |c| int(c, "retained_size"))
}

#[test]
fn retained_delta_is_the_change_of_devtools_class_retained_size() {
    let before = fixture_json("expected/demo-baseline.summary.json");
    let after = fixture_json("expected/demo-after.summary.json");
    let diff = json(&["diff", BASE, TARGET, "--format", "json"]);
    let rows = array(&diff, "classes");
    assert!(rows.len() > 50);
    for row in rows {
        let (name, location) = (&row["name"], &row["location"]);
        let expected = retained(&after, name, location) - retained(&before, name, location);
        assert_eq!(int(row, "retained_delta"), expected, "{name} {location}");
    }
}

#[test]
fn sort_by_retained_delta() {
    let diff = json(&[
        "diff",
        BASE,
        TARGET,
        "--sort",
        "retained-delta",
        "--format",
        "json",
    ]);
    let deltas: Vec<i64> = array(&diff, "classes")
        .iter()
        .map(|c| int(c, "retained_delta"))
        .collect();
    assert!(deltas.windows(2).all(|w| w[0] >= w[1]), "{deltas:?}");
}

#[test]
fn only_different_v8_versions_are_flagged() {
    let (_, _, same) = diff_with(&[]);
    assert!(same.is_empty(), "{same}");
    let out = run(&[
        "diff",
        "real/chromium156-chat-before.heapsnapshot",
        TARGET,
        "--top",
        "1",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr.trim_end(),
        format!(
            "heaplens: warning: {} and {} come from different V8 versions \
             (their snapshot.meta differs); deltas may be spurious",
            crate::util::fixture("real/chromium156-chat-before.heapsnapshot").display(),
            crate::util::fixture(TARGET).display()
        )
    );
}
