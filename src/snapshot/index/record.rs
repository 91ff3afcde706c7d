//! The index's small structured part, as JSON: the snapshot's layout and
//! totals, the Summary rows (their instances are a column of their own),
//! the `{a, b}` interfaces and the script names. Mirrors of the engine's
//! types, so that those need no serde of their own.

use serde::{Deserialize, Serialize};

use crate::snapshot::class_rows::{ClassRows, Totals};
use crate::snapshot::graph::Location;
use crate::snapshot::meta::{Layout, LocationLayout, Types};
use crate::snapshot::views::diff;
use crate::snapshot::views::growth::{self, HolderGrowth, HOLDERS_PER_CLASS};
use crate::snapshot::{Analysis, ClassAggregate, InterfaceDefinition, ScriptNames};

/// Everything of an Analysis that is not an array per node or edge.
#[derive(Debug, Serialize, Deserialize)]
pub struct Record {
    pub layout: LayoutRecord,
    pub root: u32,
    pub extra_native_bytes: u64,
    pub node_count: u64,
    pub edge_count: u64,
    pub string_count: u64,
    pub totals: Totals,
    pub rows: Vec<RowRecord>,
    pub interfaces: Vec<(String, Vec<String>)>,
    pub scripts: Vec<(u32, String)>,
}

impl Record {
    pub fn of(analysis: &Analysis) -> Record {
        let graph = &analysis.graph;
        let mut scripts: Vec<(u32, String)> = analysis
            .scripts
            .pairs()
            .map(|(id, name)| (id, name.to_owned()))
            .collect();
        scripts.sort_unstable();
        Record {
            layout: LayoutRecord::of(&graph.layout),
            root: graph.root,
            extra_native_bytes: graph.extra_native_bytes,
            node_count: graph.node_count() as u64,
            edge_count: graph.edge_count() as u64,
            string_count: graph.strings.len() as u64,
            totals: Totals::of(analysis),
            rows: analysis.aggregates.iter().map(RowRecord::of).collect(),
            interfaces: analysis
                .interfaces
                .iter()
                .map(|d| (d.name.clone(), d.properties.clone()))
                .collect(),
            scripts,
        }
    }

    pub fn interfaces(&self) -> Vec<InterfaceDefinition> {
        self.interfaces
            .iter()
            .map(|(name, properties)| InterfaceDefinition {
                name: name.clone(),
                properties: properties.clone(),
            })
            .collect()
    }

    pub fn scripts(&self) -> ScriptNames {
        ScriptNames::from_pairs(self.scripts.iter().cloned())
    }

    /// The Summary rows and totals.
    pub fn class_rows(&self) -> ClassRows {
        ClassRows {
            aggregates: self.aggregates(),
            scripts: self.scripts(),
            layout: self.layout.layout(),
            totals: self.totals,
        }
    }

    /// The Summary rows without their instances.
    pub fn aggregates(&self) -> Vec<ClassAggregate> {
        self.rows.iter().map(RowRecord::aggregate).collect()
    }
}

/// What a comparison reads besides the rows (section `comparison`): the
/// rows' names as a baseline's ([`baseline_names`]) and each row's top
/// holders as a target's.
///
/// [`baseline_names`]: crate::snapshot::views::diff::baseline_names
#[derive(Debug, Serialize, Deserialize)]
pub struct ComparisonRecord {
    pub baseline_names: Option<Vec<String>>,
    /// How many holders per row were kept (at most).
    pub holders_per_class: usize,
    pub holders: Vec<Vec<HolderRecord>>,
}

impl ComparisonRecord {
    pub fn of(analysis: &Analysis) -> ComparisonRecord {
        // The names' pass is mostly one core's; the holders take the other.
        let (baseline_names, holders) = rayon::join(
            || diff::baseline_names(analysis),
            || growth::holders_of_every_class(analysis, HOLDERS_PER_CLASS),
        );
        ComparisonRecord {
            baseline_names,
            holders_per_class: HOLDERS_PER_CLASS,
            holders: holders
                .iter()
                .map(|row| row.iter().map(HolderRecord::of).collect())
                .collect(),
        }
    }
}

/// [`HolderGrowth`] of a target, its baseline size still unknown.
#[derive(Debug, Serialize, Deserialize)]
pub struct HolderRecord {
    node: u32,
    id: u64,
    label: String,
    instances: u64,
    instances_retained: u64,
    retained: u64,
}

impl HolderRecord {
    fn of(h: &HolderGrowth) -> HolderRecord {
        HolderRecord {
            node: h.node,
            id: h.id,
            label: h.label.clone(),
            instances: h.instances,
            instances_retained: h.instances_retained,
            retained: h.retained,
        }
    }

    pub fn holder(&self) -> HolderGrowth {
        HolderGrowth {
            node: self.node,
            id: self.id,
            label: self.label.clone(),
            instances: self.instances,
            instances_retained: self.instances_retained,
            retained: self.retained,
            baseline_retained: None,
        }
    }
}

/// A Summary row; its instances are the next `instances` of the column.
#[derive(Debug, Serialize, Deserialize)]
pub struct RowRecord {
    pub key: String,
    pub name: String,
    /// `[script_id, line, column]`.
    pub location: Option<[u32; 3]>,
    pub count: u64,
    pub self_size: u64,
    pub retained_size: u64,
    pub distance: i32,
    pub instances: u64,
}

impl RowRecord {
    fn of(a: &ClassAggregate) -> RowRecord {
        RowRecord {
            key: a.key.clone(),
            name: a.name.clone(),
            location: a.location.map(|l| [l.script_id, l.line, l.column]),
            count: a.count,
            self_size: a.self_size,
            retained_size: a.retained_size,
            distance: a.distance,
            instances: a.instances.len() as u64,
        }
    }

    fn aggregate(&self) -> ClassAggregate {
        ClassAggregate {
            key: self.key.clone(),
            name: self.name.clone(),
            location: self.location.map(|[script_id, line, column]| Location {
                script_id,
                line,
                column,
            }),
            count: self.count,
            self_size: self.self_size,
            retained_size: self.retained_size,
            distance: self.distance,
            instances: Vec::new(),
        }
    }
}

/// [`Layout`], field for field.
#[derive(Debug, Serialize, Deserialize)]
pub struct LayoutRecord {
    node_fields: [usize; 6],
    node_detachedness: Option<usize>,
    edge_fields: [usize; 4],
    node_type_names: Vec<String>,
    edge_type_names: Vec<String>,
    /// field count, object index, script id, line, column.
    location: Option<[usize; 5]>,
    /// [`Types`] in declaration order.
    types: [u8; 18],
}

impl LayoutRecord {
    fn of(l: &Layout) -> LayoutRecord {
        let t = &l.types;
        LayoutRecord {
            node_fields: [
                l.node_field_count,
                l.node_type,
                l.node_name,
                l.node_id,
                l.node_self_size,
                l.node_edge_count,
            ],
            node_detachedness: l.node_detachedness,
            edge_fields: [l.edge_field_count, l.edge_type, l.edge_name, l.edge_to_node],
            node_type_names: l.node_type_names.clone(),
            edge_type_names: l.edge_type_names.clone(),
            location: l
                .location
                .as_ref()
                .map(|o| [o.field_count, o.object_index, o.script_id, o.line, o.column]),
            types: [
                t.hidden,
                t.array,
                t.string,
                t.object,
                t.code,
                t.closure,
                t.regexp,
                t.native,
                t.synthetic,
                t.cons_string,
                t.sliced_string,
                t.edge_context,
                t.edge_element,
                t.edge_property,
                t.edge_internal,
                t.edge_hidden,
                t.edge_shortcut,
                t.edge_weak,
            ],
        }
    }

    pub fn layout(&self) -> Layout {
        let [node_field_count, node_type, node_name, node_id, node_self_size, node_edge_count] =
            self.node_fields;
        let [edge_field_count, edge_type, edge_name, edge_to_node] = self.edge_fields;
        let t = self.types;
        Layout {
            node_field_count,
            node_type,
            node_name,
            node_id,
            node_self_size,
            node_edge_count,
            node_detachedness: self.node_detachedness,
            edge_field_count,
            edge_type,
            edge_name,
            edge_to_node,
            node_type_names: self.node_type_names.clone(),
            edge_type_names: self.edge_type_names.clone(),
            location: self
                .location
                .map(
                    |[field_count, object_index, script_id, line, column]| LocationLayout {
                        field_count,
                        object_index,
                        script_id,
                        line,
                        column,
                    },
                ),
            types: Types {
                hidden: t[0],
                array: t[1],
                string: t[2],
                object: t[3],
                code: t[4],
                closure: t[5],
                regexp: t[6],
                native: t[7],
                synthetic: t[8],
                cons_string: t[9],
                sliced_string: t[10],
                edge_context: t[11],
                edge_element: t[12],
                edge_property: t[13],
                edge_internal: t[14],
                edge_hidden: t[15],
                edge_shortcut: t[16],
                edge_weak: t[17],
            },
        }
    }
}
