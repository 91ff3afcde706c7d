//! Markdown incident reports and the tree views (dominators, containment).

use serde_json::Value;

use crate::report_util::{array, int, json, run, run_with_env, text};

const BASE: &str = "demo/baseline.heapsnapshot";
const TARGET: &str = "demo/after.heapsnapshot";

#[test]
fn summary_markdown_is_a_paste_ready_report() {
    let md = text(&[
        "summary",
        TARGET,
        "--filter",
        "SessionRecord",
        "--format",
        "markdown",
    ]);
    assert!(
        md.starts_with("# Heap summary: `after.heapsnapshot.gz`\n"),
        "{md}"
    );
    assert!(md.contains("| Constructor | Distance | Count | Shallow Size | Retained Size |"));
    assert!(
        md.contains("| `SessionRecord` (leaky-app.js:73:13) | 13 | 1,500 |"),
        "{md}"
    );
    assert!(md.contains("## Retainer path of the worst offender"));
    // The leak's holder, as DevTools' Retainers tree opens it.
    assert!(md.contains("- `table` in `Map @"), "{md}");
    assert!(
        md.contains("- `sessionCache` in `system / Context @"),
        "{md}"
    );
}

#[test]
fn summary_markdown_shows_ten_classes_by_default() {
    let md = text(&["summary", TARGET, "--format", "markdown"]);
    let rows = md.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(rows, 10, "{md}");
}

#[test]
fn diff_markdown_has_deltas_classes_and_a_path() {
    let md = text(&["diff", BASE, TARGET, "--format", "markdown", "--top", "4"]);
    assert!(md.starts_with(
        "# Heap comparison: `baseline.heapsnapshot.gz` \u{2192} `after.heapsnapshot.gz`\n"
    ));
    assert!(md.contains("## Top deltas"));
    assert!(md.contains("| Retained \u{394} |"));
    assert!(md.contains("## Top classes in `after.heapsnapshot.gz`"));
    assert!(md.contains("## Retainer path of the worst offender"));
    let session = text(&[
        "diff",
        BASE,
        TARGET,
        "--format",
        "markdown",
        "--filter",
        "SessionRecord",
    ]);
    assert!(
        session.contains("grew most, among the program's classes (V8's own left out; `--internals` to include them): `SessionRecord`"),
        "{session}"
    );
    assert!(session.contains("- `sessionCache` in `"), "{session}");
}

/// Issue 19: the worst offender was the class with the largest # Delta,
/// which on a real snapshot lands on `(string)` held by a handle scope (the
/// snapshot writer's own file name). It is the user class whose retained
/// size grew most; `--internals` lets V8's own in.
#[test]
fn regression_the_worst_offender_is_a_user_class_by_retained_growth() {
    let md = text(&["diff", BASE, TARGET, "--format", "markdown"]);
    let worst = md
        .split("## Retainer path of the worst offender")
        .nth(1)
        .unwrap_or_default();
    assert!(worst.contains("`Array` (+2.9 MB retained"), "{worst}");
    assert!(!worst.contains("(Handle scope)"), "{worst}");
    let all = text(&["diff", BASE, TARGET, "--format", "markdown", "--internals"]);
    let worst = all
        .split("## Retainer path of the worst offender")
        .nth(1)
        .unwrap_or_default();
    assert!(
        worst.contains("grew most, among all classes: `system / Context`"),
        "{worst}"
    );
}

#[test]
fn allocated_summary_table_says_what_it_counts() {
    let table = text(&["summary", TARGET, "--allocated-after", BASE, "--top", "3"]);
    assert!(table
        .starts_with("Objects allocated between the snapshots (id 133581 < id \u{2264} 189399)"));
}

fn children(node: &Value) -> &[Value] {
    array(node, "children")
}

#[test]
fn dominator_tree_children_by_retained_size() {
    let tree = json(&["dominators", TARGET, "--depth", "2", "--format", "json"]);
    assert_eq!(int(&tree, "id"), 1, "from the root by default");
    let kids = children(&tree);
    assert_eq!(kids.len(), 10, "--fan-out 10 by default");
    let retained: Vec<i64> = kids.iter().map(|c| int(c, "retained_size")).collect();
    assert!(retained.windows(2).all(|w| w[0] >= w[1]), "{retained:?}");
    assert!(retained.iter().sum::<i64>() <= int(&tree, "retained_size"));
    assert!(int(&tree, "more") > 0);
    let below = json(&["dominators", TARGET, "@71213", "--format", "json"]);
    assert_eq!(int(&below, "retained_size"), 504, "SessionRecord @71213");
}

#[test]
fn containment_lists_edges_with_devtools_labels() {
    let tree = json(&["containment", TARGET, "@71213", "--format", "json"]);
    let kids = children(&tree);
    let retained: Vec<i64> = kids.iter().map(|c| int(c, "retained_size")).collect();
    assert!(retained.windows(2).all(|w| w[0] >= w[1]), "{retained:?}");
    let id = kids.iter().find(|c| c["edge_name"] == "id");
    assert_eq!(id.map(|c| int(c, "id")), Some(71211));
    // The WeakMap ephemeron edge to its RecordMeta is an outgoing edge too.
    assert!(kids.iter().any(|c| c["class"] == "RecordMeta"));
    let table = text(&["containment", TARGET, "@71213"]);
    assert!(table.contains("  id :: \"sess-d3-u471\" @71211"), "{table}");
}

#[test]
fn statistics_table_has_devtools_categories() {
    let table = text(&["stats", TARGET]);
    for category in [
        "Code",
        "Strings",
        "JS arrays",
        "Typed arrays",
        "System objects",
        "Other JS objects",
        "Other non-JS objects (such as HTML and CSS)",
        "Total",
    ] {
        assert!(table.contains(category), "{category}: {table}");
    }
}

#[test]
fn diff_names_the_object_a_growing_class_hangs_on() {
    let doc = json(&[
        "diff",
        BASE,
        TARGET,
        "--filter",
        "SessionRecord",
        "--format",
        "json",
    ]);
    let session = array(&doc, "classes")
        .iter()
        .find(|c| c["name"] == "SessionRecord")
        .cloned()
        .unwrap_or(Value::Null);
    let holder = &session["holders"][0];
    assert_eq!(
        int(holder, "instances"),
        1500,
        "all records hang on one store: {session}"
    );
    assert_eq!(
        holder["object"], "Map",
        "the Map, not its backing store: {session}"
    );
    assert!(int(holder, "retained_delta") > 0, "{session}");
}

/// `--timings` goes to stderr: both loads' stages, then the comparison's
/// own steps; the report itself does not change.
#[test]
fn diff_timings_name_the_comparison_steps() {
    let args = ["diff", BASE, TARGET, "--format", "json"];
    let timed = run(&[&args[..], &["--timings"]].concat());
    assert!(timed.status.success());
    assert_eq!(timed.stdout, run(&args).stdout, "the report is unchanged");
    let stderr = String::from_utf8_lossy(&timed.stderr);
    assert_eq!(
        stderr.matches("  computing dominators ").count(),
        2,
        "{stderr}"
    );
    // Only a Markdown comparison shows distances: the loads skip them.
    assert!(!stderr.contains("computing distances"), "{stderr}");
    let markdown = run(&["diff", BASE, TARGET, "--format", "markdown", "--timings"]);
    let stderr_markdown = String::from_utf8_lossy(&markdown.stderr);
    assert_eq!(
        stderr_markdown.matches("  computing distances ").count(),
        1,
        "the target's: {stderr_markdown}"
    );
    let steps = stderr
        .split_once("timings for the comparison (target loaded once the baseline was read):\n")
        .unwrap_or_else(|| panic!("no comparison timings: {stderr}"))
        .1;
    let labels: Vec<&str> = steps
        .lines()
        .map(|l| l.split("  ").find(|part| !part.is_empty()).unwrap_or(""))
        .collect();
    assert_eq!(
        labels,
        [
            "comparing classes",
            "finding top holders",
            "writing the report",
            "total (wall)"
        ],
        "{stderr}"
    );
}

/// With too little memory for the whole load, a Summary loads for its
/// class rows alone and prints the same report; a Markdown one, which reads
/// more than the class rows, is refused instead, with a word on the formats
/// that fit.
#[test]
fn a_summary_short_of_memory_loads_for_its_rows_alone() {
    // The demo target is estimated at 38.2 MB, 35.4 MB for its rows alone.
    let tight = [("HEAPLENS_MAX_MEMORY", "36MB")];
    let runs: [&[&str]; 3] = [
        &["summary", TARGET, "--format", "json"],
        &["summary", TARGET, "--sort", "distance", "--top", "20"],
        &[TARGET],
    ];
    for args in runs {
        let (roomy, tight) = (run(args), run_with_env(args, &tight));
        assert!(roomy.status.success(), "{args:?}");
        assert_eq!(tight.status, roomy.status, "{args:?}");
        assert_eq!(tight.stdout, roomy.stdout, "{args:?}");
        assert_eq!(tight.stderr, roomy.stderr, "{args:?}");
    }
    let markdown = run_with_env(&["summary", TARGET, "--format", "markdown"], &tight);
    let stderr = String::from_utf8_lossy(&markdown.stderr);
    assert!(!markdown.status.success());
    assert!(
        stderr.contains("needs about 38.2 MB of memory ("),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("use --force to try anyway (as JSON or a table it would fit)\n"),
        "{stderr}"
    );
}

/// With too little memory for both loads at once, the baseline loads
/// first and is shed: reports, rules and the terminal-less comparison are
/// the same.
#[test]
fn a_pair_loaded_one_after_the_other_compares_the_same() {
    // Side by side the demo loads are estimated above 60 MB; the baseline
    // first, 41.5 MB.
    let tight = [("HEAPLENS_MAX_MEMORY", "45MB")];
    let timed = run_with_env(&["diff", BASE, TARGET, "--timings"], &tight);
    let stderr = String::from_utf8_lossy(&timed.stderr);
    assert!(
        stderr.contains("timings for the comparison (baseline loaded first, to fit in memory):"),
        "{stderr}"
    );
    let runs: [&[&str]; 3] = [
        &["diff", BASE, TARGET, "--format", "json"],
        &[
            "diff",
            BASE,
            TARGET,
            "--format",
            "markdown",
            "--fail-if",
            "retained_delta > 0",
        ],
        &[BASE, TARGET],
    ];
    for args in runs {
        let (roomy, tight) = (run(args), run_with_env(args, &tight));
        assert_eq!(tight.status, roomy.status, "{args:?}");
        assert_eq!(tight.stdout, roomy.stdout, "{args:?}");
        assert_eq!(tight.stderr, roomy.stderr, "{args:?}");
        if args.contains(&"--fail-if") {
            assert_eq!(roomy.status.code(), Some(1), "the rule holds");
        }
    }
}

/// Issue 19: the Chromium 156 summary was 1,071 columns wide and every row
/// wrapped at 80. Tables fit `$COLUMNS` (or the tty, or `--width`); names
/// shorten in the middle, numbers and trailing @ids stay whole.
#[test]
fn regression_tables_fit_the_terminal_width() {
    let chromium = crate::util::fixture("real/chromium156-chat-after.heapsnapshot");
    let chromium = chromium.to_string_lossy();
    let narrow = crate::util::heaplens_with_env(["summary", &chromium], &[("COLUMNS", "80")]);
    let text = String::from_utf8_lossy(&narrow.stdout);
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 80, "{widest} columns");
    let unlimited = text_of(&["summary", &chromium, "--width", "0"]);
    assert!(unlimited.lines().any(|l| l.chars().count() > 200));
    let diff = crate::util::heaplens_with_env(["diff", BASE, TARGET], &[("COLUMNS", "80")]);
    let diff = String::from_utf8_lossy(&diff.stdout);
    for line in diff.lines().filter(|l| l.contains(" @")) {
        let name = line.split("  ").next().unwrap_or_default();
        let id = name.rsplit(" @").next().unwrap_or_default();
        assert!(
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()),
            "an @id is never cut: {line:?}"
        );
    }
}

fn text_of(args: &[&str]) -> String {
    String::from_utf8_lossy(&crate::util::heaplens(args).stdout).into_owned()
}
