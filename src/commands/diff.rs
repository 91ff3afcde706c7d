//! `heaplens diff`: the Comparison of a baseline and a target, its
//! `--fail-if` rules, and its own steps' `--timings`.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::cli::{DiffArgs, ReportFormat};
use crate::format;
use crate::preflight::Loading;
use crate::report::{self, RowSelection};
use crate::snapshot::classes::ClassAggregate;
use crate::snapshot::index::{ComparedIndex, Role};
use crate::snapshot::meta::Layout;
use crate::snapshot::progress::peak_rss_bytes;
use crate::snapshot::views::compat;
use crate::snapshot::views::diff::{compare, compare_sides, ClassDiff, DiffColumn, DiffRow};
use crate::snapshot::views::gate::{violations, DiffMetrics, GateMetric, Violation};
use crate::snapshot::views::growth::{self, HolderGrowth, HOLDERS_PER_CLASS};
use crate::snapshot::{Analysis, Reads, ScriptNames};

use super::{file_name, LoadPlan, Outcome, MARKDOWN_TOP};

pub(super) fn diff(args: DiffArgs, plan: &mut LoadPlan) -> anyhow::Result<Outcome> {
    let markdown = args.format == ReportFormat::Markdown;
    // Only a Markdown report reads more than its indexes' comparison
    // sections: the snapshots' objects.
    let indexed = match markdown {
        true => None,
        false => plan.indexed_comparison(report::HOLDERS_PER_CLASS)?,
    };
    let pair = match indexed {
        Some(indexes) => Pair::Indexed(Box::new(indexes)),
        None => {
            // Only a Markdown report shows distances, and only the target's.
            let target_reads = match markdown {
                true => Reads::Everything,
                false => Reads::AllButDistances,
            };
            let (base, target) = plan.load_for_comparison(target_reads)?;
            Pair::Analysed(base, target)
        }
    };
    warn_if_meta_differs([&args.baseline, &args.target], pair.layouts());
    let mut steps = Steps::new(plan.timings);
    let diffs = steps.run("comparing classes", || pair.compare())?;
    let [base_rows, target_rows] = pair.rows();
    let retained = growth::retained_deltas(base_rows, target_rows, &diffs);
    let default_sort = if markdown {
        DiffColumn::Delta
    } else {
        DiffColumn::AllocSize
    };
    // Markdown counts every changed class and cuts its tables itself.
    let selection = RowSelection {
        top: if markdown { None } else { args.top },
        filter: args.filter.clone(),
    };
    let column = args.sort.unwrap_or(default_sort);
    let rows = report::diff_rows(&diffs, &retained, column, &selection);
    let holders = steps.run("finding top holders", || {
        report::top_holders(&rows, report::HOLDER_CLASSES, |key| pair.holders(key))
    });
    let [base_scripts, target_scripts] = pair.scripts();
    let scripts = report::comparison_scripts(base_scripts, target_scripts);
    let report = steps.run("writing the report", || match args.format {
        ReportFormat::Json => Ok(report::diff_json(&rows, &scripts, &holders)),
        ReportFormat::Table => Ok(report::diff_table(&rows, &scripts, &holders)),
        ReportFormat::Markdown => markdown_report(&args, &pair, &rows),
    })?;
    steps.print(match (&pair, plan.loading) {
        (Pair::Indexed(_), _) => "the comparison (from the indexes' comparison sections)",
        (_, Loading::BaselineFirst) => "the comparison (baseline loaded first, to fit in memory)",
        _ => "the comparison (snapshots loaded side by side)",
    });
    let metrics = DiffMetrics {
        diffs: &diffs,
        rows: pair.rows(),
        total_sizes: pair.total_sizes(),
    };
    let violations = violations(&args.fail_if, &metrics)
        .iter()
        .map(violation_line)
        .collect();
    Ok(Outcome { report, violations })
}

/// The Markdown report, which reads the snapshots' objects: never from
/// their indexes' comparison sections alone.
fn markdown_report(args: &DiffArgs, pair: &Pair, rows: &[DiffRow<'_>]) -> anyhow::Result<String> {
    let Pair::Analysed(base, target) = pair else {
        return Err(anyhow::anyhow!(
            "a Markdown comparison without the snapshots' analyses (a heaplens bug)"
        ));
    };
    let files = [file_name(&args.baseline), file_name(&args.target)];
    let top = args.top.unwrap_or(MARKDOWN_TOP);
    let worst = (top, args.internals);
    Ok(report::diff_markdown(
        base,
        target,
        rows,
        [&files[0], &files[1]],
        worst,
    ))
}

/// The two snapshots of a comparison: analysed (loaded, or read whole
/// from their indexes), or what their indexes keep for comparisons.
enum Pair {
    Analysed(&'static Analysis, &'static Analysis),
    Indexed(Box<[ComparedIndex; 2]>),
}

impl Pair {
    fn layouts(&self) -> [&Layout; 2] {
        match self {
            Pair::Analysed(base, target) => [&base.graph.layout, &target.graph.layout],
            Pair::Indexed(pair) => pair.each_ref().map(|side| &side.rows.layout),
        }
    }

    fn compare(&self) -> anyhow::Result<Vec<ClassDiff>> {
        match self {
            Pair::Analysed(base, target) => Ok(compare(base, target)),
            Pair::Indexed(pair) => {
                let [base, target] = &**pair;
                Ok(compare_sides(
                    &base.side(Role::Baseline)?,
                    &target.side(Role::Target)?,
                ))
            }
        }
    }

    fn rows(&self) -> [&[ClassAggregate]; 2] {
        match self {
            Pair::Analysed(base, target) => [&base.aggregates, &target.aggregates],
            Pair::Indexed(pair) => pair.each_ref().map(|side| &side.rows.aggregates[..]),
        }
    }

    fn total_sizes(&self) -> [u64; 2] {
        match self {
            Pair::Analysed(base, target) => [base.total_size(), target.total_size()],
            Pair::Indexed(pair) => pair.each_ref().map(|side| side.rows.totals.total_size),
        }
    }

    fn scripts(&self) -> [&ScriptNames; 2] {
        match self {
            Pair::Analysed(base, target) => [&base.scripts, &target.scripts],
            Pair::Indexed(pair) => pair.each_ref().map(|side| &side.rows.scripts),
        }
    }

    /// The top holders of the target's class `key`.
    fn holders(&self, key: &str) -> Vec<HolderGrowth> {
        match self {
            Pair::Analysed(base, target) => growth::holders(base, target, key, HOLDERS_PER_CLASS),
            Pair::Indexed(pair) => pair[1].holders(&pair[0], key, HOLDERS_PER_CLASS),
        }
    }
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
