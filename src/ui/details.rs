//! Details of the selected object: id, type, name or string preview, sizes,
//! distance and its immediate dominator.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::{App, Pane};
use crate::format;
use crate::snapshot::distances::display_distance;
use crate::snapshot::names::display_name;

use super::theme::Theme;

/// Longest name preview shown (strings can be megabytes).
const PREVIEW_CHARS: usize = 600;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(app.focus == Pane::Details))
        .title(Span::styled(" Details ", theme.title()));
    let lines = match (
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
            let name: String = display_name(graph, n).chars().take(PREVIEW_CHARS).collect();
            let dominator = analysis.dominators.idom[n as usize];
            vec![
                field(
                    "Object",
                    format!("{} @{}", analysis.class_name(n), graph.node_id[n as usize]),
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
                field("Retainers", analysis.retainers(n).len().to_string()),
                field(
                    "Dominator",
                    format!(
                        "{} @{}",
                        analysis.class_name(dominator),
                        graph.node_id[dominator as usize]
                    ),
                ),
                field("Snapshot", app.slots[selection.slot].name()),
                field("Name", name),
            ]
        }
        _ => vec![Line::styled(
            "Select an object (expand a class, then ↓).",
            theme.dim(),
        )],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
