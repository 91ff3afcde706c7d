//! The snapshot's string table, and the bits of JavaScript string semantics
//! DevTools' numbers depend on (UTF-16 lengths and ordering, `parseInt`).
//!
//! All strings live in one buffer with an offset table: a 1 GB snapshot has
//! millions of strings and a `Vec<String>` would cost an allocation each.
//! Long strings of a plain file can stay in the file (`on_disk`).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fs::File;
use std::sync::Arc;

use fixedbitset::FixedBitSet;

use super::error::SnapshotError;

mod on_disk;
mod saved;

pub use on_disk::Held;
use on_disk::OnDisk;
pub use on_disk::{Span, CHANGED_ON_DISK, LONG_STRING_BYTES};
pub use saved::OnDiskString;

/// Where a long string of a backing file is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Named nodes and edges: the load passes and views read them often.
    InMemory,
    /// Other strings (string values, WeakMap entry names): read back when a
    /// view shows them.
    OnDisk,
}

/// Append-only table of strings addressed by index, like V8's `strings`.
#[derive(Debug, Default, Clone)]
pub struct StringTable {
    text: String,
    ends: Vec<usize>,
    /// The file the strings are read from, when it can be read again.
    backing: Option<Arc<File>>,
    /// The strings that stay in the file: their spans (by index) until
    /// `open_on_disk`, then a bit each and the reader.
    spans: Vec<(u32, Span, Held)>,
    left: FixedBitSet,
    on_disk: Option<Arc<OnDisk>>,
}

/// How much a table holds, to read the same strings again into arrays of
/// that size: grown by doubling, a 1 GB snapshot's table left 30 MB unused.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableSizes {
    strings: usize,
    text_bytes: usize,
    on_disk: usize,
}

impl StringTable {
    /// A table for the strings of `file`, if it can be read again (a plain
    /// file): long strings can stay there. Room for `sizes` is asked for
    /// first, if it can be had.
    pub fn backed_by(file: Option<Arc<File>>, sizes: TableSizes) -> StringTable {
        let mut table = StringTable {
            backing: file,
            ..StringTable::default()
        };
        // Not had: the table grows as it is read.
        let _ = table.text.try_reserve_exact(sizes.text_bytes);
        let _ = table.ends.try_reserve_exact(sizes.strings);
        let _ = table.spans.try_reserve_exact(sizes.on_disk);
        table
    }

    /// What the table holds.
    pub fn sizes(&self) -> TableSizes {
        TableSizes {
            strings: self.ends.len(),
            text_bytes: self.text.len(),
            on_disk: self.on_disk.as_ref().map_or(0, |d| d.entries().len()),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string at `index`, or "" past the end (indexes are validated at load).
    #[inline]
    pub fn get(&self, index: u32) -> &str {
        let i = index as usize;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        if start == end {
            return self.empty_or_on_disk(index);
        }
        &self.text[start..end]
    }

    /// A string with no text in memory: "" itself, or one left on disk.
    /// Out of line: `get` is on the hot path of every load pass.
    #[cold]
    fn empty_or_on_disk(&self, index: u32) -> &str {
        if !self.left.contains(index as usize) {
            return "";
        }
        self.on_disk
            .as_ref()
            .and_then(|d| d.get(index))
            .unwrap_or_default()
    }

    /// Appends a string the parser read at `span` of the file. A long one
    /// of a backing file stays there as `keep` says. Fails, with the bytes
    /// it needed, when the table cannot grow for it.
    pub fn push_read(&mut self, text: &str, span: Span, keep: Keep) -> Result<u32, SnapshotError> {
        let in_memory =
            span.len < LONG_STRING_BYTES || self.backing.is_none() || keep == Keep::InMemory;
        let held = if in_memory { text } else { "" };
        let room = |needed: usize| SnapshotError::OutOfMemory {
            needed: needed as u64,
            what: "the \"strings\" section".to_owned(),
        };
        try_grow(&mut self.text, held.len()).map_err(room)?;
        try_grow(&mut self.ends, 1).map_err(|n| room(n * std::mem::size_of::<usize>()))?;
        let index = self.push(held);
        if !in_memory {
            self.spans
                .try_reserve(1)
                .map_err(|_| room(std::mem::size_of::<(u32, Span, Held)>()))?;
            self.spans.push((index, span, Held::of(text)));
        }
        Ok(index)
    }

    /// Makes the strings left on disk so far readable: the parser calls it
    /// at the end of the strings.
    pub fn open_on_disk(&mut self) {
        let Some(file) = &self.backing else {
            return;
        };
        if self.spans.is_empty() {
            return;
        }
        let mut left = FixedBitSet::with_capacity(self.ends.len());
        left.extend(self.spans.iter().map(|&(index, _, _)| index as usize));
        self.left = left;
        let spans = std::mem::take(&mut self.spans);
        self.on_disk = Some(Arc::new(OnDisk::new(Arc::clone(file), spans)));
    }

    /// A key equal for equal texts (their length and hash), which strings
    /// left on disk give without being read back: group by it, then
    /// compare the texts of the groups that matter.
    pub fn key_of(&self, index: u32) -> (u32, u32) {
        let held = self
            .held_on_disk(index)
            .unwrap_or_else(|| Held::of(self.get(index)));
        (held.len, held.hash)
    }

    /// The UTF-8 length of string `index`, without reading back a string
    /// left on disk: searches rule strings out by it first.
    pub fn byte_len(&self, index: u32) -> usize {
        match self.held_on_disk(index) {
            Some(held) => held.len as usize,
            None => self.get(index).len(),
        }
    }

    /// What is held of string `index` when it is left on disk.
    fn held_on_disk(&self, index: u32) -> Option<Held> {
        let on_disk = self.on_disk.as_ref()?;
        self.left
            .contains(index as usize)
            .then(|| on_disk.held(index))
            .flatten()
    }

    /// Indexes of the strings equal to `text`, without reading back strings
    /// left on disk that cannot be (their length differs).
    pub fn indexes_of(&self, text: &str) -> Vec<u32> {
        let [found] = self.indexes_of_each([text]);
        found
    }

    /// [`StringTable::indexes_of`] for each of `texts`, in one pass.
    pub fn indexes_of_each<const N: usize>(&self, texts: [&str; N]) -> [Vec<u32>; N] {
        let mut found = std::array::from_fn(|_| Vec::new());
        // The strings left on disk, walked beside the indexes: a search
        // among them per string and text took 0.05 s of a 1 GB snapshot.
        let entries = self.on_disk.as_deref().map_or(&[][..], OnDisk::entries);
        let mut on_disk = entries.iter().peekable();
        for i in 0..self.ends.len() as u32 {
            let held = on_disk.next_if(|&&(at, _, _)| at == i).map(|&(_, _, h)| h);
            for (text, found) in texts.iter().zip(&mut found) {
                if held.is_none_or(|h| h.len as usize == text.len()) && self.get(i) == *text {
                    found.push(i);
                }
            }
        }
        found
    }

    /// Whether string `index` is `text`, without reading back a string
    /// left on disk whose length differs.
    pub fn is(&self, index: u32, text: &str) -> bool {
        let held = self.held_on_disk(index);
        held.is_none_or(|h| h.len as usize == text.len()) && self.get(index) == text
    }

    /// The strings held in memory (all but those left on disk).
    pub fn kept_in_memory(&self) -> FixedBitSet {
        let mut kept = FixedBitSet::with_capacity(self.len());
        kept.insert_range(..);
        kept.difference_with(&self.left);
        kept
    }

    /// How many strings are left on disk.
    #[cfg(test)]
    pub fn on_disk_count(&self) -> usize {
        self.on_disk.as_ref().map_or(0, |d| d.len())
    }

    /// How many strings left on disk were read back so far.
    #[cfg(test)]
    pub fn read_back_count(&self) -> usize {
        self.on_disk.as_ref().map_or(0, |d| d.read_back_count())
    }

    /// Appends a string and returns its index.
    pub fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len());
        u32::try_from(self.ends.len() - 1).unwrap_or(u32::MAX)
    }

    /// Bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * std::mem::size_of::<usize>()
    }
}

/// Room for `more` items in `buffer`: doubling if it can be had, else
/// just what is needed (a table of 300 MB need not find 600 MB for one
/// more string); the items missing, if neither can be had.
pub fn try_grow<B: Grow + ?Sized>(buffer: &mut B, more: usize) -> Result<(), usize> {
    if buffer.spare() >= more || buffer.try_double(more) {
        return Ok(());
    }
    if buffer.try_exact(more) {
        Ok(())
    } else {
        Err(more)
    }
}

/// A buffer that grows fallibly: `String`, `Vec`.
pub trait Grow {
    fn spare(&self) -> usize;
    /// `try_reserve`: amortised growth.
    fn try_double(&mut self, more: usize) -> bool;
    fn try_exact(&mut self, more: usize) -> bool;
}

impl Grow for String {
    fn spare(&self) -> usize {
        self.capacity() - self.len()
    }
    fn try_double(&mut self, more: usize) -> bool {
        self.try_reserve(more).is_ok()
    }
    fn try_exact(&mut self, more: usize) -> bool {
        self.try_reserve_exact(more).is_ok()
    }
}

impl<T> Grow for Vec<T> {
    fn spare(&self) -> usize {
        self.capacity() - self.len()
    }
    fn try_double(&mut self, more: usize) -> bool {
        self.try_reserve(more).is_ok()
    }
    fn try_exact(&mut self, more: usize) -> bool {
        self.try_reserve_exact(more).is_ok()
    }
}

/// Decodes the inside of a JSON string literal (without the quotes).
/// Lone surrogates, which V8 writes for broken strings, become U+FFFD.
pub fn decode_json_string(raw: &[u8]) -> Result<String, String> {
    if !raw.contains(&b'\\') {
        return std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(|e| format!("invalid UTF-8 at string byte {}", e.valid_up_to()));
    }
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let run_end = raw[i..]
            .iter()
            .position(|&b| b == b'\\')
            .map_or(raw.len(), |p| i + p);
        let run = std::str::from_utf8(&raw[i..run_end])
            .map_err(|e| format!("invalid UTF-8 at string byte {}", i + e.valid_up_to()))?;
        out.push_str(run);
        i = run_end;
        if i >= raw.len() {
            break;
        }
        let esc = *raw.get(i + 1).ok_or("string ends in a lone backslash")?;
        i += 2;
        match esc {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let unit = hex4(raw, i)?;
                i += 4;
                if (0xD800..0xDC00).contains(&unit)
                    && raw.get(i) == Some(&b'\\')
                    && raw.get(i + 1) == Some(&b'u')
                {
                    let low = hex4(raw, i + 2)?;
                    if (0xDC00..0xE000).contains(&low) {
                        let c = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                        i += 6;
                        continue;
                    }
                }
                out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
            }
            // A control byte (a raw line break, say) must not reach the
            // one-line message, nor half a UTF-8 sequence shown as Latin-1.
            other if other.is_ascii_graphic() => {
                return Err(format!("bad escape \\{}", char::from(other)))
            }
            other => return Err(format!("bad escape: \\ before byte 0x{other:02x}")),
        }
    }
    Ok(out)
}

fn hex4(raw: &[u8], at: usize) -> Result<u16, String> {
    let digits = raw
        .get(at..at + 4)
        .and_then(|d| std::str::from_utf8(d).ok())
        .ok_or("truncated \\u escape")?;
    u16::from_str_radix(digits, 16).map_err(|_| format!("bad \\u escape \\u{digits}"))
}

/// `text` cut to at most `max_bytes` bytes (at a character boundary),
/// ending with an ellipsis when cut: what a row shows of a text that can
/// be hundreds of MB.
pub fn capped(text: &str, max_bytes: usize) -> Cow<'_, str> {
    if text.len() <= max_bytes {
        return Cow::Borrowed(text);
    }
    let mut cut = max_bytes.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!("{}…", &text[..cut]))
}

/// JavaScript's `a < b` order on strings: UTF-16 code units, not code points.
pub fn js_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// JavaScript's `s.length`.
pub fn js_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

/// JavaScript's `parseInt(s, 10)`: leading white space, a sign, then the
/// longest run of decimal digits; `None` where JS gives `NaN`.
pub fn js_parse_int(s: &str) -> Option<f64> {
    let t = s.trim_start();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let value: f64 = digits[..end].parse().ok()?;
    Some(if negative { -value } else { value })
}

/// The text `JSON.stringify` gives for a string, quotes included.
pub fn json_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_escape() {
        let raw = br#"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00\ud800x"#;
        assert_eq!(
            decode_json_string(raw).as_deref(),
            Ok("a\"b\\c/d\u{8}\u{c}\n\r\té😀\u{FFFD}x")
        );
    }

    #[test]
    fn rejects_bad_escapes_and_utf8() {
        assert!(decode_json_string(br"\q").is_err());
        assert!(decode_json_string(br"\u12").is_err());
        assert!(decode_json_string(b"\xff").is_err());
    }

    /// Found by fuzzing: a backslash before a raw carriage return put the
    /// carriage return into the error message, which must be one line.
    #[test]
    fn bad_escapes_of_unprintable_bytes_are_named_by_value() {
        assert_eq!(
            decode_json_string(br"a\qb").err().as_deref(),
            Some(r"bad escape \q")
        );
        assert_eq!(
            decode_json_string(b"a\\\rb").err().as_deref(),
            Some(r"bad escape: \ before byte 0x0d")
        );
        assert_eq!(
            decode_json_string("\\é".as_bytes()).err().as_deref(),
            Some(r"bad escape: \ before byte 0xc3")
        );
    }

    #[test]
    fn js_order_is_utf16() {
        // U+FF5E sorts after U+1F600 in code points but before it in UTF-16.
        assert_eq!(js_cmp("\u{1F600}", "\u{FF5E}"), Ordering::Less);
        assert_eq!(js_cmp("B", "a"), Ordering::Less);
        assert_eq!(js_len("😀a"), 3);
    }

    #[test]
    fn parse_int_like_js() {
        assert_eq!(js_parse_int("12abc"), Some(12.0));
        assert_eq!(js_parse_int("  -3"), Some(-3.0));
        assert_eq!(js_parse_int("x1"), None);
        assert_eq!(js_parse_int(""), None);
    }

    #[test]
    fn table_appends() {
        let mut t = StringTable::default();
        assert_eq!(t.push("a"), 0);
        assert_eq!(t.push(""), 1);
        assert_eq!(t.push("bc"), 2);
        assert_eq!(
            (t.get(0), t.get(1), t.get(2), t.get(3)),
            ("a", "", "bc", "")
        );
    }
}
