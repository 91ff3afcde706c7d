//! A string table taken apart for an index file, and put back together:
//! the text held in memory, where each string ends, and the strings left
//! in the snapshot file (read back from it as before).

use std::fs::File;
use std::sync::Arc;

use fixedbitset::FixedBitSet;

use super::{Held, OnDisk, Span, StringTable};

/// A string left in the snapshot file: its index, span and what is held.
pub type OnDiskString = (u32, Span, Held);

impl StringTable {
    /// The text in memory, each string's end in it, and the strings left on
    /// disk (by index).
    pub fn saved(&self) -> (&str, &[usize], &[OnDiskString]) {
        let on_disk = self.on_disk.as_ref().map_or(&[][..], |d| d.entries());
        (&self.text, &self.ends, on_disk)
    }

    /// The table [`StringTable::saved`] took apart; the strings left on
    /// disk are read back from `file`. None when the parts do not fit
    /// together (ends out of order or off character boundaries, strings
    /// left on disk without a file or past the table).
    pub fn restored(
        text: String,
        ends: Vec<usize>,
        on_disk: Vec<OnDiskString>,
        file: Option<Arc<File>>,
    ) -> Option<StringTable> {
        let mut start = 0;
        for &end in &ends {
            if end < start || !text.is_char_boundary(end) {
                return None;
            }
            start = end;
        }
        let mut table = StringTable {
            text,
            ends,
            ..StringTable::default()
        };
        if on_disk.is_empty() {
            return Some(table);
        }
        let sorted = on_disk.windows(2).all(|w| w[0].0 < w[1].0);
        let last = on_disk.last().map_or(0, |&(i, _, _)| i as usize);
        if !sorted || last >= table.ends.len() {
            return None;
        }
        let mut left = FixedBitSet::with_capacity(table.ends.len());
        left.extend(on_disk.iter().map(|&(index, _, _)| index as usize));
        table.left = left;
        table.on_disk = Some(Arc::new(OnDisk::new(file?, on_disk)));
        Some(table)
    }
}
