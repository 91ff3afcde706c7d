//! What an index's columns must satisfy before the views index by them:
//! the lengths the record gives, offsets in order, and references to nodes
//! and strings that exist. A damaged byte fails its section's checksum
//! first; these catch a section that passes it but does not fit the rest.

use rayon::prelude::*;

use super::contents::{Group, Need, RECORD};
use super::record::Record;
use super::IndexError;
use crate::snapshot::Analysis;

/// The sizes the record gives, which every column read must agree with.
pub(super) struct Counts {
    nodes: usize,
    edges: usize,
    strings: usize,
}

impl Counts {
    pub(super) fn of(record: &Record) -> Result<Counts, IndexError> {
        let size = |n: u64| usize::try_from(n).map_err(|_| IndexError::damaged(RECORD, "lies"));
        Ok(Counts {
            nodes: size(record.node_count)?,
            edges: size(record.edge_count)?,
            strings: size(record.string_count)?,
        })
    }

    /// Each of the named per-node column lengths is the node count.
    pub(super) fn check_node_columns<'n>(
        &self,
        mut lengths: impl Iterator<Item = (&'n str, usize)>,
    ) -> Result<(), IndexError> {
        match lengths.find(|&(_, length)| length != self.nodes) {
            Some((section, _)) => Err(IndexError::damaged(section, "has the wrong length")),
            None => Ok(()),
        }
    }

    /// Every column read has its length, and offsets stay inside what they
    /// index: a section that lies is named rather than read past.
    pub(super) fn check(&self, a: &Analysis, need: Need) -> Result<(), IndexError> {
        let g = &a.graph;
        let (n, e) = (self.nodes, self.edges);
        let mut lengths = vec![("strings_ends", g.strings.len(), self.strings)];
        if need.reads(Group::Nodes) {
            lengths.extend([
                ("node_type", g.node_type.len(), n),
                ("node_name", g.node_name.len(), n),
                ("node_id", g.node_id.len(), n),
                ("self_size", g.self_size.len(), n),
            ]);
            if !g.detachedness.is_empty() {
                lengths.push(("detachedness", g.detachedness.len(), n));
            }
        }
        if need.reads(Group::Edges) {
            lengths.extend([
                ("first_edge", g.first_edge.len(), n + 1),
                ("edge_type", g.edge_type.len(), e),
                ("edge_name", g.edge_name.len(), e),
                ("edge_to", g.edge_to.len(), e),
            ]);
            offsets("first_edge", &g.first_edge, e)?;
        }
        if need.reads(Group::Retainers) {
            lengths.extend([
                ("first_retainer", g.first_retainer.len(), n + 1),
                ("retainer_node", g.retainer_node.len(), e),
            ]);
            offsets("first_retainer", &g.first_retainer, e)?;
        }
        if need.reads(Group::Distances) {
            lengths.push(("distances", a.distances.len(), n));
        }
        if need.reads(Group::Classes) {
            lengths.push(("classes", a.classes.len(), n));
        }
        if need.reads(Group::Dominators) {
            lengths.extend([
                ("idom", a.dominators.idom.len(), n),
                ("retained", a.dominators.retained.len(), n),
            ]);
        }
        if need.reads(Group::ChildLists) {
            let tree = &a.dominators;
            lengths.push(("first_child", tree.first_child.len(), n + 1));
            offsets("first_child", &tree.first_child, tree.children.len())?;
        }
        match lengths.into_iter().find(|&(_, has, wants)| has != wants) {
            Some((section, _, _)) => Err(IndexError::damaged(section, "has the wrong length")),
            None if g.root as usize >= n.max(1) => Err(IndexError::damaged(RECORD, "lies")),
            None => self.check_references(a),
        }
    }

    /// Every node and string a column names exists: the views index by
    /// them without checking.
    fn check_references(&self, a: &Analysis) -> Result<(), IndexError> {
        let (g, tree) = (&a.graph, &a.dominators);
        let instances = a.aggregates.iter().flat_map(|c| c.instances.iter());
        let located = g.locations.iter().last().map(|(node, _)| node);
        let nodes: [(&str, &[u32]); 4] = [
            ("edge_to", &g.edge_to),
            ("retainer_node", &g.retainer_node),
            ("idom", &tree.idom),
            ("children", &tree.children),
        ];
        let strings: [(&str, &[u32]); 2] = [("node_name", &g.node_name), ("classes", &a.classes)];
        let outside = |values: &[u32], end: usize| values.par_iter().any(|&v| v as usize >= end);
        let wrong = nodes
            .into_iter()
            .find(|&(_, values)| outside(values, self.nodes))
            .or_else(|| strings.into_iter().find(|&(_, v)| outside(v, self.strings)))
            .map(|(section, _)| section)
            .or_else(|| {
                let beyond = |node: &u32| *node as usize >= self.nodes;
                instances.clone().any(beyond).then_some("instances")
            })
            .or_else(|| {
                located
                    .filter(|&n| n as usize >= self.nodes)
                    .map(|_| "locations")
            });
        match wrong {
            Some(section) => Err(IndexError::damaged(section, "names what is not there")),
            None => Ok(()),
        }
    }
}

/// CSR offsets: from 0, never decreasing, ending at `end`.
fn offsets(section: &str, values: &[u32], end: usize) -> Result<(), IndexError> {
    let fits = values.first().is_none_or(|&v| v == 0)
        && values.windows(2).all(|w| w[0] <= w[1])
        && values.last().is_none_or(|&v| v as usize == end);
    fits.then_some(())
        .ok_or_else(|| IndexError::damaged(section, "does not fit"))
}
