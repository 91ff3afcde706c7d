//! `heaplens summary`: the class rows, whole or under a filter.

use crate::cli::{ReportFormat, SummaryArgs};
use crate::preflight::Loading;
use crate::report::{self, RowSelection, SummaryReport};
use crate::snapshot::views::allocation::{allocated_summary, IdRange};
use crate::snapshot::views::named_filters::named_summary;
use crate::snapshot::{Reads, Schedule};

use super::{file_name, LoadPlan, MARKDOWN_TOP};

pub(super) fn summary(args: SummaryArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    let (analysis, base) = if args.allocated_after.is_some() {
        let (graph, analysis) = plan.load_with_graph(1, 0)?;
        (analysis, Some(graph))
    } else {
        let reads = if args.reads_only_rows() {
            Reads::SummaryRows
        } else {
            Reads::Everything
        };
        let schedule = match plan.loading {
            Loading::OnePassAtATime => Schedule::OnePassAtATime,
            _ => Schedule::SideBySide,
        };
        (plan.load_for(0, reads, schedule)?, None)
    };
    let range = base.map(|b| IdRange::between(&b, &analysis.graph));
    let filtered = match (range, args.only) {
        (Some(r), _) => Some(allocated_summary(analysis, r)),
        (None, Some(only)) => Some(named_summary(analysis, only)),
        (None, None) => None,
    };
    let classes = filtered.as_deref().unwrap_or(&analysis.aggregates);
    let column = args.sort;
    let top = match args.format {
        ReportFormat::Markdown => Some(args.top.unwrap_or(MARKDOWN_TOP)),
        _ => args.top,
    };
    let selection = RowSelection {
        top,
        filter: args.filter,
    };
    let report = SummaryReport {
        analysis,
        classes,
        rows: report::summary_rows(classes, column, column.default_descending(), &selection),
        allocated: range,
        only: args.only,
    };
    Ok(match args.format {
        ReportFormat::Json => report::summary_json(&report),
        ReportFormat::Table => report::summary_table(&report),
        ReportFormat::Markdown => {
            let base_name = args.allocated_after.as_deref().map(file_name);
            report::summary_markdown(&report, &file_name(&args.snapshot), base_name.as_deref())
        }
    })
}
