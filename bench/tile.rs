//! `tile`: writes a V8 heap snapshot holding N copies of another one's
//! graph under a single root, to benchmark heaplens on 2–4 GB snapshots of
//! a real shape that this machine cannot make Node write.
//!
//! ```text
//! cargo run --release --example tile -- INPUT OUTPUT --copies N
//! ```
//!
//! The output holds the root, then copy 0's other nodes, copy 1's, ...
//! Copy k's ids are shifted by k × an even step (so ids keep their parity;
//! above the largest id unless that takes ids past 32 bits, see `id_step`),
//! its string indices by k × the string count, and the strings array is
//! written N times. The root holds every copy's root edges, so each class's
//! count, shallow and retained size scale by exactly N and every distance
//! stays. Two exceptions keep that exact:
//! - object and native nodes keep copy 0's name indices: DevTools groups
//!   the Summary by that *index* (`classIndex`), so copy k's own copy of a
//!   class name would make a second row of the same name;
//! - WeakMap edge names embed node ids, which DevTools reads (the table's
//!   edge to a value is not essential): copy k's strings get copy k's ids,
//!   or its WeakMap values would be retained differently from copy 0's.
//!
//! (Below 2 000 plain objects, DevTools' floor of 2 objects per `{a, b}`
//! interface applies instead of its 1/1000 share: a shape held by one
//! object per copy then becomes a class of its own, and "Object" shrinks.)
//!
//! One copy's nodes, edges and locations are held as integers (no JSON
//! DOM); the strings and the sections heaplens skips (`trace_*`, `samples`:
//! written once) are read back from the file, so memory does not grow
//! with N.

#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use memchr::{memchr, memchr2};
use serde::Deserialize;

/// Writes a snapshot holding `--copies` copies of INPUT's graph.
#[derive(Parser)]
struct Args {
    /// The snapshot to tile (plain JSON, not gzip: parts are read twice).
    input: PathBuf,
    /// Where to write the tiled snapshot.
    output: PathBuf,
    /// How many copies of the graph the output holds.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    copies: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match tile(&args.input, &args.output, args.copies) {
        Ok(tiled) => {
            eprintln!(
                "tile: wrote {}: {} copies, {} nodes, {} edges",
                args.output.display(),
                args.copies,
                tiled.nodes,
                tiled.edges
            );
            if tiled.last_id > u64::from(u32::MAX) {
                eprintln!("tile: warning: ids reach {}, past 32 bits", tiled.last_id);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tile: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The size of a written snapshot.
struct Tiled {
    nodes: u64,
    edges: u64,
    last_id: u64,
}

/// Tiles `input` `copies` times into `output`; a partial output is removed.
fn tile(input: &Path, output: &Path, copies: u64) -> Result<Tiled> {
    // Creating the output truncates it, and the input is read again.
    if same_file(input, output) {
        bail!("{} is both the input and the output", output.display());
    }
    let file = File::open(input).with_context(|| format!("cannot open {}", input.display()))?;
    let mut reader = Reader::new(file)?;
    let source = Source::read(&mut reader).with_context(|| input.display().to_string())?;
    let plan = Plan::new(&source, copies).with_context(|| input.display().to_string())?;
    let written = write_file(output, &mut reader, &source, &plan);
    if written.is_err() {
        let _ = std::fs::remove_file(output);
    }
    written.with_context(|| format!("writing {}", output.display()))?;
    Ok(plan.tiled())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn write_file(output: &Path, reader: &mut Reader, source: &Source, plan: &Plan) -> Result<()> {
    let file = File::create(output)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    write_snapshot(&mut out, reader, source, plan)?;
    out.flush()?;
    Ok(())
}

// ------------------------------------------------------------ JSON reading

/// Buffered reading that knows the file offset of every byte, so the
/// strings and skipped sections can be read again per copy.
struct Reader {
    file: File,
    file_len: u64,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// File offset of `buf[0]`.
    start: u64,
}

impl Reader {
    fn new(file: File) -> Result<Reader> {
        Ok(Reader {
            file_len: file.metadata()?.len(),
            file,
            buf: vec![0; 4 << 20],
            pos: 0,
            len: 0,
            start: 0,
        })
    }

    fn offset(&self) -> u64 {
        self.start + self.pos as u64
    }

    fn seek(&mut self, offset: u64) -> Result<()> {
        self.file.seek(SeekFrom::Start(offset))?;
        (self.start, self.pos, self.len) = (offset, 0, 0);
        Ok(())
    }

    /// Makes `buf[pos..len]` non-empty; false at the end of the file.
    fn fill(&mut self) -> Result<bool> {
        if self.pos < self.len {
            return Ok(true);
        }
        self.start += self.len as u64;
        self.pos = 0;
        self.len = loop {
            match self.file.read(&mut self.buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                read => break read?,
            }
        };
        Ok(self.len > 0)
    }

    /// The unread bytes of the buffer, at least one, or says the file ends
    /// inside `what`.
    fn chunk(&mut self, what: &str) -> Result<&[u8]> {
        ensure!(self.fill()?, "the file ends inside {what}");
        Ok(&self.buf[self.pos..self.len])
    }

    /// Skips JSON whitespace; false at the end of the file.
    fn skip_ws(&mut self) -> Result<bool> {
        while self.fill()? {
            let chunk = &self.buf[self.pos..self.len];
            match chunk.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => {
                    self.pos += i;
                    return Ok(true);
                }
                None => self.pos = self.len,
            }
        }
        Ok(false)
    }

    /// The next byte that is not whitespace, left unread.
    fn peek_non_ws(&mut self, what: &str) -> Result<u8> {
        ensure!(self.skip_ws()?, "the file ends inside {what}");
        Ok(self.buf[self.pos])
    }

    fn next_non_ws(&mut self, what: &str) -> Result<u8> {
        let b = self.peek_non_ws(what)?;
        self.pos += 1;
        Ok(b)
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        let found = self.peek_non_ws(what)?;
        ensure!(
            found == byte,
            "expected '{}' but found {} at byte {} in {what}",
            byte as char,
            shown(found),
            self.offset()
        );
        self.pos += 1;
        Ok(())
    }

    /// Hands one JSON string, quotes and escapes included, to `sink` piece
    /// by piece. The next non-whitespace byte must open it.
    fn scan_string(&mut self, what: &str, sink: &mut dyn FnMut(&[u8])) -> Result<()> {
        self.expect(b'"', what)?;
        sink(b"\"");
        let mut escaped = false;
        loop {
            let chunk = self.chunk(what)?;
            let (used, closed) = string_piece(chunk, &mut escaped);
            sink(&chunk[..used]);
            self.pos += used;
            if closed {
                return Ok(());
            }
        }
    }

    /// Hands one JSON value of any kind to `sink`, unparsed.
    fn scan_value(&mut self, what: &str, sink: &mut dyn FnMut(&[u8])) -> Result<()> {
        match self.peek_non_ws(what)? {
            b'"' => self.scan_string(what, sink),
            b'[' | b'{' => self.scan_nested(what, sink),
            _ => self.scan_scalar(what, sink),
        }
    }

    /// An array or object: bytes up to its closing bracket, strings
    /// scanned whole so brackets inside them do not count.
    fn scan_nested(&mut self, what: &str, sink: &mut dyn FnMut(&[u8])) -> Result<()> {
        let mut depth = 0usize;
        loop {
            let chunk = self.chunk(what)?;
            let (used, stop) = nested_piece(chunk, &mut depth);
            sink(&chunk[..used]);
            self.pos += used;
            match stop {
                Some(b'"') => self.scan_string(what, sink)?,
                Some(_) => return Ok(()),
                None => {}
            }
        }
    }

    /// A number, `true`, `false` or `null`: bytes up to a delimiter.
    fn scan_scalar(&mut self, what: &str, sink: &mut dyn FnMut(&[u8])) -> Result<()> {
        loop {
            let chunk = self.chunk(what)?;
            let end = chunk
                .iter()
                .position(|&b| matches!(b, b',' | b']' | b'}') || b.is_ascii_whitespace());
            let used = end.unwrap_or(chunk.len());
            sink(&chunk[..used]);
            self.pos += used;
            if end.is_some() {
                return Ok(());
            }
        }
    }

    /// A top-level key, without its quotes, and the colon after it.
    fn read_key(&mut self) -> Result<Vec<u8>> {
        let mut key = Vec::new();
        self.scan_string("a top-level key", &mut |piece| key.extend_from_slice(piece))?;
        self.expect(b':', "the top-level object")?;
        Ok(key[1..key.len() - 1].to_vec())
    }

    /// Calls `each` with every string of an array of strings, raw (quoted,
    /// escapes kept); returns how many there were.
    fn for_each_string(
        &mut self,
        what: &str,
        each: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<u64> {
        self.expect(b'[', what)?;
        if self.peek_non_ws(what)? == b']' {
            self.pos += 1;
            return Ok(0);
        }
        let mut raw = Vec::new();
        let mut count = 0;
        loop {
            raw.clear();
            self.scan_string(what, &mut |piece| raw.extend_from_slice(piece))?;
            each(&raw)?;
            count += 1;
            let offset = self.offset();
            match self.next_non_ws(what)? {
                b',' => {}
                b']' => return Ok(count),
                b => bail!(
                    "expected , or ] but found {} at byte {offset} in {what}",
                    shown(b)
                ),
            }
        }
    }

    /// Appends the unsigned integers of a JSON array to `out`.
    fn read_integers<T: TryFrom<u64>>(&mut self, what: &str, out: &mut Vec<T>) -> Result<()> {
        self.expect(b'[', what)?;
        let mut integers = Integers::default();
        while integers.state != State::Closed {
            let chunk = self.chunk(what)?;
            let (used, bad) = match integers.parse(chunk, out) {
                Ok(used) => (used, None),
                Err((at, bad)) => (at, Some(bad)),
            };
            self.pos += used;
            let offset = self.offset();
            match bad {
                None => {}
                Some(Bad::Byte(b)) => bail!("unexpected {} at byte {offset} in {what}", shown(b)),
                Some(Bad::TooLong) => bail!("a number past 19 digits at byte {offset} in {what}"),
                Some(Bad::Wide(v)) => bail!("{v} at byte {offset} in {what} is past 32 bits"),
            }
        }
        Ok(())
    }

    /// Copies the input's bytes in `range` to `out`.
    fn copy_to(&mut self, range: Range<u64>, out: &mut impl Write) -> Result<()> {
        self.seek(range.start)?;
        let len = range.end - range.start;
        let copied = std::io::copy(&mut (&mut self.file).take(len), out)?;
        ensure!(copied == len, "the input changed while it was read");
        (self.start, self.pos, self.len) = (range.end, 0, 0);
        Ok(())
    }
}

/// Scans `chunk` inside a string: how many bytes belong to it and whether
/// its closing quote was among them. `escaped`: the previous chunk ended
/// with a backslash, so the first byte here is escaped.
fn string_piece(chunk: &[u8], escaped: &mut bool) -> (usize, bool) {
    let mut i = usize::from(std::mem::take(escaped));
    while let Some(j) = memchr2(b'"', b'\\', &chunk[i..]) {
        let at = i + j;
        if chunk[at] == b'"' {
            return (at + 1, true);
        }
        if at + 1 == chunk.len() {
            *escaped = true;
            return (chunk.len(), false);
        }
        i = at + 2;
    }
    (chunk.len(), false)
}

/// Scans `chunk` inside an array or object: how many bytes to take, and
/// the byte it stopped at: a quote (left unread) or the closing bracket.
fn nested_piece(chunk: &[u8], depth: &mut usize) -> (usize, Option<u8>) {
    for (i, &b) in chunk.iter().enumerate() {
        match b {
            b'[' | b'{' => *depth += 1,
            b']' | b'}' => {
                *depth -= 1;
                if *depth == 0 {
                    return (i + 1, Some(b));
                }
            }
            b'"' => return (i, Some(b)),
            _ => {}
        }
    }
    (chunk.len(), None)
}

/// Where an integer array's parse stands between buffers.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Right after `[`: a number or `]`.
    #[default]
    Open,
    /// After a comma: a number.
    Comma,
    Digits,
    /// Whitespace after a number: a comma or `]`.
    Spaced,
    Closed,
}

/// Why an integer array is refused.
enum Bad {
    Byte(u8),
    TooLong,
    Wide(u64),
}

/// The integer being read and the parse state.
#[derive(Default)]
struct Integers {
    value: u64,
    digits: u32,
    state: State,
}

impl Integers {
    /// Parses `chunk` (the array after its `[`) into `out`: the bytes used
    /// (all, or through the `]`), or where and why it is refused. A
    /// hand-written loop: the nodes and edges are ~85% of a snapshot.
    fn parse<T: TryFrom<u64>>(
        &mut self,
        chunk: &[u8],
        out: &mut Vec<T>,
    ) -> Result<usize, (usize, Bad)> {
        for (i, &b) in chunk.iter().enumerate() {
            match (b, self.state) {
                (b'0'..=b'9', State::Open | State::Comma | State::Digits) => {
                    // 19 digits cannot overflow a u64.
                    self.digits += 1;
                    if self.digits > 19 {
                        return Err((i, Bad::TooLong));
                    }
                    self.value = self.value * 10 + u64::from(b - b'0');
                    self.state = State::Digits;
                }
                (b',' | b']', State::Digits | State::Spaced) | (b']', State::Open) => {
                    if self.state == State::Digits {
                        self.push(out).map_err(|bad| (i, bad))?;
                    }
                    if b == b']' {
                        self.state = State::Closed;
                        return Ok(i + 1);
                    }
                    self.state = State::Comma;
                }
                (b' ' | b'\n' | b'\r' | b'\t', state) => {
                    if state == State::Digits {
                        self.push(out).map_err(|bad| (i, bad))?;
                        self.state = State::Spaced;
                    }
                }
                _ => return Err((i, Bad::Byte(b))),
            }
        }
        Ok(chunk.len())
    }

    fn push<T: TryFrom<u64>>(&mut self, out: &mut Vec<T>) -> Result<(), Bad> {
        let value = T::try_from(self.value).map_err(|_| Bad::Wide(self.value))?;
        out.push(value);
        (self.value, self.digits) = (0, 0);
        Ok(())
    }
}

fn shown(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

// ------------------------------------------------------------ the snapshot

/// Field offsets, resolved by name from `snapshot.meta` (producers differ).
struct Layout {
    node_width: usize,
    node_type: usize,
    node_id: usize,
    node_name: usize,
    node_edge_count: usize,
    /// Node types whose name index is their class (object, native).
    class_named_types: Vec<u64>,
    edge_width: usize,
    edge_type: usize,
    edge_name: usize,
    edge_to: usize,
    /// Edge types whose `name_or_index` is an index, not a string.
    index_edge_types: Vec<u64>,
    /// 0 when the producer writes no locations.
    location_width: usize,
    location_object: usize,
}

#[derive(Deserialize)]
struct HeaderJson {
    meta: MetaJson,
    node_count: Option<u64>,
    edge_count: Option<u64>,
    extra_native_bytes: Option<serde_json::Value>,
    root_index: Option<u64>,
}

#[derive(Deserialize)]
struct MetaJson {
    node_fields: Vec<String>,
    node_types: Vec<serde_json::Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<serde_json::Value>,
    #[serde(default)]
    location_fields: Vec<String>,
}

/// The `snapshot` header: its text, kept to be rewritten, and its numbers.
struct Header {
    json: Vec<u8>,
    layout: Layout,
    node_count: Option<u64>,
    edge_count: Option<u64>,
    /// Chromium's embedder bytes, scaled too so percentages stay.
    extra_native_bytes: Option<u64>,
}

impl Header {
    fn parse(json: Vec<u8>) -> Result<Header> {
        let raw: HeaderJson =
            serde_json::from_slice(&json).context("in the \"snapshot\" header")?;
        // Copies hang off node 0; another root would need another layout.
        ensure!(
            raw.root_index.unwrap_or(0) == 0,
            "root_index is not 0: only node 0 as the root is supported"
        );
        Ok(Header {
            layout: Layout::new(&raw.meta)?,
            node_count: raw.node_count,
            edge_count: raw.edge_count,
            extra_native_bytes: raw.extra_native_bytes.and_then(|b| b.as_u64()),
            json,
        })
    }
}

impl Layout {
    fn new(meta: &MetaJson) -> Result<Layout> {
        let node = |name| field(&meta.node_fields, "node_fields", name);
        let edge = |name| field(&meta.edge_fields, "edge_fields", name);
        let location = |name| field(&meta.location_fields, "location_fields", name);
        let node_type = node("type")?;
        let edge_type = edge("type")?;
        let class_named_types = type_numbers(
            &meta.node_types,
            node_type,
            "node_types",
            &["object", "native"],
        )?;
        let index_edge_types = type_numbers(
            &meta.edge_types,
            edge_type,
            "edge_types",
            &["element", "hidden"],
        )?;
        let has_locations = !meta.location_fields.is_empty();
        Ok(Layout {
            node_width: meta.node_fields.len(),
            node_type,
            node_id: node("id")?,
            node_name: node("name")?,
            node_edge_count: node("edge_count")?,
            class_named_types,
            edge_width: meta.edge_fields.len(),
            edge_type,
            edge_name: edge("name_or_index")?,
            edge_to: edge("to_node")?,
            index_edge_types,
            location_width: meta.location_fields.len(),
            location_object: if has_locations {
                location("object_index")?
            } else {
                0
            },
        })
    }

    fn has_string_name(&self, edge_type: u64) -> bool {
        !self.index_edge_types.contains(&edge_type)
    }

    fn name_is_class(&self, node_type: u64) -> bool {
        self.class_named_types.contains(&node_type)
    }
}

/// The numbers of the types named `wanted` in the type list at `field` of
/// `types` (`snapshot.meta.node_types` or `edge_types`).
fn type_numbers(
    types: &[serde_json::Value],
    field: usize,
    list: &str,
    wanted: &[&str],
) -> Result<Vec<u64>> {
    let names = types
        .get(field)
        .and_then(|t| t.as_array())
        .with_context(|| format!("snapshot.meta.{list} does not list the types"))?;
    let named = |name: &serde_json::Value| name.as_str().is_some_and(|n| wanted.contains(&n));
    Ok((0..names.len() as u64)
        .filter(|&t| named(&names[t as usize]))
        .collect())
}

fn field(fields: &[String], list: &str, name: &str) -> Result<usize> {
    fields
        .iter()
        .position(|f| f == name)
        .with_context(|| format!("snapshot.meta.{list} lacks \"{name}\""))
}

/// How a top-level section is written.
enum Body {
    Header,
    Nodes,
    Edges,
    Locations,
    /// The strings array, read again from this offset per copy.
    Strings(u64),
    /// Written once as it is: these bytes of the input.
    Verbatim(Range<u64>),
}

struct Section {
    key: Vec<u8>,
    body: Body,
}

/// One copy of the graph, as read.
struct Source {
    sections: Vec<Section>,
    header: Header,
    nodes: Vec<u64>,
    edges: Vec<u32>,
    locations: Vec<u64>,
    string_count: u64,
}

/// The sections read so far.
#[derive(Default)]
struct Parts {
    sections: Vec<Section>,
    header: Option<Header>,
    nodes: Option<Vec<u64>>,
    edges: Option<Vec<u32>>,
    locations: Vec<u64>,
    string_count: Option<u64>,
}

impl Source {
    /// Reads the whole input once.
    fn read(r: &mut Reader) -> Result<Source> {
        let mut parts = Parts::default();
        r.expect(b'{', "the top-level object")?;
        loop {
            let key = r.read_key()?;
            let name = format!("\"{}\"", String::from_utf8_lossy(&key));
            ensure!(
                parts.sections.iter().all(|s| s.key != key),
                "{name} is given twice"
            );
            let body = parts.read_section(r, &key, &name)?;
            parts.sections.push(Section { key, body });
            let offset = r.offset();
            match r.next_non_ws("the top-level object")? {
                b',' => {}
                b'}' => break,
                b => bail!("expected , or }} but found {} at byte {offset}", shown(b)),
            }
        }
        ensure!(
            !r.skip_ws()?,
            "unexpected bytes after the snapshot at byte {}",
            r.offset()
        );
        parts.finish()
    }
}

impl Parts {
    fn read_section(&mut self, r: &mut Reader, key: &[u8], name: &str) -> Result<Body> {
        Ok(match key {
            b"snapshot" => {
                let mut json = Vec::new();
                r.scan_value(name, &mut |piece| json.extend_from_slice(piece))?;
                self.header = Some(Header::parse(json)?);
                Body::Header
            }
            b"nodes" => {
                let mut nodes =
                    Vec::with_capacity(self.expected(r, |h| h.node_count, |l| l.node_width));
                r.read_integers(name, &mut nodes)?;
                self.nodes = Some(nodes);
                Body::Nodes
            }
            b"edges" => {
                let mut edges =
                    Vec::with_capacity(self.expected(r, |h| h.edge_count, |l| l.edge_width));
                r.read_integers(name, &mut edges)?;
                self.edges = Some(edges);
                Body::Edges
            }
            b"locations" => {
                r.read_integers(name, &mut self.locations)?;
                Body::Locations
            }
            b"strings" => {
                let offset = r.offset();
                self.string_count = Some(r.for_each_string(name, &mut |_| Ok(()))?);
                Body::Strings(offset)
            }
            _ => {
                r.skip_ws()?;
                let start = r.offset();
                r.scan_value(name, &mut |_| {})?;
                Body::Verbatim(start..r.offset())
            }
        })
    }

    /// How many values the header announces for an array, to reserve them
    /// at once (a growing vector would briefly need twice the memory);
    /// bounded by the file, where each takes two bytes or more.
    fn expected(
        &self,
        r: &Reader,
        count: impl Fn(&Header) -> Option<u64>,
        width: impl Fn(&Layout) -> usize,
    ) -> usize {
        let announced = self.header.as_ref().and_then(|h| {
            let values = count(h)?.checked_mul(width(&h.layout) as u64)?;
            usize::try_from(values.min(r.file_len / 2)).ok()
        });
        announced.unwrap_or(0)
    }

    fn finish(self) -> Result<Source> {
        let missing = |name| format!("there is no \"{name}\" section");
        Ok(Source {
            sections: self.sections,
            header: self.header.with_context(|| missing("snapshot"))?,
            nodes: self.nodes.with_context(|| missing("nodes"))?,
            edges: self.edges.with_context(|| missing("edges"))?,
            locations: self.locations,
            string_count: self.string_count.with_context(|| missing("strings"))?,
        })
    }
}

impl Source {
    fn node_count(&self) -> u64 {
        (self.nodes.len() / self.header.layout.node_width) as u64
    }

    fn edge_count(&self) -> u64 {
        (self.edges.len() / self.header.layout.edge_width) as u64
    }

    /// Refuses what shifting per copy would turn into a wrong graph rather
    /// than an error: ragged arrays, counts that disagree, indexes out of
    /// range.
    fn check(&self) -> Result<()> {
        let l = &self.header.layout;
        ensure!(
            !self.nodes.is_empty() && self.nodes.len() % l.node_width == 0,
            "\"nodes\" holds {} values, not whole nodes of {} fields",
            self.nodes.len(),
            l.node_width
        );
        ensure!(
            self.edges.len() % l.edge_width == 0,
            "\"edges\" holds {} values, not whole edges of {} fields",
            self.edges.len(),
            l.edge_width
        );
        let announced = |count: Option<u64>, real: u64| count.is_none_or(|c| c == real);
        ensure!(
            announced(self.header.node_count, self.node_count()),
            "node_count says {:?} but \"nodes\" holds {}",
            self.header.node_count,
            self.node_count()
        );
        ensure!(
            announced(self.header.edge_count, self.edge_count()),
            "edge_count says {:?} but \"edges\" holds {}",
            self.header.edge_count,
            self.edge_count()
        );
        self.check_nodes()?;
        self.check_edges()?;
        self.check_locations()
    }

    fn check_nodes(&self) -> Result<()> {
        let l = &self.header.layout;
        let mut edges = 0u64;
        for (n, node) in self.nodes.chunks_exact(l.node_width).enumerate() {
            ensure!(
                node[l.node_name] < self.string_count,
                "node {n}'s name {} is not a string index",
                node[l.node_name]
            );
            edges = edges.saturating_add(node[l.node_edge_count]);
        }
        ensure!(
            edges == self.edge_count(),
            "the nodes' edge counts add up to {edges}, but \"edges\" holds {}",
            self.edge_count()
        );
        Ok(())
    }

    fn check_edges(&self) -> Result<()> {
        let l = &self.header.layout;
        for (e, edge) in self.edges.chunks_exact(l.edge_width).enumerate() {
            let to = edge[l.edge_to] as usize;
            ensure!(
                to % l.node_width == 0 && to < self.nodes.len(),
                "edge {e} points at {to}, not a node"
            );
            let name = u64::from(edge[l.edge_name]);
            ensure!(
                !l.has_string_name(u64::from(edge[l.edge_type])) || name < self.string_count,
                "edge {e}'s name {name} is not a string index"
            );
        }
        Ok(())
    }

    fn check_locations(&self) -> Result<()> {
        let l = &self.header.layout;
        if self.locations.is_empty() {
            return Ok(());
        }
        ensure!(
            l.location_width > 0 && self.locations.len() % l.location_width == 0,
            "\"locations\" holds {} values, not whole locations of the {} location_fields",
            self.locations.len(),
            l.location_width
        );
        for location in self.locations.chunks_exact(l.location_width) {
            let object = location[l.location_object];
            ensure!(
                object % l.node_width as u64 == 0 && object < self.nodes.len() as u64,
                "a location's object_index {object} is not a node"
            );
        }
        Ok(())
    }
}

// --------------------------------------------------------------- tiling

/// What changes from one copy to the next.
struct Plan {
    copies: u64,
    /// Added to copy k's node ids, × k (see [`id_step`]).
    id_step: u64,
    /// Added to copy k's string indexes, × k: the string count.
    string_step: u64,
    /// Added to copy k's node indexes (`to_node`, `object_index`), × k:
    /// one copy's nodes without the root, in array values.
    node_step: u64,
    /// How many edges the root has.
    root_edges: usize,
    last_id: u64,
    node_count: u64,
    edge_count: u64,
}

/// One copy's offsets.
struct Shift {
    ids: u64,
    strings: u64,
    nodes: u64,
}

impl Plan {
    fn new(source: &Source, copies: u64) -> Result<Plan> {
        source.check()?;
        let l = &source.header.layout;
        let ids: Vec<u64> = source
            .nodes
            .chunks_exact(l.node_width)
            .map(|node| node[l.node_id])
            .collect();
        let max_id = ids.iter().copied().max().unwrap_or(0);
        let id_step = id_step(ids, copies)?;
        let node_count = source.node_count();
        let plan = Plan {
            copies,
            id_step,
            string_step: source.string_count,
            node_step: (node_count - 1) * l.node_width as u64,
            root_edges: source.nodes[l.node_edge_count] as usize,
            last_id: max_id + (copies - 1) * id_step,
            node_count,
            edge_count: source.edge_count(),
        };
        plan.check_fits()?;
        Ok(plan)
    }

    /// Refuses so many copies that counts or shifted indexes would pass 64
    /// bits (copy k's indexes stay below (k + 1) steps and a record).
    fn check_fits(&self) -> Result<()> {
        let steps = [
            self.string_step,
            self.node_step + 1,
            self.node_count,
            self.edge_count,
        ];
        let fits = |step: u64| step.checked_mul(self.copies + 1).is_some();
        ensure!(
            steps.into_iter().all(fits),
            "{} copies would not fit 64-bit counts",
            self.copies
        );
        Ok(())
    }

    fn shift(&self, copy: u64) -> Shift {
        Shift {
            ids: copy * self.id_step,
            strings: copy * self.string_step,
            nodes: copy * self.node_step,
        }
    }

    fn tiled(&self) -> Tiled {
        Tiled {
            nodes: 1 + self.copies * (self.node_count - 1),
            edges: self.copies * self.edge_count,
            last_id: self.last_id,
        }
    }
}

/// Copy k's node ids are copy 0's + k × the step returned: even, so ids
/// keep their parity, and no two copies share an id. Past 32 bits DevTools
/// keeps an id's low half (two copies' ids would look alike, and WeakMap
/// tables would not be found) and heaplens stores ids apart, so the step
/// is, by preference: above the largest id, if N copies then fit 32 bits;
/// else just above the ids below one of the largest relative gaps (V8
/// numbers objects up from 1; the few embedder ids, 2^27 to 2^32, come from
/// addresses), raised until no copy's ids meet another's; else above the
/// largest id, past 32 bits.
fn id_step(mut ids: Vec<u64>, copies: u64) -> Result<u64> {
    ids.sort_unstable();
    let max = ids.last().copied().unwrap_or(0);
    let last_id = |step: u64| step.checked_mul(copies - 1)?.checked_add(max);
    let fits_32_bits = |step| last_id(step).is_some_and(|id| id <= u64::from(u32::MAX));
    let above_all = (max | 1).saturating_add(1);
    if fits_32_bits(above_all) {
        return Ok(above_all);
    }
    let apart = |&step: &u64| fits_32_bits(step) && (1..copies).all(|d| !meets(&ids, d * step));
    let mut candidates = below_widest_gaps(&ids, 4)
        .into_iter()
        .flat_map(|below| (0..32).map(move |i| (below | 1).saturating_add(1 + 2 * i)));
    if let Some(step) = candidates.find(apart) {
        return Ok(step);
    }
    ensure!(
        last_id(above_all).is_some() && above_all > max,
        "{copies} copies' node ids would not fit 64 bits"
    );
    Ok(above_all)
}

/// The ids just below the `count` largest gaps of the sorted `ids`,
/// relative to the id (`next / id`), largest first.
fn below_widest_gaps(ids: &[u64], count: usize) -> Vec<u64> {
    let mut widest: Vec<(f64, u64)> = Vec::with_capacity(count + 1);
    for pair in ids.windows(2) {
        let ratio = pair[1] as f64 / pair[0].max(1) as f64;
        if widest.len() < count || ratio > widest[count - 1].0 {
            widest.push((ratio, pair[0]));
            widest.sort_by(|a, b| b.0.total_cmp(&a.0));
            widest.truncate(count);
        }
    }
    widest.into_iter().map(|(_, id)| id).collect()
}

/// Whether some id of the sorted `ids` plus `shift` is among them.
fn meets(ids: &[u64], shift: u64) -> bool {
    let mut others = ids.iter().peekable();
    ids.iter().any(|&id| {
        let shifted = id.saturating_add(shift);
        while others.next_if(|&&other| other < shifted).is_some() {}
        others.peek() == Some(&&shifted)
    })
}

fn write_snapshot<W: Write>(
    out: &mut W,
    r: &mut Reader,
    source: &Source,
    plan: &Plan,
) -> Result<()> {
    out.write_all(b"{")?;
    for (i, section) in source.sections.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        out.write_all(b"\"")?;
        out.write_all(&section.key)?;
        out.write_all(b"\":")?;
        match &section.body {
            Body::Header => out.write_all(&tiled_header(&source.header, plan))?,
            Body::Nodes => write_nodes(out, source, plan)?,
            Body::Edges => write_edges(out, source, plan)?,
            Body::Locations => write_locations(out, source, plan)?,
            Body::Strings(offset) => write_strings(out, r, *offset, source, plan)?,
            Body::Verbatim(range) => r.copy_to(range.clone(), out)?,
        }
    }
    out.write_all(b"}")?;
    Ok(())
}

/// The header with the tiled counts; every other byte as it was.
fn tiled_header(header: &Header, plan: &Plan) -> Vec<u8> {
    let tiled = plan.tiled();
    let mut counts = vec![
        (&b"node_count"[..], tiled.nodes),
        (b"edge_count", tiled.edges),
    ];
    if let Some(bytes) = header.extra_native_bytes {
        counts.push((b"extra_native_bytes", bytes.saturating_mul(plan.copies)));
    }
    replace_top_level_numbers(&header.json, &counts)
}

/// `json` (an object) with the numbers of its own keys in `values`
/// replaced, all else byte for byte.
fn replace_top_level_numbers(json: &[u8], values: &[(&[u8], u64)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + 32);
    let (mut i, mut depth) = (0, 0usize);
    while i < json.len() {
        match json[i] {
            b'"' => {
                let (used, closed) = string_piece(&json[i + 1..], &mut false);
                let end = i + 1 + used;
                out.extend_from_slice(&json[i..end]);
                if !closed {
                    break;
                }
                let key = &json[i + 1..end - 1];
                i = end;
                let value = values.iter().find(|(k, _)| *k == key);
                if let (1, Some(&(_, value))) = (depth, value) {
                    i = replace_number_after_key(json, i, value, &mut out);
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(json[i]);
        i += 1;
    }
    out
}

/// If `json[i..]` is `: <integer>`, writes `value` in its place and
/// returns the index after the integer; else returns `i` untouched.
fn replace_number_after_key(json: &[u8], i: usize, value: u64, out: &mut Vec<u8>) -> usize {
    let rest = &json[i..];
    let Some(colon) = rest.iter().position(|b| !b.is_ascii_whitespace()) else {
        return i;
    };
    let after = &rest[colon + 1..];
    let start = colon + 1 + after.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let digits = rest[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if rest[colon] != b':' || digits == 0 {
        return i;
    }
    out.extend_from_slice(&rest[..start]);
    out.extend_from_slice(decimal(value, &mut [0; 20]));
    i + start + digits
}

fn write_nodes<W: Write>(out: &mut W, source: &Source, plan: &Plan) -> Result<()> {
    let l = &source.header.layout;
    let (root, rest) = source.nodes.split_at(l.node_width);
    let mut row = root.to_vec();
    row[l.node_edge_count] *= plan.copies;
    out.write_all(b"[")?;
    write_row(out, &row, true)?;
    for copy in 0..plan.copies {
        let shift = plan.shift(copy);
        for node in rest.chunks_exact(l.node_width) {
            row.copy_from_slice(node);
            row[l.node_id] += shift.ids;
            if !l.name_is_class(row[l.node_type]) {
                row[l.node_name] += shift.strings;
            }
            write_row(out, &row, false)?;
        }
    }
    out.write_all(b"]")?;
    Ok(())
}

/// The root's edges of every copy first, then the other nodes' edges of
/// copy 0, copy 1, ...: the order of the nodes they leave.
fn write_edges<W: Write>(out: &mut W, source: &Source, plan: &Plan) -> Result<()> {
    let l = &source.header.layout;
    let (root, rest) = source.edges.split_at(plan.root_edges * l.edge_width);
    let mut row = vec![0; l.edge_width];
    let mut first = true;
    out.write_all(b"[")?;
    for part in [root, rest] {
        for copy in 0..plan.copies {
            let shift = plan.shift(copy);
            for edge in part.chunks_exact(l.edge_width) {
                shift_edge(l, edge, &shift, &mut row);
                write_row(out, &row, first)?;
                first = false;
            }
        }
    }
    out.write_all(b"]")?;
    Ok(())
}

fn shift_edge(l: &Layout, edge: &[u32], shift: &Shift, row: &mut [u64]) {
    for (value, &raw) in row.iter_mut().zip(edge) {
        *value = u64::from(raw);
    }
    if l.has_string_name(row[l.edge_type]) {
        row[l.edge_name] += shift.strings;
    }
    // Edges to the root (node 0) stay on the one root.
    if row[l.edge_to] != 0 {
        row[l.edge_to] += shift.nodes;
    }
}

/// Every copy's locations; the root's, if it has one, once.
fn write_locations<W: Write>(out: &mut W, source: &Source, plan: &Plan) -> Result<()> {
    let l = &source.header.layout;
    let mut row = vec![0; l.location_width];
    let mut first = true;
    out.write_all(b"[")?;
    for copy in 0..plan.copies {
        let shift = plan.shift(copy);
        for location in source.locations.chunks_exact(l.location_width.max(1)) {
            row.copy_from_slice(location);
            if row[l.location_object] == 0 && copy > 0 {
                continue;
            }
            if row[l.location_object] != 0 {
                row[l.location_object] += shift.nodes;
            }
            write_row(out, &row, first)?;
            first = false;
        }
    }
    out.write_all(b"]")?;
    Ok(())
}

/// The strings, once per copy, read again from the input each time.
fn write_strings<W: Write>(
    out: &mut W,
    r: &mut Reader,
    offset: u64,
    source: &Source,
    plan: &Plan,
) -> Result<()> {
    let mut first = true;
    let mut renamed = Vec::new();
    out.write_all(b"[")?;
    for copy in 0..plan.copies {
        let ids = plan.shift(copy).ids;
        r.seek(offset)?;
        let count = r.for_each_string("\"strings\"", &mut |raw| {
            if !first {
                out.write_all(b",\n")?;
            }
            first = false;
            let shifted = ids > 0 && shift_weakmap_ids(raw, ids, &mut renamed);
            out.write_all(if shifted { &renamed } else { raw })?;
            Ok(())
        })?;
        ensure!(
            count == source.string_count,
            "the input changed while it was read"
        );
    }
    out.write_all(b"]")?;
    Ok(())
}

/// V8 names both edges into a WeakMap value `N / part of key (K @k) ->
/// value (V @v) pair in WeakMap (table @t)` with node ids k, v, t. Writes
/// `raw` (a quoted string) with each `@id)` shifted by `ids` to `out`, if
/// it is such a name.
fn shift_weakmap_ids(raw: &[u8], ids: u64, out: &mut Vec<u8>) -> bool {
    let text = &raw[1..];
    let number = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if number == 0 || !text[number..].starts_with(b" / part of key (") {
        return false;
    }
    out.clear();
    let mut rest = raw;
    while let Some(at) = memchr(b'@', rest) {
        out.extend_from_slice(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let id = std::str::from_utf8(&rest[..digits])
            .ok()
            .and_then(|d| d.parse::<u64>().ok());
        if let (Some(id), Some(b')')) = (id, rest.get(digits)) {
            out.extend_from_slice(decimal(id.saturating_add(ids), &mut [0; 20]));
            rest = &rest[digits..];
        }
    }
    out.extend_from_slice(rest);
    true
}

/// One record of a flat integer array, on a line of its own as V8 writes
/// them (`,` before every record but the first, `\n` after each).
fn write_row<W: Write>(out: &mut W, row: &[u64], first: bool) -> std::io::Result<()> {
    if !first {
        out.write_all(b",")?;
    }
    let mut digits = [0; 20];
    for (i, &value) in row.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(decimal(value, &mut digits))?;
    }
    out.write_all(b"\n")
}

/// `value` in decimal, written at the end of `buf`.
fn decimal(mut value: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            return &buf[start..];
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use heaplens::snapshot::{load, Analysis, ClassAggregate};

    use super::*;

    /// The demo "after" snapshot, gunzipped into `dir` (tile reads plain
    /// files).
    fn demo_after(dir: &Path) -> PathBuf {
        let gz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/after.heapsnapshot.gz");
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(File::open(gz).expect("the demo fixture opens"))
            .read_to_end(&mut json)
            .expect("the demo fixture gunzips");
        let plain = dir.join("after.heapsnapshot");
        std::fs::write(&plain, json).expect("the temp dir takes the demo");
        plain
    }

    fn analyse(path: &Path) -> Analysis {
        load(path, &mut |_| true).unwrap_or_else(|e| panic!("{} loads: {e}", path.display()))
    }

    /// count, shallow, retained, distance.
    fn numbers(class: &ClassAggregate) -> (u64, u64, u64, i32) {
        (
            class.count,
            class.self_size,
            class.retained_size,
            class.distance,
        )
    }

    #[test]
    fn three_copies_triple_every_class_and_keep_distances() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let input = demo_after(dir.path());
        let output = dir.path().join("tiled.heapsnapshot");
        tile(&input, &output, 3).expect("the demo tiles");
        let (one, three) = (analyse(&input), analyse(&output));
        let nodes = one.graph.node_count();
        assert_eq!(three.graph.node_count(), 1 + 3 * (nodes - 1));
        assert_eq!(three.graph.edge_count(), 3 * one.graph.edge_count());
        assert_eq!(three.total_self_size(), 3 * one.total_self_size());
        let ids: HashSet<u32> = three.graph.node_id.devtools_ids().iter().copied().collect();
        assert!(!three.graph.node_id.is_wide(), "ids fit 32 bits");
        assert_eq!(ids.len(), three.graph.node_count(), "ids are unique");
        // The root (self size 0) is in no class: every row scales.
        let tiled: HashMap<&str, &ClassAggregate> = three
            .aggregates
            .iter()
            .map(|c| (c.key.as_str(), c))
            .collect();
        assert_eq!(
            three.aggregates.len(),
            one.aggregates.len(),
            "one row per class"
        );
        assert_eq!(tiled.len(), one.aggregates.len());
        for class in &one.aggregates {
            let (count, shallow, retained, distance) = numbers(class);
            let expected = (3 * count, 3 * shallow, 3 * retained, distance);
            let found = tiled.get(class.key.as_str()).map(|c| numbers(c));
            assert_eq!(found, Some(expected), "class {}", class.key);
        }
    }

    #[test]
    fn one_copy_is_the_input_byte_for_byte() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let input = demo_after(dir.path());
        let output = dir.path().join("once.heapsnapshot");
        tile(&input, &output, 1).expect("the demo tiles");
        let read = |path: &Path| std::fs::read(path).expect("the snapshot reads");
        assert!(read(&input) == read(&output), "V8's layout is kept");
    }

    #[test]
    fn copies_ids_stay_apart_below_32_bits() {
        // Embedder ids near 2^31 (from addresses) beside objects' from 1.
        let step = |ids: &[u64], copies| id_step(ids.to_vec(), copies).expect("a step");
        assert_eq!(step(&[1, 3, 5, 7], 3), 8, "above every id");
        // The widest gap, 1e9 to 3e9, would need 3e9 + 2 × 2e9.
        let embedder = [
            1,
            3,
            5,
            7,
            200_000_000,
            200_000_008,
            1_000_000_000,
            3_000_000_000,
        ];
        assert_eq!(step(&embedder, 3), 10, "8 would put 2e8 on 2e8 + 8");
        let crowded = [1, u64::from(u32::MAX) - 1];
        assert_eq!(
            step(&crowded, 4),
            1 << 32,
            "past 32 bits when nothing else fits"
        );
    }

    #[test]
    fn weakmap_names_get_the_copys_ids() {
        let name = b"\"5 / part of key (Foo @71) -> value (Bar @73) pair in WeakMap (table @99)\"";
        let mut out = Vec::new();
        assert!(shift_weakmap_ids(name, 100, &mut out));
        let shifted =
            "\"5 / part of key (Foo @171) -> value (Bar @173) pair in WeakMap (table @199)\"";
        assert_eq!(String::from_utf8_lossy(&out), shifted);
        assert!(!shift_weakmap_ids(b"\"Foo @71)\"", 100, &mut out));
    }

    #[test]
    fn header_counts_are_replaced_and_the_rest_kept() {
        let json = br#"{"meta":{"node_fields":["edge_count"],"node_count":1},"node_count" : 7,"edge_count":9,"title":"node_count"}"#;
        let counts = [(&b"node_count"[..], 13), (b"edge_count", 27)];
        let replaced = replace_top_level_numbers(json, &counts);
        let expected = r#"{"meta":{"node_fields":["edge_count"],"node_count":1},"node_count" : 13,"edge_count":27,"title":"node_count"}"#;
        assert_eq!(String::from_utf8_lossy(&replaced), expected);
    }

    #[test]
    fn bad_input_is_one_line_error() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let output = dir.path().join("out.heapsnapshot");
        let cases: [(&str, &[u8]); 3] = [
            ("the file ends inside \"nodes\"", b"{\"nodes\":[1,2"),
            (
                "unexpected '-' at byte 12 in \"nodes\"",
                b"{\"nodes\":[1,-2]}",
            ),
            (
                "there is no \"snapshot\" section",
                b"{\"nodes\":[],\"edges\":[],\"strings\":[]}",
            ),
        ];
        for (message, json) in cases {
            let input = dir.path().join("in.heapsnapshot");
            std::fs::write(&input, json).expect("the temp dir takes the input");
            let error = tile(&input, &output, 2).err().map(|e| format!("{e:#}"));
            let error = error.unwrap_or_default();
            assert!(error.ends_with(message), "{error}");
            assert!(!error.contains('\n') && !output.exists(), "{error}");
        }
    }
}
