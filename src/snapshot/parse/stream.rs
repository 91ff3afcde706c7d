//! The JSON lexer under the section walker: a buffered byte stream that
//! knows its absolute offset, skips and captures values, and scans the
//! integer arrays (the fast path by blocks, the exact scanner by byte).

use std::io::Read;

use super::super::error::SnapshotError;
use super::super::strings::{decode_json_string, try_grow};
use super::columns::{Records, Slots};
use super::{blocks, describe_byte, string_fault, ReadProgress, RecordCutter};

/// A buffered byte reader that knows its absolute offset.
pub(super) struct Stream<'p, R> {
    pub(super) reader: R,
    pub(super) buf: Vec<u8>,
    pub(super) pos: usize,
    pub(super) end: usize,
    pub(super) base: u64,
    pub(super) eof: bool,
    pub(super) progress: ReadProgress<'p>,
}

impl<'p, R: Read> Stream<'p, R> {
    pub(super) fn new(reader: R, progress: ReadProgress<'p>, buffer_bytes: usize) -> Self {
        Stream {
            reader,
            buf: vec![0; buffer_bytes.max(1)],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            progress,
        }
    }

    pub(super) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes at least one byte available; false at end of input.
    pub(super) fn fill(&mut self) -> Result<bool, SnapshotError> {
        if self.pos < self.end {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.base += self.end as u64;
        self.pos = 0;
        self.end = 0;
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end = n;
                    if !(self.progress)(self.base + n as u64) {
                        return Err(SnapshotError::Cancelled);
                    }
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    pub(super) fn truncated(&self, section: &str, progress: String) -> SnapshotError {
        SnapshotError::Truncated {
            place: format!("inside {section}"),
            offset: self.offset(),
            progress,
        }
    }

    pub(super) fn syntax(&self, section: &str, message: &str) -> SnapshotError {
        SnapshotError::Syntax {
            section: section.to_owned(),
            offset: self.offset(),
            message: message.to_owned(),
        }
    }

    pub(super) fn peek_non_ws(&mut self) -> Result<Option<u8>, SnapshotError> {
        loop {
            if !self.fill()? {
                return Ok(None);
            }
            let b = self.buf[self.pos];
            if !b.is_ascii_whitespace() {
                return Ok(Some(b));
            }
            self.pos += 1;
        }
    }

    pub(super) fn peek_non_ws_in(&mut self, section: &str) -> Result<u8, SnapshotError> {
        self.peek_non_ws()?
            .ok_or_else(|| self.truncated(section, String::new()))
    }

    pub(super) fn next_non_ws_in(&mut self, section: &str) -> Result<u8, SnapshotError> {
        let b = self.peek_non_ws_in(section)?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads `"key":` and returns the key.
    pub(super) fn read_key(&mut self, section: &str) -> Result<String, SnapshotError> {
        if self.next_non_ws_in(section)? != b'"' {
            return Err(self.syntax(section, "expected a quoted key"));
        }
        let mut raw = Vec::new();
        self.read_string_body(section, &mut raw)?;
        let key =
            decode_json_string(&raw).map_err(|m| self.syntax(section, &string_fault(&raw, m).1))?;
        if self.next_non_ws_in(section)? != b':' {
            return Err(self.syntax(section, "expected : after a key"));
        }
        Ok(key)
    }

    /// The string body after an opening quote when it has no escapes, is
    /// UTF-8 and ends in the buffer; otherwise None and nothing is consumed.
    pub(super) fn plain_string(&mut self) -> Option<&str> {
        let Stream { buf, pos, end, .. } = self;
        let chunk = &buf[*pos..*end];
        let close = memchr::memchr2(b'"', b'\\', chunk).filter(|&i| chunk[i] == b'"')?;
        let text = std::str::from_utf8(&chunk[..close]).ok()?;
        *pos += close + 1;
        Some(text)
    }

    /// Reads a string body after its opening quote into `out` (raw, still escaped).
    pub(super) fn read_string_body(
        &mut self,
        section: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), SnapshotError> {
        out.clear();
        loop {
            if !self.fill()? {
                return Err(self.truncated(section, String::new()));
            }
            let chunk = &self.buf[self.pos..self.end];
            // A quote ends the string unless an odd run of backslashes escapes it.
            match memchr::memchr2(b'"', b'\\', chunk) {
                Some(i) if chunk[i] == b'"' => {
                    append(out, &chunk[..i], section)?;
                    self.pos += i + 1;
                    return Ok(());
                }
                Some(i) => {
                    append(out, &chunk[..=i], section)?;
                    self.pos += i + 1;
                    if !self.fill()? {
                        return Err(self.truncated(section, String::new()));
                    }
                    out.push(self.buf[self.pos]);
                    self.pos += 1;
                }
                None => {
                    append(out, chunk, section)?;
                    self.pos = self.end;
                }
            }
        }
    }

    /// Copies the balanced JSON object at the cursor.
    pub(super) fn capture_object(&mut self, section: &str) -> Result<Vec<u8>, SnapshotError> {
        if self.peek_non_ws_in(section)? != b'{' {
            return Err(self.syntax(section, "expected an object"));
        }
        let mut out = Vec::new();
        self.walk_value(section, Some(&mut out))?;
        Ok(out)
    }

    /// Skips one JSON value of an unknown section (`section` is its quoted key).
    pub(super) fn skip_value(&mut self, section: &str) -> Result<(), SnapshotError> {
        self.walk_value(section, None)
    }

    /// Walks one JSON value, optionally copying its bytes. Containers are
    /// matched by depth; scalars end at the next , ] } or white space.
    pub(super) fn walk_value(
        &mut self,
        section: &str,
        mut copy: Option<&mut Vec<u8>>,
    ) -> Result<(), SnapshotError> {
        let mut depth = 0usize;
        let mut scratch = Vec::new();
        self.peek_non_ws_in(section)?;
        loop {
            if !self.fill()? {
                return Err(self.truncated(section, String::new()));
            }
            let b = self.buf[self.pos];
            match b {
                b'"' => {
                    self.pos += 1;
                    self.read_string_body(section, &mut scratch)?;
                    if let Some(out) = copy.as_deref_mut() {
                        out.push(b'"');
                        out.extend_from_slice(&scratch);
                        out.push(b'"');
                    }
                    if depth == 0 {
                        return Ok(());
                    }
                    continue;
                }
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                b',' if depth == 0 => return Ok(()),
                _ if depth == 0 && b.is_ascii_whitespace() => return Ok(()),
                _ => {}
            }
            self.pos += 1;
            if let Some(out) = copy.as_deref_mut() {
                out.push(b);
            }
            if depth == 0 && matches!(b, b']' | b'}') {
                return Ok(());
            }
        }
    }

    /// Reads `[...]` of unsigned integers in records of `width` values into
    /// `columns`, at most `promised` records; returns how many values there
    /// were. Reading stops at the first value past the promised records
    /// (the count returned is then one more than they hold): a header that
    /// promised 1 node over 20 GiB of `0,` read all of it, 53 s, before
    /// saying so.
    pub(super) fn read_records<C: Records>(
        &mut self,
        section: &str,
        width: usize,
        promised: u64,
        columns: &mut C,
    ) -> Result<u64, SnapshotError> {
        let read = self.fill_records(section, width, promised, columns);
        columns.seal();
        read
    }

    /// `read_records` but for the sealing. This is the hot loop of loading:
    /// whole buffers go through the two-thread fast path.
    pub(super) fn fill_records<C: Records>(
        &mut self,
        section: &str,
        width: usize,
        promised: u64,
        columns: &mut C,
    ) -> Result<u64, SnapshotError> {
        let section = format!("\"{section}\"");
        let section = section.as_str();
        if self.next_non_ws_in(section)? != b'[' {
            return Err(self.syntax(section, "expected an array of numbers"));
        }
        let mut at_start = true;
        loop {
            self.top_up()?;
            let bytes = &self.buf[self.pos..self.end];
            let Some(block) = blocks::plan_block(bytes, width, at_start)
                .filter(|b| (columns.len() + b.records) as u64 <= promised)
            else {
                break;
            };
            let before = columns.len();
            columns.extend(block.records, promised)?;
            match blocks::parse_block(bytes, &block, width, columns.slots_from(before)) {
                Some(Ok(())) => {}
                Some(Err(e)) => return Err(e),
                None => {
                    columns.truncate(before);
                    break;
                }
            }
            self.pos += block.consumed;
            at_start = false;
            if block.closed {
                return Ok((columns.len() * width) as u64);
            }
        }
        // The exact scanner reads the rest: it names every way an array
        // can be wrong, with its offset.
        let expected = promised.saturating_mul(width as u64);
        let mut count = (columns.len() * width) as u64;
        let mut records = RecordCutter::new(width);
        let start = if at_start {
            State::Start
        } else {
            State::NeedValue
        };
        self.scan_exact(section, start, count, expected, |values| {
            let keep = expected.saturating_sub(count).min(values.len() as u64) as usize;
            count += values.len() as u64;
            records.feed(&values[..keep], |r| {
                let at = columns.len();
                columns.extend(1, promised)?;
                columns.slots_from(at).set(0, r)
            })
        })
    }

    /// Moves the unread bytes to the front of the buffer and reads until it
    /// is full or the input ends.
    pub(super) fn top_up(&mut self) -> Result<(), SnapshotError> {
        self.buf.copy_within(self.pos..self.end, 0);
        self.base += self.pos as u64;
        self.end -= self.pos;
        self.pos = 0;
        while !self.eof && self.end < self.buf.len() {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.end += n;
                    if !(self.progress)(self.base + self.end as u64) {
                        return Err(SnapshotError::Cancelled);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// The byte-by-byte scanner of an integer array, from `state` with
    /// `count` values read before, handing values to `sink`; returns how
    /// many values the array held, or `limit + 1` as soon as it holds more
    /// than `limit`.
    pub(super) fn scan_exact(
        &mut self,
        section: &str,
        mut state: State,
        mut count: u64,
        limit: u64,
        mut sink: impl FnMut(&[u64]) -> Result<(), SnapshotError>,
    ) -> Result<u64, SnapshotError> {
        let mut value = 0u64;
        // Absolute offset of the number being read, for messages.
        let mut number_start = 0u64;
        loop {
            if !self.fill()? {
                return Err(self.truncated(section, format!(" after {count} values")));
            }
            let chunk = &self.buf[self.pos..self.end];
            let mut consumed = 0;
            for &b in chunk {
                consumed += 1;
                if b.is_ascii_digit() {
                    if state == State::InNumber {
                        let Some(next) = value
                            .checked_mul(10)
                            .and_then(|v| v.checked_add(u64::from(b - b'0')))
                        else {
                            return Err(SnapshotError::Syntax {
                                section: section.to_owned(),
                                offset: number_start,
                                message: format!(
                                    "number too large for 64 bits (after {count} values)"
                                ),
                            });
                        };
                        value = next;
                        continue;
                    }
                    if state == State::AfterValue {
                        self.pos += consumed - 1;
                        return Err(
                            self.syntax(section, &format!("missing , (after {count} values)"))
                        );
                    }
                    number_start = self.base + (self.pos + consumed - 1) as u64;
                    value = u64::from(b - b'0');
                    state = State::InNumber;
                    continue;
                }
                // Check what ends a number before handing it on: `1.5` is a
                // fractional number, not the value 1 followed by junk.
                if !matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b',' | b']') {
                    let in_number = state == State::InNumber;
                    self.pos += consumed - 1;
                    let (offset, what) = match b {
                        b'.' if in_number => (number_start, "fractional number".to_owned()),
                        b'e' | b'E' if in_number => {
                            (number_start, "number in exponent notation".to_owned())
                        }
                        b'-' if !in_number => (self.offset(), "negative number".to_owned()),
                        _ => (self.offset(), format!("unexpected {}", describe_byte(b))),
                    };
                    return Err(SnapshotError::Syntax {
                        section: section.to_owned(),
                        offset,
                        message: format!("{what} (after {count} values)"),
                    });
                }
                if state == State::InNumber {
                    if let Err(e) = sink(&[value]) {
                        self.pos += consumed;
                        return Err(e);
                    }
                    count += 1;
                    state = State::AfterValue;
                    if count > limit {
                        self.pos += consumed;
                        return Ok(count);
                    }
                }
                match b {
                    b',' if state == State::AfterValue => state = State::NeedValue,
                    b']' if state != State::NeedValue => {
                        self.pos += consumed;
                        return Ok(count);
                    }
                    b',' | b']' => {
                        self.pos += consumed - 1;
                        return Err(
                            self.syntax(section, &format!("missing number (after {count} values)"))
                        );
                    }
                    _ => {}
                }
            }
            self.pos += consumed;
        }
    }
}

/// Appends a string's bytes to `out`, failing when it cannot grow: a
/// string can be most of a snapshot.
fn append(out: &mut Vec<u8>, bytes: &[u8], section: &str) -> Result<(), SnapshotError> {
    try_grow(out, bytes.len()).map_err(|needed| SnapshotError::OutOfMemory {
        needed: needed as u64,
        what: format!("a string in {section}"),
    })?;
    out.extend_from_slice(bytes);
    Ok(())
}

/// Where the exact scanner is in an integer array.
#[derive(PartialEq)]
pub(super) enum State {
    /// Right after `[`.
    Start,
    InNumber,
    AfterValue,
    /// After a comma.
    NeedValue,
}
