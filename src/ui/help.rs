//! The `?` overlay, generated from the key map so it cannot drift from it.

use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::app::keymap::Context;
use crate::app::App;

use super::theme::Theme;

/// Help lines of one context: keys of the same action share a line.
pub fn context_lines(app: &App, context: Context, theme: &Theme) -> Vec<Line<'static>> {
    let mut grouped: Vec<(Vec<String>, String, crate::app::action::Action)> = Vec::new();
    for b in app.keymap.bindings(context) {
        match grouped
            .iter_mut()
            .find(|(_, _, action)| *action == b.action)
        {
            Some((keys, _, _)) => keys.push(b.key.label()),
            None => grouped.push((vec![b.key.label()], b.desc.clone(), b.action)),
        }
    }
    let mut lines = vec![Line::styled(context.title().to_owned(), theme.title())];
    for (keys, desc, _) in grouped {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<14}", keys.join(" ")), theme.key()),
            Span::raw(desc),
        ]));
    }
    lines
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    let width = area.width.min(150);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y,
        width,
        area.height,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(" Keys (any key closes) ", theme.title()));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let columns = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
        .split(inner);
    let left = context_lines(app, Context::Global, theme);
    let mut right = Vec::new();
    for context in [Context::Table, Context::Retainers, Context::Input] {
        right.extend(context_lines(app, context, theme));
        right.push(Line::raw(""));
    }
    frame.render_widget(Paragraph::new(left), columns[0]);
    frame.render_widget(Paragraph::new(right), columns[1]);
}
