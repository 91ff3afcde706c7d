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

    /// A theme with or without colour.
    pub fn new(color: bool) -> Theme {
        Theme { color }
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

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Modifier};

    use super::*;

    #[test]
    fn no_color_keeps_emphasis_but_drops_every_colour() {
        let plain = Theme::new(false);
        for style in [
            plain.title(),
            plain.border(true),
            plain.matched(),
            plain.delta(1),
            plain.delta(-1),
            plain.error(),
            plain.key(),
            plain.gauge(),
            plain.dim(),
        ] {
            assert_eq!(style.fg, None, "{style:?} has no colour");
        }
        assert!(
            plain.matched().add_modifier.contains(Modifier::UNDERLINED),
            "matches stay visible"
        );
        assert!(
            plain.selected().add_modifier.contains(Modifier::REVERSED),
            "the selection stays visible"
        );
    }

    #[test]
    fn colours_are_the_16_named_ones() {
        let theme = Theme::new(true);
        for style in [
            theme.title(),
            theme.border(false),
            theme.matched(),
            theme.delta(1),
            theme.delta(-1),
            theme.gauge(),
        ] {
            let named =
                matches!(style.fg, Some(c) if !matches!(c, Color::Rgb(..) | Color::Indexed(_)));
            assert!(named, "{style:?} uses a named ANSI colour");
        }
    }
}
