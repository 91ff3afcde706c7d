//! `heaplens summary`: the class rows, whole or under a filter.

use crate::cli::{ReportFormat, SummaryArgs};
use crate::report::{self, RowSelection, SummaryReport};
use crate::snapshot::class_rows::Totals;
use crate::snapshot::views::allocation::{allocated_summary, IdRange};
use crate::snapshot::views::named_filters::named_summary;
use crate::snapshot::{ClassAggregate, Reads, ScriptNames};

use super::{file_name, LoadPlan, MARKDOWN_TOP};

pub(super) fn summary(args: SummaryArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    if args.reads_only_rows() {
        // The class rows and totals alone: from an index, two small sections.
        let rows = plan.class_rows(0)?;
        let report = summary_report(&args, &rows.aggregates, rows.totals, &rows.scripts, None);
        return Ok(match args.format {
            ReportFormat::Json => report::summary_json(&report),
            _ => report::summary_table(&report),
        });
    }
    let (analysis, base) = if args.allocated_after.is_some() {
        let (graph, analysis) = plan.load_with_graph(1, 0)?;
        (analysis, Some(graph))
    } else {
        (plan.load_for(0, Reads::Everything)?, None)
    };
    let range = base.map(|b| IdRange::between(&b, &analysis.graph));
    let filtered = match (range, args.only) {
        (Some(r), _) => Some(allocated_summary(analysis, r)),
        (None, Some(only)) => Some(named_summary(analysis, only)),
        (None, None) => None,
    };
    let classes = filtered.as_deref().unwrap_or(&analysis.aggregates);
    let totals = Totals::of(analysis);
    let report = summary_report(&args, classes, totals, &analysis.scripts, range);
    Ok(match args.format {
        ReportFormat::Json => report::summary_json(&report),
        ReportFormat::Table => report::summary_table(&report),
        ReportFormat::Markdown => {
            let base_name = args.allocated_after.as_deref().map(file_name);
            let file = file_name(&args.snapshot);
            report::summary_markdown(&report, analysis, &file, base_name.as_deref())
        }
    })
}

/// The rows `args` select of `classes`, in its order.
fn summary_report<'a>(
    args: &SummaryArgs,
    classes: &'a [ClassAggregate],
    totals: Totals,
    scripts: &'a ScriptNames,
    allocated: Option<IdRange>,
) -> SummaryReport<'a> {
    let column = args.sort;
    let top = match args.format {
        ReportFormat::Markdown => Some(args.top.unwrap_or(MARKDOWN_TOP)),
        _ => args.top,
    };
    let selection = RowSelection {
        top,
        filter: args.filter.clone(),
    };
    SummaryReport {
        totals,
        scripts,
        classes,
        rows: report::summary_rows(classes, column, column.default_descending(), &selection),
        allocated,
        only: args.only,
    }
}
