//! `heaplens trend`: classes over N snapshots as a table (a sparkline of
//! the counts beside first → last), JSON or a Markdown report.

use std::fmt::Write as _;

use serde::Serialize;

use super::markdown::{class_cell, code, table as markdown_table};
use super::{class_label, plural, to_json, LocationJson, RowSelection, Table};
use crate::format;
use crate::snapshot::views::trend::{compare_trends, ClassTrend, Trend, TrendColumn};

/// A trend to print: the rows shown, in order, and the files' names.
pub struct TrendReport<'a> {
    pub trend: &'a Trend,
    pub rows: Vec<&'a ClassTrend>,
    /// The snapshots' file names, oldest first, shown as by `format::visible`.
    pub files: Vec<String>,
}

/// Trend rows in display order: `column`'s, largest first but for names,
/// only the classes that grew at every step if `only_growing`.
pub fn trend_rows<'a>(
    trend: &'a Trend,
    column: TrendColumn,
    only_growing: bool,
    selection: &RowSelection,
) -> Vec<&'a ClassTrend> {
    let mut rows: Vec<&ClassTrend> = trend
        .classes
        .iter()
        .filter(|c| selection.keeps(&c.name) && (!only_growing || c.grew_every_step()))
        .collect();
    rows.sort_by(|a, b| compare_trends(a, b, column, column.default_descending()));
    rows.truncate(selection.limit());
    rows
}

#[derive(Serialize)]
struct TrendJson<'a> {
    /// The snapshots as given, oldest first.
    snapshots: &'a [String],
    classes: Vec<ClassTrendJson<'a>>,
}

#[derive(Serialize)]
struct ClassTrendJson<'a> {
    name: &'a str,
    #[serde(flatten)]
    place: LocationJson,
    counts: &'a [u64],
    retained_sizes: &'a [u64],
    count_growth: i64,
    retained_growth: i64,
    grew_every_step: bool,
}

/// `heaplens trend --format json`.
pub fn trend_json(report: &TrendReport<'_>, paths: &[String]) -> String {
    let scripts = &report.trend.scripts;
    let doc = TrendJson {
        snapshots: paths,
        classes: report
            .rows
            .iter()
            .map(|c| ClassTrendJson {
                name: &c.name,
                place: LocationJson::of(c.location, scripts),
                counts: &c.counts,
                retained_sizes: &c.retained_sizes,
                count_growth: c.count_growth(),
                retained_growth: c.retained_growth(),
                grew_every_step: c.grew_every_step(),
            })
            .collect(),
    };
    to_json(&doc)
}

/// A row's cells under [`TrendColumn::ALL`], the name with its location.
fn trend_cells(report: &TrendReport<'_>, class: &ClassTrend) -> Vec<String> {
    TrendColumn::ALL
        .iter()
        .map(|&column| match column {
            TrendColumn::Name => class_label(&class.name, class.location, &report.trend.scripts),
            _ => trend_cell(class, column),
        })
        .collect()
}

/// A trend row's text in `column`, as the table and the TUI show it: the
/// counts first → last before a sparkline of every snapshot's count (last,
/// so that right-aligned cells line their sparklines up: `120 → 360 ▃▆█`),
/// signed growth, `grew` when the class grew at every step. The name
/// column gives the bare name.
pub fn trend_cell(class: &ClassTrend, column: TrendColumn) -> String {
    match column {
        TrendColumn::Name => class.name.clone(),
        TrendColumn::Counts => format!(
            "{} {}",
            format::first_to_last(&class.counts, format::group),
            format::sparkline(&class.counts)
        ),
        TrendColumn::CountGrowth => format::signed_count(class.count_growth()),
        TrendColumn::Retained => format::first_to_last(&class.retained_sizes, format::bytes),
        TrendColumn::RetainedGrowth => format::signed_bytes(class.retained_growth()),
        TrendColumn::GrewEveryStep if class.grew_every_step() => "grew".to_owned(),
        TrendColumn::GrewEveryStep => String::new(),
    }
}

/// `120 → 240 → 360`: every snapshot's count.
pub fn count_series(counts: &[u64]) -> String {
    let shown: Vec<String> = counts.iter().map(|&c| format::group(c)).collect();
    shown.join(" \u{2192} ")
}

/// How many rows grew at every step, and the heap's size over the snapshots.
fn totals_line(report: &TrendReport<'_>) -> String {
    let trend = report.trend;
    let growing = trend.classes.iter().filter(|c| c.grew_every_step()).count();
    let sizes: Vec<String> = trend
        .total_sizes
        .iter()
        .map(|&b| format::bytes(b))
        .collect();
    let first = trend.total_sizes.first().copied().unwrap_or(0);
    let last = trend.total_sizes.last().copied().unwrap_or(0);
    format!(
        "{} of {} grew at every step; total size {} ({})",
        format::group(growing as u64),
        plural(trend.classes.len() as u64, "class", "classes"),
        sizes.join(" \u{2192} "),
        format::signed_bytes(last as i64 - first as i64),
    )
}

/// `heaplens trend` as an aligned table.
pub fn trend_table(report: &TrendReport<'_>) -> String {
    let mut table = Table::new(&TrendColumn::ALL.map(TrendColumn::title));
    for class in &report.rows {
        table.row(trend_cells(report, class));
    }
    format!(
        "Trend over {}: {}\n\n{}\n{}\n",
        plural(report.files.len() as u64, "snapshot", "snapshots"),
        report.files.join(" \u{2192} "),
        table.render(),
        totals_line(report),
    )
}

/// `heaplens trend --format markdown`: the files, the totals and the top
/// rows.
pub fn trend_markdown(report: &TrendReport<'_>) -> String {
    let files: Vec<String> = report.files.iter().map(|f| code(f)).collect();
    let mut out = format!("# Heap trend: {}\n\n", files.join(" \u{2192} "));
    let _ = writeln!(out, "{}.\n", totals_line(report));
    out.push_str("## Top classes\n\n");
    let cells: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|class| {
            let mut cells = trend_cells(report, class);
            cells[0] = class_cell(&class.name, class.location, &report.trend.scripts);
            cells
        })
        .collect();
    out.push_str(&markdown_table(
        &TrendColumn::ALL.map(TrendColumn::title),
        &cells,
    ));
    out
}
