//! Script names beside class locations: the demo's classes are located in
//! `leaky-app.js` (script 81 of its Node 20 process), which a closure of
//! that script names through closure → `shared` → `script_or_debug_info`.

use serde_json::Value;

use crate::report_util::{array, json, text};

const BASE: &str = "demo/baseline.heapsnapshot";
const TARGET: &str = "demo/after.heapsnapshot";

fn session_record(report: &Value) -> &Value {
    array(report, "classes")
        .iter()
        .find(|c| c["name"] == "SessionRecord")
        .unwrap_or_else(|| panic!("a SessionRecord row in {report}"))
}

#[test]
fn the_demo_classes_name_their_script() {
    let summary = json(&["summary", TARGET, "--format", "json"]);
    let row = session_record(&summary);
    assert_eq!(row["location"], "81:73:13", "the oracle's contract stands");
    assert!(
        row["script"]
            .as_str()
            .is_some_and(|s| s.ends_with("/leaky-app.js")),
        "{row}"
    );
    let unlocated = array(&summary, "classes")
        .iter()
        .find(|c| c["location"].is_null())
        .map(|c| c["script"].clone());
    assert_eq!(unlocated, Some(Value::Null), "no location, no script");
    let diff = json(&["diff", BASE, TARGET, "--format", "json"]);
    assert_eq!(session_record(&diff)["script"], row["script"]);
    let table = text(&["summary", TARGET, "--filter", "SessionRecord"]);
    assert!(
        table.contains("SessionRecord (leaky-app.js:73:13)"),
        "{table}"
    );
    let table = text(&["diff", BASE, TARGET, "--filter", "SessionRecord"]);
    assert!(
        table.contains("SessionRecord (leaky-app.js:73:13)"),
        "{table}"
    );
}

/// Chromium and Deno name their Script nodes `system / Script / URL`: the
/// URL is the name. Node 8 and Chrome 2017 wrote no locations at all.
#[test]
fn other_producers_name_their_scripts_too() {
    for (file, class, script) in [
        (
            "real/chromium156-chat-after.heapsnapshot",
            "ChatMessage",
            "file:///srv/demo/src1/oracle/browser/app.html",
        ),
        ("node-22/after.heapsnapshot", "Registry", "/majors-app.js"),
        ("node-26/after.heapsnapshot", "Registry", "/majors-app.js"),
    ] {
        let summary = json(&["summary", file, "--format", "json"]);
        let row = array(&summary, "classes")
            .iter()
            .find(|c| c["name"] == class)
            .unwrap_or_else(|| panic!("{file}: no {class}"));
        assert!(
            row["script"].as_str().is_some_and(|s| s.ends_with(script)),
            "{file}: {row}"
        );
    }
    let deno = json(&["summary", "real/deno2.9.heapsnapshot", "--format", "json"]);
    let named = array(&deno, "classes")
        .iter()
        .filter(|c| !c["location"].is_null())
        .all(|c| {
            c["script"]
                .as_str()
                .is_some_and(|s| !s.starts_with("system /"))
        });
    assert!(
        named,
        "every located Deno class names a script, prefix gone"
    );
}
