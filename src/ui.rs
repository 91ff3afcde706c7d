//! Drawing only: `render(&App, &mut Frame)` reads the state and never
//! changes it. The layout is a pure function of the terminal size, shared
//! with the runtime for mouse hit-testing.

pub mod class_table;
pub mod details;
pub mod help;
pub mod object_tree;
pub mod statistics;
pub mod status;
pub mod theme;

use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::Frame;

use crate::app::{App, Pane};

use self::theme::Theme;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub table: Rect,
    /// The Retainers pane (may be empty when Details takes the bottom).
    pub retainers: Rect,
    pub details: Rect,
    pub footer: Rect,
}

/// Wide terminals show Retainers and Details side by side.
const SIDE_BY_SIDE_WIDTH: u16 = 110;

/// Splits the screen; `details_focused` decides the bottom on narrow screens.
pub fn layout(area: Rect, details_focused: bool) -> Areas {
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(2),
            Constraint::Percentage(58),
            Constraint::Min(5),
            Constraint::Length(1),
        ])
        .split(area);
    let bottom = rows[2];
    let (retainers, details) = if area.width >= SIDE_BY_SIDE_WIDTH {
        let cols = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Percentage(64), Constraint::Percentage(36)])
            .split(bottom);
        (cols[0], cols[1])
    } else if details_focused {
        (Rect::default(), bottom)
    } else {
        (bottom, Rect::default())
    };
    Areas {
        header: rows[0],
        table: rows[1],
        retainers,
        details,
        footer: rows[3],
    }
}

/// Rows of data a bordered table with a header row shows in `area`.
pub fn table_rows(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}

/// Rows a bordered tree shows in `area`.
pub fn tree_rows(area: Rect) -> usize {
    area.height.saturating_sub(2) as usize
}

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let theme = Theme::from_env();
    let areas = layout(frame.area(), app.focus == Pane::Details);
    status::render_header(app, &theme, frame, areas.header);
    class_table::render(app, &theme, frame, areas.table);
    if areas.retainers.width > 0 {
        object_tree::render(app, &theme, frame, areas.retainers);
    }
    if areas.details.width > 0 {
        details::render(app, &theme, frame, areas.details);
    }
    status::render_footer(app, &theme, frame, areas.footer);
    if app.show_help {
        help::render(app, &theme, frame);
    }
}
#[cfg(test)]
mod render_tests;
#[cfg(test)]
mod widget_tests;
