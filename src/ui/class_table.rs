//! The table views: Summary, Comparison, Duplicated strings, Leaks and
//! Trend.
//! Cells are built only for the rows in the visible window, so 100k
//! classes cost nothing to draw.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TableRow, Table, Widget};
use ratatui::Frame;

use crate::app::class_table::{ClassTable, Row, Side, Sort};
use crate::app::sources::{
    ComparisonData, DuplicatesData, LeaksData, SummaryData, SummaryFilter, TableSource, TrendData,
    COMPARISON_COLUMNS, DUPLICATES_COLUMNS, LEAKS_COLUMNS, SUMMARY_COLUMNS, TREND_COLUMNS,
};
use crate::app::table_view::{Source, TableView};
use crate::app::{App, LoadState, Pane};
use crate::format;
use crate::report;
use crate::snapshot::distances::display_distance;
use crate::snapshot::views::diff::DiffColumn;
use crate::snapshot::views::trend::TrendColumn;
use crate::snapshot::Analysis;

use super::object_tree::shifted;
use super::status::progress_lines;
use super::theme::Theme;

/// Draws the current view, or load progress while it has nothing to show.
pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    if app.view == Pane::Statistics {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(app.focus == app.view))
            .title(Span::styled(view_title(app), theme.title()));
        super::statistics::render(app, theme, frame, area, block);
        return;
    }
    frame.render_widget(&TableProps::of(app, theme), area);
}

/// Everything a table view's pane draws, taken from the app: the widget
/// reads nothing else, so it can be drawn (and tested) on its own.
pub struct TableProps<'a> {
    pub view: &'a TableView,
    /// The border title, ` Summary: file `.
    pub title: String,
    pub focused: bool,
    /// What shows while the view has no rows yet (load progress).
    pub waiting: Vec<Line<'static>>,
    pub theme: &'a Theme,
}

impl<'a> TableProps<'a> {
    /// The current table view of `app`.
    pub fn of(app: &'a App, theme: &'a Theme) -> Self {
        let view = app.table_view();
        TableProps {
            view,
            title: view_title(app),
            focused: app.focus == app.view,
            waiting: match view.source() {
                Some(_) => Vec::new(),
                None => waiting_lines(app, theme),
            },
            theme,
        }
    }
}

impl Widget for &TableProps<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (table, theme) = (&self.view.table, self.theme);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(self.focused))
            .title(Span::styled(self.title.as_str(), theme.title()))
            .title(filter_title(table, theme))
            .title_bottom(
                Line::styled(super::position_title(table.position()), theme.dim()).right_aligned(),
            );
        let sheet = Sheet {
            table,
            sort: self.view.shown_sort(),
            theme,
            area,
        };
        let rows = self.view.source().map(|source| match source {
            Source::Summary(d) => summary_rows(d, &sheet),
            Source::Comparison(d) => comparison_rows(d, &sheet),
            Source::Duplicates(d) => duplicates_rows(d, &sheet),
            Source::Leaks(d) => leaks_rows(d, &sheet),
            Source::Trend(d) => trend_rows(d, &sheet),
        });
        let Some(built) = rows else {
            Paragraph::new(self.waiting.clone())
                .block(block)
                .render(area, buf);
            return;
        };
        let block = block.title_bottom(hidden_title(&built.hidden, theme));
        Table::new(built.body, built.widths)
            .header(built.header)
            .block(block)
            .column_spacing(1)
            .render(area, buf);
    }
}

/// What every table view's rows are built from: the table state, the
/// sort its rows are in, and the pane.
struct Sheet<'a> {
    table: &'a ClassTable,
    sort: Sort,
    theme: &'a Theme,
    area: Rect,
}

/// ` +2 hidden: Alloc. Size, Freed Size ` when columns do not fit: a
/// column never goes without notice.
fn hidden_title(hidden: &[&str], theme: &Theme) -> Line<'static> {
    if hidden.is_empty() {
        return Line::raw("");
    }
    Line::styled(
        format!(" +{} hidden: {} ", hidden.len(), hidden.join(", ")),
        theme.dim(),
    )
}

/// `filter: text (N classes)` while a filter narrows the table.
fn filter_title(table: &ClassTable, theme: &Theme) -> Line<'static> {
    if table.filter.is_empty() {
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
    let early = matches!(app.tables.summary(), Some(SummaryData::Early(_)));
    match app.view {
        Pane::Comparison => format!(" Comparison: {base} → {target} "),
        Pane::Statistics => format!(" Statistics: {shown} "),
        Pane::Duplicates => match app.tables.duplicates().and_then(|d| d.search.as_ref()) {
            _ if app.string_search_pending() => {
                format!(" Strings: {shown}, searching all strings… ")
            }
            Some(search) => format!(
                " Strings matching /{}/: {shown} ",
                format::visible(&search.pattern)
            ),
            None => format!(" Duplicated strings: {shown} "),
        },
        Pane::Leaks => format!(
            " Leaks: allocated between {base} and {}, still alive in {target} ",
            app.slots[1].name()
        ),
        Pane::Trend => format!(
            " Trend over {} snapshots: {base} → {target} ",
            app.slots.len()
        ),
        // Early rows are sorted by shallow size meanwhile (the arrow says so).
        _ if early => format!(" Summary: {shown} (retained sizes pending, by shallow size) "),
        _ => match app.summary_filter {
            SummaryFilter::All => format!(" Summary: {shown} "),
            SummaryFilter::Named(named) if app.summary_filter_pending() => {
                format!(" Summary: {shown}, {} (computing…) ", named.title())
            }
            SummaryFilter::Named(named) => format!(" Summary: {shown}, {} ", named.title()),
            range => format!(" Summary: {} ", range.label(&base, &target)),
        },
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

/// A table view's visible rows, ready to draw.
struct Built {
    header: TableRow<'static>,
    widths: Vec<Constraint>,
    body: Vec<TableRow<'static>>,
    /// Titles of the columns left out for want of room.
    hidden: Vec<&'static str>,
}

/// The sort arrow after a column's title (▲ is as wide); every column
/// has room for it.
const ARROW: &str = " ▼";

/// `width`, widened to hold the column's title and a sort arrow, so the
/// arrow never covers the title (`eed Size ▼`).
fn with_arrow(width: Constraint, title: &str) -> Constraint {
    let need = u16::try_from(Line::raw(format!("{title}{ARROW}")).width()).unwrap_or(u16::MAX);
    match width {
        Constraint::Length(n) => Constraint::Length(n.max(need)),
        Constraint::Min(n) => Constraint::Min(n.max(need)),
        other => other,
    }
}

/// Column titles with the sort arrow; text columns (`left`) align left.
fn header(columns: &Columns<'_>, sort: Sort, theme: &Theme) -> TableRow<'static> {
    let cells = columns.shown.iter().map(|&i| {
        let arrow = match (i == sort.column, sort.descending) {
            (true, true) => ARROW,
            (true, false) => " ▲",
            _ => "",
        };
        let text = Line::raw(format!("{}{arrow}", columns.titles[i]));
        Cell::from(if columns.left.contains(&i) {
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

/// How a class (or string) row's name cell is drawn beside its numbers.
struct ClassRow<'a> {
    name: &'a str,
    /// Its constructor's location as `server.js:82:19`, if it has one.
    location: Option<String>,
    /// Objects, shown as `×count` when more than one.
    count: u64,
    class: u32,
    /// Where the filter's match positions start in `name` (after the
    /// quote of a string value).
    match_offset: usize,
}

impl<'a> ClassRow<'a> {
    /// Row `class` of `source` named `name`, without a count.
    fn of(source: &dyn TableSource, class: u32, name: &'a str) -> Self {
        ClassRow {
            name,
            location: source
                .location(class)
                .map(|(location, scripts)| scripts.short_label(location)),
            count: 0,
            class,
            match_offset: 0,
        }
    }

    /// With `×count` after the name.
    fn counting(self, count: u64) -> Self {
        ClassRow { count, ..self }
    }

    /// `▸ Name server.js:82:19 ×count` with the fuzzy-matched characters
    /// highlighted, the first `table.shift` characters scrolled off (`…`
    /// marks the cut).
    fn cell(self, sheet: &Sheet<'_>) -> Cell<'static> {
        let (table, theme) = (sheet.table, sheet.theme);
        let expanded = table.is_expanded(self.class);
        let mut spans = vec![Span::raw(if expanded { "▾ " } else { "▸ " })];
        if table.shift > 0 {
            spans.push(Span::raw("…"));
        }
        // Snapshot text: controls show as escapes (whose letters match nothing).
        let shown = format::visible(self.name);
        let matches = table
            .matches
            .get(&self.class)
            .filter(|_| matches!(shown, Cow::Borrowed(_)));
        let offset = self.match_offset;
        for (i, c) in shown.chars().enumerate().skip(table.shift) {
            let matched = i >= offset && matches.is_some_and(|m| m.contains(&(i - offset)));
            let style = if matched {
                theme.matched()
            } else {
                Style::new()
            };
            spans.push(Span::styled(c.to_string(), style));
        }
        if let Some(location) = self.location {
            // A script's name is snapshot text too.
            let shown = format::visible(&location).into_owned();
            spans.push(Span::styled(format!(" {shown}"), theme.dim()));
        }
        if self.count > 1 {
            spans.push(Span::styled(
                format!(" ×{}", format::group(self.count)),
                theme.dim(),
            ));
        }
        Cell::from(Line::from(spans))
    }
}

fn instance_label(analysis: &Analysis, node: u32, marker: &str, shift: usize) -> String {
    let label = format!(
        "{} @{}",
        format::visible(&analysis.object_label(node)),
        analysis.graph.id(node)
    );
    format!("    {marker}{}", shifted(&label, shift))
}

fn sized(bytes: u64, total: u64) -> String {
    format!(
        "{:>9} {:>4}",
        format::bytes(bytes),
        format::percent(bytes, total)
    )
}

/// A table view's columns: titles, widths (room for the sort arrow
/// included), which show, which align left.
struct Columns<'a> {
    titles: &'a [&'a str],
    widths: Vec<Constraint>,
    shown: Vec<usize>,
    left: &'a [usize],
}

impl<'a> Columns<'a> {
    fn all(titles: &'a [&'a str], widths: &[Constraint], left: &'a [usize]) -> Self {
        Columns {
            titles,
            widths: widths
                .iter()
                .zip(titles)
                .map(|(&w, title)| with_arrow(w, title))
                .collect(),
            shown: (0..titles.len()).collect(),
            left,
        }
    }
}

/// The visible rows of a table view: `cells` builds the cells of a class
/// or instance row (every column); `… N more` rows are built here.
fn build(
    sheet: &Sheet<'_>,
    columns: &Columns<'static>,
    cells: impl Fn(Row) -> Vec<Cell<'static>>,
) -> Built {
    let (table, theme) = (sheet.table, sheet.theme);
    let body = window(table, sheet.area)
        .map(|(i, row)| {
            let cells = match row {
                Row::More { remaining, .. } => vec![more_cell(remaining, theme)],
                row => cells(row)
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| columns.shown.contains(i))
                    .map(|(_, c)| c)
                    .collect(),
            };
            TableRow::new(cells).style(row_style(i == table.selected, theme))
        })
        .collect();
    Built {
        header: header(columns, sheet.sort, theme),
        widths: columns.shown.iter().map(|&i| columns.widths[i]).collect(),
        body,
        hidden: (0..columns.titles.len())
            .filter(|i| !columns.shown.contains(i))
            .map(|i| columns.titles[i])
            .collect(),
    }
}

fn summary_rows(data: &SummaryData, sheet: &Sheet<'_>) -> Built {
    let aggregates = data.aggregates();
    let analysis = data.analysis();
    let total = data
        .total_size()
        .unwrap_or_else(|| aggregates.iter().map(|a| a.self_size).sum());
    let finished = data.rows_finished();
    let pending = || num("…".into());
    let widths = [
        Constraint::Min(24),
        Constraint::Length(8),
        fitted(15, aggregates.iter().map(|a| sized(a.self_size, total))),
        fitted(15, aggregates.iter().map(|a| sized(a.retained_size, total))),
    ];
    let columns = Columns::all(&SUMMARY_COLUMNS, &widths, &[0]);
    let shift = sheet.table.shift;
    build(sheet, &columns, |row| match (row, analysis) {
        (Row::Class(c), _) => {
            let a = &aggregates[c as usize];
            let name = ClassRow::of(data, c, &a.name).counting(a.count).cell(sheet);
            match finished {
                true => vec![
                    name,
                    num(format::distance(display_distance(a.distance))),
                    num(sized(a.self_size, total)),
                    num(sized(a.retained_size, total)),
                ],
                false => vec![name, pending(), num(sized(a.self_size, total)), pending()],
            }
        }
        (Row::Instance { node, .. }, Some(an)) => vec![
            Cell::from(instance_label(an, node, "", shift)),
            num(format::distance(display_distance(
                an.distances[node as usize],
            ))),
            num(sized(u64::from(an.graph.self_size[node as usize]), total)),
            num(sized(an.dominators.retained[node as usize], total)),
        ],
        _ => Vec::new(),
    })
}

fn signed_cell(value: i64, text: String, theme: &Theme) -> Cell<'static> {
    Cell::from(Line::styled(text, theme.delta(value)).alignment(Alignment::Right))
}

/// A right-aligned number cell.
fn num(text: String) -> Cell<'static> {
    Cell::from(Line::raw(text).alignment(Alignment::Right))
}

/// `Length(min)`, widened to the longest of `texts`: a number column is
/// never cut, since a cut `1,172,025` reads as `172,025`.
fn fitted(min: u16, texts: impl Iterator<Item = String>) -> Constraint {
    let longest = texts.map(|t| t.chars().count()).max().unwrap_or(0);
    Constraint::Length(min.max(u16::try_from(longest).unwrap_or(u16::MAX)))
}

/// The narrowest the Comparison's class names get: room for a class and
/// an instance's `+ Class @id`, before the less important numbers.
const COMPARISON_NAME_WIDTH: u16 = 30;

fn comparison_rows(data: &ComparisonData, sheet: &Sheet<'_>) -> Built {
    let rows = 0..data.diffs.len() as u32;
    let widths = DiffColumn::ALL.map(|column| match column {
        DiffColumn::Name => Constraint::Min(COMPARISON_NAME_WIDTH),
        _ => fitted(
            0,
            rows.clone()
                .map(|c| format::diff_value(column, data.row(c).value(column))),
        ),
    });
    let mut columns = Columns::all(&COMPARISON_COLUMNS, &widths, &[0]);
    columns.shown = comparison_columns(sheet.area.width, &columns.widths, sheet.sort.column);
    let (table, theme) = (sheet.table, sheet.theme);
    build(sheet, &columns, |row| match row {
        Row::Class(c) => {
            let row = data.row(c);
            let name = ClassRow::of(data, c, &row.diff.name).cell(sheet);
            let numbers = DiffColumn::ALL[1..].iter().map(|&column| {
                let (value, text) = (
                    row.value(column),
                    format::diff_value(column, row.value(column)),
                );
                if column.is_signed() {
                    signed_cell(value, text, theme)
                } else {
                    num(text)
                }
            });
            std::iter::once(name).chain(numbers).collect()
        }
        Row::Instance { node, side, .. } => {
            instance_diff_cells(data, node, side, table.shift, theme)
        }
        Row::More { .. } => Vec::new(),
    })
}

/// A new (`+`, `•` under # New, size under Alloc.) or deleted (`−`, `•`
/// under # Deleted, size under Freed) instance; its size as Size Delta.
fn instance_diff_cells(
    data: &ComparisonData,
    node: u32,
    side: Side,
    shift: usize,
    theme: &Theme,
) -> Vec<Cell<'static>> {
    let (analysis, new) = match side {
        Side::Deleted => (&data.base, false),
        _ => (&data.target, true),
    };
    let bytes = u64::from(analysis.graph.self_size[node as usize]);
    let signed = if new { bytes as i64 } else { -(bytes as i64) };
    let delta = signed_cell(signed, format::signed_bytes(signed), theme);
    let (dot, blank, size) = (
        || num("•".into()),
        || Cell::from(""),
        num(format::bytes(bytes)),
    );
    let label = Cell::from(instance_label(
        analysis,
        node,
        if new { "+ " } else { "− " },
        shift,
    ));
    if new {
        vec![label, dot(), blank(), blank(), size, blank(), delta]
    } else {
        vec![label, blank(), dot(), blank(), blank(), size, delta]
    }
}

/// The Comparison's columns by what matters for a leak: what grew (count,
/// bytes, retained), then the new objects and their bytes, then what was
/// freed.
const COMPARISON_PRIORITY: [DiffColumn; 8] = [
    DiffColumn::Name,
    DiffColumn::Delta,
    DiffColumn::SizeDelta,
    DiffColumn::RetainedDelta,
    DiffColumn::New,
    DiffColumn::AllocSize,
    DiffColumn::Deleted,
    DiffColumn::FreedSize,
];

/// The Comparison columns that fit in a pane `width` wide, in table order:
/// the name, the sorted column (so a sort is always seen), then by
/// [`COMPARISON_PRIORITY`] while they fit.
fn comparison_columns(width: u16, widths: &[Constraint], sort: usize) -> Vec<usize> {
    let cells = |i: usize| match widths.get(i) {
        Some(Constraint::Length(n) | Constraint::Min(n)) => usize::from(*n),
        _ => 0,
    };
    let room = usize::from(width.saturating_sub(2));
    let order = std::iter::once(DiffColumn::Name.index())
        .chain(std::iter::once(sort))
        .chain(COMPARISON_PRIORITY.iter().map(|c| c.index()));
    let mut shown: Vec<usize> = Vec::new();
    let mut used = 0;
    for column in order {
        // Every column after the first has one space before it.
        let need = cells(column) + usize::from(!shown.is_empty());
        if !shown.contains(&column) && (shown.is_empty() || used + need <= room) {
            shown.push(column);
            used += need;
        }
    }
    shown.sort_unstable();
    shown
}

/// Longest string value shown in a Duplicated strings row.
const VALUE_PREVIEW: usize = 60;

fn duplicates_rows(data: &DuplicatesData, sheet: &Sheet<'_>) -> Built {
    let analysis = &data.analysis;
    let groups = data.groups();
    let widths = [
        Constraint::Min(24),
        fitted(
            8,
            groups.iter().map(|g| format::group(g.nodes.len() as u64)),
        ),
        fitted(10, groups.iter().map(|g| format::bytes(g.copy_size))),
        fitted(10, groups.iter().map(|g| format::bytes(g.wasted()))),
        fitted(10, groups.iter().map(|g| format::bytes(g.retained_size))),
    ];
    let columns = Columns::all(&DUPLICATES_COLUMNS, &widths, &[0]);
    build(sheet, &columns, |row| match row {
        Row::Class(g) => {
            let group = &groups[g as usize];
            vec![
                value_cell(data, g, sheet),
                num(format::group(group.nodes.len() as u64)),
                num(format::bytes(group.copy_size)),
                num(format::bytes(group.wasted())),
                num(format::bytes(group.retained_size)),
            ]
        }
        Row::Instance { node, .. } => vec![
            Cell::from(format!("    @{}", analysis.graph.id(node))),
            Cell::from(""),
            num(format::bytes(u64::from(
                analysis.graph.self_size[node as usize],
            ))),
            Cell::from(""),
            num(format::bytes(analysis.dominators.retained[node as usize])),
        ],
        Row::More { .. } => Vec::new(),
    })
}

/// `"value"` (or `slice of "value"`), cut short, with the filter's matches
/// highlighted where they fall in the value.
fn value_cell(data: &DuplicatesData, g: u32, sheet: &Sheet<'_>) -> Cell<'static> {
    let preview = sheet.table.shift + VALUE_PREVIEW;
    let value: String = data.name(g).chars().take(preview).collect();
    let prefix = if data.groups()[g as usize].sliced {
        "slice of \""
    } else {
        "\""
    };
    let text = format!("{prefix}{value}\"");
    ClassRow {
        name: &text,
        location: None,
        count: 0,
        class: g,
        match_offset: prefix.chars().count(),
    }
    .cell(sheet)
}

fn leaks_rows(data: &LeaksData, sheet: &Sheet<'_>) -> Built {
    let analysis = &data.analysis;
    let classes = &data.report.classes;
    let widths = [
        Constraint::Min(22),
        fitted(8, classes.iter().map(|c| format::group(c.count))),
        fitted(15, classes.iter().map(|c| format::bytes(c.retained_size))),
        Constraint::Percentage(45),
    ];
    let columns = Columns::all(&LEAKS_COLUMNS, &widths, &[0, 3]);
    let shift = sheet.table.shift;
    build(sheet, &columns, |row| match row {
        Row::Class(c) => {
            let class = &data.report.classes[c as usize];
            vec![
                ClassRow::of(data, c, &class.name).cell(sheet),
                num(format::group(class.count)),
                num(format::bytes(class.retained_size)),
                Cell::from(Span::styled(data.top_path(c), sheet.theme.dim())),
            ]
        }
        Row::Instance { node, .. } => vec![
            Cell::from(instance_label(analysis, node, "", shift)),
            Cell::from(""),
            num(format::bytes(analysis.dominators.retained[node as usize])),
            Cell::from(""),
        ],
        Row::More { .. } => Vec::new(),
    })
}

/// Each class over the snapshots, as `heaplens trend` prints it: the
/// counts first → last beside a sparkline of them all, growth coloured by
/// its sign.
fn trend_rows(data: &TrendData, sheet: &Sheet<'_>) -> Built {
    // The numbers' columns at least as wide as their titles and arrow.
    const MIN_WIDTHS: [u16; 6] = [22, 22, 10, 25, 17, 12];
    let classes = &data.trend.classes;
    let widths = TrendColumn::ALL.map(|column| match column {
        TrendColumn::Name => Constraint::Min(MIN_WIDTHS[0]),
        _ => fitted(
            MIN_WIDTHS[column.index()],
            classes.iter().map(|c| report::trend_cell(c, column)),
        ),
    });
    let mut columns = Columns::all(&TREND_COLUMNS, &widths, &[0]);
    columns.shown = trend_columns(sheet.area.width);
    let theme = sheet.theme;
    build(sheet, &columns, |row| {
        let Row::Class(c) = row else {
            return Vec::new();
        };
        let class = &classes[c as usize];
        let numbers = TrendColumn::ALL[1..].iter().map(|&column| {
            let text = report::trend_cell(class, column);
            if column.is_signed() {
                signed_cell(column.value(class), text, theme)
            } else {
                num(text)
            }
        });
        let name = ClassRow::of(data, c, &class.name).cell(sheet);
        std::iter::once(name).chain(numbers).collect()
    })
}

/// Columns that fit: narrow terminals drop the retained sizes and the
/// count growth first (the sparkline shows it).
fn trend_columns(width: u16) -> Vec<usize> {
    match width {
        0..=89 => vec![0, 1, 4],
        90..=119 => vec![0, 1, 2, 4, 5],
        _ => (0..TREND_COLUMNS.len()).collect(),
    }
}

fn more_cell(remaining: usize, theme: &Theme) -> Cell<'static> {
    Cell::from(Span::styled(
        format!("    … {} more (Enter)", format::group(remaining as u64)),
        theme.dim(),
    ))
}
