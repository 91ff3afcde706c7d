//! The columns the `nodes`, `edges` and `locations` arrays are read into.
//!
//! Records are written in place: the reader appends room for a block of
//! records, splits their slots in two at a record boundary, and two threads
//! check and store one half each. Every record, fast path or exact, goes
//! through the same `set`, so both paths accept and reject the same values.

use std::sync::Mutex;

use super::super::error::SnapshotError;
use super::super::graph::Location;
use super::super::meta::{Header, Layout, LocationLayout};

/// Growable columns of one array.
pub(super) trait Records {
    type Slots<'a>: Slots
    where
        Self: 'a;
    /// Records held.
    fn len(&self) -> usize;
    /// Appends `more` records, to be written through `slots_from`; the
    /// header promised `promised` in all. Fails when the memory for them
    /// cannot be had.
    fn extend(&mut self, more: usize, promised: u64) -> Result<(), SnapshotError>;
    /// Forgets the records from `len` on.
    fn truncate(&mut self, len: usize);
    /// The writable slots of the records from `start` on.
    fn slots_from(&mut self, start: usize) -> Self::Slots<'_>;
    /// Cuts the columns to the records held, once reading is done.
    fn seal(&mut self);
}

/// Writable slots of a run of records.
pub(super) trait Slots: Send + Sized {
    /// Slots of records `..at` and `at..`.
    fn split_at(self, at: usize) -> (Self, Self);
    /// Checks and stores record `i` of this run (its values in file order).
    fn set(&mut self, i: usize, record: &[u64]) -> Result<(), SnapshotError>;
}

/// First reservation per array, in records, when the header's count cannot
/// be reserved; arrays then grow by doubling.
const FIRST_RESERVE: usize = 1 << 16;

/// Makes `column` at least `len` long. The first growth allocates the
/// header's whole count at once, zeroed lazily by the OS: no copies (doubling
/// from 64 K records copied ~2× the columns: 0.4 s of a 1 GB load) and no
/// zero-filling on the reading thread (0.27 s); the pages are touched by the
/// parsing threads as they write. A lying header (`node_count` 4e9 over a
/// tiny array) whose count cannot be had falls back to doubling instead of
/// aborting under a memory limit. Doubling that cannot be had either fails
/// with the bytes it needed (an abort said only "memory allocation of N
/// bytes failed", with a backtrace and no file name).
fn ensure_len<T: Copy + Default>(
    column: &mut Vec<T>,
    len: usize,
    promised: u64,
) -> Result<(), u64> {
    if len <= column.len() {
        return Ok(());
    }
    if column.is_empty() {
        let whole = usize::try_from(promised).ok().filter(|&p| p >= len);
        if let Some(whole) = whole.and_then(zeroed) {
            *column = whole;
            return Ok(());
        }
    }
    if len > column.capacity() {
        let held = column.len();
        let more = held.max(FIRST_RESERVE).max(len - held);
        if column.try_reserve_exact(more).is_err() {
            // Doubling is a guess: what the records need may still fit.
            column
                .try_reserve_exact(len - held)
                .map_err(|_| ((len - held) * std::mem::size_of::<T>()) as u64)?;
        }
    }
    column.resize(len, T::default());
    Ok(())
}

/// The error for columns of `section` that could not grow by `needed` bytes.
fn no_room(section: &str, needed: u64) -> SnapshotError {
    SnapshotError::OutOfMemory {
        needed,
        what: format!("the \"{section}\" columns"),
    }
}

/// `len` zeros from `calloc`, or None when the address space is not there
/// (probed first: `vec!` would abort).
fn zeroed<T: Copy + Default>(len: usize) -> Option<Vec<T>> {
    Vec::<T>::new().try_reserve_exact(len).ok()?;
    Some(vec![T::default(); len])
}

#[derive(Default)]
pub(super) struct Nodes {
    pub node_type: Vec<u8>,
    pub name: Vec<u32>,
    /// Each id's low 32 bits; `wide_ids` has the ids past them.
    pub id: Vec<u32>,
    /// `(ordinal, id)` of each id past 32 bits (Julia writes addresses).
    pub wide_ids: Mutex<Vec<(u64, u64)>>,
    pub self_size: Vec<u32>,
    pub edge_count: Vec<u32>,
    /// Empty when the producer writes no `detachedness`.
    pub detachedness: Vec<u8>,
    /// Records held; the columns may be longer until `seal`.
    filled: usize,
    fields: NodeFields,
}

/// Where each node field sits in a record.
#[derive(Default, Clone, Copy)]
struct NodeFields {
    node_type: usize,
    name: usize,
    id: usize,
    self_size: usize,
    edge_count: usize,
    detachedness: Option<usize>,
    labels_only: bool,
}

impl Nodes {
    pub fn new(layout: &Layout) -> Nodes {
        Nodes {
            fields: NodeFields {
                node_type: layout.node_type,
                name: layout.node_name,
                id: layout.node_id,
                self_size: layout.node_self_size,
                edge_count: layout.node_edge_count,
                detachedness: layout.node_detachedness,
                labels_only: false,
            },
            ..Nodes::default()
        }
    }

    /// Columns for the types, names and ids alone: what is read again of
    /// a file the load has read once (the other columns stay empty).
    pub fn labels(layout: &Layout) -> Nodes {
        let mut nodes = Nodes::new(layout);
        nodes.fields.labels_only = true;
        nodes
    }
}

impl Nodes {
    /// Makes every column `len` long; the bytes it could not have, if not.
    fn grow(&mut self, len: usize, promised: u64) -> Result<(), u64> {
        ensure_len(&mut self.node_type, len, promised)?;
        ensure_len(&mut self.name, len, promised)?;
        ensure_len(&mut self.id, len, promised)?;
        if self.fields.labels_only {
            return Ok(());
        }
        ensure_len(&mut self.self_size, len, promised)?;
        ensure_len(&mut self.edge_count, len, promised)?;
        if self.fields.detachedness.is_some() {
            ensure_len(&mut self.detachedness, len, promised)?;
        }
        Ok(())
    }
}

impl Records for Nodes {
    type Slots<'a> = NodeSlots<'a>;

    fn len(&self) -> usize {
        self.filled
    }

    fn extend(&mut self, more: usize, promised: u64) -> Result<(), SnapshotError> {
        let len = self.filled + more;
        self.grow(len, promised)
            .map_err(|needed| no_room("nodes", needed))?;
        self.filled = len;
        Ok(())
    }

    fn truncate(&mut self, len: usize) {
        self.filled = self.filled.min(len);
    }

    fn slots_from(&mut self, start: usize) -> NodeSlots<'_> {
        let end = self.filled;
        NodeSlots {
            first: start as u64,
            fields: self.fields,
            node_type: &mut self.node_type[start..end],
            name: &mut self.name[start..end],
            id: &mut self.id[start..end],
            wide_ids: &self.wide_ids,
            self_size: self.self_size.get_mut(start..end).unwrap_or_default(),
            edge_count: self.edge_count.get_mut(start..end).unwrap_or_default(),
            detachedness: self.detachedness.get_mut(start..end).unwrap_or_default(),
        }
    }

    fn seal(&mut self) {
        let len = self.filled;
        self.node_type.truncate(len);
        self.name.truncate(len);
        self.id.truncate(len);
        self.self_size.truncate(len);
        self.edge_count.truncate(len);
        self.detachedness.truncate(len);
    }
}

pub(super) struct NodeSlots<'a> {
    /// Ordinal of the first node, for messages.
    first: u64,
    fields: NodeFields,
    node_type: &'a mut [u8],
    name: &'a mut [u32],
    id: &'a mut [u32],
    wide_ids: &'a Mutex<Vec<(u64, u64)>>,
    self_size: &'a mut [u32],
    edge_count: &'a mut [u32],
    detachedness: &'a mut [u8],
}

impl NodeSlots<'_> {
    #[cold]
    fn keep_wide_id(&self, node: u64, id: u64) {
        // A poisoned lock means another block panicked: its error wins.
        if let Ok(mut wide) = self.wide_ids.lock() {
            wide.push((node, id));
        }
    }
}

impl Slots for NodeSlots<'_> {
    fn split_at(self, at: usize) -> (Self, Self) {
        let (node_type, node_type_rest) = self.node_type.split_at_mut(at);
        let (name, name_rest) = self.name.split_at_mut(at);
        let (id, id_rest) = self.id.split_at_mut(at);
        let sized_at = at.min(self.self_size.len());
        let (self_size, self_size_rest) = self.self_size.split_at_mut(sized_at);
        let (edge_count, edge_count_rest) = self.edge_count.split_at_mut(sized_at);
        let detached_at = at.min(self.detachedness.len());
        let (detachedness, detachedness_rest) = self.detachedness.split_at_mut(detached_at);
        let first = NodeSlots {
            first: self.first,
            fields: self.fields,
            node_type,
            name,
            id,
            wide_ids: self.wide_ids,
            self_size,
            edge_count,
            detachedness,
        };
        let rest = NodeSlots {
            first: self.first + at as u64,
            fields: self.fields,
            node_type: node_type_rest,
            name: name_rest,
            id: id_rest,
            wide_ids: self.wide_ids,
            self_size: self_size_rest,
            edge_count: edge_count_rest,
            detachedness: detachedness_rest,
        };
        (first, rest)
    }

    #[inline]
    fn set(&mut self, i: usize, r: &[u64]) -> Result<(), SnapshotError> {
        let f = &self.fields;
        let node = self.first + i as u64;
        self.node_type[i] = small_type(r[f.node_type], "node", node)?;
        self.name[i] = to_u32(r[f.name], "node", node, "name")?;
        let id = r[f.id];
        self.id[i] = id as u32;
        if id > u64::from(u32::MAX) {
            self.keep_wide_id(node, id);
        }
        if let Some(slot) = self.self_size.get_mut(i) {
            *slot = to_u32(r[f.self_size], "node", node, "self_size")?;
        }
        if let Some(slot) = self.edge_count.get_mut(i) {
            *slot = to_u32(r[f.edge_count], "node", node, "edge_count")?;
        }
        if let (Some(d), Some(slot)) = (f.detachedness, self.detachedness.get_mut(i)) {
            *slot = u8::try_from(r[d].min(3)).unwrap_or(0);
        }
        Ok(())
    }
}

#[derive(Default)]
pub(super) struct Edges {
    pub edge_type: Vec<u8>,
    pub name: Vec<u32>,
    /// Target node ordinal.
    pub to: Vec<u32>,
    /// Records held; the columns may be longer until `seal`.
    filled: usize,
    fields: EdgeFields,
}

#[derive(Default, Clone, Copy)]
struct EdgeFields {
    edge_type: usize,
    name: usize,
    to_node: usize,
    node_width: u64,
    node_count: u64,
}

impl Edges {
    pub fn new(header: &Header, node_count: u64) -> Edges {
        let layout = &header.layout;
        Edges {
            fields: EdgeFields {
                edge_type: layout.edge_type,
                name: layout.edge_name,
                to_node: layout.edge_to_node,
                node_width: layout.node_field_count as u64,
                node_count,
            },
            ..Edges::default()
        }
    }
}

impl Records for Edges {
    type Slots<'a> = EdgeSlots<'a>;

    fn len(&self) -> usize {
        self.filled
    }

    fn extend(&mut self, more: usize, promised: u64) -> Result<(), SnapshotError> {
        let len = self.filled + more;
        ensure_len(&mut self.edge_type, len, promised)
            .and_then(|()| ensure_len(&mut self.name, len, promised))
            .and_then(|()| ensure_len(&mut self.to, len, promised))
            .map_err(|needed| no_room("edges", needed))?;
        self.filled = len;
        Ok(())
    }

    fn truncate(&mut self, len: usize) {
        self.filled = self.filled.min(len);
    }

    fn slots_from(&mut self, start: usize) -> EdgeSlots<'_> {
        let end = self.filled;
        EdgeSlots {
            first: start as u64,
            fields: self.fields,
            edge_type: &mut self.edge_type[start..end],
            name: &mut self.name[start..end],
            to: &mut self.to[start..end],
        }
    }

    fn seal(&mut self) {
        self.edge_type.truncate(self.filled);
        self.name.truncate(self.filled);
        self.to.truncate(self.filled);
    }
}

pub(super) struct EdgeSlots<'a> {
    first: u64,
    fields: EdgeFields,
    edge_type: &'a mut [u8],
    name: &'a mut [u32],
    to: &'a mut [u32],
}

impl Slots for EdgeSlots<'_> {
    fn split_at(self, at: usize) -> (Self, Self) {
        let (edge_type, edge_type_rest) = self.edge_type.split_at_mut(at);
        let (name, name_rest) = self.name.split_at_mut(at);
        let (to, to_rest) = self.to.split_at_mut(at);
        let first = EdgeSlots {
            first: self.first,
            fields: self.fields,
            edge_type,
            name,
            to,
        };
        let rest = EdgeSlots {
            first: self.first + at as u64,
            fields: self.fields,
            edge_type: edge_type_rest,
            name: name_rest,
            to: to_rest,
        };
        (first, rest)
    }

    /// Also resolves `to_node` (a node index) to an ordinal.
    #[inline]
    fn set(&mut self, i: usize, r: &[u64]) -> Result<(), SnapshotError> {
        let f = &self.fields;
        let edge = self.first + i as u64;
        self.edge_type[i] = small_type(r[f.edge_type], "edge", edge)?;
        self.name[i] = to_u32(r[f.name], "edge", edge, "name_or_index")?;
        let to = r[f.to_node];
        let Some(ordinal) = divide_exact(to, f.node_width) else {
            return Err(SnapshotError::Invalid(format!(
                "edge {edge}: to_node {to} is not a multiple of the node field count {}",
                f.node_width
            )));
        };
        if ordinal >= f.node_count {
            return Err(SnapshotError::Invalid(format!(
                "edge {edge}: to_node {to} points past the last node ({} nodes)",
                f.node_count
            )));
        }
        self.to[i] = ordinal as u32;
        Ok(())
    }
}

/// The `locations` array, read straight into `(ordinal, location)` entries
/// (16 bytes each, where its raw values took 32: with the map built from
/// them, reading a 1 GB snapshot peaked 70 MB higher).
pub(super) struct LocationEntries {
    pub entries: Vec<(u32, Location)>,
    fields: LocationLayout,
    node_width: u64,
    filled: usize,
}

/// The ordinal of an entry whose object is not a node's first field.
const NOT_A_NODE: u32 = u32::MAX;

impl LocationEntries {
    /// None when the meta names no location fields: the section is skipped.
    pub fn new(layout: &Layout) -> Option<LocationEntries> {
        Some(LocationEntries {
            entries: Vec::new(),
            fields: layout.location.clone()?,
            node_width: layout.node_field_count as u64,
            filled: 0,
        })
    }

    pub fn width(&self) -> usize {
        self.fields.field_count.max(1)
    }
}

impl Records for LocationEntries {
    type Slots<'a> = LocationSlots<'a>;

    fn len(&self) -> usize {
        self.filled
    }

    fn extend(&mut self, more: usize, promised: u64) -> Result<(), SnapshotError> {
        let len = self.filled + more;
        ensure_len(&mut self.entries, len, promised)
            .map_err(|needed| no_room("locations", needed))?;
        self.filled = len;
        Ok(())
    }

    fn truncate(&mut self, len: usize) {
        self.filled = self.filled.min(len);
    }

    fn slots_from(&mut self, start: usize) -> LocationSlots<'_> {
        LocationSlots {
            entries: &mut self.entries[start..self.filled],
            fields: &self.fields,
            node_width: self.node_width,
        }
    }

    fn seal(&mut self) {
        self.entries.truncate(self.filled);
    }
}

pub(super) struct LocationSlots<'a> {
    entries: &'a mut [(u32, Location)],
    fields: &'a LocationLayout,
    node_width: u64,
}

impl Slots for LocationSlots<'_> {
    fn split_at(self, at: usize) -> (Self, Self) {
        let (first, rest) = self.entries.split_at_mut(at);
        let (fields, node_width) = (self.fields, self.node_width);
        (
            LocationSlots {
                entries: first,
                fields,
                node_width,
            },
            LocationSlots {
                entries: rest,
                fields,
                node_width,
            },
        )
    }

    fn set(&mut self, i: usize, record: &[u64]) -> Result<(), SnapshotError> {
        let f = self.fields;
        let object = record[f.object_index];
        let ordinal = match u32::try_from(object / self.node_width) {
            Ok(ordinal) if object % self.node_width == 0 => ordinal,
            _ => NOT_A_NODE,
        };
        // Truncated to 32 bits like DevTools' `Uint32Array`, so an
        // out-of-range value keys the same class there and here.
        let location = Location {
            script_id: record[f.script_id] as u32,
            line: record[f.line] as u32,
            column: record[f.column] as u32,
        };
        self.entries[i] = (ordinal, location);
        Ok(())
    }
}

/// A node or edge type: a byte, with 255 reserved for "absent". The checks
/// are inlined into `set` and their messages kept out of line: as calls they
/// took 7 % of the CPU time of reading a snapshot (the 152 MB one: best of 8
/// reads 0.30 s, 0.27 s inlined).
#[inline]
fn small_type(value: u64, record: &str, index: u64) -> Result<u8, SnapshotError> {
    match u8::try_from(value) {
        Ok(t) if t != u8::MAX => Ok(t),
        _ => Err(type_out_of_range(value, record, index)),
    }
}

#[cold]
fn type_out_of_range(value: u64, record: &str, index: u64) -> SnapshotError {
    SnapshotError::Invalid(format!("{record} {index}: type {value} is out of range"))
}

#[inline]
fn to_u32(v: u64, record: &str, index: u64, field: &str) -> Result<u32, SnapshotError> {
    u32::try_from(v).map_err(|_| too_wide(v, record, index, field))
}

#[cold]
fn too_wide(v: u64, record: &str, index: u64, field: &str) -> SnapshotError {
    SnapshotError::Invalid(format!(
        "{record} {index}: {field} {v} does not fit in 32 bits"
    ))
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
