//! `heaplens diff`: the Comparison of a baseline and a target, its
//! `--fail-if` rules, and its own steps' `--timings`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use std::time::{Duration, Instant};

use crate::cli::{DiffArgs, ReportFormat};
use crate::format;
use crate::preflight::Loading;
use crate::report::{self, RowSelection};
use crate::snapshot::classes::ClassAggregate;
use crate::snapshot::graph::NodeIds;
use crate::snapshot::index::{ComparedIndex, Role};
use crate::snapshot::meta::Layout;
use crate::snapshot::names::InterfaceDefinition;
use crate::snapshot::progress::peak_rss_bytes;
use crate::snapshot::views::compat;
use crate::snapshot::views::diff::{compare_sides, ClassDiff, DiffColumn, DiffRow, Side};
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
        false => plan.indexed_comparison(HOLDERS_PER_CLASS)?,
    };
    let [base, target] = match indexed {
        Some(pair) => pair,
        None => {
            // Only a Markdown report shows distances, and only the target's.
            let target_reads = match markdown {
                true => Reads::Everything,
                false => Reads::ComparisonTarget,
            };
            let (base, target) = plan.load_for_comparison(target_reads)?;
            [Compared::Analysed(base), Compared::Analysed(target)]
        }
    };
    let (base, target) = (&base, &target);
    warn_if_meta_differs(
        [&args.baseline, &args.target],
        [base.layout(), target.layout()],
    );
    let mut steps = Steps::new(plan.timings);
    let diffs = steps.run("comparing classes", || compare_pair(base, target))?;
    let retained = growth::retained_deltas(base.rows(), target.rows(), &diffs);
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
        report::top_holders(&rows, report::HOLDER_CLASSES, |key| {
            let mut found = target.holders(key, HOLDERS_PER_CLASS);
            let (ids, retained) = base.ids_and_retained();
            growth::add_baseline_retained(&mut found, ids, retained);
            found
        })
    });
    let scripts = report::comparison_scripts(base.scripts(), target.scripts());
    let report = steps.run("writing the report", || match args.format {
        ReportFormat::Json => Ok(report::diff_json(&rows, &scripts, &holders)),
        ReportFormat::Table => Ok(report::diff_table(&rows, &scripts, &holders)),
        ReportFormat::Markdown => markdown_report(&args, [base, target], &rows),
    })?;
    steps.print(match (base, plan.loading) {
        (Compared::Indexed { .. }, _) => "the comparison (from the indexes' comparison sections)",
        (_, Loading::BaselineFirst) => "the comparison (baseline loaded first, to fit in memory)",
        _ if !markdown => "the comparison (target loaded once the baseline was read)",
        _ => "the comparison (snapshots loaded side by side)",
    });
    let metrics = DiffMetrics {
        diffs: &diffs,
        rows: [base.rows(), target.rows()],
        total_sizes: [base.total_size(), target.total_size()],
    };
    let violations = violations(&args.fail_if, &metrics)
        .iter()
        .map(violation_line)
        .collect();
    Ok(Outcome { report, violations })
}

/// `base` → `target`, as [`compare`] of their analyses.
///
/// [`compare`]: crate::snapshot::views::diff::compare
fn compare_pair(base: &Compared, target: &Compared) -> anyhow::Result<Vec<ClassDiff>> {
    let baseline = base.baseline_side(target.interfaces())?;
    Ok(compare_sides(&baseline, &target.target_side()?))
}

/// The Markdown report, which reads the snapshots' objects: never from
/// their indexes' comparison sections.
fn markdown_report(
    args: &DiffArgs,
    pair: [&Compared; 2],
    rows: &[DiffRow<'_>],
) -> anyhow::Result<String> {
    let [Compared::Analysed(base), Compared::Analysed(target)] = pair else {
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

/// One snapshot of a comparison: analysed (loaded, or read from its index
/// as far as the comparison reads it), or its index's comparison sections.
pub(super) enum Compared {
    Analysed(&'static Analysis),
    Indexed {
        index: Box<ComparedIndex>,
        path: PathBuf,
    },
}

impl Compared {
    fn layout(&self) -> &Layout {
        match self {
            Compared::Analysed(a) => &a.graph.layout,
            Compared::Indexed { index, .. } => &index.rows.layout,
        }
    }

    /// Its Summary rows.
    fn rows(&self) -> &[ClassAggregate] {
        match self {
            Compared::Analysed(a) => &a.aggregates,
            Compared::Indexed { index, .. } => &index.rows.aggregates,
        }
    }

    fn total_size(&self) -> u64 {
        match self {
            Compared::Analysed(a) => a.total_size(),
            Compared::Indexed { index, .. } => index.rows.totals.total_size,
        }
    }

    fn scripts(&self) -> &ScriptNames {
        match self {
            Compared::Analysed(a) => &a.scripts,
            Compared::Indexed { index, .. } => &index.rows.scripts,
        }
    }

    fn interfaces(&self) -> &[InterfaceDefinition] {
        match self {
            Compared::Analysed(a) => &a.interfaces,
            Compared::Indexed { index, .. } => &index.interfaces,
        }
    }

    /// As the baseline of a target of `{a, b}` interfaces `interfaces`
    /// (an index's comparison sections serve only for the baseline's own).
    fn baseline_side(&self, interfaces: &[InterfaceDefinition]) -> anyhow::Result<Side<'_>> {
        match self {
            Compared::Analysed(a) => Ok(Side::baseline(a, interfaces)),
            Compared::Indexed { index, path } => {
                let side = index.side(Role::Baseline);
                side.with_context(|| format::path(path))
            }
        }
    }

    fn target_side(&self) -> anyhow::Result<Side<'_>> {
        match self {
            Compared::Analysed(a) => Ok(Side::target(a)),
            Compared::Indexed { index, path } => {
                let side = index.side(Role::Target);
                side.with_context(|| format::path(path))
            }
        }
    }

    /// As a target, the first `top` holders of its class `key`, their
    /// baseline sizes still unknown.
    fn holders(&self, key: &str, top: usize) -> Vec<HolderGrowth> {
        match self {
            Compared::Analysed(a) => growth::target_holders(a, key, top),
            Compared::Indexed { index, .. } => index.holders(key, top),
        }
    }

    /// As a baseline, its node ids and retained sizes, to find a target's
    /// holders in it.
    fn ids_and_retained(&self) -> (&NodeIds, &[u64]) {
        match self {
            Compared::Analysed(a) => (&a.graph.node_id, &a.dominators.retained),
            Compared::Indexed { index, .. } => (&index.node_id, &index.retained),
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
