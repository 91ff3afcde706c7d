//! Human formatting shared by the tables and the TUI: DevTools' byte units
//! (decimal, `bytesToString`), grouped counts, signed deltas, and text from
//! a snapshot made safe to show.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::snapshot::views::diff::DiffColumn;

/// A Comparison number as DevTools formats its column (the name column
/// has none).
pub fn diff_value(column: DiffColumn, value: i64) -> String {
    match column {
        DiffColumn::Name => String::new(),
        DiffColumn::New | DiffColumn::Deleted => group(value.unsigned_abs()),
        DiffColumn::Delta => signed_count(value),
        DiffColumn::AllocSize | DiffColumn::FreedSize => bytes(value.unsigned_abs()),
        DiffColumn::SizeDelta | DiffColumn::RetainedDelta => signed_bytes(value),
    }
}

/// DevTools' `bytesToString`: `N B`, `12.3 kB`, `123 kB`, `1.2 MB`, `123 MB`.
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    if n < 1000.0 {
        return format!("{n} B");
    }
    let kb = n / 1000.0;
    if kb < 100.0 {
        return format!("{kb:.1} kB");
    }
    if kb < 1000.0 {
        return format!("{kb:.0} kB");
    }
    let mb = kb / 1000.0;
    if mb < 100.0 {
        format!("{mb:.1} MB")
    } else {
        format!("{} MB", group(mb.round() as u64))
    }
}

/// Signed bytes: `+1.2 MB`, `−300 B` (U+2212, as DevTools), `0 B`.
pub fn signed_bytes(n: i64) -> String {
    format!("{}{}", sign(n), bytes(n.unsigned_abs()))
}

/// Signed count with grouping: `+1,234`, `−5`, `0`.
pub fn signed_count(n: i64) -> String {
    format!("{}{}", sign(n), group(n.unsigned_abs()))
}

fn sign(n: i64) -> &'static str {
    match n.signum() {
        1 => "+",
        -1 => "\u{2212}",
        _ => "",
    }
}

/// `1234567` → `1,234,567`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whole percent of `total`, as DevTools rounds it.
pub fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return "0 %".to_owned();
    }
    format!("{:.0} %", part as f64 * 100.0 / total as f64)
}

/// Bar heights of a sparkline, lowest first.
const SPARK_BARS: [char; 8] = [
    '\u{2581}', '\u{2582}', '\u{2583}', '\u{2584}', '\u{2585}', '\u{2586}', '\u{2587}', '\u{2588}',
];

/// `values` as a sparkline (`▂▄█`): one bar a value, as high as its share
/// of the largest (from 0, so a change of a few percent stays flat), a
/// dot for 0 (the class has no objects there).
pub fn sparkline(values: &[u64]) -> String {
    let largest = u128::from(values.iter().copied().max().unwrap_or(0));
    values
        .iter()
        .map(|&value| {
            if value == 0 {
                return '\u{b7}';
            }
            // Rounded up: the smallest value that is there shows a bar.
            let eighths = (u128::from(value) * 8).div_ceil(largest);
            SPARK_BARS[(eighths as usize).clamp(1, SPARK_BARS.len()) - 1]
        })
        .collect()
}

/// `first → last`, each shown by `show`.
pub fn first_to_last<T: Copy>(values: &[T], show: impl Fn(T) -> String) -> String {
    match (values.first(), values.last()) {
        (Some(&first), Some(&last)) => format!("{} \u{2192} {}", show(first), show(last)),
        _ => String::new(),
    }
}

/// A distance as DevTools shows it: the number, or `−` for none.
pub fn distance(d: Option<i32>) -> String {
    d.map_or_else(|| "\u{2212}".to_owned(), |d| d.to_string())
}

/// `text` with every character that could drive a terminal shown as an
/// escape instead: C0 and C1 controls, DEL, and the bidi overrides and
/// isolates that reorder what follows them (`\e`, `\n`, `\t`, `\r`,
/// `\u{202e}`…). Snapshot strings are attacker-controlled (request data
/// ends up in the heap): every human-readable output passes them through
/// here. JSON escapes them itself.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A path for messages and titles, shown as by [`visible`].
pub fn path(path: &std::path::Path) -> String {
    visible(&path.to_string_lossy()).into_owned()
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_follow_devtools_units() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1.0 kB");
        assert_eq!(bytes(12_345), "12.3 kB");
        assert_eq!(bytes(123_456), "123 kB");
        assert_eq!(bytes(1_234_567), "1.2 MB");
        assert_eq!(bytes(123_456_789), "123 MB");
        assert_eq!(bytes(1_234_567_890), "1,235 MB");
    }

    #[test]
    fn deltas_are_signed() {
        assert_eq!(signed_count(1234), "+1,234");
        assert_eq!(signed_count(-5), "\u{2212}5");
        assert_eq!(signed_count(0), "0");
        assert_eq!(signed_bytes(-2000), "\u{2212}2.0 kB");
    }

    #[test]
    fn sparklines_scale_from_zero_to_the_largest() {
        assert_eq!(sparkline(&[1, 2, 4, 8]), "\u{2581}\u{2582}\u{2584}\u{2588}");
        assert_eq!(sparkline(&[0, 120, 240]), "\u{b7}\u{2584}\u{2588}");
        assert_eq!(
            sparkline(&[1000, 1010]),
            "\u{2588}\u{2588}",
            "a few percent is flat"
        );
        assert_eq!(
            sparkline(&[1, 1_000_000]),
            "\u{2581}\u{2588}",
            "small but there"
        );
        assert_eq!(sparkline(&[0, 0]), "\u{b7}\u{b7}");
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[u64::MAX, u64::MAX / 2]), "\u{2588}\u{2584}");
    }

    #[test]
    fn controls_and_bidi_overrides_show_as_escapes() {
        assert_eq!(
            visible("\u{1b}[2J\u{1b}]0;title\u{7}x\ny\u{202e}z\u{9b}"),
            "\\e[2J\\e]0;title\\u{7}x\\ny\\u{202e}z\\u{9b}"
        );
        assert!(matches!(visible("plain {a, b} é 日本"), Cow::Borrowed(_)));
    }
}
