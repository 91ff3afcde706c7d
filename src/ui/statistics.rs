//! The Statistics view: DevTools' pie legend (§9.3) as bars.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::app::App;
use crate::format;

use super::theme::Theme;

const BAR_WIDTH: usize = 30;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect, block: Block<'_>) {
    let Some((_, stats)) = app
        .statistics
        .as_ref()
        .filter(|(slot, _)| *slot == app.summary_slot)
    else {
        let text = Line::styled(
            "Statistics are shown once the snapshot has loaded.",
            theme.dim(),
        );
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let rows = stats.legend();
    let total = stats.total.max(1) as f64;
    let mut lines = vec![Line::raw("")];
    for (label, bytes) in rows {
        let share = bytes.max(0) as f64 / total;
        let filled = (share * BAR_WIDTH as f64).round() as usize;
        lines.push(Line::from(vec![
            Span::raw(format!(
                "  {label:<44} {:>10} {:>4.0} % ",
                format::bytes(bytes.max(0) as u64),
                share * 100.0
            )),
            Span::styled("█".repeat(filled), theme.gauge()),
            Span::styled("░".repeat(BAR_WIDTH - filled.min(BAR_WIDTH)), theme.dim()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("  {:<44} {:>10}", "Total", format::bytes(stats.total)),
        theme.header(),
    ));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
