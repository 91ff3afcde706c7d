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

use crate::app::class_table::Row;
use crate::app::scroll::{Scroll, Viewports};
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

/// The layout of `app` on `area`. Zoomed (`z`), the focused pane takes
/// everything between the header and the footer. On a narrow screen the
/// bottom shows Details when it has the focus, or when it has more to say
/// than an empty tree: a Comparison class with no object selected, whose
/// Details say where its growth hangs.
pub fn layout_of(app: &App, area: Rect) -> Areas {
    let areas = layout(area, details_below(app));
    if !app.zoom {
        return areas;
    }
    let whole = Rect {
        height: areas.footer.y.saturating_sub(areas.table.y),
        ..areas.table
    };
    let none = Rect::default();
    match app.focus {
        Pane::Retainers => Areas {
            table: none,
            retainers: whole,
            details: none,
            ..areas
        },
        Pane::Details => Areas {
            table: none,
            retainers: none,
            details: whole,
            ..areas
        },
        _ => Areas {
            table: whole,
            retainers: none,
            details: none,
            ..areas
        },
    }
}

fn details_below(app: &App) -> bool {
    let class_growth = app.view == Pane::Comparison
        && app.selection.is_none()
        && app.focus != Pane::Retainers
        && matches!(app.table().selected_row(), Some(Row::Class(_)));
    app.focus == Pane::Details || class_growth
}

/// What each pane of `app` gets on a screen of `area`, for the app to
/// page and scroll by (the runtime measures it before each draw).
pub fn viewports(app: &App, area: Rect) -> Viewports {
    let areas = layout_of(app, area);
    Viewports {
        table_rows: table_rows(areas.table),
        tree_rows: tree_rows(areas.retainers),
        details: details::measure(app, areas.details),
        help: help::measure(app, area),
    }
}

/// Rows of data a bordered table with a header row shows in `area`.
pub fn table_rows(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}

/// Rows a bordered tree with a header row shows in `area`.
pub fn tree_rows(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}

/// ` row 25 of 190 `: where the selection is in a scrolling pane.
pub fn position_title(position: Option<(usize, usize)>) -> String {
    match position {
        Some((at, of)) => format!(
            " row {} of {} ",
            crate::format::group(at as u64),
            crate::format::group(of as u64)
        ),
        None => String::new(),
    }
}

/// ` lines 4–8 of 12 `: which lines of a scrolling text pane show.
pub fn lines_title(scroll: &Scroll) -> String {
    let last = (scroll.offset + scroll.height).min(scroll.lines);
    format!(" lines {}–{last} of {} ", scroll.offset + 1, scroll.lines)
}

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let theme = Theme::from_env();
    let areas = layout_of(app, frame.area());
    status::render_header(app, &theme, frame, areas.header);
    if areas.table.height > 0 {
        class_table::render(app, &theme, frame, areas.table);
    }
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
