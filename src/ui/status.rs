//! The header (snapshots, load progress, panes) and the footer (prompts,
//! messages, key hints).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::{App, Input, LoadState, Pane, SnapshotSlot};
use crate::format;
use crate::snapshot::{Progress, Stage};

use super::theme::Theme;

/// How far a load is, as one figure: while reading a file of known size,
/// the share of its bytes read (the same bytes the line prints beside it);
/// past reading, the stage's place among the stages, which report no
/// bytes. A stream's size is unknown: it has no figure while read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Done {
    Percent(f64),
    Step { at: usize, of: usize },
    Unknown,
}

impl Done {
    fn of(progress: &Progress, file_bytes: Option<u64>) -> Done {
        match (progress.stage, file_bytes) {
            (Stage::Read, Some(total)) if total > 0 => {
                Done::Percent((progress.bytes_read as f64 / total as f64).min(1.0))
            }
            (Stage::Read, _) => Done::Unknown,
            (stage, _) => Done::Step {
                at: Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0) + 1,
                of: Stage::ALL.len(),
            },
        }
    }

    /// ` 82 %` or ` (step 7 of 9)`, after the stage's name.
    fn text(self) -> String {
        match self {
            Done::Percent(f) => format!(" {:.0} %", f * 100.0),
            Done::Step { at, of } => format!(" (step {at} of {of})"),
            Done::Unknown => String::new(),
        }
    }

    /// The bar shows the bytes: filling while read, full once read.
    fn bar(self) -> f64 {
        match self {
            Done::Percent(f) => f,
            Done::Step { .. } => 1.0,
            Done::Unknown => 0.0,
        }
    }
}

/// Share of the whole load's time done, from the stage weights and bytes
/// read: only for the ETA (the stages' weights are guesses, so it is not
/// shown as a figure).
fn time_done(progress: &Progress, file_bytes: Option<u64>) -> f64 {
    let before: f64 = Stage::ALL
        .iter()
        .take_while(|&&s| s != progress.stage)
        .map(|s| s.weight())
        .sum();
    let within = match Done::of(progress, file_bytes) {
        Done::Percent(f) => f,
        _ => 0.0,
    };
    let all: f64 = Stage::ALL.iter().map(|s| s.weight()).sum();
    ((before + within * progress.stage.weight()) / all).clamp(0.0, 1.0)
}

/// One line per slot: stage, figure, bytes, elapsed and ETA; or the outcome.
pub fn progress_lines(slot: &SnapshotSlot, theme: &Theme) -> Vec<Line<'static>> {
    let name = slot.name();
    match &slot.state {
        LoadState::Loading { progress, started } => {
            let done = Done::of(progress, slot.file_bytes);
            let time = time_done(progress, slot.file_bytes);
            let elapsed = started.elapsed().as_secs_f64();
            let eta = if time > 0.05 {
                format!(", ETA {:.0} s", elapsed / time - elapsed)
            } else {
                String::new()
            };
            let bytes = bytes_text(progress, slot.file_bytes);
            let bar_width = 24;
            let filled = (done.bar() * bar_width as f64).round() as usize;
            vec![
                Line::from(vec![
                    Span::styled(format!("  {name}  "), theme.header()),
                    Span::raw(format!("{}{}", progress.stage, done.text())),
                ]),
                Line::from(vec![
                    Span::raw("  "),
                    Span::styled("█".repeat(filled), theme.gauge()),
                    Span::styled("░".repeat(bar_width - filled), theme.dim()),
                    Span::raw(format!("  {bytes}, {elapsed:.1} s{eta}   (q cancels)")),
                ]),
            ]
        }
        LoadState::Ready { took, analysis } => vec![Line::raw(format!(
            "  {name}: {} objects, {} ready in {:.1} s",
            format::group(analysis.graph.node_count() as u64),
            format::bytes(analysis.total_size()),
            took.as_secs_f64()
        ))],
        LoadState::Failed(message) => vec![Line::styled(format!("  {message}"), theme.error())],
    }
}

/// Bytes read of the file while reading; past it, that it was read whole
/// (later stages report no bytes).
fn bytes_text(progress: &Progress, file_bytes: Option<u64>) -> String {
    let read = format::bytes(progress.bytes_read);
    match (progress.stage, file_bytes) {
        (Stage::Read, Some(total)) => format!("{read} / {}", format::bytes(total)),
        (Stage::Read, None) => read,
        (_, Some(total)) => format!("{} read", format::bytes(total)),
        (_, None) => "input read".to_owned(),
    }
}

fn slot_summary(slot: &SnapshotSlot) -> String {
    match &slot.state {
        LoadState::Loading { progress, .. } => format!(
            "{}: {}{}",
            slot.name(),
            progress.stage,
            Done::of(progress, slot.file_bytes).text()
        ),
        LoadState::Ready { analysis, .. } => format!(
            "{}: {} objects, {}",
            slot.name(),
            format::group(analysis.graph.node_count() as u64),
            format::bytes(analysis.total_size())
        ),
        LoadState::Failed(_) => format!("{}: failed", slot.name()),
    }
}

/// Two lines: the snapshots, then the pane tabs with the sort and filter.
pub fn render_header(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let states: Vec<String> = app.slots.iter().map(slot_summary).collect();
    let first = Line::from(vec![
        Span::styled(" heaplens ", theme.title()),
        Span::raw(states.join("  →  ")),
    ]);
    let mut tabs = vec![Span::raw(" ")];
    for (i, pane) in Pane::ALL.into_iter().enumerate() {
        if !app.has_view(pane) {
            continue;
        }
        let title = if pane == Pane::Retainers {
            app.tree_kind.title()
        } else {
            pane.tab()
        };
        let text = format!(" {} {title} ", i + 1);
        let style = if app.focus == pane {
            theme.selected()
        } else {
            theme.dim()
        };
        tabs.push(Span::styled(text, style));
        tabs.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(vec![first, Line::from(tabs)]), area);
}

/// The prompt being typed, a message, or the main keys.
pub fn render_footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let selected = app.prompt_selected;
    let line = match &app.input {
        Input::Filter => prompt(
            " / ",
            &app.table().filter,
            selected,
            "  Enter keep · Esc clear · Ctrl-u empty",
            theme,
        ),
        Input::Search(text) => prompt(
            " search: ",
            text,
            selected,
            "  Enter find · then n/N · Esc cancel",
            theme,
        ),
        Input::Jump(text) => prompt(" @", text, false, "  Enter jump · Esc cancel", theme),
        Input::None => match &app.status {
            Some(message) => Line::styled(format!(" {message}"), theme.error()),
            None => {
                let mut spans = vec![Span::raw(" ")];
                for (key, hint) in app.keymap.hints(app.context()) {
                    spans.push(Span::styled(key, theme.key()));
                    spans.push(Span::raw(format!(" {hint}  ")));
                }
                Line::from(spans)
            }
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// A prompt: its sign, the text typed (shown selected when the next key
/// replaces it), the cursor and what the keys do.
fn prompt(
    sign: &'static str,
    text: &str,
    selected: bool,
    keys: &'static str,
    theme: &Theme,
) -> Line<'static> {
    let style = if selected {
        theme.selected()
    } else {
        ratatui::style::Style::new()
    };
    Line::from(vec![
        Span::styled(sign, theme.key()),
        Span::styled(format::visible(text).into_owned(), style),
        Span::raw("▏"),
        Span::styled(keys, theme.dim()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(stage: Stage, bytes_read: u64) -> Progress {
        Progress { stage, bytes_read }
    }

    /// The percent is the bytes read of the file, as printed beside it;
    /// later stages, which read no bytes, say which step they are.
    #[test]
    fn regression_the_percent_is_the_bytes_read_while_reading() {
        let size = Some(1_003_000_000);
        let reading = at(Stage::Read, 824_000_000);
        assert_eq!(Done::of(&reading, size).text(), " 82 %");
        assert_eq!(bytes_text(&reading, size), "824 MB / 1,003 MB");
        let later = at(Stage::Dominators, 0);
        let step = Stage::ALL
            .iter()
            .position(|&s| s == Stage::Dominators)
            .unwrap_or(0)
            + 1;
        let of = Stage::ALL.len();
        assert_eq!(
            Done::of(&later, size).text(),
            format!(" (step {step} of {of})")
        );
        assert_eq!(Done::of(&later, size).bar(), 1.0, "the bar: all read");
        assert_eq!(Done::of(&at(Stage::Read, 5_000), None).text(), "");
    }

    #[test]
    fn the_bytes_say_how_far_reading_got_then_that_it_is_done() {
        let size = Some(164_000_000);
        let reading = bytes_text(&at(Stage::Read, 68_800_000), size);
        assert_eq!(reading, "68.8 MB / 164 MB");
        assert_eq!(bytes_text(&at(Stage::Dominators, 0), size), "164 MB read");
        assert_eq!(bytes_text(&at(Stage::Read, 5_000), None), "5.0 kB");
        assert_eq!(bytes_text(&at(Stage::Dominators, 0), None), "input read");
    }
}
