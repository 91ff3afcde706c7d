//! Colours: the 16 named ANSI colours only (readable on any terminal
//! palette), and none at all when `NO_COLOR` is set.

use ratatui::style::{Color, Modifier, Style};

/// The styles widgets draw with.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Honours <https://no-color.org>: any non-empty `NO_COLOR` disables colour.
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan)
        } else {
            self.fg(Color::DarkGray)
        }
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn matched(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn dim(self) -> Style {
        if self.color {
            self.fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// Growth is what a leak hunt looks for: red; shrinking green.
    pub fn delta(self, sign: i64) -> Style {
        match sign.signum() {
            1 => self.fg(Color::Red),
            -1 => self.fg(Color::Green),
            _ => Style::new(),
        }
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn gauge(self) -> Style {
        self.fg(Color::Green)
    }
}
