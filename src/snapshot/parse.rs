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

use std::collections::HashMap;
use std::io::Read;

use super::error::SnapshotError;
use super::graph::{HeapGraph, Location};
use super::meta::{Header, Layout};
use super::strings::{decode_json_string, StringTable};

const BUFFER_BYTES: usize = 4 << 20;
/// Cap on up-front reservations, so a lying header cannot make us allocate.
const MAX_RESERVE: u64 = 1 << 24;

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
            return Err(SnapshotError::NotJson {
                offset: stream.offset(),
                found: describe_byte(b),
            })
        }
    }
    if stream.peek_non_ws_in("the top-level object")? == b'}' {
        return Err(SnapshotError::NotHeapSnapshot(
            "the JSON object is empty".into(),
        ));
    }
    loop {
        let key = stream.read_key("the top-level object")?;
        sections.read(&mut stream, &key)?;
        match stream.next_non_ws_in("the top-level object")? {
            b',' => continue,
            b'}' => break,
            b => {
                return Err(stream.syntax(
                    "the top-level object",
                    &format!("expected , or }} but found {}", describe_byte(b)),
                ))
            }
        }
    }
    if let Some(b) = stream.peek_non_ws()? {
        return Err(stream.syntax(
            "the end of the file",
            &format!("unexpected {} after the snapshot", describe_byte(b)),
        ));
    }
    sections.finish()
}

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

impl Sections {
    fn read<R: Read>(&mut self, s: &mut Stream<'_, R>, key: &str) -> Result<(), SnapshotError> {
        if self.seen.iter().any(|k| k == key) {
            return Err(SnapshotError::DuplicateSection(key.to_owned()));
        }
        self.seen.push(key.to_owned());
        match key {
            "snapshot" => {
                let json = s.capture_object("the \"snapshot\" header")?;
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
                s.read_uint_array("locations", |v| {
                    values.push(v);
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
                s.skip_value(key)?;
            }
            _ => s.skip_value(key)?,
        }
        Ok(())
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

/// What one value of a node record is for.
#[derive(Clone, Copy)]
enum NodeField {
    Type,
    Name,
    Id,
    SelfSize,
    EdgeCount,
    Detachedness,
    Ignored,
}

fn read_nodes<R: Read>(s: &mut Stream<'_, R>, header: &Header) -> Result<Nodes, SnapshotError> {
    let layout = &header.layout;
    let fields: Vec<NodeField> = (0..layout.node_field_count)
        .map(|i| match i {
            _ if i == layout.node_type => NodeField::Type,
            _ if i == layout.node_name => NodeField::Name,
            _ if i == layout.node_id => NodeField::Id,
            _ if i == layout.node_self_size => NodeField::SelfSize,
            _ if i == layout.node_edge_count => NodeField::EdgeCount,
            _ if Some(i) == layout.node_detachedness => NodeField::Detachedness,
            _ => NodeField::Ignored,
        })
        .collect();
    let expected = header.node_count * fields.len() as u64;
    let reserve = header.node_count.min(MAX_RESERVE) as usize;
    let mut nodes = Nodes {
        node_type: Vec::with_capacity(reserve),
        name: Vec::with_capacity(reserve),
        id: Vec::with_capacity(reserve),
        self_size: Vec::with_capacity(reserve),
        edge_count: Vec::with_capacity(reserve),
        detachedness: Vec::with_capacity(if layout.node_detachedness.is_some() {
            reserve
        } else {
            0
        }),
    };
    let mut field = 0;
    let mut count = 0u64;
    let read =
        s.read_uint_array("nodes", |v| {
            count += 1;
            if count > expected {
                return Err(count_mismatch(
                    "nodes",
                    header.node_count,
                    fields.len(),
                    None,
                ));
            }
            let node = nodes.node_type.len();
            match fields[field] {
                NodeField::Type => nodes.node_type.push(
                    u8::try_from(v)
                        .ok()
                        .filter(|&t| t != u8::MAX)
                        .ok_or_else(|| {
                            SnapshotError::Invalid(format!("node {node}: type {v} is out of range"))
                        })?,
                ),
                NodeField::Name => nodes.name.push(to_u32(v, "nodes", "name")?),
                NodeField::Id => nodes.id.push(v),
                NodeField::SelfSize => nodes.self_size.push(to_u32(v, "nodes", "self_size")?),
                NodeField::EdgeCount => nodes.edge_count.push(to_u32(v, "nodes", "edge_count")?),
                NodeField::Detachedness => {
                    nodes.detachedness.push(u8::try_from(v.min(3)).unwrap_or(0))
                }
                NodeField::Ignored => {}
            }
            field = if field + 1 == fields.len() {
                0
            } else {
                field + 1
            };
            Ok(())
        })?;
    if read != expected {
        return Err(count_mismatch(
            "nodes",
            header.node_count,
            fields.len(),
            Some(read),
        ));
    }
    if nodes.node_type.is_empty() {
        return Err(SnapshotError::NotHeapSnapshot(
            "the snapshot has no nodes".into(),
        ));
    }
    Ok(nodes)
}

fn read_edges<R: Read>(
    s: &mut Stream<'_, R>,
    header: &Header,
    node_count: u64,
) -> Result<Edges, SnapshotError> {
    let layout = &header.layout;
    let width = layout.edge_field_count;
    let node_width = layout.node_field_count as u64;
    if header.edge_count >= u64::from(u32::MAX) {
        return Err(SnapshotError::TooLarge(format!(
            "{} edges; heaplens indexes edges with 32 bits",
            header.edge_count
        )));
    }
    let expected = header.edge_count * width as u64;
    let reserve = header.edge_count.min(MAX_RESERVE * 4) as usize;
    let mut edges = Edges {
        edge_type: Vec::with_capacity(reserve),
        name: Vec::with_capacity(reserve),
        to: Vec::with_capacity(reserve),
    };
    let mut field = 0;
    let mut count = 0u64;
    let read = s.read_uint_array("edges", |v| {
        count += 1;
        if count > expected {
            return Err(count_mismatch("edges", header.edge_count, width, None));
        }
        let edge = edges.to.len();
        if field == layout.edge_type {
            edges.edge_type.push(
                u8::try_from(v)
                    .ok()
                    .filter(|&t| t != u8::MAX)
                    .ok_or_else(|| SnapshotError::Invalid(format!("edge {edge}: type {v} is out of range")))?,
            );
        } else if field == layout.edge_name {
            edges.name.push(to_u32(v, "edges", "name_or_index")?);
        } else if field == layout.edge_to_node {
            if v % node_width != 0 {
                return Err(SnapshotError::Invalid(format!(
                    "edge {edge}: to_node {v} is not a multiple of the node field count {node_width}"
                )));
            }
            if v / node_width >= node_count {
                return Err(SnapshotError::Invalid(format!(
                    "edge {edge}: to_node {v} points past the last node ({node_count} nodes)"
                )));
            }
            edges.to.push((v / node_width) as u32);
        }
        field = if field + 1 == width { 0 } else { field + 1 };
        Ok(())
    })?;
    if read != expected {
        return Err(count_mismatch(
            "edges",
            header.edge_count,
            width,
            Some(read),
        ));
    }
    Ok(edges)
}

fn read_strings<R: Read>(s: &mut Stream<'_, R>) -> Result<StringTable, SnapshotError> {
    let section = "strings";
    let mut table = StringTable::default();
    if s.next_non_ws_in(section)? != b'[' {
        return Err(s.syntax(section, "expected an array of strings"));
    }
    if s.peek_non_ws_in(section)? == b']' {
        s.pos += 1;
        return Ok(table);
    }
    let mut raw = Vec::new();
    loop {
        if s.next_non_ws_in(section)? != b'"' {
            return Err(s.syntax(section, "expected a string"));
        }
        let start = s.offset();
        s.read_string_body(section, &mut raw)?;
        let text = decode_json_string(&raw).map_err(|m| SnapshotError::Syntax {
            section: format!("strings[{}]", table.len()),
            offset: start,
            message: m,
        })?;
        table.push(&text);
        match s.next_non_ws_in(section)? {
            b',' => {}
            b']' => return Ok(table),
            b => {
                return Err(s.syntax(
                    section,
                    &format!("expected , or ] but found {}", describe_byte(b)),
                ))
            }
        }
    }
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
        return Err(SnapshotError::CountMismatch {
            section: "edges",
            expected: format!("the nodes' edge_count fields add up to {total} edges"),
            actual: format!("{edge_total} edges"),
        });
    }
    Ok(first)
}

fn location_map(values: &[u64], layout: &Layout, node_count: usize) -> HashMap<u32, Location> {
    let Some(loc) = &layout.location else {
        return HashMap::new();
    };
    let node_width = layout.node_field_count as u64;
    values
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
        .collect()
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

fn to_u32(v: u64, section: &str, field: &str) -> Result<u32, SnapshotError> {
    u32::try_from(v).map_err(|_| {
        SnapshotError::Invalid(format!(
            "{section}: {field} value {v} does not fit in 32 bits"
        ))
    })
}

fn count_mismatch(
    section: &'static str,
    count: u64,
    width: usize,
    read: Option<u64>,
) -> SnapshotError {
    let noun = if section == "nodes" {
        "node_count"
    } else {
        "edge_count"
    };
    SnapshotError::CountMismatch {
        section,
        expected: format!("{noun} {count} ({} values)", count * width as u64),
        actual: match read {
            Some(n) => format!("{n} values"),
            None => "more values".into(),
        },
    }
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
            section: section.to_owned(),
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
        let key = decode_json_string(&raw).map_err(|m| self.syntax(section, &m))?;
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
                return Err(self.truncated(section, " (inside a string)".into()));
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
                        return Err(self.truncated(section, " (inside a string)".into()));
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

    /// Skips one JSON value of an unknown section.
    fn skip_value(&mut self, key: &str) -> Result<(), SnapshotError> {
        self.walk_value(&format!("the \"{key}\" section"), None)
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
        mut sink: impl FnMut(u64) -> Result<(), SnapshotError>,
    ) -> Result<u64, SnapshotError> {
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
        loop {
            if !self.fill()? {
                let how_far = format!(" after {count} values");
                return Err(self.truncated(&format!("\"{section}\""), how_far));
            }
            let chunk = &self.buf[self.pos..self.end];
            let mut consumed = 0;
            for &b in chunk {
                consumed += 1;
                if b.is_ascii_digit() {
                    if state == State::AfterValue {
                        self.pos += consumed - 1;
                        return Err(
                            self.syntax(section, &format!("missing , (after {count} values)"))
                        );
                    }
                    let Some(next) = value
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(u64::from(b - b'0')))
                    else {
                        self.pos += consumed;
                        return Err(self
                            .syntax(section, &format!("number too large (after {count} values)")));
                    };
                    value = next;
                    state = State::InNumber;
                    continue;
                }
                if state == State::InNumber {
                    if let Err(e) = sink(value) {
                        self.pos += consumed;
                        return Err(e);
                    }
                    count += 1;
                    value = 0;
                    state = State::AfterValue;
                }
                match b {
                    b' ' | b'\n' | b'\r' | b'\t' => {}
                    b',' if state == State::AfterValue => state = State::NeedValue,
                    b']' if state != State::NeedValue => {
                        self.pos += consumed;
                        return Ok(count);
                    }
                    _ => {
                        self.pos += consumed - 1;
                        let what = match b {
                            b'-' => "negative number".to_owned(),
                            b'.' | b'e' | b'E' => "fractional number".to_owned(),
                            b']' | b',' => "missing number".to_owned(),
                            _ => format!("unexpected {}", describe_byte(b)),
                        };
                        return Err(self.syntax(section, &format!("{what} (after {count} values)")));
                    }
                }
            }
            self.pos += consumed;
        }
    }
}
