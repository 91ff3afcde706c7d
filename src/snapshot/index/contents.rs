//! Which sections an index holds, how an Analysis becomes them, and how
//! the Analysis comes back from the ones a command reads ([`Need`]).

use std::fs::File;
use std::sync::Arc;

use elsa::sync::FrozenMap;

use super::checks::Counts;
use super::container::{self, Column, Header, Part};
use super::record::{ComparisonRecord, Record};
use super::IndexError;
use crate::snapshot::dominators::DominatorTree;
use crate::snapshot::graph::{HeapGraph, Location, Locations, NodeIds};
use crate::snapshot::names::PlainShapes;
use crate::snapshot::strings::{Held, OnDiskString, Span, StringTable};
use crate::snapshot::views::diff;
use crate::snapshot::weakmap::WeakMapEdges;
use crate::snapshot::{Analysis, Stage, Timings};

/// What a command reads of an indexed snapshot; only those sections are
/// read (the others stay empty, as after a load for fewer `Reads`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Node ids and the meta, with the other node columns and strings:
    /// what a snapshot only parsed serves (`leaks`' S1 and S2, an
    /// allocation range's base).
    Nodes,
    /// A comparison's baseline, already shed (see
    /// `Analysis::shed_for_comparison`).
    ComparisonBaseline,
    /// A comparison's target for its JSON and table: no retainers,
    /// distances or dominator child lists.
    ComparisonTarget,
    /// `Reads::AllButDistances`.
    AllButDistances,
    Everything,
}

/// Groups of sections, read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Group {
    Nodes,
    Edges,
    Retainers,
    Distances,
    Classes,
    Dominators,
    ChildLists,
    Shapes,
}

impl Need {
    pub(super) fn reads(self, group: Group) -> bool {
        use Group as G;
        match self {
            Need::Nodes => group == G::Nodes,
            Need::ComparisonBaseline => {
                matches!(group, G::Nodes | G::Classes | G::Dominators | G::Shapes)
            }
            Need::ComparisonTarget => {
                matches!(group, G::Nodes | G::Edges | G::Classes | G::Dominators)
            }
            Need::AllButDistances => !matches!(group, G::Distances | G::Shapes),
            Need::Everything => group != G::Shapes,
        }
    }
}

pub(super) const RECORD: &str = "record";
pub(super) const INSTANCES_BY_ID: &str = "instances_by_id";
pub(super) const COMPARISON: &str = "comparison";

/// The sections of `analysis` a load reads, the record first.
pub fn parts(analysis: &Analysis) -> Result<Vec<Part<'_>>, serde_json::Error> {
    let graph = &analysis.graph;
    let tree = &analysis.dominators;
    let record = serde_json::to_vec(&Record::of(analysis))?;
    let (text, ends, on_disk) = graph.strings.saved();
    let shapes = analysis.plain_shapes().into_owned();
    let [objects, first, names] = shapes.parts().map(<[u32]>::to_vec);
    let wide: Vec<u32> = match graph.node_id.is_wide() {
        true => graph.node_id.iter().map(|id| (id >> 32) as u32).collect(),
        false => Vec::new(),
    };
    let locations: Vec<u32> = graph
        .locations
        .iter()
        .flat_map(|(n, l)| [n, l.script_id, l.line, l.column])
        .collect();
    let instances: Vec<u32> = analysis
        .aggregates
        .iter()
        .flat_map(|a| a.instances.iter().copied())
        .collect();
    let ends: Vec<u64> = ends.iter().map(|&e| e as u64).collect();
    let on_disk: Vec<u64> = on_disk.iter().flat_map(|&s| on_disk_words(s)).collect();
    Ok(vec![
        Part::owned(RECORD, record),
        Part::column("node_type", &graph.node_type),
        Part::column("node_name", &graph.node_name),
        Part::column("node_id", graph.node_id.devtools_ids()),
        Part::owned("node_id_high", column_bytes(&wide)),
        Part::column("self_size", &graph.self_size),
        Part::column("detachedness", &graph.detachedness),
        Part::owned("locations", column_bytes(&locations)),
        Part::owned("strings_text", text.as_bytes().to_vec()),
        Part::owned("strings_ends", column_bytes(&ends)),
        Part::owned("strings_on_disk", column_bytes(&on_disk)),
        Part::column("first_edge", &graph.first_edge),
        Part::column("edge_type", &graph.edge_type),
        Part::column("edge_name", &graph.edge_name),
        Part::column("edge_to", &graph.edge_to),
        Part::column("first_retainer", &graph.first_retainer),
        Part::column("retainer_node", &graph.retainer_node),
        Part::column("distances", &analysis.distances),
        Part::column("classes", &analysis.classes),
        Part::column("idom", &tree.idom),
        Part::column("retained", &tree.retained),
        Part::column("first_child", &tree.first_child),
        Part::column("children", &tree.children),
        Part::owned("instances", column_bytes(&instances)),
        Part::owned("shapes_objects", column_bytes(&objects)),
        Part::owned("shapes_first", column_bytes(&first)),
        Part::owned("shapes_names", column_bytes(&names)),
    ])
}

/// The sections [`comparison_parts`] makes, in its order.
pub const COMPARISON_PARTS: [&str; 2] = [INSTANCES_BY_ID, COMPARISON];

/// The bytes of the sections a comparison reads that no load needs:
/// every row's instances by id and the comparison record. Made while the
/// others are written.
pub fn comparison_parts(analysis: &Analysis) -> Result<Vec<Vec<u8>>, serde_json::Error> {
    let (by_id, comparison) = rayon::join(
        || diff::instances_by_id(analysis),
        || serde_json::to_vec(&ComparisonRecord::of(analysis)),
    );
    Ok(vec![column_bytes(&by_id), comparison?])
}

/// A column's bytes, owned (for arrays made for the index).
fn column_bytes<T: Column>(values: &[T]) -> Vec<u8> {
    Part::column("", values).bytes.into_owned()
}

/// A string left on disk as three words: index and length of its JSON
/// text, its offset, its hash and decoded length.
fn on_disk_words((index, span, held): OnDiskString) -> [u64; 3] {
    [
        u64::from(index) << 32 | u64::from(span.len),
        span.offset,
        u64::from(held.hash) << 32 | u64::from(held.len),
    ]
}

fn on_disk_string(words: &[u64]) -> OnDiskString {
    let (first, offset, last) = (words[0], words[1], words[2]);
    let span = Span {
        offset,
        len: first as u32,
    };
    let held = Held {
        hash: (last >> 32) as u32,
        len: last as u32,
    };
    ((first >> 32) as u32, span, held)
}

/// The record (layout, totals, rows, interfaces, scripts).
pub fn read_record(file: &File, header: &Header) -> Result<Record, IndexError> {
    read_json(file, header, RECORD)
}

/// A section written as JSON.
pub(super) fn read_json<T: serde::de::DeserializeOwned>(
    file: &File,
    header: &Header,
    section: &str,
) -> Result<T, IndexError> {
    let bytes = container::read_bytes(file, header.section(section)?)?;
    serde_json::from_slice(&bytes).map_err(|_| IndexError::damaged(section, "cannot be read"))
}

/// The sections `need` reads, read side by side (they are independent).
#[derive(Default)]
struct Columns {
    node_type: Vec<u8>,
    node_name: Vec<u32>,
    node_id: Vec<u32>,
    node_id_high: Vec<u32>,
    self_size: Vec<u32>,
    detachedness: Vec<u8>,
    locations: Vec<u32>,
    strings_text: Vec<u8>,
    strings_ends: Vec<u64>,
    strings_on_disk: Vec<u64>,
    first_edge: Vec<u32>,
    edge_type: Vec<u8>,
    edge_name: Vec<u32>,
    edge_to: Vec<u32>,
    first_retainer: Vec<u32>,
    retainer_node: Vec<u32>,
    distances: Vec<i32>,
    classes: Vec<u32>,
    idom: Vec<u32>,
    retained: Vec<u64>,
    first_child: Vec<u32>,
    children: Vec<u32>,
    instances: Vec<u32>,
    shapes_objects: Vec<u32>,
    shapes_first: Vec<u32>,
    shapes_names: Vec<u32>,
}

/// Reads the columns `need` reads into `columns`, on all cores; the first
/// failure, if any.
fn read_columns(file: &File, header: &Header, need: Need) -> Result<Columns, IndexError> {
    let mut c = Columns::default();
    let failure = std::sync::Mutex::new(None);
    rayon::scope(|s| {
        let read = Reader {
            file,
            header,
            failure: &failure,
        };
        let on = |group| need.reads(group);
        if on(Group::Nodes) {
            read.fill(s, "node_type", &mut c.node_type);
            read.fill(s, "node_name", &mut c.node_name);
            read.fill(s, "node_id", &mut c.node_id);
            read.fill(s, "node_id_high", &mut c.node_id_high);
            read.fill(s, "self_size", &mut c.self_size);
            read.fill(s, "detachedness", &mut c.detachedness);
            read.fill(s, "locations", &mut c.locations);
            read.fill(s, "strings_text", &mut c.strings_text);
            read.fill(s, "strings_ends", &mut c.strings_ends);
            read.fill(s, "strings_on_disk", &mut c.strings_on_disk);
        }
        if on(Group::Edges) {
            read.fill(s, "first_edge", &mut c.first_edge);
            read.fill(s, "edge_type", &mut c.edge_type);
            read.fill(s, "edge_name", &mut c.edge_name);
            read.fill(s, "edge_to", &mut c.edge_to);
        }
        if on(Group::Retainers) {
            read.fill(s, "first_retainer", &mut c.first_retainer);
            read.fill(s, "retainer_node", &mut c.retainer_node);
        }
        if on(Group::Distances) {
            read.fill(s, "distances", &mut c.distances);
        }
        if on(Group::Classes) {
            read.fill(s, "classes", &mut c.classes);
            read.fill(s, "instances", &mut c.instances);
        }
        if on(Group::Dominators) {
            read.fill(s, "idom", &mut c.idom);
            read.fill(s, "retained", &mut c.retained);
        }
        if on(Group::ChildLists) {
            read.fill(s, "first_child", &mut c.first_child);
            read.fill(s, "children", &mut c.children);
        }
        if on(Group::Shapes) {
            read.fill(s, "shapes_objects", &mut c.shapes_objects);
            read.fill(s, "shapes_first", &mut c.shapes_first);
            read.fill(s, "shapes_names", &mut c.shapes_names);
        }
    });
    first_failure(failure).map(|()| c)
}

/// The first failure [`Reader`]s kept, if any.
pub(super) fn first_failure(
    failure: std::sync::Mutex<Option<IndexError>>,
) -> Result<(), IndexError> {
    match failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        None => Ok(()),
        Some(error) => Err(error),
    }
}

/// Reads sections into vectors on the scope's threads, keeping the first
/// failure.
pub(super) struct Reader<'a> {
    pub(super) file: &'a File,
    pub(super) header: &'a Header,
    pub(super) failure: &'a std::sync::Mutex<Option<IndexError>>,
}

impl<'a> Reader<'a> {
    pub(super) fn fill<'s, T: Column>(
        &self,
        scope: &rayon::Scope<'s>,
        name: &'static str,
        into: &'s mut Vec<T>,
    ) where
        'a: 's,
    {
        let (file, header, failure) = (self.file, self.header, self.failure);
        scope.spawn(move |_| {
            let read = header
                .section(name)
                .and_then(|section| container::read_column(file, section));
            match read {
                Ok(values) => *into = values,
                Err(error) => {
                    let mut first = failure.lock().unwrap_or_else(|p| p.into_inner());
                    first.get_or_insert(error);
                }
            }
        });
    }
}

/// The Analysis from the sections `need` reads.
pub fn read_analysis(
    file: &File,
    header: &Header,
    need: Need,
    snapshot: Option<Arc<File>>,
) -> Result<Analysis, IndexError> {
    let started = std::time::Instant::now();
    let record = read_record(file, header)?;
    let c = read_columns(file, header, need)?;
    let counts = Counts::of(&record)?;
    let mut timings = Timings::default();
    let mut aggregates = record.aggregates();
    if need.reads(Group::Classes) {
        deal_instances(&record, &mut aggregates, c.instances)?;
    }
    let kept_shapes = match need.reads(Group::Shapes) {
        true => Some(
            PlainShapes::from_parts(c.shapes_objects, c.shapes_first, c.shapes_names)
                .ok_or_else(|| IndexError::damaged("shapes_first", "does not fit"))?,
        ),
        false => None,
    };
    let strings = strings(c.strings_text, c.strings_ends, &c.strings_on_disk, snapshot)?;
    let graph = HeapGraph {
        layout: record.layout.layout(),
        strings,
        weakmaps: WeakMapEdges::default(),
        node_type: c.node_type,
        node_name: c.node_name,
        node_id: node_ids(c.node_id, c.node_id_high),
        self_size: c.self_size,
        detachedness: c.detachedness,
        first_edge: Arc::new(c.first_edge),
        edge_type: Arc::new(c.edge_type),
        edge_name: c.edge_name,
        edge_to: Arc::new(c.edge_to),
        first_retainer: c.first_retainer,
        retainer_node: c.retainer_node,
        locations: locations(&c.locations)?,
        big_sources: FrozenMap::new(),
        listed_retainers: Default::default(),
        sections_at: None,
        names_on_disk: None,
        root: record.root,
        extra_native_bytes: record.extra_native_bytes,
    };
    let analysis = Analysis {
        graph,
        distances: c.distances,
        dominators: DominatorTree {
            idom: c.idom,
            retained: c.retained,
            first_child: c.first_child,
            children: c.children,
            dominating: Default::default(),
        },
        classes: c.classes,
        interfaces: record.interfaces(),
        kept_shapes,
        kept_cons: None,
        aggregates,
        scripts: record.scripts(),
        distance_filter: None,
        timings: {
            timings.record(Stage::Read, started.elapsed());
            timings
        },
    };
    counts.check(&analysis, need)?;
    Ok(analysis)
}

/// Hands each Summary row its instances, in the order written.
fn deal_instances(
    record: &Record,
    aggregates: &mut [crate::snapshot::ClassAggregate],
    instances: Vec<u32>,
) -> Result<(), IndexError> {
    let mut rest = &instances[..];
    for (aggregate, row) in aggregates.iter_mut().zip(&record.rows) {
        let count = usize::try_from(row.instances).unwrap_or(usize::MAX);
        if count > rest.len() {
            return Err(IndexError::damaged("instances", "has the wrong length"));
        }
        let (mine, after) = rest.split_at(count);
        aggregate.instances = mine.to_vec();
        rest = after;
    }
    match rest.is_empty() {
        true => Ok(()),
        false => Err(IndexError::damaged("instances", "has the wrong length")),
    }
}

pub(super) fn node_ids(low: Vec<u32>, high: Vec<u32>) -> NodeIds {
    let wide = high
        .iter()
        .enumerate()
        .filter(|&(_, &h)| h != 0)
        .map(|(n, &h)| (n as u64, u64::from(h) << 32 | u64::from(low[n])))
        .collect();
    NodeIds::new(low, wide)
}

fn locations(words: &[u32]) -> Result<Locations, IndexError> {
    if words.len() % 4 != 0 {
        return Err(IndexError::damaged("locations", "has a partial value"));
    }
    let entries = words
        .chunks_exact(4)
        .map(|w| {
            let location = Location {
                script_id: w[1],
                line: w[2],
                column: w[3],
            };
            (w[0], location)
        })
        .collect();
    Locations::from_sorted(entries).ok_or_else(|| IndexError::damaged("locations", "does not fit"))
}

fn strings(
    text: Vec<u8>,
    ends: Vec<u64>,
    on_disk: &[u64],
    snapshot: Option<Arc<File>>,
) -> Result<StringTable, IndexError> {
    let text =
        String::from_utf8(text).map_err(|_| IndexError::damaged("strings_text", "is not UTF-8"))?;
    // The same vector where usize is 64 bits; converted elsewhere.
    let ends = match bytemuck::allocation::try_cast_vec::<u64, usize>(ends) {
        Ok(ends) => ends,
        Err((_, ends)) => ends
            .into_iter()
            .map(usize::try_from)
            .collect::<Result<Vec<usize>, _>>()
            .map_err(|_| IndexError::damaged("strings_ends", "does not fit"))?,
    };
    if on_disk.len() % 3 != 0 {
        return Err(IndexError::damaged(
            "strings_on_disk",
            "has a partial value",
        ));
    }
    let on_disk = on_disk.chunks_exact(3).map(on_disk_string).collect();
    StringTable::restored(text, ends, on_disk, snapshot)
        .ok_or_else(|| IndexError::damaged("strings_ends", "does not fit"))
}
