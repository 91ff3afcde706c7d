//! `heaplens leaks` on fixtures/three (made by fixtures/leaky-three.js,
//! whose expected.json is the ground truth: how many objects of each class
//! leaked, which classes must not show, and through which path).

use serde_json::Value;

use crate::report_util::{array, fixture_json, int, json, run, text};

const S1: &str = "three/s1.heapsnapshot";
const S2: &str = "three/s2.heapsnapshot";
const S3: &str = "three/s3.heapsnapshot";

fn leaks(extra: &[&str]) -> Value {
    let mut args = vec!["leaks", S1, S2, S3, "--format", "json"];
    args.extend_from_slice(extra);
    json(&args)
}

fn class<'a>(report: &'a Value, name: &str) -> Option<&'a Value> {
    array(report, "classes").iter().find(|c| c["name"] == name)
}

/// Every merged path step of a class, depth first.
fn steps(groups: &[Value], out: &mut Vec<Value>) {
    for g in groups {
        out.push(g.clone());
        steps(array(g, "paths"), out);
    }
}

#[test]
fn leaked_counts_are_the_generators_truth() {
    let truth = fixture_json("three/expected.json");
    for report in [leaks(&[]), leaks(&["--internals"])] {
        let Some(leaked) = truth["leaked"].as_object() else {
            panic!("expected.json lists the leaked classes");
        };
        for (name, count) in leaked {
            let found = class(&report, name).map(|c| c["count"].clone());
            assert_eq!(found, Some(count.clone()), "{name}");
        }
        for name in array(&truth, "not_leaked") {
            let name = name.as_str().unwrap_or_default();
            assert!(class(&report, name).is_none(), "{name} did not leak");
        }
    }
}

#[test]
fn paths_are_merged_from_the_root_end() {
    let truth = fixture_json("three/expected.json");
    let report = leaks(&[]);
    let Some(paths) = truth["paths"].as_object() else {
        panic!("expected.json lists the paths");
    };
    for (name, expected) in paths {
        let Some(leaked) = class(&report, name) else {
            panic!("{name} leaks");
        };
        let mut all = Vec::new();
        steps(array(leaked, "paths"), &mut all);
        for want in expected.as_array().map_or(&[][..], Vec::as_slice) {
            let via = &want["via"];
            let step = all.iter().find(|s| s["edge"] == *via);
            let step = step.unwrap_or_else(|| panic!("{name} is held via {via}"));
            assert_eq!(step["count"], want["count"], "{name} via {via}");
        }
        // Merged paths add up: each level holds at most its parent's objects.
        let top: i64 = array(leaked, "paths").iter().map(|g| int(g, "count")).sum();
        assert!(top <= int(leaked, "count"), "{name}");
    }
}

#[test]
fn retained_sizes_do_not_double_count() {
    let report = leaks(&["--internals"]);
    let classes = array(&report, "classes");
    let sum: i64 = classes.iter().map(|c| int(c, "retained_size")).sum();
    assert!(int(&report, "retained_size") <= sum);
    let retained: Vec<i64> = classes.iter().map(|c| int(c, "retained_size")).collect();
    assert!(
        retained.windows(2).all(|w| w[0] >= w[1]),
        "by retained size"
    );
    for c in classes {
        let groups: i64 = array(c, "paths")
            .iter()
            .map(|g| int(g, "retained_size"))
            .sum();
        assert!(groups <= int(c, "retained_size"), "{}", c["name"]);
    }
}

#[test]
fn table_and_markdown_name_the_files_and_the_path() {
    let table = text(&["leaks", S1, S2, S3]);
    assert!(
        table.contains("s1.heapsnapshot.gz and s2.heapsnapshot.gz"),
        "{table}"
    );
    assert!(table.contains("500 leaked objects in 3 classes"), "{table}");
    assert!(table.contains("orderCache in "), "{table}");
    let markdown = text(&["leaks", S1, S2, S3, "--format", "markdown"]);
    assert!(markdown.starts_with(
        "# Leak report: `s1.heapsnapshot.gz` \u{2192} `s2.heapsnapshot.gz` \u{2192} `s3.heapsnapshot.gz`"
    ));
    assert!(markdown.contains("| `CachedOrder` (") && markdown.contains("| 300 |"));
    assert!(markdown.contains("- `orderCache` in `"), "{markdown}");
}

#[test]
fn filter_and_top_narrow_the_report() {
    let report = leaks(&["--filter", "listen"]);
    let names: Vec<&Value> = array(&report, "classes")
        .iter()
        .map(|c| &c["name"])
        .collect();
    assert_eq!(names, ["Listener"]);
    assert_eq!(int(&report, "count"), 80);
    let top = leaks(&["--top", "1"]);
    assert_eq!(array(&top, "classes").len(), 1);
}

#[test]
fn snapshots_of_other_v8_versions_are_flagged() {
    let out = run(&["leaks", "real/chromium156-chat-before.heapsnapshot", S2, S3]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("come from different V8 versions"),
        "{stderr}"
    );
}
