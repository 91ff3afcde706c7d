//! The fast path for the integer arrays: a buffer of text is cut at the end
//! of its last whole record, split in two at a record boundary, and both
//! halves are parsed on two threads straight into the columns' slots.
//!
//! Anything but well-formed unsigned decimals separated by commas and white
//! space (signs, fractions, junk, numbers of 20 digits, a missing number)
//! makes the fast path give up on the buffer; the exact scanner then reads
//! it and names the problem with its offset.

use memchr::{memchr, memrchr};

use super::super::error::SnapshotError;
use super::columns::Slots;

/// Blocks above this size are parsed on two threads.
const PARALLEL_BYTES: usize = 1 << 20;

/// The whole records at the start of a buffer.
#[derive(Debug, PartialEq)]
pub(super) struct Block {
    /// Bytes holding the records (each value followed by a comma, except
    /// the array's last when `closed`).
    pub span: usize,
    /// Bytes to consume: the span, plus the `]` when `closed`.
    pub consumed: usize,
    pub records: usize,
    /// The array's `]` ends the span.
    pub closed: bool,
    /// Where to split the span for two threads: (byte, record).
    split: Option<(usize, usize)>,
}

/// Finds the whole records of `width` values at the start of `bytes`, the
/// rest of an array (`at_start`: right after its `[`; otherwise right after
/// a comma). None when there is no whole record or the `]` comes after a
/// number count that is not a multiple of `width`.
pub(super) fn plan_block(bytes: &[u8], width: usize, at_start: bool) -> Option<Block> {
    let (text, closed) = match find_close(bytes) {
        Some(at) => (&bytes[..at], true),
        None => (&bytes[..=memrchr(b',', bytes)?], false),
    };
    let mid = if text.len() > PARALLEL_BYTES {
        memchr(b',', &text[text.len() / 2..]).map(|p| text.len() / 2 + p)
    } else {
        None
    };
    // Both halves counted at once: planning is the serial part of reading
    // (0.18 s of a 1 GB snapshot's arrays on one thread, 0.075 s on two).
    let (head, tail) = match mid {
        Some(m) => rayon::join(
            || count_commas(&text[..=m]),
            || count_commas(&text[m + 1..]),
        ),
        None => (0, count_commas(text)),
    };
    let commas = head + tail;
    let (span, records) = if closed {
        let empty = commas == 0 && text.iter().all(u8::is_ascii_whitespace);
        let values = if empty { 0 } else { commas + 1 };
        if values % width != 0 || (empty && !at_start) {
            return None;
        }
        (text.len(), values / width)
    } else {
        let records = commas / width;
        if records == 0 {
            return None;
        }
        let mut cut = text.len() - 1;
        for _ in 0..commas % width {
            cut = memrchr(b',', &text[..cut])?;
        }
        (cut + 1, records)
    };
    let split = mid.and_then(|m| record_boundary(&text[..span], m, head, width, records));
    Some(Block {
        span,
        consumed: span + usize::from(closed),
        records,
        closed,
        split,
    })
}

/// Where the array's `]` is in `bytes`, if there; big buffers are
/// searched in two halves at once.
fn find_close(bytes: &[u8]) -> Option<usize> {
    if bytes.len() <= PARALLEL_BYTES {
        return memchr(b']', bytes);
    }
    let (head, tail) = bytes.split_at(bytes.len() / 2);
    let (in_head, in_tail) = rayon::join(|| memchr(b']', head), || memchr(b']', tail));
    in_head.or(in_tail.map(|at| head.len() + at))
}

/// The first record boundary at or after the comma at `mid`, behind which
/// `commas` commas lie: (byte after its comma, records before it).
fn record_boundary(
    span: &[u8],
    mid: usize,
    commas: usize,
    width: usize,
    records: usize,
) -> Option<(usize, usize)> {
    let before = commas.div_ceil(width);
    let mut at = mid;
    for _ in commas..before * width {
        at += 1 + memchr(b',', span.get(at + 1..)?)?;
    }
    if at >= span.len() {
        return None;
    }
    (before > 0 && before < records).then_some((at + 1, before))
}

/// Commas in `bytes`. Summing bytes in runs of 255 (no overflow) lets the
/// compiler keep byte-wide SIMD lanes: 1 GB of arrays took 0.75 s of CPU
/// with a plain `filter().count()`, which widens every byte to 64 bits.
pub(in crate::snapshot) fn count_commas(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|run| usize::from(run.iter().map(|&b| u8::from(b == b',')).sum::<u8>()))
        .sum()
}

/// Parses the block's records into `slots` (`block.records` long).
/// None: not well-formed, for the exact scanner; Some(Err): a record's
/// value is out of range (the first such, in file order).
pub(super) fn parse_block<S: Slots>(
    bytes: &[u8],
    block: &Block,
    width: usize,
    slots: S,
) -> Option<Result<(), SnapshotError>> {
    let span = &bytes[..block.span];
    match block.split {
        Some((at, records)) => {
            let (head_slots, tail_slots) = slots.split_at(records);
            let (head, tail) = rayon::join(
                || parse_records(&span[..at], width, records, false, head_slots),
                || {
                    let tail_records = block.records - records;
                    parse_records(&span[at..], width, tail_records, block.closed, tail_slots)
                },
            );
            match head? {
                Ok(()) => tail,
                Err(e) => Some(Err(e)),
            }
        }
        None => parse_records(span, width, block.records, block.closed, slots),
    }
}

/// Parses `records` records from `span`: every value followed by a comma,
/// except the last one when `closed`.
fn parse_records<S: Slots>(
    span: &[u8],
    width: usize,
    records: usize,
    closed: bool,
    mut slots: S,
) -> Option<Result<(), SnapshotError>> {
    if records == 0 {
        return span.iter().all(u8::is_ascii_whitespace).then_some(Ok(()));
    }
    let mut record = vec![0u64; width];
    let mut at = 0;
    for i in 0..records {
        for (field, slot) in record.iter_mut().enumerate() {
            let last = closed && i + 1 == records && field + 1 == width;
            let (value, next) = parse_value(span, at, last)?;
            *slot = value;
            at = next;
        }
        if let Err(e) = slots.set(i, &record) {
            return Some(Err(e));
        }
    }
    (at == span.len()).then_some(Ok(()))
}

/// One value at `at` with the white space around it and, unless `last`
/// (which must end the span), the comma after it; returns it and where the
/// next one starts.
#[inline]
fn parse_value(span: &[u8], mut at: usize, last: bool) -> Option<(u64, usize)> {
    while span.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    let start = at;
    let mut value = 0u64;
    while let Some(&b) = span.get(at) {
        let digit = b.wrapping_sub(b'0');
        if digit >= 10 {
            break;
        }
        // Wraps only past 19 digits, which are rejected below.
        value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
        at += 1;
    }
    // A 20th digit may overflow: left to the exact scanner.
    if at == start || at - start > 19 {
        return None;
    }
    while span.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    if last {
        return (at == span.len()).then_some((value, at));
    }
    (span.get(at) == Some(&b',')).then_some((value, at + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots that collect values, to test the block logic alone.
    struct Collect<'a>(&'a mut [u64], usize);

    impl Slots for Collect<'_> {
        fn split_at(self, at: usize) -> (Self, Self) {
            let (a, b) = self.0.split_at_mut(at * self.1);
            (Collect(a, self.1), Collect(b, self.1))
        }
        fn set(&mut self, i: usize, record: &[u64]) -> Result<(), SnapshotError> {
            self.0[i * self.1..(i + 1) * self.1].copy_from_slice(record);
            Ok(())
        }
    }

    fn parse(text: &str, width: usize, at_start: bool) -> Option<(Block, Vec<u64>)> {
        let bytes = text.as_bytes();
        let block = plan_block(bytes, width, at_start)?;
        let mut values = vec![0; block.records * width];
        parse_block(bytes, &block, width, Collect(&mut values, width))?.ok()?;
        Some((block, values))
    }

    #[test]
    fn an_open_buffer_is_cut_after_its_last_whole_record() {
        let (block, values) = parse("1,2,3,4,5,6,7,8", 3, true).expect("parsed");
        assert_eq!(values, [1, 2, 3, 4, 5, 6]);
        assert_eq!((block.span, block.consumed, block.closed), (12, 12, false));
    }

    #[test]
    fn a_closed_array_ends_at_its_bracket() {
        let (block, values) = parse(" 1 ,\n2, 3\n,4 ] ,", 2, false).expect("parsed");
        assert_eq!(values, [1, 2, 3, 4]);
        assert!(block.closed);
        assert_eq!(block.consumed, 14);
    }

    #[test]
    fn an_empty_array_is_only_empty_right_after_its_bracket() {
        assert_eq!(parse("  ]", 3, true).expect("parsed").1, Vec::<u64>::new());
        assert!(parse("]", 3, false).is_none());
    }

    #[test]
    fn malformed_text_goes_to_the_exact_scanner() {
        for text in ["1,2,]", "1,-2]", "1,2.5]", "1,,2]", "1 2,3,4]", "1,2,3]"] {
            assert!(parse(text, 2, true).is_none(), "{text}");
        }
        assert!(parse(&format!("{},1]", "9".repeat(20)), 2, true).is_none());
    }

    #[test]
    fn a_big_buffer_closes_at_its_first_bracket() {
        let values = vec!["7"; 600_000].join(",");
        let bytes = format!("{values}],\"next\":[{values}]");
        let close = bytes.find(']').expect("a bracket");
        assert!(close < bytes.len() / 2 && bytes.len() > PARALLEL_BYTES);
        assert_eq!(find_close(bytes.as_bytes()), Some(close));
        let block = plan_block(bytes.as_bytes(), 3, true).expect("planned");
        assert_eq!((block.records, block.closed), (200_000, true));
        assert_eq!(
            find_close(&bytes.as_bytes()[close + 1..]),
            Some(bytes.len() - close - 2)
        );
    }

    #[test]
    fn a_big_block_splits_at_a_record_boundary_and_keeps_every_value() {
        let expected: Vec<u64> = (0..700_000).map(|i| i * 7919 % 100_003).collect();
        let text: Vec<String> = expected.iter().map(u64::to_string).collect();
        let text = format!("{}]", text.join(",\n"));
        let (block, values) = parse(&text, 7, true).expect("parsed");
        assert!(block.split.is_some_and(|(_, r)| r > 0 && r < block.records));
        assert_eq!(values, expected);
    }
}
