//! The Summary and Comparison tables. Cells are built only for the rows in
//! the visible window, so 100k classes cost nothing to draw.

use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TableRow, Table};
use ratatui::Frame;

use crate::app::class_table::{ClassTable, Row, Side};
use crate::app::sources::{
    AllocationFilter, ComparisonData, DuplicatesData, LeaksData, SummaryData, COMPARISON_COLUMNS,
    DUPLICATES_COLUMNS, LEAKS_COLUMNS, SUMMARY_COLUMNS,
};
use crate::app::{App, LoadState, Pane};
use crate::format;
use crate::snapshot::distances::display_distance;
use crate::snapshot::Analysis;

use super::status::progress_lines;
use super::theme::Theme;

/// Draws the current view, or load progress while it has nothing to show.
pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let focused = app.focus == app.view;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(view_title(app), theme.title()))
        .title(filter_title(app, theme));
    if app.view == Pane::Statistics {
        super::statistics::render(app, theme, frame, area, block);
        return;
    }
    let table = app.table();
    let rows = match app.view {
        Pane::Comparison => app
            .comparison_data
            .as_ref()
            .map(|d| comparison_rows(d, table, theme, area)),
        Pane::Duplicates => app
            .duplicates_data
            .as_ref()
            .map(|d| duplicates_rows(d, table, theme, area)),
        Pane::Leaks => app
            .leaks_data
            .as_ref()
            .map(|d| leaks_rows(d, table, theme, area)),
        _ => app
            .summary_data
            .as_ref()
            .map(|d| summary_rows(d, table, theme, area)),
    };
    let Some((header, widths, body)) = rows else {
        let waiting = waiting_lines(app, theme);
        frame.render_widget(Paragraph::new(waiting).block(block), area);
        return;
    };
    let widget = Table::new(body, widths)
        .header(header)
        .block(block)
        .column_spacing(1);
    frame.render_widget(widget, area);
}

/// `filter: text (N classes)` while a filter narrows the table.
fn filter_title(app: &App, theme: &Theme) -> Line<'static> {
    let table = app.table();
    if table.filter.is_empty() || app.view == Pane::Statistics {
        return Line::raw("");
    }
    let count = table.class_count();
    let noun = if count == 1 { "row" } else { "rows" };
    Line::from(vec![
        Span::styled(format!(" filter: {} ", table.filter), theme.matched()),
        Span::raw(format!("({count} {noun}) ")),
    ])
}

fn view_title(app: &App) -> String {
    let (base, target) = (
        app.slots[app.base_slot()].name(),
        app.slots[app.target_slot()].name(),
    );
    let shown = app.slots[app.summary_slot].name();
    match app.view {
        Pane::Comparison => format!(" Comparison: {base} → {target} "),
        Pane::Statistics => format!(" Statistics: {shown} "),
        Pane::Duplicates => format!(" Duplicated strings: {shown} "),
        Pane::Leaks => format!(
            " Leaks: allocated between {base} and {}, still alive in {target} ",
            app.slots[1].name()
        ),
        _ if app.allocation != AllocationFilter::All && app.summary_slot == app.target_slot() => {
            format!(" Summary: {} ", app.allocation.label(&base, &target))
        }
        _ => format!(" Summary: {shown} "),
    }
}

fn waiting_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::raw("")];
    for slot in &app.slots {
        lines.extend(progress_lines(slot, theme));
    }
    if app.view == Pane::Comparison
        && app
            .slots
            .iter()
            .any(|s| matches!(s.state, LoadState::Failed(_)))
    {
        lines.push(Line::styled(
            "  Comparison needs both snapshots.",
            theme.error(),
        ));
    }
    lines
}

type Built = (TableRow<'static>, Vec<Constraint>, Vec<TableRow<'static>>);

/// Column titles with the sort arrow; text columns (`left`) align left.
fn header(
    columns: &[&str],
    table: &ClassTable,
    theme: &Theme,
    shown: &[usize],
    left: &[usize],
) -> TableRow<'static> {
    let cells = columns
        .iter()
        .enumerate()
        .filter(|(i, _)| shown.contains(i))
        .map(|(i, &name)| {
            let arrow = match (i == table.sort.column, table.sort.descending) {
                (true, true) => " ▼",
                (true, false) => " ▲",
                _ => "",
            };
            let text = Line::raw(format!("{name}{arrow}"));
            Cell::from(if left.contains(&i) {
                text
            } else {
                text.alignment(Alignment::Right)
            })
        });
    TableRow::new(cells).style(theme.header())
}

/// The visible slice of rows with their positions. The app keeps the
/// selection in view for the height it knows; if the screen is smaller
/// (a resize not yet seen), the window still follows the selection.
fn window(table: &ClassTable, area: Rect) -> impl Iterator<Item = (usize, Row)> + '_ {
    let height = super::table_rows(area).max(1);
    let offset = if table.selected >= table.offset + height {
        table.selected + 1 - height
    } else {
        table.offset.min(table.selected)
    };
    table
        .rows()
        .iter()
        .copied()
        .enumerate()
        .skip(offset)
        .take(height)
}

fn row_style(selected: bool, theme: &Theme) -> Style {
    if selected {
        theme.selected()
    } else {
        Style::new()
    }
}

/// `▸ Name ×count` with the fuzzy-matched characters highlighted.
fn class_cell(
    name: &str,
    count: u64,
    expanded: bool,
    matches: Option<&Vec<usize>>,
    theme: &Theme,
) -> Cell<'static> {
    let mut spans = vec![Span::raw(if expanded { "▾ " } else { "▸ " })];
    for (i, c) in name.chars().enumerate() {
        let style = if matches.is_some_and(|m| m.contains(&i)) {
            theme.matched()
        } else {
            Style::new()
        };
        spans.push(Span::styled(c.to_string(), style));
    }
    if count > 1 {
        spans.push(Span::styled(
            format!(" ×{}", format::group(count)),
            theme.dim(),
        ));
    }
    Cell::from(Line::from(spans))
}

fn instance_label(analysis: &Analysis, node: u32, marker: &str) -> String {
    format!(
        "    {marker}{} @{}",
        analysis.object_label(node),
        analysis.graph.node_id[node as usize]
    )
}

fn sized(bytes: u64, total: u64) -> String {
    format!(
        "{:>9} {:>4}",
        format::bytes(bytes),
        format::percent(bytes, total)
    )
}

fn summary_rows(data: &SummaryData, table: &ClassTable, theme: &Theme, area: Rect) -> Built {
    let aggregates = data.aggregates();
    let analysis = data.analysis();
    let total = analysis.map_or_else(
        || aggregates.iter().map(|a| a.self_size).sum(),
        |a| a.total_size(),
    );
    let body = window(table, area)
        .map(|(i, row)| {
            let cells = match row {
                Row::Class(c) => {
                    let a = &aggregates[c as usize];
                    let known = analysis.is_some();
                    vec![
                        class_cell(
                            &a.name,
                            a.count,
                            table.is_expanded(c),
                            table.matches.get(&c),
                            theme,
                        ),
                        num(if known {
                            format::distance(display_distance(a.distance))
                        } else {
                            "…".into()
                        }),
                        num(sized(a.self_size, total)),
                        num(if known {
                            sized(a.retained_size, total)
                        } else {
                            "…".into()
                        }),
                    ]
                }
                Row::Instance { node, .. } => match analysis {
                    Some(an) => vec![
                        Cell::from(instance_label(an, node, "")),
                        num(format::distance(display_distance(
                            an.distances[node as usize],
                        ))),
                        num(sized(u64::from(an.graph.self_size[node as usize]), total)),
                        num(sized(an.dominators.retained[node as usize], total)),
                    ],
                    None => vec![Cell::from("")],
                },
                Row::More { remaining, .. } => vec![more_cell(remaining, theme)],
            };
            TableRow::new(cells).style(row_style(i == table.selected, theme))
        })
        .collect();
    let widths = vec![
        Constraint::Min(24),
        Constraint::Length(8),
        Constraint::Length(15),
        Constraint::Length(15),
    ];
    let all: Vec<usize> = (0..SUMMARY_COLUMNS.len()).collect();
    (
        header(&SUMMARY_COLUMNS, table, theme, &all, &[0]),
        widths,
        body,
    )
}

fn signed_cell(value: i64, text: String, theme: &Theme) -> Cell<'static> {
    Cell::from(Line::styled(text, theme.delta(value)).alignment(Alignment::Right))
}

/// A right-aligned number cell.
fn num(text: String) -> Cell<'static> {
    Cell::from(Line::raw(text).alignment(Alignment::Right))
}

fn comparison_rows(data: &ComparisonData, table: &ClassTable, theme: &Theme, area: Rect) -> Built {
    let body: Vec<(Vec<Cell<'static>>, Style)> = window(table, area)
        .map(|(i, row)| {
            let cells = match row {
                Row::Class(c) => {
                    let d = &data.diffs[c as usize];
                    let retained = data.retained_delta[c as usize];
                    vec![
                        class_cell(
                            &d.name,
                            0,
                            table.is_expanded(c),
                            table.matches.get(&c),
                            theme,
                        ),
                        num(format::group(d.new_count)),
                        num(format::group(d.deleted_count)),
                        signed_cell(d.delta(), format::signed_count(d.delta()), theme),
                        num(format::bytes(d.alloc_size)),
                        num(format::bytes(d.freed_size)),
                        signed_cell(d.size_delta(), format::signed_bytes(d.size_delta()), theme),
                        signed_cell(retained, format::signed_bytes(retained), theme),
                    ]
                }
                Row::Instance { node, side, .. } => {
                    let (analysis, new) = match side {
                        Side::Deleted => (&data.base, false),
                        _ => (&data.target, true),
                    };
                    let bytes = u64::from(analysis.graph.self_size[node as usize]);
                    let size = format::bytes(bytes);
                    let signed = if new { bytes as i64 } else { -(bytes as i64) };
                    let delta = signed_cell(signed, format::signed_bytes(signed), theme);
                    let dot = || num("•".into());
                    let blank = || Cell::from("");
                    let mut cells = vec![Cell::from(instance_label(
                        analysis,
                        node,
                        if new { "+ " } else { "− " },
                    ))];
                    if new {
                        cells.extend([dot(), blank(), blank(), num(size), blank(), delta]);
                    } else {
                        cells.extend([blank(), dot(), blank(), blank(), num(size), delta]);
                    }
                    cells
                }
                Row::More { remaining, .. } => vec![more_cell(remaining, theme)],
            };
            (cells, row_style(i == table.selected, theme))
        })
        .collect();
    let widths = [
        Constraint::Min(22),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(11),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(11),
    ];
    let shown = comparison_columns(area.width);
    let body = body
        .into_iter()
        .map(|(cells, style)| {
            let cells: Vec<Cell<'static>> = cells
                .into_iter()
                .enumerate()
                .filter(|(i, _)| shown.contains(i))
                .map(|(_, c)| c)
                .collect();
            TableRow::new(cells).style(style)
        })
        .collect();
    let header = header(&COMPARISON_COLUMNS, table, theme, &shown, &[0]);
    (header, shown.iter().map(|&i| widths[i]).collect(), body)
}

/// Columns that fit: narrow terminals drop Freed Size and Retained Δ first.
fn comparison_columns(width: u16) -> Vec<usize> {
    match width {
        0..=89 => vec![0, 1, 2, 3, 6],
        90..=109 => vec![0, 1, 2, 3, 4, 6],
        _ => (0..COMPARISON_COLUMNS.len()).collect(),
    }
}

/// Longest string value shown in a Duplicated strings row.
const VALUE_PREVIEW: usize = 60;

fn duplicates_rows(data: &DuplicatesData, table: &ClassTable, theme: &Theme, area: Rect) -> Built {
    let analysis = &data.analysis;
    let body = window(table, area)
        .map(|(i, row)| {
            let cells = match row {
                Row::Class(g) => {
                    let group = &data.groups[g as usize];
                    let value: String = data.name(g).chars().take(VALUE_PREVIEW).collect();
                    vec![
                        class_cell(
                            &format!("\"{value}\""),
                            0,
                            table.is_expanded(g),
                            table.matches.get(&g),
                            theme,
                        ),
                        num(format::group(group.nodes.len() as u64)),
                        num(format::bytes(group.copy_size)),
                        num(format::bytes(group.wasted())),
                        num(format::bytes(group.retained_size)),
                    ]
                }
                Row::Instance { node, .. } => vec![
                    Cell::from(format!("    @{}", analysis.graph.node_id[node as usize])),
                    Cell::from(""),
                    num(format::bytes(u64::from(
                        analysis.graph.self_size[node as usize],
                    ))),
                    Cell::from(""),
                    num(format::bytes(analysis.dominators.retained[node as usize])),
                ],
                Row::More { remaining, .. } => vec![more_cell(remaining, theme)],
            };
            TableRow::new(cells).style(row_style(i == table.selected, theme))
        })
        .collect();
    let widths = vec![
        Constraint::Min(24),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(10),
    ];
    let all: Vec<usize> = (0..DUPLICATES_COLUMNS.len()).collect();
    (
        header(&DUPLICATES_COLUMNS, table, theme, &all, &[0]),
        widths,
        body,
    )
}

fn leaks_rows(data: &LeaksData, table: &ClassTable, theme: &Theme, area: Rect) -> Built {
    let analysis = &data.analysis;
    let body = window(table, area)
        .map(|(i, row)| {
            let cells = match row {
                Row::Class(c) => {
                    let class = &data.report.classes[c as usize];
                    vec![
                        class_cell(
                            &class.name,
                            0,
                            table.is_expanded(c),
                            table.matches.get(&c),
                            theme,
                        ),
                        num(format::group(class.count)),
                        num(format::bytes(class.retained_size)),
                        Cell::from(Span::styled(data.top_path(c), theme.dim())),
                    ]
                }
                Row::Instance { node, .. } => vec![
                    Cell::from(instance_label(analysis, node, "")),
                    Cell::from(""),
                    num(format::bytes(analysis.dominators.retained[node as usize])),
                    Cell::from(""),
                ],
                Row::More { remaining, .. } => vec![more_cell(remaining, theme)],
            };
            TableRow::new(cells).style(row_style(i == table.selected, theme))
        })
        .collect();
    let widths = vec![
        Constraint::Min(22),
        Constraint::Length(8),
        Constraint::Length(15),
        Constraint::Percentage(45),
    ];
    let all: Vec<usize> = (0..LEAKS_COLUMNS.len()).collect();
    (
        header(&LEAKS_COLUMNS, table, theme, &all, &[0, 3]),
        widths,
        body,
    )
}

fn more_cell(remaining: usize, theme: &Theme) -> Cell<'static> {
    Cell::from(Span::styled(
        format!("    … {} more (Enter)", format::group(remaining as u64)),
        theme.dim(),
    ))
}
