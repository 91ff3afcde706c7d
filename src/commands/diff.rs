//! `heaplens diff`: the Comparison of a baseline and a target, its
//! `--fail-if` rules, and its own steps' `--timings`.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::cli::{DiffArgs, ReportFormat};
use crate::format;
use crate::preflight::Loading;
use crate::report::{self, RowSelection};
use crate::snapshot::meta::Layout;
use crate::snapshot::progress::peak_rss_bytes;
use crate::snapshot::views::compat;
use crate::snapshot::views::diff::{compare, DiffColumn};
use crate::snapshot::views::gate::{violations, DiffMetrics, GateMetric, Violation};
use crate::snapshot::views::growth;
use crate::snapshot::Reads;

use super::{file_name, LoadPlan, Outcome, MARKDOWN_TOP};

pub(super) fn diff(args: DiffArgs, plan: &mut LoadPlan) -> anyhow::Result<Outcome> {
    // Only a Markdown report shows distances, and only the target's.
    let target_reads = if args.format == ReportFormat::Markdown {
        Reads::Everything
    } else {
        Reads::AllButDistances
    };
    let (base, target) = plan.load_for_comparison(target_reads)?;
    warn_if_meta_differs(
        [&args.baseline, &args.target],
        [&base.graph.layout, &target.graph.layout],
    );
    let mut steps = Steps::new(plan.timings);
    let diffs = steps.run("comparing classes", || compare(base, target));
    let retained = growth::retained_deltas(base, target, &diffs);
    let markdown = args.format == ReportFormat::Markdown;
    let default_sort = if markdown {
        DiffColumn::Delta
    } else {
        DiffColumn::AllocSize
    };
    // Markdown counts every changed class and cuts its tables itself.
    let selection = RowSelection {
        top: if markdown { None } else { args.top },
        filter: args.filter,
    };
    let column = args.sort.unwrap_or(default_sort);
    let rows = report::diff_rows(&diffs, &retained, column, &selection);
    let holders = steps.run("finding top holders", || {
        report::top_holders(base, target, &rows, report::HOLDER_CLASSES)
    });
    let scripts = report::comparison_scripts(base, target);
    let report = steps.run("writing the report", || match args.format {
        ReportFormat::Json => report::diff_json(&rows, target, &scripts, &holders),
        ReportFormat::Table => report::diff_table(&rows, target, &scripts, &holders),
        ReportFormat::Markdown => {
            let files = [file_name(&args.baseline), file_name(&args.target)];
            let top = args.top.unwrap_or(MARKDOWN_TOP);
            let worst = (top, args.internals);
            report::diff_markdown(base, target, &rows, [&files[0], &files[1]], worst)
        }
    });
    steps.print(match plan.loading {
        Loading::BaselineFirst => "the comparison (baseline loaded first, to fit in memory)",
        _ => "the comparison (snapshots loaded side by side)",
    });
    let metrics = DiffMetrics {
        diffs: &diffs,
        base,
        target,
    };
    let violations = violations(&args.fail_if, &metrics)
        .iter()
        .map(violation_line)
        .collect();
    Ok(Outcome { report, violations })
}

/// One warning line when two snapshots come from different V8 versions.
pub(super) fn warn_if_meta_differs(paths: [&Path; 2], layouts: [&Layout; 2]) {
    if !compat::same_meta(layouts[0], layouts[1]) {
        let [a, b] = paths.map(format::path);
        super::tell(format_args!("warning: {}", compat::meta_warning(&a, &b)));
    }
}

/// `--timings` for a command's own steps after its loads, to stderr.
pub(super) struct Steps {
    shown: bool,
    lines: String,
    started: Instant,
}

impl Steps {
    pub(super) fn new(shown: bool) -> Steps {
        Steps {
            shown,
            lines: String::new(),
            started: Instant::now(),
        }
    }

    pub(super) fn run<T>(&mut self, label: &str, step: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = step();
        self.record(label, started.elapsed());
        out
    }

    /// A step timed elsewhere (on a loader's thread).
    pub(super) fn record(&mut self, label: &str, took: Duration) {
        if self.shown {
            let line = report::timing_line(label, took, peak_rss_bytes());
            self.lines.push_str(&line);
        }
    }

    pub(super) fn print(&self, title: &str) {
        if self.shown {
            let total = report::timing_line("total (wall)", self.started.elapsed(), None);
            super::to_stderr(&format!("timings for {title}:\n{}{total}", self.lines));
        }
    }
}

/// `--fail-if 'RULE' holds: METRIC(CLASS) = VALUE`, sizes also in DevTools
/// units; a test, `--fail-if 'TEST(CLASS)' holds`.
pub(super) fn violation_line<M: GateMetric>(v: &Violation<M>) -> String {
    let metric = v.rule.metric;
    let subject = match &v.rule.class {
        Some(class) => format!("{}({class})", metric.key()),
        None => metric.key().to_owned(),
    };
    let value = if metric.is_size() {
        format!("{} B ({})", v.actual, format::signed_bytes(v.actual))
    } else {
        v.actual.to_string()
    };
    let line = if metric.is_test() {
        format!("--fail-if '{}' holds", v.rule)
    } else {
        format!("--fail-if '{}' holds: {subject} = {value}", v.rule)
    };
    format::visible(&line).into_owned()
}
