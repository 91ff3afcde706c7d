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

/// Share of the whole load done, from the stage weights and bytes read.
fn fraction_done(slot: &SnapshotSlot) -> f64 {
    let LoadState::Loading { progress, .. } = &slot.state else {
        return 1.0;
    };
    let before: f64 = Stage::ALL
        .iter()
        .take_while(|&&s| s != progress.stage)
        .map(|s| s.weight())
        .sum();
    let within = match (progress.stage, slot.file_bytes) {
        (Stage::Read, Some(total)) if total > 0 => progress.bytes_read as f64 / total as f64,
        _ => 0.0,
    };
    let all: f64 = Stage::ALL.iter().map(|s| s.weight()).sum();
    ((before + within.min(1.0) * progress.stage.weight()) / all).clamp(0.0, 1.0)
}

/// One line per slot: stage, %, bytes, elapsed and ETA; or the outcome.
pub fn progress_lines(slot: &SnapshotSlot, theme: &Theme) -> Vec<Line<'static>> {
    let name = slot.name();
    match &slot.state {
        LoadState::Loading { progress, started } => {
            let done = fraction_done(slot);
            let elapsed = started.elapsed().as_secs_f64();
            let eta = if done > 0.05 {
                format!(", ETA {:.0} s", elapsed / done - elapsed)
            } else {
                String::new()
            };
            let bytes = bytes_text(progress, slot.file_bytes);
            let bar_width = 24;
            let filled = (done * bar_width as f64).round() as usize;
            vec![
                Line::from(vec![
                    Span::styled(format!("  {name}  "), theme.header()),
                    Span::raw(format!("{} {:.0} %", progress.stage, done * 100.0)),
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
        LoadState::Loading { progress, .. } => {
            format!(
                "{}: {} {:.0} %",
                slot.name(),
                progress.stage,
                fraction_done(slot) * 100.0
            )
        }
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
    let line = match &app.input {
        Input::Filter => Line::from(vec![
            Span::styled(" / ", theme.key()),
            Span::raw(format!("{}▏", app.table().filter)),
            Span::styled("  Enter keep · Esc clear", theme.dim()),
        ]),
        Input::Jump(text) => Line::from(vec![
            Span::styled(" @", theme.key()),
            Span::raw(format!("{text}▏")),
            Span::styled("  Enter jump · Esc cancel", theme.dim()),
        ]),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(stage: Stage, bytes_read: u64) -> Progress {
        Progress { stage, bytes_read }
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
