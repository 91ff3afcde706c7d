//! The aligned plain-text table every headless report prints: first
//! column (names) left-aligned, numbers right-aligned, fitted to the
//! terminal. Names are shortened in the middle (`Foo…bar @123`), never the
//! numbers, and never an `@id` at the end of a name: it is what the user
//! types next.

use std::borrow::Cow;
use std::sync::OnceLock;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::format;

/// The width tables fit, for the whole process (None: unlimited).
static WIDTH: OnceLock<Option<usize>> = OnceLock::new();

/// Sets the width tables fit (once; `None` or 0: unlimited).
pub fn set_width(width: Option<usize>) {
    let _ = WIDTH.set(width.filter(|&w| w > 0));
}

/// The narrowest a name column is cut to, however narrow the terminal.
const MIN_NAME_WIDTH: usize = 16;
/// Between columns.
const GAP: usize = 2;

pub(super) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(super) fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|&h| h.to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row. Cells hold snapshot text: shown as by `format::visible`.
    pub(super) fn row(&mut self, cells: Vec<String>) {
        let shown = cells
            .into_iter()
            .map(|cell| match format::visible(&cell) {
                Cow::Borrowed(_) => cell,
                Cow::Owned(escaped) => escaped,
            })
            .collect();
        self.rows.push(shown);
    }

    pub(super) fn render(&self) -> String {
        self.render_within(WIDTH.get().copied().flatten())
    }

    fn render_within(&self, limit: Option<usize>) -> String {
        let mut widths: Vec<usize> = (0..self.header.len())
            .map(|i| {
                self.lines()
                    .map(|r| r.get(i).map_or(0, |c| c.width()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let total: usize = widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1);
        if let (Some(limit), Some(name)) = (limit, widths.first_mut()) {
            let excess = total.saturating_sub(limit);
            *name = name.saturating_sub(excess).max(MIN_NAME_WIDTH.min(*name));
        }
        let mut out = String::new();
        for row in self.lines() {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i == 0 {
                    let name = shorten_middle(cell, widths[0]);
                    line.push_str(&name);
                    line.push_str(&" ".repeat(widths[0].saturating_sub(name.width())));
                } else {
                    line.push_str(&" ".repeat(GAP + widths[i].saturating_sub(cell.width())));
                    line.push_str(cell);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    fn lines(&self) -> impl Iterator<Item = &Vec<String>> {
        std::iter::once(&self.header).chain(&self.rows)
    }
}

/// `text` in at most `width` columns: its start and end around a `…`,
/// keeping a trailing ` @id` whole.
fn shorten_middle(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let id_at = text
        .rfind(" @")
        .filter(|&at| text[at + 2..].bytes().all(|b| b.is_ascii_digit()) && at + 2 < text.len());
    let (body, id) = id_at.map_or((text, ""), |at| text.split_at(at));
    let room = width.saturating_sub(id.width() + 1);
    let head = take_width(body.chars(), room - room / 3);
    let tail: String = take_width(body.chars().rev(), room / 3)
        .chars()
        .rev()
        .collect();
    Cow::Owned(format!("{head}\u{2026}{tail}{id}"))
}

/// The first chars of `chars` that fit in `width` columns.
fn take_width(chars: impl Iterator<Item = char>, width: usize) -> String {
    let mut used = 0;
    chars
        .take_while(|c| {
            used += c.width().unwrap_or(0);
            used <= width
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut table = Table::new(&["Object", "Retained"]);
        table.row(vec![
            "held by {sessionCache, channel, cache, bus, detachedRows} @4931234".into(),
            "1.2 MB".into(),
        ]);
        table.row(vec!["日本語の名前 @7".into(), "20 B".into()]);
        table
    }

    #[test]
    fn a_table_fits_the_width_by_shortening_names_in_the_middle() {
        let text = table().render_within(Some(40));
        for line in text.lines() {
            assert!(line.width() <= 40, "{line:?} is {} wide", line.width());
        }
        assert!(
            text.contains("held by {sessi…dRows} @4931234"),
            "the @id is whole: {text}"
        );
        assert!(text.contains("1.2 MB"), "numbers are never cut: {text}");
    }

    #[test]
    fn wide_characters_align_by_display_width() {
        let text = table().render_within(None);
        let lines: Vec<&str> = text.lines().collect();
        let ends: Vec<usize> = lines.iter().map(|l| l.width()).collect();
        assert!(ends.iter().all(|&e| e == ends[0]), "right-aligned: {text}");
    }
}
