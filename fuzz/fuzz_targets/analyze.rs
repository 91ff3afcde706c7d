//! Fuzz target: parse + full analysis of arbitrary bytes, then the views a
//! user can reach from a loaded snapshot (Summary JSON and table, diff of the
//! snapshot with itself, node reports and retainer trees of a few nodes).
//!
//! Contract checked: no panic, no hang, no runaway memory; an error renders
//! as a single line; `diff(A, A)` is empty. See CONTRIBUTING.md for how to
//! run it.

#![no_main]

use heaplens::report::{self, RowSelection};
use heaplens::snapshot::classes::SummaryColumn;
use heaplens::snapshot::diff;
use heaplens::snapshot::retainers::retainer_tree;
use heaplens::snapshot::tree::TreeLimits;
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
    match analyze_reader(data, &mut |_: Progress| true, &mut early) {
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
            analysis,
            classes: &analysis.aggregates,
            rows: report::summary_rows(&analysis.aggregates, column, descending, &all),
            allocated: None,
        };
        let _ = report::summary_json(&summary);
        let _ = report::summary_table(&summary);
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
        let _ = report::node_report_json(analysis, n);
        let _ = report::node_report_table(analysis, n);
        let _ = retainer_tree(analysis, n, LIMITS);
        let _ = report::retainers_report(analysis, n, LIMITS, true);
        let _ = report::retainers_report(analysis, n, LIMITS, false);
        let id = analysis.graph.node_id[n as usize];
        assert!(
            analysis.node_by_id(id).is_some(),
            "node @{id} is found by id"
        );
    }
}
