//! Fuzz target: parse + full analysis of arbitrary bytes, then the views a
//! user can reach from a loaded snapshot (Summary JSON and table, diff of the
//! snapshot with itself, node reports and retainer trees of a few nodes).
//!
//! Contract checked: no panic, no hang, no runaway memory; an error renders
//! as a single line; `diff(A, A)` is empty. See CONTRIBUTING.md for how to
//! run it.

#![no_main]

use heaplens::report::{self, RowSelection};
use heaplens::snapshot::class_rows::Totals;
use heaplens::snapshot::classes::SummaryColumn;
use heaplens::snapshot::views::diff;
use heaplens::snapshot::views::named_filters::{named_summary, NamedFilter};
use heaplens::snapshot::views::retainers::{retainer_tree, IgnoredRetainers};
use heaplens::snapshot::views::tree::TreeLimits;
use heaplens::snapshot::{analyze_reader, Analysis, ClassAggregate, Progress};
use libfuzzer_sys::fuzz_target;

/// Small limits: a retainer tree of a fuzzed graph can be exponential.
const LIMITS: TreeLimits = TreeLimits {
    depth: 4,
    fan_out: 4,
    max_rows: 64,
};

fuzz_target!(|data: &[u8]| {
    let mut early = |rows: Vec<ClassAggregate>| {
        // The half-analysed Summary the UI shows while dominators run.
        drop(rows);
        true
    };
    match analyze_reader(data, &mut |_: Progress| true, Some(&mut early)) {
        Ok(analysis) => exercise(&analysis),
        Err(e) => {
            let message = e.to_string();
            assert!(
                !message.contains('\n') && !message.contains('\r'),
                "error message is not a single line: {message:?}"
            );
        }
    }
});

fn exercise(analysis: &Analysis) {
    let all = RowSelection::default();
    for (column, descending) in [
        (SummaryColumn::Retained, true),
        (SummaryColumn::Name, false),
    ] {
        let summary = report::SummaryReport {
            totals: Totals::of(analysis),
            scripts: &analysis.scripts,
            classes: &analysis.aggregates,
            rows: report::summary_rows(&analysis.aggregates, column, descending, &all),
            allocated: None,
            only: None,
        };
        let _ = report::summary_json(&summary);
        let _ = report::summary_table(&summary);
    }
    for filter in NamedFilter::ALL {
        let _ = named_summary(analysis, filter);
    }

    let diffs = diff::compare(analysis, analysis);
    assert!(
        diffs.is_empty(),
        "diff(A, A) must be empty, got {} rows: {:?}",
        diffs.len(),
        diffs.iter().map(|d| &d.key).collect::<Vec<_>>()
    );

    let count = analysis.graph.node_count() as u32;
    let mut picks = vec![analysis.graph.root, 0, count / 2, count.saturating_sub(1)];
    picks.sort_unstable();
    picks.dedup();
    for n in picks.into_iter().filter(|&n| n < count) {
        let retainers = analysis.retainers(n);
        for r in retainers.iter().take(8) {
            let _ = analysis.edge_label(r.edge);
            let _ = analysis.object_label(r.from);
        }
        // DevTools' "Ignore this retainer" on the first one, and none.
        let ignoring =
            IgnoredRetainers::new(analysis, retainers.iter().take(1).map(|r| r.from).collect());
        for ignored in [&IgnoredRetainers::default(), &ignoring] {
            let _ = report::node_report_json(analysis, n, ignored);
            let _ = report::node_report_table(analysis, n, ignored);
            let _ = retainer_tree(analysis, n, LIMITS, ignored);
            let _ = report::retainers_report(analysis, n, LIMITS, ignored, true);
            let _ = report::retainers_report(analysis, n, LIMITS, ignored, false);
        }
        let id = analysis.graph.id(n);
        assert!(
            analysis.node_by_id(id).is_some(),
            "node @{id} is found by id"
        );
    }
}
