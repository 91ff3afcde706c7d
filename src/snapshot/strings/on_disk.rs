//! Long strings left in the snapshot file and read back when asked for.
//!
//! A plain (not gzipped) snapshot file can be read again at any offset, so
//! the table need not hold every string. Long ones (WeakMap entry names,
//! script sources, payloads) are most of the strings section: 121 of the
//! 140 MB of a 1 GB Node snapshot are strings of 64 bytes or more. The
//! parser leaves them in the file at once (WeakMap entry names too: it
//! parses those as it reads them); the table keeps their file offsets and
//! reads one back, once, when a view shows it. A snapshot with a 4.4 GB
//! strings section loads in 14 MB.

use std::fs::File;
use std::hash::BuildHasher;
use std::sync::Arc;

use elsa::sync::FrozenMap;
use rustc_hash::FxBuildHasher;

use super::decode_json_string;
use crate::snapshot::input::read_exact_at;

/// Strings whose JSON text is at least this long are left on disk.
pub const LONG_STRING_BYTES: u32 = 64;

/// What a view shows for a string the file no longer holds (it was
/// rewritten after loading).
pub const CHANGED_ON_DISK: &str = "(string unavailable: the snapshot file changed after loading)";

/// Where a string's JSON text lies in the snapshot file.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// Byte offset of the text, after the opening quote.
    pub offset: u64,
    /// Bytes of JSON text (escapes not decoded).
    pub len: u32,
}

/// What is kept of a string left on disk, to check it when read back and
/// to rule it out of searches without reading it.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub hash: u32,
    /// UTF-8 bytes of the decoded text.
    pub len: u32,
}

impl Held {
    pub fn of(text: &str) -> Held {
        Held {
            hash: text_hash(text),
            len: u32::try_from(text.len()).unwrap_or(u32::MAX),
        }
    }
}

/// The strings of a table that stay in its file.
#[derive(Debug)]
pub struct OnDisk {
    file: Arc<File>,
    /// (string index, span, what is held of it), by index.
    strings: Vec<(u32, Span, Held)>,
    /// Strings read back so far.
    read: FrozenMap<u32, Box<str>>,
}

impl OnDisk {
    /// `strings`: (string index, span, what is held of it), by index.
    pub fn new(file: Arc<File>, strings: Vec<(u32, Span, Held)>) -> OnDisk {
        OnDisk {
            file,
            strings,
            read: FrozenMap::new(),
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// How many strings were read back so far.
    #[cfg(test)]
    pub fn read_back_count(&self) -> usize {
        self.read.len()
    }

    /// String `index` if it is on disk: read back once, then kept.
    pub fn get(&self, index: u32) -> Option<&str> {
        let (span, held) = self.find(index)?;
        if let Some(text) = self.read.get(&index) {
            return Some(text);
        }
        let text = self
            .read_back(span)
            .filter(|text| text.len() == held.len as usize && text_hash(text) == held.hash)
            .unwrap_or_else(|| CHANGED_ON_DISK.to_owned());
        Some(self.read.insert(index, text.into_boxed_str()))
    }

    /// (string index, span, what is held) of every string, by index: what
    /// an index file keeps of them.
    pub fn entries(&self) -> &[(u32, Span, Held)] {
        &self.strings
    }

    /// What is held of string `index`, if it is on disk.
    pub fn held(&self, index: u32) -> Option<Held> {
        self.find(index).map(|(_, held)| held)
    }

    fn find(&self, index: u32) -> Option<(Span, Held)> {
        let at = self
            .strings
            .binary_search_by_key(&index, |&(i, _, _)| i)
            .ok()?;
        let (_, span, held) = self.strings[at];
        Some((span, held))
    }

    /// Reads and decodes a span; None if the file cannot give it.
    fn read_back(&self, span: Span) -> Option<String> {
        let mut raw = vec![0u8; span.len as usize];
        // At an offset, without moving the handle: the parser may still be
        // streaming the same open file.
        read_exact_at(&self.file, &mut raw, span.offset).ok()?;
        if !raw.contains(&b'\\') {
            // The text is the bytes read: no copy of a long one.
            return String::from_utf8(raw).ok();
        }
        decode_json_string(&raw).ok()
    }
}

/// A 32-bit hash of a string's text, to notice a file rewritten since.
fn text_hash(text: &str) -> u32 {
    FxBuildHasher.hash_one(text) as u32
}
