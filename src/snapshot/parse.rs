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
//! (≈ 3× the file) before a single value reaches our arrays. Whole buffers
//! of records are parsed on two threads straight into the columns
//! (`blocks`, `columns`): the nodes and edges of a 1 GB snapshot take
//! ~1.1 s, against 2.1 s when one thread cut the values into records.

use std::fs::File;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashSet;

use super::error::SnapshotError;
use super::graph::{HeapGraph, Location, Locations, NodeIds, SharedEdges};
use super::input::FileFrom;
use super::meta::{Header, Layout};
use super::strings::{decode_json_string, Keep, Span, StringTable, TableSizes};
use super::weakmap::{EphemeronName, WeakMapEdges};

mod blocks;
mod columns;
mod stream;

pub(super) use blocks::count_commas;

use columns::{Edges, LocationEntries, Nodes};
use stream::Stream;

const BUFFER_BYTES: usize = 8 << 20;
/// Called with the number of bytes read so far; returns false to cancel.
pub type ReadProgress<'a> = &'a mut dyn FnMut(u64) -> bool;

/// Receives the edge topology once it is read and consistent.
pub type EdgesHook<'a> = &'a mut dyn FnMut(&SharedEdges, &Layout);

/// Parses a whole snapshot from `reader`.
pub fn parse_snapshot(
    reader: impl Read,
    progress: ReadProgress<'_>,
) -> Result<HeapGraph, SnapshotError> {
    parse_snapshot_with(reader, None, progress, &mut |_, _| {})
}

/// [`parse_snapshot`], handing the edge topology to `on_edges` as soon as
/// it is read. `backing`, if any, is the plain file `reader` reads: long
/// strings no load pass needs stay there (see `StringTable`).
pub fn parse_snapshot_with(
    reader: impl Read,
    backing: Option<Arc<File>>,
    progress: ReadProgress<'_>,
    on_edges: EdgesHook<'_>,
) -> Result<HeapGraph, SnapshotError> {
    parse_with_buffer(reader, backing, progress, on_edges, BUFFER_BYTES)
}

/// `parse_snapshot` through a buffer of `buffer_bytes` (tests use small
/// ones to cut records and strings at every possible place).
fn parse_with_buffer(
    reader: impl Read,
    backing: Option<Arc<File>>,
    progress: ReadProgress<'_>,
    on_edges: EdgesHook<'_>,
    buffer_bytes: usize,
) -> Result<HeapGraph, SnapshotError> {
    let mut stream = Stream::new(reader, progress, buffer_bytes);
    let mut sections = Sections {
        file: backing.clone(),
        backing,
        ..Sections::default()
    };
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
        sections.read(&mut stream, &key, on_edges)?;
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

/// Where the sections of a plain file start (right after each key), so
/// that what a load sheds can be read again: the edge names (see
/// `edge_names`), the node labels, strings and locations
/// ([`read_labels_again`]).
#[derive(Debug, Clone)]
pub struct SectionOffsets {
    pub file: Arc<File>,
    pub nodes: u64,
    pub edges: u64,
    pub strings: u64,
    pub locations: Option<u64>,
    /// Strings the file holds (the table's first ones).
    pub strings_read: usize,
}

/// The offsets noted so far.
#[derive(Default)]
struct Offsets {
    nodes: Option<u64>,
    edges: Option<u64>,
    strings: Option<u64>,
    locations: Option<u64>,
}

impl Offsets {
    fn note(&mut self, key: &str, at: u64) {
        let slot = match key {
            "nodes" => &mut self.nodes,
            "edges" => &mut self.edges,
            "strings" => &mut self.strings,
            "locations" => &mut self.locations,
            _ => return,
        };
        *slot = Some(at);
    }

    fn of(self, file: Option<Arc<File>>, strings_read: usize) -> Option<SectionOffsets> {
        Some(SectionOffsets {
            file: file?,
            nodes: self.nodes?,
            edges: self.edges?,
            strings: self.strings?,
            locations: self.locations,
            strings_read,
        })
    }
}

/// How a table kept its strings, to read them again the same way.
pub struct KeptStrings {
    /// The strings held in memory.
    pub in_memory: FixedBitSet,
    pub sizes: TableSizes,
}

/// What [`read_labels_again`] reads.
pub struct Labels {
    pub node_name: Vec<u32>,
    pub node_id: NodeIds,
    pub strings: StringTable,
    pub locations: Locations,
}

/// The node names and ids, the strings and the locations of a plain file
/// read again, for a load that shed them while the dominators took the
/// memory. `node_type` (kept) must be the file's: a file rewritten since
/// fails. The strings the first read kept in memory are kept so again
/// (`kept`), in arrays of the size that table had.
pub fn read_labels_again(
    at: &SectionOffsets,
    layout: &Layout,
    node_type: &[u8],
    kept: &KeptStrings,
) -> Result<Labels, SnapshotError> {
    // One after the other, the locations first: their sort's temporaries
    // (50 MB of a 1 GB snapshot) come and go before the rest grows.
    let locations = locations_again(at, layout, node_type.len())?;
    let strings = strings_again(at, kept)?;
    let (node_name, node_id) = nodes_again(at, layout, node_type)?;
    Ok(Labels {
        node_name,
        node_id,
        strings,
        locations,
    })
}

/// The error of a file found rewritten when read again.
pub(super) fn changed_since() -> SnapshotError {
    SnapshotError::Invalid("the file changed after it was read".into())
}

fn strings_again(at: &SectionOffsets, kept: &KeptStrings) -> Result<StringTable, SnapshotError> {
    let mut keep_going = |_| true;
    let mut s = at.stream_at(at.strings, &mut keep_going);
    let file = Some(Arc::clone(&at.file));
    let (strings, _) = read_strings(&mut s, file, Some(&kept.in_memory), kept.sizes)?;
    match strings.len() == at.strings_read {
        true => Ok(strings),
        false => Err(changed_since()),
    }
}

fn locations_again(
    at: &SectionOffsets,
    layout: &Layout,
    node_count: usize,
) -> Result<Locations, SnapshotError> {
    let (Some(offset), Some(mut entries)) = (at.locations, LocationEntries::new(layout)) else {
        return Ok(Locations::default());
    };
    let mut keep_going = |_| true;
    let mut s = at.stream_at(offset, &mut keep_going);
    s.read_records("locations", entries.width(), u64::MAX, &mut entries)?;
    Ok(location_map(entries.entries, node_count))
}

/// The node names and ids; `node_type` checks them.
fn nodes_again(
    at: &SectionOffsets,
    layout: &Layout,
    node_type: &[u8],
) -> Result<(Vec<u32>, NodeIds), SnapshotError> {
    let mut keep_going = |_| true;
    let mut s = at.stream_at(at.nodes, &mut keep_going);
    let mut nodes = Nodes::labels(layout);
    let width = layout.node_field_count;
    s.read_records("nodes", width, node_type.len() as u64, &mut nodes)?;
    if nodes.node_type != node_type {
        return Err(changed_since());
    }
    Ok((nodes.name, node_ids(nodes.id, nodes.wide_ids)))
}

/// The ids of the nodes' columns: each one's low half, and those past
/// 32 bits.
fn node_ids(low: Vec<u32>, wide: Mutex<Vec<(u64, u64)>>) -> NodeIds {
    NodeIds::new(
        low,
        wide.into_inner().unwrap_or_else(PoisonError::into_inner),
    )
}

impl SectionOffsets {
    /// The file streamed from `offset`, which the stream's offsets count
    /// from (the strings' spans are file offsets).
    fn stream_at<'p>(&self, offset: u64, progress: ReadProgress<'p>) -> Stream<'p, FileFrom> {
        let file = FileFrom::new(Arc::clone(&self.file), offset);
        let mut stream = Stream::new(file, progress, BUFFER_BYTES);
        stream.base = offset;
        stream
    }
}

/// How syntax errors name the JSON around the sections.
const TOP: &str = "top-level object";

/// What has been read so far.
#[derive(Default)]
struct Sections {
    header: Option<Header>,
    nodes: Option<Nodes>,
    edges: Option<Edges>,
    /// The edge topology, moved out of `edges` once it is consistent.
    shared: Option<SharedEdges>,
    strings: Option<StringTable>,
    ephemeron_names: Vec<EphemeronName>,
    /// The file being read, if it can be read again (see `StringTable`).
    backing: Option<Arc<File>>,
    /// That file, kept for reading its sections again.
    file: Option<Arc<File>>,
    /// Where each section read starts (after its key).
    offsets: Offsets,
    locations: Option<Vec<(u32, Location)>>,
    /// Every top-level key so far, to refuse one given twice: a set, since
    /// a list searched per key took 39 s over 200 k keys.
    seen: FxHashSet<String>,
    /// The key of the section read last, to say where a cut file ends.
    last: Option<String>,
    foreign_keys: usize,
}

impl Sections {
    fn read<R: Read>(
        &mut self,
        s: &mut Stream<'_, R>,
        key: &str,
        on_edges: EdgesHook<'_>,
    ) -> Result<(), SnapshotError> {
        if !self.seen.insert(key.to_owned()) {
            return Err(SnapshotError::DuplicateSection(short_key(key)));
        }
        self.last = Some(key.to_owned());
        self.offsets.note(key, s.offset());
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
                self.header_before(key)?;
                let (Some(header), Some(nodes)) = (&self.header, &mut self.nodes) else {
                    return Err(SnapshotError::NotHeapSnapshot(
                        "\"edges\" comes before \"nodes\"".into(),
                    ));
                };
                let mut edges = read_edges(s, header, nodes.node_type.len() as u64)?;
                let shared = share_edges(header, nodes, &mut edges);
                if let Some(shared) = &shared {
                    on_edges(shared, &header.layout);
                }
                self.shared = shared;
                self.edges = Some(edges);
            }
            "strings" => {
                let backing = self.backing.take();
                let names = backing.is_some().then(|| self.names()).flatten();
                let (strings, ephemerons) =
                    read_strings(s, backing, names.as_ref(), TableSizes::default())?;
                self.strings = Some(strings);
                self.ephemeron_names = ephemerons;
            }
            "locations" => {
                let header = self.header_before(key)?;
                match LocationEntries::new(&header.layout) {
                    Some(mut entries) => {
                        s.read_records(key, entries.width(), u64::MAX, &mut entries)?;
                        self.locations = Some(entries.entries);
                    }
                    None => s.skip_value(&quoted_key(key))?,
                }
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

    /// The strings that name nodes other than strings, or edges: the load
    /// passes and views read those often, so they stay in memory. None
    /// before the nodes and edges are read (then every string stays).
    fn names(&self) -> Option<FixedBitSet> {
        let (header, nodes, edges) = (
            self.header.as_ref()?,
            self.nodes.as_ref()?,
            self.edges.as_ref()?,
        );
        let edge_type = &self.shared.as_ref()?.edge_type;
        let t = &header.layout.types;
        let value = [t.string, t.cons_string, t.sliced_string];
        let mut names = FixedBitSet::new();
        let node_names = nodes.node_type.iter().zip(&nodes.name);
        let named_nodes = node_names.filter(|(ty, _)| !value.contains(ty));
        let edge_names = edge_type.iter().zip(&edges.name);
        let named_edges = edge_names.filter(|(&ty, _)| ty != t.edge_element && ty != t.edge_hidden);
        for (_, &name) in named_nodes.chain(named_edges) {
            let name = name as usize;
            if name >= names.len() {
                names.grow(name + 1);
            }
            names.insert(name);
        }
        Some(names)
    }

    /// Rewords a truncation between sections: say which one was complete.
    fn at_top(&self, error: SnapshotError) -> SnapshotError {
        match error {
            SnapshotError::Truncated {
                offset, progress, ..
            } => SnapshotError::Truncated {
                place: match self.last.as_deref() {
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
        let mut nodes = self.nodes.ok_or(SnapshotError::MissingSection("nodes"))?;
        let edges = self.edges.ok_or(SnapshotError::MissingSection("edges"))?;
        let strings = self
            .strings
            .ok_or(SnapshotError::MissingSection("strings"))?;
        let strings_read = strings.len();
        let layout = header.layout;
        let node_count = nodes.node_type.len();
        let edge_type = self
            .shared
            .as_ref()
            .map_or(&edges.edge_type, |shared| &shared.edge_type);
        // The index check, the WeakMap names and the location map side by
        // side. With the WeakMap names here rather than after reading, this
        // took 0.27–0.35 s of a 1 GB snapshot instead of 0.31–0.43 s; the
        // location map's temporaries (50 MB since its entries are read
        // whole) no longer keep it after the other two.
        let entries = self.locations;
        let ((checked, weakmaps), locations) = rayon::join(
            || {
                rayon::join(
                    || check_string_indexes(&nodes, &edges.name, edge_type, &layout, &strings),
                    || WeakMapEdges::new(&self.ephemeron_names, strings.len()),
                )
            },
            || entries.map(|entries| location_map(entries, node_count)),
        );
        drop(self.ephemeron_names);
        let locations = locations.unwrap_or_default();
        checked?;
        // Not shared: the counts or the root are wrong, and say so here, in
        // the order the checks always had.
        let shared = match self.shared {
            Some(shared) => shared,
            None => SharedEdges {
                first_edge: edge_offsets(&mut nodes.edge_count, edges.to.len())?.into(),
                root: root_ordinal(header.root_index, &layout, node_count)?,
                edge_to: edges.to.into(),
                edge_type: edges.edge_type.into(),
            },
        };
        Ok(HeapGraph {
            detachedness: if layout.node_detachedness.is_some() {
                nodes.detachedness
            } else {
                vec![0; node_count]
            },
            layout,
            strings,
            weakmaps,
            node_type: nodes.node_type,
            node_name: nodes.name,
            node_id: node_ids(nodes.id, nodes.wide_ids),
            self_size: nodes.self_size,
            first_edge: shared.first_edge,
            edge_type: shared.edge_type,
            edge_name: edges.name,
            edge_to: shared.edge_to,
            first_retainer: Vec::new(),
            retainer_node: Vec::new(),
            big_sources: Default::default(),
            listed_retainers: Default::default(),
            sections_at: self.offsets.of(self.file, strings_read),
            names_on_disk: None,
            locations,
            root: shared.root,
            extra_native_bytes: header.extra_native_bytes,
        })
    }
}

fn read_nodes<R: Read>(s: &mut Stream<'_, R>, header: &Header) -> Result<Nodes, SnapshotError> {
    if header.node_count >= u64::from(u32::MAX) {
        return Err(SnapshotError::TooLarge(format!(
            "{} nodes; heaplens indexes nodes with 32 bits",
            header.node_count
        )));
    }
    let width = header.layout.node_field_count;
    let mut nodes = Nodes::new(&header.layout);
    let read = s.read_records("nodes", width, header.node_count, &mut nodes)?;
    if read != header.node_count.saturating_mul(width as u64) {
        return Err(count_mismatch("nodes", header.node_count, width, read));
    }
    if nodes.node_type.is_empty() {
        return Err(SnapshotError::NotHeapSnapshot(
            "the snapshot has no nodes".into(),
        ));
    }
    Ok(nodes)
}

/// Cuts batches of values into records of `width` values, carrying a
/// partial record over to the next batch (for the exact scanner).
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
    let width = header.layout.edge_field_count;
    if header.edge_count >= u64::from(u32::MAX) {
        return Err(SnapshotError::TooLarge(format!(
            "{} edges; heaplens indexes edges with 32 bits",
            header.edge_count
        )));
    }
    let mut edges = Edges::new(header, node_count);
    let read = s.read_records("edges", width, header.edge_count, &mut edges)?;
    if read != header.edge_count.saturating_mul(width as u64) {
        return Err(count_mismatch("edges", header.edge_count, width, read));
    }
    Ok(edges)
}

/// The string table, and the WeakMap entry names among the strings.
fn read_strings<R: Read>(
    s: &mut Stream<'_, R>,
    backing: Option<Arc<File>>,
    names: Option<&FixedBitSet>,
    sizes: TableSizes,
) -> Result<(StringTable, Vec<EphemeronName>), SnapshotError> {
    let mut table = StringTable::backed_by(backing, sizes);
    let mut ephemerons = Vec::new();
    read_strings_into(s, &mut table, names, &mut ephemerons).map_err(|e| match e {
        SnapshotError::Truncated { place, offset, .. } => SnapshotError::Truncated {
            place,
            offset,
            progress: format!(" after {} strings", table.len()),
        },
        other => other,
    })?;
    table.open_on_disk();
    Ok((table, ephemerons))
}

fn read_strings_into<R: Read>(
    s: &mut Stream<'_, R>,
    table: &mut StringTable,
    names: Option<&FixedBitSet>,
    ephemerons: &mut Vec<EphemeronName>,
) -> Result<(), SnapshotError> {
    // WeakMap entry names are parsed here, while in cache; only views
    // read them afterwards.
    let mut keep = |table: &StringTable, text: &str| {
        let index = table.len() as u32;
        if let Some(ephemeron) = EphemeronName::read(index, text) {
            ephemerons.push(ephemeron);
            Keep::OnDisk
        } else if names.is_none_or(|n| n.contains(index as usize)) {
            Keep::InMemory
        } else {
            Keep::OnDisk
        }
    };
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
        // Most strings have no escapes and lie whole in the buffer: those
        // go from the buffer straight into the table.
        if let Some(text) = s.plain_string() {
            // No escapes: the text is the JSON text.
            let span = span_to(start, start + text.len() as u64);
            let keep = keep(table, text);
            table.push_read(text, span, keep)?;
        } else {
            read_escaped_string(s, table, &mut raw, start, &mut keep)?;
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

/// A string body that `Stream::plain_string` could not take: escaped, not
/// UTF-8, or cut by the end of the buffer.
fn read_escaped_string<R: Read>(
    s: &mut Stream<'_, R>,
    table: &mut StringTable,
    raw: &mut Vec<u8>,
    start: u64,
    keep: &mut dyn FnMut(&StringTable, &str) -> Keep,
) -> Result<(), SnapshotError> {
    let section = "\"strings\"";
    s.read_string_body(section, raw)?;
    let plain = (!raw.contains(&b'\\'))
        .then(|| std::str::from_utf8(raw).ok())
        .flatten();
    let span = span_to(start, start + raw.len() as u64);
    match plain {
        Some(text) => table.push_read(text, span, keep(table, text))?,
        None => {
            let text = decode_json_string(raw).map_err(|m| {
                let (at, what) = string_fault(raw, m);
                SnapshotError::Syntax {
                    section: section.to_owned(),
                    offset: start + at as u64,
                    message: format!("{what} in string {}", table.len()),
                }
            })?;
            table.push_read(&text, span, keep(table, &text))?
        }
    };
    Ok(())
}

/// The span of a string's JSON text from `start` to `end` (its closing
/// quote); a text past 4 GiB is noted as short, so it stays in memory.
fn span_to(start: u64, end: u64) -> Span {
    let len = u32::try_from(end - start).unwrap_or(0);
    Span { offset: start, len }
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

/// Moves the edge topology out of `edges` when it is consistent: the edge
/// counts add up and the root is a node. Otherwise `finish` reports why.
fn share_edges(header: &Header, nodes: &mut Nodes, edges: &mut Edges) -> Option<SharedEdges> {
    // The root first: the offsets take the counts, which an error found in
    // `finish` still needs.
    let root = root_ordinal(header.root_index, &header.layout, nodes.node_type.len()).ok()?;
    let first_edge = edge_offsets(&mut nodes.edge_count, edges.to.len()).ok()?;
    Some(SharedEdges {
        first_edge: first_edge.into(),
        edge_to: std::mem::take(&mut edges.to).into(),
        edge_type: std::mem::take(&mut edges.edge_type).into(),
        root,
    })
}

fn check_string_indexes(
    nodes: &Nodes,
    edge_name: &[u32],
    edge_type: &[u8],
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
    let bad =
        (0..edge_name.len()).find(|&e| !numeric(edge_type[e]) && u64::from(edge_name[e]) >= len);
    if let Some(edge) = bad {
        return Err(SnapshotError::Invalid(format!(
            "edge {edge}: name index {} is past the end of strings ({len} strings)",
            edge_name[edge]
        )));
    }
    Ok(())
}

/// The `node_count + 1` edge offsets, made from the nodes' edge counts in
/// place (a new array, 40 MB of a 1 GB snapshot, would be fresh pages
/// faulted in one by one). The counts stay when they do not add up.
fn edge_offsets(counts: &mut Vec<u32>, edge_total: usize) -> Result<Vec<u32>, SnapshotError> {
    let sum: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if sum != edge_total as u64 {
        return Err(SnapshotError::EdgeSum {
            sum,
            actual: edge_total as u64,
        });
    }
    // Every partial sum is at most `edge_total`, below 2^32 (checked when
    // the edges were read).
    // Room for the last offset before the counts are rewritten: they stay
    // for `finish` to report with, and a copy of them may not fit.
    counts
        .try_reserve_exact(1)
        .map_err(|_| SnapshotError::OutOfMemory {
            needed: 4 * counts.len() as u64 + 4,
            what: "the edge offsets".to_owned(),
        })?;
    let mut first = std::mem::take(counts);
    let mut start = 0;
    for count in &mut first {
        (*count, start) = (start, start + *count);
    }
    first.push(start);
    Ok(first)
}

/// The entries of nodes there are (ids of other fields or past the last
/// node are dropped, as DevTools' map never looks them up).
fn location_map(mut entries: Vec<(u32, Location)>, node_count: usize) -> Locations {
    entries.retain(|&(ordinal, _)| (ordinal as usize) < node_count);
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

/// `read` values where the header promised `count` records of `width`:
/// more than promised is all that is known, since reading stops at the
/// first value past them.
fn count_mismatch(section: &'static str, count: u64, width: usize, read: u64) -> SnapshotError {
    let noun = if section == "nodes" {
        "node_count"
    } else {
        "edge_count"
    };
    let expected = count.saturating_mul(width as u64);
    SnapshotError::CountMismatch {
        section,
        expected: format!("{noun} {count} ({expected} values)"),
        actual: if read > expected {
            format!("more than {expected} values")
        } else {
            format!("{read} values")
        },
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

/// Reads only the `snapshot` header at the start of a file, for a memory
/// estimate before loading. `None` when the header does not come first.
pub fn read_header(reader: impl Read) -> Result<Option<Header>, SnapshotError> {
    let mut no_progress = |_| true;
    let mut stream = Stream::new(reader, &mut no_progress, BUFFER_BYTES);
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

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::path::Path;

    use super::*;

    fn fixture(path: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(path);
        let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut bytes = Vec::new();
        match flate2::read::GzDecoder::new(raw.as_slice()).read_to_end(&mut bytes) {
            Ok(_) => bytes,
            Err(_) => raw,
        }
    }

    fn parse(bytes: &[u8], buffer_bytes: usize) -> HeapGraph {
        parse_with_buffer(bytes, None, &mut |_| true, &mut |_, _| {}, buffer_bytes)
            .unwrap_or_else(|e| panic!("buffer of {buffer_bytes} bytes: {e}"))
    }

    fn strings(graph: &HeapGraph) -> Vec<&str> {
        (0..graph.strings.len() as u32)
            .map(|i| graph.strings.get(i))
            .collect()
    }

    /// Reading a plain file, long strings stay in it from the start: values,
    /// and WeakMap entry names, parsed as they are read; every string reads
    /// the same as from memory.
    #[test]
    fn long_strings_of_a_plain_file_stay_in_it() {
        let weakmap_name = "1 / part of key (K @3) -> value (V @5) pair in WeakMap (table @7)";
        let long_value = format!("caf\u{e9} \"{}\"", "x".repeat(80));
        let mut s = crate::snapshot::test_snapshot::TestSnapshot::new();
        let value = s.node("string", &long_value, 3, 32);
        let other = s.node("object", "Other", 5, 10);
        s.edge(0, "element", "1", value);
        s.edge(value, "internal", weakmap_name, other);
        let json = s.json();
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), &json).expect("written");
        let open = || std::fs::File::open(file.path()).expect("opens");
        let backed = parse_snapshot_with(
            open(),
            Some(Arc::new(open())),
            &mut |_| true,
            &mut |_, _| {},
        )
        .expect("parses");
        let in_memory = parse(json.as_bytes(), BUFFER_BYTES);
        assert_eq!(backed.strings.on_disk_count(), 2, "the value and the name");
        assert_eq!(strings(&backed), strings(&in_memory));
        let name_index = backed.strings.indexes_of(weakmap_name)[0];
        let entry = backed.weakmaps.get(name_index).expect("an ephemeron name");
        assert_eq!(entry.table_id, Some(7));
        assert_eq!(backed.weakmaps.table_ids(), [7]);
        assert_eq!(backed.weakmaps, in_memory.weakmaps);
        assert!(strings(&backed).contains(&long_value.as_str()));
    }

    /// The topology handed out early is the one the graph keeps, and it is
    /// handed out only when the edge counts add up.
    #[test]
    fn the_edges_are_shared_before_the_strings_are_read() {
        let bytes = fixture("demo/after.heapsnapshot.gz");
        let mut shared = None;
        let graph = parse_with_buffer(
            bytes.as_slice(),
            None,
            &mut |_| true,
            &mut |edges, _| shared = Some(edges.clone()),
            BUFFER_BYTES,
        )
        .expect("the demo snapshot parses");
        let shared = shared.expect("the edges were shared");
        assert!(std::sync::Arc::ptr_eq(&shared.edge_to, &graph.edge_to));
        assert!(std::sync::Arc::ptr_eq(
            &shared.first_edge,
            &graph.first_edge
        ));
        assert!(std::sync::Arc::ptr_eq(&shared.edge_type, &graph.edge_type));
        assert_eq!(shared.root, graph.root);

        // Node A claims the root's edge as its own too: the counts add up to
        // 2 of the 1 edge there is.
        let mut s = crate::snapshot::test_snapshot::TestSnapshot::new();
        let a = s.node("object", "A", 3, 10);
        s.edge(0, "property", "a", a);
        let lying = s.json().replacen("3,1,3,10,0,", "3,1,3,10,1,", 1);
        let mut called = false;
        let result = parse_with_buffer(
            lying.as_bytes(),
            None,
            &mut |_| true,
            &mut |_, _| called = true,
            BUFFER_BYTES,
        );
        assert!(matches!(result, Err(SnapshotError::EdgeSum { .. })) && !called);
    }

    /// Small buffers cut numbers, records and strings at every place, and
    /// send whole arrays through the exact scanner; a mid-size one mixes
    /// fast blocks with cut records. Every column must come out the same.
    #[test]
    fn every_buffer_size_reads_the_same_graph() {
        for file in [
            "tiny/tiny-class-locations.heapsnapshot",
            "tiny/tiny-detached-dom.heapsnapshot",
            "real/node8-alinode-devtoolx.heapsnapshot.gz",
            "real/chromium156-chat-after.heapsnapshot.gz",
        ] {
            let bytes = fixture(file);
            let whole = parse(&bytes, BUFFER_BYTES);
            for buffer_bytes in [7, 100, 4_096, 65_536] {
                let cut = parse(&bytes, buffer_bytes);
                let at = format!("{file}, buffer of {buffer_bytes} bytes");
                assert_eq!(cut.node_type, whole.node_type, "{at}");
                assert_eq!(cut.node_name, whole.node_name, "{at}");
                assert_eq!(cut.node_id, whole.node_id, "{at}");
                assert_eq!(cut.self_size, whole.self_size, "{at}");
                assert_eq!(cut.detachedness, whole.detachedness, "{at}");
                assert_eq!(cut.first_edge, whole.first_edge, "{at}");
                assert_eq!(cut.edge_type, whole.edge_type, "{at}");
                assert_eq!(cut.edge_name, whole.edge_name, "{at}");
                assert_eq!(cut.edge_to, whole.edge_to, "{at}");
                assert_eq!(strings(&cut), strings(&whole), "{at}");
                assert_eq!(
                    format!("{:?}", cut.locations),
                    format!("{:?}", whole.locations),
                    "{at}"
                );
            }
        }
    }

    /// Each top-level key was looked for among all the keys before it:
    /// 200 k keys took 39 s, 2 M over a minute. 100 k keys now take
    /// milliseconds.
    #[test]
    fn regression_duplicate_key_check_is_linear() {
        use std::fmt::Write;
        let text = String::from_utf8(fixture("tiny/tiny-dominators.heapsnapshot")).expect("UTF-8");
        let mut keys = String::new();
        for i in 0..100_000 {
            let _ = write!(keys, "\"key{i}\":0,");
        }
        let padded = text.replacen("\"nodes\"", &format!("{keys}\"nodes\""), 1);
        let started = std::time::Instant::now();
        let graph = parse(padded.as_bytes(), BUFFER_BYTES);
        let took = started.elapsed();
        assert_eq!(graph.node_count(), 18);
        assert!(took.as_secs_f64() < 2.0, "took {took:?}");
        let twice = padded.replacen("\"key7\"", "\"key99999\"", 1);
        let error = parse_with_buffer(twice.as_bytes(), None, &mut |_| true, &mut |_, _| {}, 4096);
        assert!(
            matches!(&error, Err(SnapshotError::DuplicateSection(k)) if k == "key99999"),
            "{:?}",
            error.err()
        );
    }

    #[test]
    fn white_space_anywhere_in_the_arrays_changes_nothing() {
        let bytes = fixture("tiny/tiny-dominators.heapsnapshot");
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        let (head, strings_on) = text.split_at(text.find("\"strings\"").expect("strings"));
        let spaced = format!(
            "{}{strings_on}",
            head.replace(',', " ,\n\t ").replace('[', "[ ")
        );
        let whole = parse(&bytes, BUFFER_BYTES);
        for buffer_bytes in [5, 64, BUFFER_BYTES] {
            let graph = parse(spaced.as_bytes(), buffer_bytes);
            assert_eq!(graph.edge_to, whole.edge_to, "buffer of {buffer_bytes}");
            assert_eq!(graph.node_id, whole.node_id, "buffer of {buffer_bytes}");
            assert_eq!(graph.self_size, whole.self_size, "buffer of {buffer_bytes}");
        }
    }
}
