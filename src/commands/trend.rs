//! `heaplens trend S1 S2 … SN`: each class's count and retained size over
//! the snapshots, and its `--fail-if` rules for soak tests.

use crate::cli::{ReportFormat, TrendArgs};
use crate::preflight::Loading;
use crate::report::{self, RowSelection, TrendReport};
use crate::snapshot::meta::Layout;
use crate::snapshot::views::compat::same_meta;
use crate::snapshot::views::gate::violations;
use crate::snapshot::views::trend::{trend as follow_classes, SnapshotClasses, TrendMetric};

use super::diff::{violation_line, warn_if_meta_differs, Steps};
use super::{file_name, LoadPlan, Outcome, MARKDOWN_TOP};

pub(super) fn trend(args: TrendArgs, plan: &mut LoadPlan) -> anyhow::Result<Outcome> {
    // A trend reads only class rows: each snapshot is loaded for them and
    // dropped, so that N snapshots need no more memory than the loads
    // running at once.
    let loaded = plan.load_each_rows(|rows| (SnapshotClasses::of_rows(&rows), rows.layout))?;
    let (snapshots, layouts): (Vec<SnapshotClasses>, Vec<Layout>) = loaded.into_iter().unzip();
    warn_if_any_meta_differs(&args, &layouts);
    let mut steps = Steps::new(plan.timings);
    let trend = steps.run("following the classes", || follow_classes(&snapshots));
    let markdown = args.format == ReportFormat::Markdown;
    let selection = RowSelection {
        top: if markdown {
            Some(args.top.unwrap_or(MARKDOWN_TOP))
        } else {
            args.top
        },
        filter: args.filter,
    };
    let report = TrendReport {
        rows: report::trend_rows(&trend, args.sort, args.only_growing, &selection),
        trend: &trend,
        files: args.snapshots.iter().map(|p| file_name(p)).collect(),
    };
    let text = steps.run("writing the report", || match args.format {
        ReportFormat::Json => {
            let paths: Vec<String> = args
                .snapshots
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            report::trend_json(&report, &paths)
        }
        ReportFormat::Table => report::trend_table(&report),
        ReportFormat::Markdown => report::trend_markdown(&report),
    });
    steps.print(&match plan.loading {
        Loading::AtMost(1) => "the trend (one snapshot loaded at a time, to fit in memory)".into(),
        Loading::AtMost(k) => {
            format!("the trend (at most {k} snapshots loaded at a time, to fit in memory)")
        }
        _ => "the trend (snapshots loaded side by side)".to_owned(),
    });
    let violations = violations(&args.fail_if, &trend)
        .iter()
        .map(|v| {
            let line = violation_line(v);
            match v.rule.metric {
                // Show the counts that made the test hold.
                TrendMetric::GrewEveryStep => {
                    let counts = trend.counts_of(v.rule.class.as_deref());
                    format!("{line}: {}", report::count_series(&counts))
                }
                _ => line,
            }
        })
        .collect();
    Ok(Outcome {
        report: text,
        violations,
    })
}

/// One warning for the first two consecutive snapshots from different V8
/// versions.
fn warn_if_any_meta_differs(args: &TrendArgs, layouts: &[Layout]) {
    let pairs = args.snapshots.windows(2).zip(layouts.windows(2));
    for (paths, layouts) in pairs {
        if !same_meta(&layouts[0], &layouts[1]) {
            warn_if_meta_differs([&paths[0], &paths[1]], [&layouts[0], &layouts[1]]);
            return;
        }
    }
}
