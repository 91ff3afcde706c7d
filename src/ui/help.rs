//! The `?` overlay, generated from the key map so it cannot drift from it.
//! Two columns when both fit side by side, else one; it scrolls (`j`/`k`,
//! PgUp/PgDn) when it is taller than the screen.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::app::keymap::Context;
use crate::app::App;

use super::lines_title;
use super::theme::Theme;

/// Widest the overlay gets.
const MAX_WIDTH: u16 = 150;

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
        lines.push(key_line(&keys.join(" "), desc, theme));
    }
    lines
}

fn key_line(keys: &str, desc: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {keys:<14}"), theme.key()),
        Span::raw(desc),
    ])
}

/// The mouse, which the key map does not describe.
fn mouse_lines(theme: &Theme) -> Vec<Line<'static>> {
    vec![
        Line::styled("Mouse", theme.title()),
        key_line("wheel", "Scroll the pane under the pointer".into(), theme),
        key_line("click", "Select a row; focus a pane".into(), theme),
        key_line(
            "m",
            "Let the terminal select text (m again: back)".into(),
            theme,
        ),
    ]
}

/// Every help line, laid out for an overlay `width` cells inside: the
/// global keys beside the others when both columns fit, else one column.
fn lines(app: &App, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let left = context_lines(app, Context::Global, theme);
    let mut right = Vec::new();
    for context in [Context::Table, Context::Retainers, Context::Input] {
        right.extend(context_lines(app, context, theme));
        right.push(Line::raw(""));
    }
    right.extend(mouse_lines(theme));
    let widest = |lines: &[Line]| lines.iter().map(Line::width).max().unwrap_or(0);
    // Two columns only when no line of either is cut or runs into the other.
    let column = widest(&left) + GAP;
    if column + widest(&right) <= width {
        side_by_side(left, right, column)
    } else {
        left.into_iter()
            .chain(std::iter::once(Line::raw("")))
            .chain(right)
            .collect()
    }
}

/// Cells between the two columns.
const GAP: usize = 2;

/// Rows of `left` padded to `column` cells, then the row of `right`.
fn side_by_side(
    left: Vec<Line<'static>>,
    right: Vec<Line<'static>>,
    column: usize,
) -> Vec<Line<'static>> {
    let rows = left.len().max(right.len());
    let mut left = left.into_iter();
    let mut right = right.into_iter();
    (0..rows)
        .map(|_| {
            let mut line = left.next().unwrap_or_default();
            let pad = column.saturating_sub(line.width());
            line.spans.push(Span::raw(" ".repeat(pad)));
            line.spans.extend(right.next().unwrap_or_default().spans);
            line
        })
        .collect()
}

/// The overlay's box on a screen of `area`: centred, full height.
fn popup(area: Rect) -> Rect {
    let width = area.width.min(MAX_WIDTH);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y,
        width,
        area.height,
    )
}

/// (lines, height) of the overlay on a screen of `area`: how far it scrolls.
pub fn measure(app: &App, area: Rect) -> (usize, usize) {
    let inner = Block::default().borders(Borders::ALL).inner(popup(area));
    let count = lines(app, usize::from(inner.width), &Theme::new(false)).len();
    (count, usize::from(inner.height))
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame) {
    let popup = popup(frame.area());
    let scroll = &app.help_scroll;
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            " Keys (j/k scroll, any other key closes) ",
            theme.title(),
        ));
    if scroll.overflows() {
        block = block.title_bottom(Line::styled(lines_title(scroll), theme.dim()).right_aligned());
    }
    let inner = block.inner(popup);
    let text = lines(app, usize::from(inner.width), theme);
    let offset = u16::try_from(scroll.offset).unwrap_or(u16::MAX);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(text).block(block).scroll((offset, 0)), popup);
}
