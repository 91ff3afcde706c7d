//! Details of the selected object: id, type, name or string preview, sizes,
//! distance and its immediate dominator.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::class_table::Row;
use crate::app::table_view::TableKind;
use crate::app::{App, Pane};
use crate::format;
use crate::snapshot::distances::display_distance;
use crate::snapshot::names::display_name;

use super::lines_title;
use super::theme::Theme;

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
            let field = |name: &str, value: String| {
                Line::from(vec![
                    Span::styled(format!("{name:<10}"), theme.dim()),
                    Span::raw(value),
                ])
            };
            let name: String = format::visible(&display_name(graph, n))
                .chars()
                .take(PREVIEW_CHARS)
                .collect();
            let dominator = analysis.dominators.idom[n as usize];
            vec![
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
                    format::group(analysis.retainers(n).len() as u64),
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
            ]
        }
        _ => class_growth_lines(app, theme)
            .or_else(|| class_lines(app, theme))
            .unwrap_or_else(|| {
                vec![Line::styled(
                    "Select an object (expand a class, then ↓).",
                    theme.dim(),
                )]
            }),
    }
}

/// A selected class (or string) row of a table: its whole name, which
/// the table's column may cut.
fn class_lines(app: &App, theme: &Theme) -> Option<Vec<Line<'static>>> {
    TableKind::of(app.view)?;
    let Some(Row::Class(class)) = app.table().selected_row() else {
        return None;
    };
    let name = app.table_view().source()?.rows().row_name(class);
    let name: String = format::visible(&name).chars().take(PREVIEW_CHARS).collect();
    Some(vec![
        Line::styled(name, theme.header()),
        Line::styled("Expand it (Enter), then ↓ selects an object.", theme.dim()),
    ])
}

/// For a selected Comparison class: its retained growth and the objects it
/// hangs on (DevTools shows neither).
fn class_growth_lines(app: &App, theme: &Theme) -> Option<Vec<Line<'static>>> {
    let Some(Row::Class(class)) = app
        .table()
        .selected_row()
        .filter(|_| app.view == Pane::Comparison)
    else {
        return None;
    };
    let data = app.tables.comparison()?;
    let (for_class, holders) = app.holders.as_ref()?;
    if *for_class != class {
        return None;
    }
    let diff = &data.diffs[class as usize];
    let retained = data.retained_delta[class as usize];
    let mut lines = vec![
        Line::styled(format::visible(&diff.name).into_owned(), theme.header()),
        Line::raw(format!(
            "{} objects, retained {}",
            format::signed_count(diff.delta()),
            format::signed_bytes(retained)
        )),
        Line::styled("Held by:", theme.dim()),
    ];
    for h in holders {
        let target = &data.target;
        let change = match h.baseline_retained {
            Some(_) => format::signed_bytes(h.retained_delta()),
            None => "new".to_owned(),
        };
        lines.push(Line::raw(format!(
            " {} @{}: {} of them, {} ({change})",
            format::visible(&target.object_label(h.node)),
            target.graph.id(h.node),
            format::group(h.instances),
            format::bytes(h.retained),
        )));
    }
    Some(lines)
}
