//! Streaming parser: bytes of a `.heapsnapshot` → [`HeapGraph`].
//!
//! The file is read once, front to back, through a fixed buffer; the node and
//! edge arrays go straight into struct-of-arrays vectors and no JSON DOM is
//! ever built (a DOM of a 1 GB snapshot costs several GB). Only the small
//! `snapshot` header goes through serde. This reads gzip and standard input
//! as easily as files, and knows at every byte which section it is in, so a
//! truncated capture is reported with the section and how far it got.
//!
//! Integer arrays use a hand-written scanner rather than simd-json: the
//! arrays are ~85% of the file, hold only unsigned decimals, and simd-json
//! would need the whole file in memory plus a tape of 16 bytes per number
//! (≈ 3× the file) before a single value reaches our arrays.

use std::io::Read;

use super::error::SnapshotError;
use super::graph::{HeapGraph, Location, Locations};
use super::meta::{Header, Layout};
use super::strings::{decode_json_string, StringTable};

const BUFFER_BYTES: usize = 8 << 20;
/// First reservation per array, in records. Arrays then grow by doubling,
/// capped at the header's count: a truthful header ends with exact
/// capacities, and a lying one (`node_count` 4e9 over a tiny array) cannot
/// make us reserve gigabytes, which would abort under a memory limit.
const FIRST_RESERVE: usize = 1 << 16;

/// Called with the number of bytes read so far; returns false to cancel.
pub type ReadProgress<'a> = &'a mut dyn FnMut(u64) -> bool;

/// Parses a whole snapshot from `reader`.
pub fn parse_snapshot(
    reader: impl Read,
    progress: ReadProgress<'_>,
) -> Result<HeapGraph, SnapshotError> {
    let mut stream = Stream::new(reader, progress);
    let mut sections = Sections::default();
    match stream.peek_non_ws()? {
        None => return Err(SnapshotError::Empty),
        Some(b'{') => stream.pos += 1,
        Some(b) => {
            let json = match b {
                b'[' => Some("array"),
                b'"' => Some("string"),
                b'-' | b'0'..=b'9' => Some("number"),
                _ => None,
            };
            return Err(match json {
                Some(what) => SnapshotError::NotHeapSnapshot(format!(
                    "the file holds a JSON {what}, not an object"
                )),
                None => SnapshotError::NotJson {
                    offset: stream.offset(),
                    found: describe_byte(b),
                },
            });
        }
    }
    if stream.peek_non_ws_in(TOP).map_err(|e| sections.at_top(e))? == b'}' {
        return Err(SnapshotError::NotHeapSnapshot(
            "the JSON object is empty".into(),
        ));
    }
    loop {
        let key = stream.read_key(TOP).map_err(|e| sections.at_top(e))?;
        sections.read(&mut stream, &key)?;
        match stream.next_non_ws_in(TOP).map_err(|e| sections.at_top(e))? {
            b',' => continue,
            b'}' => break,
            b => {
                return Err(stream.syntax(
                    TOP,
                    &format!("expected , or }} but found {}", describe_byte(b)),
                ))
            }
        }
    }
    if let Some(b) = stream.peek_non_ws()? {
        return Err(SnapshotError::Invalid(format!(
            "unexpected {} at byte {} after the end of the snapshot",
            describe_byte(b),
            stream.offset()
        )));
    }
    sections.finish()
}

/// How syntax errors name the JSON around the sections.
const TOP: &str = "top-level object";

/// What has been read so far.
#[derive(Default)]
struct Sections {
    header: Option<Header>,
    nodes: Option<Nodes>,
    edges: Option<Edges>,
    strings: Option<StringTable>,
    locations: Option<Vec<u64>>,
    seen: Vec<String>,
    foreign_keys: usize,
}

#[derive(Default)]
struct Nodes {
    node_type: Vec<u8>,
    name: Vec<u32>,
    id: Vec<u64>,
    self_size: Vec<u32>,
    edge_count: Vec<u32>,
    detachedness: Vec<u8>,
}

#[derive(Default)]
struct Edges {
    edge_type: Vec<u8>,
    name: Vec<u32>,
    to: Vec<u32>,
}

/// How many more records to reserve when `len` fill the arrays and the
/// header promises `promised`.
fn next_reserve(len: usize, promised: u64) -> usize {
    let remaining = promised.saturating_sub(len as u64);
    (len.max(FIRST_RESERVE) as u64).min(remaining).max(1) as usize
}

impl Nodes {
    fn grow(&mut self, promised: u64, detachedness: bool) {
        let more = next_reserve(self.node_type.len(), promised);
        self.node_type.reserve_exact(more);
        self.name.reserve_exact(more);
        self.id.reserve_exact(more);
        self.self_size.reserve_exact(more);
        self.edge_count.reserve_exact(more);
        if detachedness {
            self.detachedness.reserve_exact(more);
        }
    }
}

impl Edges {
    fn grow(&mut self, promised: u64) {
        let more = next_reserve(self.to.len(), promised);
        self.edge_type.reserve_exact(more);
        self.name.reserve_exact(more);
        self.to.reserve_exact(more);
    }
}

impl Sections {
    fn read<R: Read>(&mut self, s: &mut Stream<'_, R>, key: &str) -> Result<(), SnapshotError> {
        if self.seen.iter().any(|k| k == key) {
            return Err(SnapshotError::DuplicateSection(short_key(key)));
        }
        self.seen.push(key.to_owned());
        match key {
            "snapshot" => {
                let json = s.capture_object("\"snapshot\"")?;
                let has_meta = serde_json::from_slice::<serde_json::Value>(&json)
                    .map_or(true, |v| !v.is_object() || v.get("meta").is_some());
                if !has_meta {
                    return Err(SnapshotError::Meta("\"meta\" is missing".into()));
                }
                self.header = Some(Header::parse(&json)?);
            }
            "nodes" => {
                let header = self.header_before(key)?;
                self.nodes = Some(read_nodes(s, header)?);
            }
            "edges" => {
                let header = self.header_before(key)?;
                let nodes = self.nodes.as_ref().ok_or_else(|| {
                    SnapshotError::NotHeapSnapshot("\"edges\" comes before \"nodes\"".into())
                })?;
                self.edges = Some(read_edges(s, header, nodes.node_type.len() as u64)?);
            }
            "strings" => self.strings = Some(read_strings(s)?),
            "locations" if self.header.is_some() => {
                let mut values = Vec::new();
                s.read_uint_array("locations", |batch| {
                    values.extend_from_slice(batch);
                    Ok(())
                })?;
                self.locations = Some(values);
            }
            // JavaScriptCore (Bun, Safari) starts with these keys.
            "version" | "type" | "nodeClassNames" if self.header.is_none() => {
                self.foreign_keys += 1;
                if self.foreign_keys >= 2 || key == "nodeClassNames" {
                    return Err(SnapshotError::JavaScriptCore);
                }
                s.skip_value(&quoted_key(key))?;
            }
            _ => s.skip_value(&quoted_key(key))?,
        }
        Ok(())
    }

    /// Rewords a truncation between sections: say which one was complete.
    fn at_top(&self, error: SnapshotError) -> SnapshotError {
        match error {
            SnapshotError::Truncated {
                offset, progress, ..
            } => SnapshotError::Truncated {
                place: match self.seen.last().map(String::as_str) {
                    None => "before the \"snapshot\" header".to_owned(),
                    Some("snapshot") => "after the \"snapshot\" header".to_owned(),
                    Some(key) => format!("after the {} section", quoted_key(key)),
                },
                offset,
                progress,
            },
            other => other,
        }
    }

    fn header_before(&self, key: &str) -> Result<&Header, SnapshotError> {
        self.header.as_ref().ok_or_else(|| {
            if self.foreign_keys > 0 {
                SnapshotError::JavaScriptCore
            } else {
                SnapshotError::NotHeapSnapshot(format!(
                    "\"{key}\" comes before the \"snapshot\" header"
                ))
            }
        })
    }

    fn finish(self) -> Result<HeapGraph, SnapshotError> {
        let header = self.header.ok_or_else(|| {
            if self.foreign_keys > 0 {
                SnapshotError::JavaScriptCore
            } else {
                SnapshotError::NotHeapSnapshot("no \"snapshot\" header".into())
            }
        })?;
        let nodes = self.nodes.ok_or(SnapshotError::MissingSection("nodes"))?;
        let edges = self.edges.ok_or(SnapshotError::MissingSection("edges"))?;
        let strings = self
            .strings
            .ok_or(SnapshotError::MissingSection("strings"))?;
        let layout = header.layout;
        check_string_indexes(&nodes, &edges, &layout, &strings)?;
        let first_edge = edge_offsets(&nodes.edge_count, edges.to.len())?;
        let node_count = nodes.node_type.len();
        let locations = self
            .locations
            .map(|l| location_map(&l, &layout, node_count))
            .unwrap_or_default();
        let root = root_ordinal(header.root_index, &layout, node_count)?;
        Ok(HeapGraph {
            detachedness: if layout.node_detachedness.is_some() {
                nodes.detachedness
            } else {
                vec![0; node_count]
            },
            layout,
            strings,
            node_type: nodes.node_type,
            node_name: nodes.name,
            node_id: nodes.id,
            self_size: nodes.self_size,
            first_edge,
            edge_type: edges.edge_type,
            edge_name: edges.name,
            edge_to: edges.to,
            first_retainer: Vec::new(),
            retainer_edge: Vec::new(),
            retainer_node: Vec::new(),
            locations,
            root,
            extra_native_bytes: header.extra_native_bytes,
        })
    }
}

fn read_nodes<R: Read>(s: &mut Stream<'_, R>, header: &Header) -> Result<Nodes, SnapshotError> {
    let layout = &header.layout;
    if header.node_count >= u64::from(u32::MAX) {
        return Err(SnapshotError::TooLarge(format!(
            "{} nodes; heaplens indexes nodes with 32 bits",
            header.node_count
        )));
    }
    let width = layout.node_field_count;
    let expected = header.node_count.saturating_mul(width as u64);
    let mut nodes = Nodes::default();
    let mut records = RecordCutter::new(width);
    let mut count = 0u64;
    let read = s.read_uint_array("nodes", |values| {
        // Past the promised count, values are only counted, for the message.
        let keep = expected.saturating_sub(count).min(values.len() as u64) as usize;
        count += values.len() as u64;
        records.feed(&values[..keep], |r| push_node(&mut nodes, r, header))
    })?;
    if read != expected {
        return Err(count_mismatch("nodes", header.node_count, width, read));
    }
    if nodes.node_type.is_empty() {
        return Err(SnapshotError::NotHeapSnapshot(
            "the snapshot has no nodes".into(),
        ));
    }
    Ok(nodes)
}

/// Appends one node record (its fields in `layout` order).
fn push_node(nodes: &mut Nodes, r: &[u64], header: &Header) -> Result<(), SnapshotError> {
    let layout = &header.layout;
    let node = nodes.node_type.len() as u64;
    if nodes.node_type.len() == nodes.node_type.capacity() {
        nodes.grow(header.node_count, layout.node_detachedness.is_some());
    }
    let node_type = r[layout.node_type];
    nodes.node_type.push(
        u8::try_from(node_type)
            .ok()
            .filter(|&t| t != u8::MAX)
            .ok_or_else(|| {
                SnapshotError::Invalid(format!("node {node}: type {node_type} is out of range"))
            })?,
    );
    nodes
        .name
        .push(to_u32(r[layout.node_name], "node", node, "name")?);
    nodes.id.push(r[layout.node_id]);
    nodes
        .self_size
        .push(to_u32(r[layout.node_self_size], "node", node, "self_size")?);
    nodes.edge_count.push(to_u32(
        r[layout.node_edge_count],
        "node",
        node,
        "edge_count",
    )?);
    if let Some(d) = layout.node_detachedness {
        nodes
            .detachedness
            .push(u8::try_from(r[d].min(3)).unwrap_or(0));
    }
    Ok(())
}

/// Cuts batches of values into records of `width` values, carrying a
/// partial record over to the next batch. Handling whole records (instead
/// of dispatching on the field of every value) halves the cost of filling
/// the node and edge columns.
struct RecordCutter {
    width: usize,
    pending: Vec<u64>,
}

impl RecordCutter {
    fn new(width: usize) -> Self {
        RecordCutter {
            width: width.max(1),
            pending: Vec::new(),
        }
    }

    fn feed(
        &mut self,
        mut values: &[u64],
        mut each: impl FnMut(&[u64]) -> Result<(), SnapshotError>,
    ) -> Result<(), SnapshotError> {
        if !self.pending.is_empty() {
            let take = (self.width - self.pending.len()).min(values.len());
            self.pending.extend_from_slice(&values[..take]);
            values = &values[take..];
            if self.pending.len() < self.width {
                return Ok(());
            }
            each(&self.pending)?;
            self.pending.clear();
        }
        let mut records = values.chunks_exact(self.width);
        for record in &mut records {
            each(record)?;
        }
        self.pending.extend_from_slice(records.remainder());
        Ok(())
    }
}

fn read_edges<R: Read>(
    s: &mut Stream<'_, R>,
    header: &Header,
    node_count: u64,
) -> Result<Edges, SnapshotError> {
    let layout = &header.layout;
    let width = layout.edge_field_count;
    if header.edge_count >= u64::from(u32::MAX) {
        return Err(SnapshotError::TooLarge(format!(
            "{} edges; heaplens indexes edges with 32 bits",
            header.edge_count
        )));
    }
    let expected = header.edge_count.saturating_mul(width as u64);
    let mut edges = Edges::default();
    let mut records = RecordCutter::new(width);
    let mut count = 0u64;
    let read = s.read_uint_array("edges", |values| {
        let keep = expected.saturating_sub(count).min(values.len() as u64) as usize;
        count += values.len() as u64;
        records.feed(&values[..keep], |r| {
            push_edge(&mut edges, r, header, node_count)
        })
    })?;
    if read != expected {
        return Err(count_mismatch("edges", header.edge_count, width, read));
    }
    Ok(edges)
}

/// Appends one edge record, resolving `to_node` (a node index) to an ordinal.
fn push_edge(
    edges: &mut Edges,
    r: &[u64],
    header: &Header,
    node_count: u64,
) -> Result<(), SnapshotError> {
    let layout = &header.layout;
    let edge = edges.to.len() as u64;
    if edges.to.len() == edges.to.capacity() {
        edges.grow(header.edge_count);
    }
    let edge_type = r[layout.edge_type];
    edges.edge_type.push(
        u8::try_from(edge_type)
            .ok()
            .filter(|&t| t != u8::MAX)
            .ok_or_else(|| {
                SnapshotError::Invalid(format!("edge {edge}: type {edge_type} is out of range"))
            })?,
    );
    edges
        .name
        .push(to_u32(r[layout.edge_name], "edge", edge, "name_or_index")?);
    let to = r[layout.edge_to_node];
    let node_width = layout.node_field_count as u64;
    let Some(ordinal) = divide_exact(to, node_width) else {
        return Err(SnapshotError::Invalid(format!(
            "edge {edge}: to_node {to} is not a multiple of the node field count {node_width}"
        )));
    };
    if ordinal >= node_count {
        return Err(SnapshotError::Invalid(format!(
            "edge {edge}: to_node {to} points past the last node ({node_count} nodes)"
        )));
    }
    edges.to.push(ordinal as u32);
    Ok(())
}

fn read_strings<R: Read>(s: &mut Stream<'_, R>) -> Result<StringTable, SnapshotError> {
    let mut table = StringTable::default();
    read_strings_into(s, &mut table).map_err(|e| match e {
        SnapshotError::Truncated { place, offset, .. } => SnapshotError::Truncated {
            place,
            offset,
            progress: format!(" after {} strings", table.len()),
        },
        other => other,
    })?;
    Ok(table)
}

fn read_strings_into<R: Read>(
    s: &mut Stream<'_, R>,
    table: &mut StringTable,
) -> Result<(), SnapshotError> {
    let section = "\"strings\"";
    if s.next_non_ws_in(section)? != b'[' {
        return Err(s.syntax(section, "expected an array of strings"));
    }
    if s.peek_non_ws_in(section)? == b']' {
        s.pos += 1;
        return Ok(());
    }
    let mut raw = Vec::new();
    loop {
        if s.next_non_ws_in(section)? != b'"' {
            return Err(s.syntax(
                section,
                &format!("expected a string (after {} strings)", table.len()),
            ));
        }
        let start = s.offset();
        s.read_string_body(section, &mut raw)?;
        // Most strings have no escapes: those go from the buffer straight
        // into the table, without an intermediate String.
        let plain = (!raw.contains(&b'\\'))
            .then(|| std::str::from_utf8(&raw).ok())
            .flatten();
        match plain {
            Some(text) => {
                table.push(text);
            }
            None => {
                let text = decode_json_string(&raw).map_err(|m| {
                    let (at, what) = string_fault(&raw, m);
                    SnapshotError::Syntax {
                        section: section.to_owned(),
                        offset: start + at as u64,
                        message: format!("{what} in string {}", table.len()),
                    }
                })?;
                table.push(&text);
            }
        }
        match s.next_non_ws_in(section)? {
            b',' => {}
            b']' => return Ok(()),
            b => {
                return Err(s.syntax(
                    section,
                    &format!("expected , or ] but found {}", describe_byte(b)),
                ))
            }
        }
    }
}

/// Where in a raw string body decoding failed, and why in a few words
/// (`decode_json_string` only says why).
fn string_fault(raw: &[u8], message: String) -> (usize, String) {
    if let Err(e) = std::str::from_utf8(raw) {
        return (e.valid_up_to(), "invalid UTF-8".to_owned());
    }
    let mut i = 0;
    while let Some(p) = raw[i..].iter().position(|&b| b == b'\\') {
        let at = i + p;
        match raw.get(at + 1) {
            Some(b'u') => {
                let hex = raw.get(at + 2..at + 6);
                if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                    return (at, "bad \\u escape".to_owned());
                }
                i = at + 6;
            }
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i = at + 2,
            Some(_) | None => return (at, message),
        }
    }
    (0, message)
}

fn check_string_indexes(
    nodes: &Nodes,
    edges: &Edges,
    layout: &Layout,
    strings: &StringTable,
) -> Result<(), SnapshotError> {
    let len = strings.len() as u64;
    if let Some(node) = nodes.name.iter().position(|&n| u64::from(n) >= len) {
        return Err(SnapshotError::Invalid(format!(
            "node {node}: name index {} is past the end of strings ({len} strings)",
            nodes.name[node]
        )));
    }
    let numeric = |t: u8| t == layout.types.edge_element || t == layout.types.edge_hidden;
    let bad = (0..edges.name.len())
        .find(|&e| !numeric(edges.edge_type[e]) && u64::from(edges.name[e]) >= len);
    if let Some(edge) = bad {
        return Err(SnapshotError::Invalid(format!(
            "edge {edge}: name index {} is past the end of strings ({len} strings)",
            edges.name[edge]
        )));
    }
    Ok(())
}

fn edge_offsets(counts: &[u32], edge_total: usize) -> Result<Vec<u32>, SnapshotError> {
    let mut first = Vec::with_capacity(counts.len() + 1);
    let mut sum = 0u64;
    first.push(0);
    for &c in counts {
        sum += u64::from(c);
        if sum > edge_total as u64 {
            break;
        }
        first.push(sum as u32);
    }
    if sum != edge_total as u64 || first.len() != counts.len() + 1 {
        let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
        return Err(SnapshotError::EdgeSum {
            sum: total,
            actual: edge_total as u64,
        });
    }
    Ok(first)
}

fn location_map(values: &[u64], layout: &Layout, node_count: usize) -> Locations {
    let Some(loc) = &layout.location else {
        return Locations::default();
    };
    let node_width = layout.node_field_count as u64;
    let entries = values
        .chunks_exact(loc.field_count.max(1))
        .filter(|e| {
            e[loc.object_index] % node_width == 0
                && e[loc.object_index] / node_width < node_count as u64
        })
        .map(|e| {
            let location = Location {
                script_id: e[loc.script_id],
                line: e[loc.line],
                column: e[loc.column],
            };
            ((e[loc.object_index] / node_width) as u32, location)
        })
        .collect();
    Locations::from_entries(entries)
}

fn root_ordinal(root_index: u64, layout: &Layout, node_count: usize) -> Result<u32, SnapshotError> {
    let width = layout.node_field_count as u64;
    let ordinal = root_index / width;
    if root_index % width != 0 || (ordinal != 0 && ordinal + 1 != node_count as u64) {
        return Err(SnapshotError::Invalid(format!(
            "snapshot.root_index {root_index} is not the first or the last node"
        )));
    }
    Ok(ordinal as u32)
}

fn to_u32(v: u64, record: &str, index: u64, field: &str) -> Result<u32, SnapshotError> {
    u32::try_from(v).map_err(|_| {
        SnapshotError::Invalid(format!(
            "{record} {index}: {field} {v} does not fit in 32 bits"
        ))
    })
}

fn count_mismatch(section: &'static str, count: u64, width: usize, read: u64) -> SnapshotError {
    let noun = if section == "nodes" {
        "node_count"
    } else {
        "edge_count"
    };
    SnapshotError::CountMismatch {
        section,
        expected: format!("{noun} {count} ({} values)", count * width as u64),
        actual: format!("{read} values"),
    }
}

/// A key from the file, shortened and stripped of control characters for
/// messages: keys are not secrets, but a corrupt file can hold anything.
fn short_key(key: &str) -> String {
    const MAX: usize = 24;
    let mut out: String = key
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if key.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

fn quoted_key(key: &str) -> String {
    format!("\"{}\"", short_key(key))
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", char::from(b))
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// A buffered byte reader that knows its absolute offset.
struct Stream<'p, R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    base: u64,
    eof: bool,
    progress: ReadProgress<'p>,
}

impl<'p, R: Read> Stream<'p, R> {
    fn new(reader: R, progress: ReadProgress<'p>) -> Self {
        Stream {
            reader,
            buf: vec![0; BUFFER_BYTES],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            progress,
        }
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes at least one byte available; false at end of input.
    fn fill(&mut self) -> Result<bool, SnapshotError> {
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

    fn truncated(&self, section: &str, progress: String) -> SnapshotError {
        SnapshotError::Truncated {
            place: format!("inside {section}"),
            offset: self.offset(),
            progress,
        }
    }

    fn syntax(&self, section: &str, message: &str) -> SnapshotError {
        SnapshotError::Syntax {
            section: section.to_owned(),
            offset: self.offset(),
            message: message.to_owned(),
        }
    }

    fn peek_non_ws(&mut self) -> Result<Option<u8>, SnapshotError> {
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

    fn peek_non_ws_in(&mut self, section: &str) -> Result<u8, SnapshotError> {
        self.peek_non_ws()?
            .ok_or_else(|| self.truncated(section, String::new()))
    }

    fn next_non_ws_in(&mut self, section: &str) -> Result<u8, SnapshotError> {
        let b = self.peek_non_ws_in(section)?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads `"key":` and returns the key.
    fn read_key(&mut self, section: &str) -> Result<String, SnapshotError> {
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

    /// Reads a string body after its opening quote into `out` (raw, still escaped).
    fn read_string_body(&mut self, section: &str, out: &mut Vec<u8>) -> Result<(), SnapshotError> {
        out.clear();
        loop {
            if !self.fill()? {
                return Err(self.truncated(section, String::new()));
            }
            let chunk = &self.buf[self.pos..self.end];
            // A quote ends the string unless an odd run of backslashes escapes it.
            match chunk.iter().position(|&b| b == b'"' || b == b'\\') {
                Some(i) if chunk[i] == b'"' => {
                    out.extend_from_slice(&chunk[..i]);
                    self.pos += i + 1;
                    return Ok(());
                }
                Some(i) => {
                    out.extend_from_slice(&chunk[..=i]);
                    self.pos += i + 1;
                    if !self.fill()? {
                        return Err(self.truncated(section, String::new()));
                    }
                    out.push(self.buf[self.pos]);
                    self.pos += 1;
                }
                None => {
                    out.extend_from_slice(chunk);
                    self.pos = self.end;
                }
            }
        }
    }

    /// Copies the balanced JSON object at the cursor.
    fn capture_object(&mut self, section: &str) -> Result<Vec<u8>, SnapshotError> {
        if self.peek_non_ws_in(section)? != b'{' {
            return Err(self.syntax(section, "expected an object"));
        }
        let mut out = Vec::new();
        self.walk_value(section, Some(&mut out))?;
        Ok(out)
    }

    /// Skips one JSON value of an unknown section (`section` is its quoted key).
    fn skip_value(&mut self, section: &str) -> Result<(), SnapshotError> {
        self.walk_value(section, None)
    }

    /// Walks one JSON value, optionally copying its bytes. Containers are
    /// matched by depth; scalars end at the next , ] } or white space.
    fn walk_value(
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

    /// Reads `[n, n, ...]` of unsigned decimal integers, handing each to
    /// `sink`; returns how many there were. This is the hot loop of loading.
    fn read_uint_array(
        &mut self,
        section: &str,
        mut sink: impl FnMut(&[u64]) -> Result<(), SnapshotError>,
    ) -> Result<u64, SnapshotError> {
        let section = format!("\"{section}\"");
        let section = section.as_str();
        if self.next_non_ws_in(section)? != b'[' {
            return Err(self.syntax(section, "expected an array of numbers"));
        }
        #[derive(PartialEq)]
        enum State {
            Start,
            InNumber,
            AfterValue,
            NeedValue,
        }
        let mut state = State::Start;
        let mut count = 0u64;
        let mut value = 0u64;
        // Absolute offset of the number being read, for messages.
        let mut number_start = 0u64;
        // After the fast scanner rejected this buffer, the exact scanner
        // below reads it to its end to find and report the problem.
        let mut exact_to_end = false;
        loop {
            if !self.fill()? {
                return Err(self.truncated(section, format!(" after {count} values")));
            }
            if state != State::InNumber && !exact_to_end {
                let after_value = state == State::AfterValue;
                let at_start = state == State::Start;
                match fast_scan_block(&self.buf[self.pos..self.end], after_value, at_start) {
                    Some(block) => {
                        sink(&block.values)?;
                        count += block.values.len() as u64;
                        self.pos += block.consumed;
                        if block.closed {
                            return Ok(count);
                        }
                        // An open block ends with a comma.
                        state = State::NeedValue;
                        continue;
                    }
                    None => exact_to_end = true,
                }
            }
            let chunk = &self.buf[self.pos..self.end];
            let mut consumed = 0;
            // Coming back from a number split across buffers, the exact
            // scanner only finishes that number; the fast one goes on.
            let resume_fast = state == State::InNumber && !exact_to_end;
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
                    if resume_fast {
                        consumed -= 1;
                        break;
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
            if self.pos == self.end {
                exact_to_end = false;
            }
        }
    }
}

/// What the fast scanner made of a buffer.
struct FastBlock {
    values: Vec<u64>,
    /// Bytes used: up to the last complete value and its comma, or past `]`.
    consumed: usize,
    /// The array's `]` was reached.
    closed: bool,
}

/// Blocks above this size are scanned on two threads.
const PARALLEL_SCAN_BYTES: usize = 1 << 20;

/// Scans the complete numbers of `bytes` (the array continues in it, after
/// a number when `after_value`). Stops before a number the buffer cuts off.
/// Returns None on anything but well-formed unsigned decimals (signs,
/// fractions, junk, numbers of 20 digits): the exact scanner then reports
/// the problem with its offset.
///
/// This fast path (split in two halves at a comma, scanned with rayon)
/// reads the node and edge arrays at ~2× the speed of the byte-by-byte
/// state machine it falls back to.
fn fast_scan_block(bytes: &[u8], after_value: bool, at_start: bool) -> Option<FastBlock> {
    let close = memchr::memchr(b']', bytes);
    let (span, closed) = match close {
        Some(at) => (&bytes[..at], true),
        None => {
            let last_comma = memchr::memrchr(b',', bytes)?;
            (&bytes[..=last_comma], false)
        }
    };
    let split = if span.len() > PARALLEL_SCAN_BYTES {
        memchr::memchr(b',', &span[span.len() / 2..]).map(|p| span.len() / 2 + p + 1)
    } else {
        None
    };
    let (values, ends_after_value) = match split {
        Some(mid) => {
            let (first, second) = rayon::join(
                || scan_numbers(&span[..mid], after_value),
                || scan_numbers(&span[mid..], false),
            );
            let (mut values, _) = first?;
            let (rest, ends) = second?;
            values.extend_from_slice(&rest);
            (values, ends)
        }
        None => scan_numbers(span, after_value)?,
    };
    // `1,]` or `[1, ]`: the exact scanner names the missing number.
    if closed && !ends_after_value && !(at_start && values.is_empty()) {
        return None;
    }
    Some(FastBlock {
        consumed: span.len() + usize::from(closed),
        values,
        closed,
    })
}

/// Numbers separated by commas and white space. `after_value`: the span
/// continues right after a number, so a comma must come first. Also says
/// whether the span ends right after a number.
fn scan_numbers(span: &[u8], after_value: bool) -> Option<(Vec<u64>, bool)> {
    let mut values = Vec::with_capacity(span.len() / 4);
    let mut value = 0u64;
    let mut digits = 0u32;
    let mut expect_number = !after_value;
    for &b in span {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            // A 20th digit may overflow: left to the exact scanner.
            if !expect_number || digits == 19 {
                return None;
            }
            value = value * 10 + u64::from(d);
            digits += 1;
            continue;
        }
        if digits > 0 {
            values.push(value);
            value = 0;
            digits = 0;
            expect_number = false;
        }
        match b {
            b',' if !expect_number => expect_number = true,
            b' ' | b'\n' | b'\r' | b'\t' => {}
            _ => return None,
        }
    }
    if digits > 0 {
        values.push(value);
        expect_number = false;
    }
    Some((values, !expect_number))
}

/// `v / width` when `v` is a multiple of `width`. Node records have 5 to 7
/// fields; dividing by a constant compiles to a multiply, a runtime `/` on
/// every one of 35 M edges costs ~0.3 s.
fn divide_exact(v: u64, width: u64) -> Option<u64> {
    let ordinal = match width {
        5 => v / 5,
        6 => v / 6,
        7 => v / 7,
        w => v / w,
    };
    (ordinal * width == v).then_some(ordinal)
}

/// Reads only the `snapshot` header at the start of a file, for a memory
/// estimate before loading. `None` when the header does not come first.
pub fn read_header(reader: impl Read) -> Result<Option<Header>, SnapshotError> {
    let mut no_progress = |_| true;
    let mut stream = Stream::new(reader, &mut no_progress);
    if stream.peek_non_ws()? != Some(b'{') {
        return Ok(None);
    }
    stream.pos += 1;
    loop {
        match stream.read_key(TOP)?.as_str() {
            "snapshot" => {
                let json = stream.capture_object("\"snapshot\"")?;
                return Header::parse(&json).map(Some);
            }
            "nodes" | "edges" | "strings" => return Ok(None),
            key => stream.skip_value(key)?,
        }
        if stream.next_non_ws_in(TOP)? != b',' {
            return Ok(None);
        }
    }
}
