//! Details of the selected object: id, type, name or string preview, sizes,
//! distance, where its constructor is (the script's full name) and its
//! immediate dominator; of a selected class row, where the class is
//! defined, its growth (Comparison) or its counts over the snapshots
//! (Trend).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::class_table::Row;
use crate::app::jobs::NamedCollection;
use crate::app::sources::{ComparisonData, TrendData};
use crate::app::table_view::{Source, TableKind};
use crate::app::{App, Pane};
use crate::format;
use crate::report;
use crate::snapshot::distances::display_distance;
use crate::snapshot::names::display_name;
use crate::snapshot::Analysis;

use super::lines_title;
use super::theme::Theme;

/// `Name      value`, the name dim.
fn field(name: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<10}"), theme.dim()),
        Span::raw(value),
    ])
}

/// Longest name preview shown (strings can be megabytes).
const PREVIEW_CHARS: usize = 600;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let scroll = &app.details_scroll;
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(app.focus == Pane::Details))
        .title(Span::styled(" Details ", theme.title()));
    if scroll.overflows() {
        block = block.title_bottom(Line::styled(lines_title(scroll), theme.dim()).right_aligned());
    }
    let offset = u16::try_from(scroll.offset).unwrap_or(u16::MAX);
    frame.render_widget(paragraph(app, theme).block(block).scroll((offset, 0)), area);
}

/// (lines, height) of the Details pane in `area`: how far it scrolls.
pub fn measure(app: &App, area: Rect) -> (usize, usize) {
    let inner = Block::default().borders(Borders::ALL).inner(area);
    if inner.width == 0 {
        return (0, 0);
    }
    let lines = paragraph(app, &Theme::new(false)).line_count(inner.width);
    (lines, usize::from(inner.height))
}

/// The Details text, wrapped to the pane.
fn paragraph(app: &App, theme: &Theme) -> Paragraph<'static> {
    Paragraph::new(lines(app, theme)).wrap(Wrap { trim: false })
}

fn lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    match (
        &app.selection,
        app.selection
            .as_ref()
            .and_then(|s| app.slots[s.slot].analysis()),
    ) {
        (Some(selection), Some(analysis)) => {
            let n = selection.node;
            let graph = &analysis.graph;
            let field = |name: &str, value: String| field(name, value, theme);
            let name: String = format::visible(&display_name(graph, n))
                .chars()
                .take(PREVIEW_CHARS)
                .collect();
            let dominator = analysis.dominators.idom[n as usize];
            // Objects are located by their constructor, closures by
            // their own code.
            let location = graph.locations.get(&n).map(|&l| {
                let label = analysis.scripts.full_label(l);
                field("Location", format::visible(&label).into_owned())
            });
            let mut lines = vec![
                field(
                    "Object",
                    format!(
                        "{} @{}",
                        format::visible(analysis.class_name(n)),
                        graph.id(n)
                    ),
                ),
                field("Type", graph.type_name(n).to_owned()),
                field(
                    "Shallow",
                    format!(
                        "{} ({} B)",
                        format::bytes(u64::from(graph.self_size[n as usize])),
                        graph.self_size[n as usize]
                    ),
                ),
                field(
                    "Retained",
                    format!(
                        "{} ({} B)",
                        format::bytes(analysis.dominators.retained[n as usize]),
                        analysis.dominators.retained[n as usize]
                    ),
                ),
                field(
                    "Distance",
                    format::distance(display_distance(analysis.distances[n as usize])),
                ),
                field(
                    "Retainers",
                    format::group(analysis.retainer_count(n) as u64),
                ),
                field(
                    "Dominator",
                    format!(
                        "{} @{}",
                        format::visible(analysis.class_name(dominator)),
                        graph.id(dominator)
                    ),
                ),
                field("Snapshot", app.slots[selection.slot].name()),
                field("Name", name),
            ];
            lines.extend(location);
            lines
        }
        _ => class_lines(app, theme).unwrap_or_else(|| {
            vec![Line::styled(
                "Select an object (expand a class, then ↓).",
                theme.dim(),
            )]
        }),
    }
}

/// For a selected class (or string) row: its whole name and where it is
/// defined (the script's full name), then what its view adds.
fn class_lines(app: &App, theme: &Theme) -> Option<Vec<Line<'static>>> {
    TableKind::of(app.view)?;
    let Some(Row::Class(class)) = app.table().selected_row() else {
        return None;
    };
    let source = app.table_view().source()?;
    let rows = source.rows();
    // The whole name, which the table's column may cut.
    let name: String = format::visible(&rows.row_name(class))
        .chars()
        .take(PREVIEW_CHARS)
        .collect();
    let mut lines = vec![Line::styled(name, theme.header())];
    if let Some((location, scripts)) = rows.location(class) {
        let label = scripts.full_label(location);
        lines.push(field(
            "Location",
            format::visible(&label).into_owned(),
            theme,
        ));
    }
    match source {
        Source::Comparison(data) => lines.extend(class_growth_lines(app, data, class, theme)),
        Source::Trend(data) => lines.extend(class_trend_lines(app, data, class, theme)),
        _ => lines.push(Line::styled(
            "Expand it (Enter), then ↓ selects an object.",
            theme.dim(),
        )),
    }
    Some(lines)
}

/// A Trend class: its counts and retained sizes in every snapshot.
fn class_trend_lines(app: &App, data: &TrendData, class: u32, theme: &Theme) -> Vec<Line<'static>> {
    let class = &data.trend.classes[class as usize];
    let sizes: Vec<String> = class
        .retained_sizes
        .iter()
        .map(|&b| format::bytes(b))
        .collect();
    let steps = if class.grew_every_step() {
        "grew at every step"
    } else {
        "did not grow at every step"
    };
    let last = app.slots[app.target_slot()].name();
    vec![
        field("Counts", report::count_series(&class.counts), theme),
        field("Retained", sizes.join(" \u{2192} "), theme),
        field(
            "Growth",
            format!(
                "{} objects, {} retained; {steps}",
                format::signed_count(class.count_growth()),
                format::signed_bytes(class.retained_growth())
            ),
            theme,
        ),
        Line::styled(
            format!("Enter: the class in the Summary of {last}"),
            theme.dim(),
        ),
    ]
}

/// A Comparison class: its retained growth and the objects it hangs on
/// (DevTools shows neither), once they are found.
fn class_growth_lines(
    app: &App,
    data: &ComparisonData,
    class: u32,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some((_, holders)) = app.holders.as_ref().filter(|(c, _)| *c == class) else {
        return Vec::new();
    };
    let diff = &data.diffs[class as usize];
    let retained = data.retained_delta[class as usize];
    let mut lines = vec![
        Line::raw(format!(
            "{} objects, retained {}",
            format::signed_count(diff.delta()),
            format::signed_bytes(retained)
        )),
        Line::styled("Held by:", theme.dim()),
    ];
    for h in holders {
        let change = match h.baseline_retained {
            Some(_) => format::signed_bytes(h.retained_delta()),
            None => "new".to_owned(),
        };
        lines.push(Line::raw(format!(
            " {}: {} of them, {} ({change})",
            report::holder_line(h),
            format::group(h.instances),
            format::bytes(h.retained),
        )));
    }
    lines.extend(collection_lines(app, &data.target, &diff.name, theme));
    lines
}

/// Growing collections shown per class.
const COLLECTIONS_SHOWN: usize = 3;

/// The growing collections whose entries are instances of `class`, or
/// when none, the collections that grew most.
fn collection_lines(
    app: &App,
    target: &Analysis,
    class: &str,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(found) = &app.collections else {
        return vec![Line::styled("Growing collections: finding…", theme.dim())];
    };
    let holding: Vec<&NamedCollection> = found
        .iter()
        .filter(|c| c.collection.holding(class) > 0)
        .take(COLLECTIONS_SHOWN)
        .collect();
    let (title, shown) = if holding.is_empty() {
        let top = found.iter().take(COLLECTIONS_SHOWN).collect();
        ("Growing collections (none holds it):", top)
    } else {
        ("Growing collections holding it:", holding)
    };
    let mut lines = vec![Line::styled(title, theme.dim())];
    lines.extend(shown.into_iter().map(|c| collection_line(target, c)));
    lines
}

/// ` Map @124997 (sessionCache): 500 → 1,500 entries, +548 kB`
fn collection_line(target: &Analysis, named: &NamedCollection) -> Line<'static> {
    let c = &named.collection;
    let held_as = named
        .held_as
        .as_ref()
        .map(|name| format!(" ({})", format::visible(name)))
        .unwrap_or_default();
    Line::raw(format!(
        " {} @{}{held_as}: {} \u{2192} {} entries, {}",
        format::visible(&target.object_label(c.node)),
        target.graph.id(c.node),
        format::group(c.entries_before),
        format::group(c.entries_after),
        format::signed_bytes(c.retained_delta()),
    ))
}
