//! What `diff` reads of an index, and nothing more: the class rows, the
//! instances of each row already sorted by id, the self sizes, and the
//! holders kept of each row; a baseline also its node ids and retained
//! sizes, to find the target's holders in it. A tenth of the index of a
//! 1 GB snapshot, where loading the analysis for a comparison read it all.

use std::fs::File;
use std::sync::Mutex;

use super::checks::Counts;
use super::container::Header;
use super::contents::{self, Reader, COMPARISON, INSTANCES_BY_ID};
use super::record::ComparisonRecord;
use super::IndexError;
use crate::snapshot::class_rows::ClassRows;
use crate::snapshot::graph::NodeIds;
use crate::snapshot::views::diff::Side;
use crate::snapshot::views::growth::{add_baseline_retained, HolderGrowth};
use crate::snapshot::InterfaceDefinition;

/// Which side of a comparison an index is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Baseline,
    Target,
}

/// One snapshot of a comparison, as its index keeps it.
#[derive(Debug)]
pub struct ComparedIndex {
    pub rows: ClassRows,
    pub interfaces: Vec<InterfaceDefinition>,
    /// `id << 32 | node` of every row's instances, row after row, by id.
    by_id: Vec<u64>,
    self_size: Vec<u32>,
    record: ComparisonRecord,
    /// A baseline's node ids and retained sizes (empty for a target).
    node_id: NodeIds,
    retained: Vec<u64>,
}

impl ComparedIndex {
    /// Whether [`ComparedIndex::side`] of this baseline compares with
    /// `target` as the analysis would: the target classifies it with the
    /// same interfaces, under which its rows are its Summary rows, and
    /// both keep the holders asked for.
    pub fn serves_as_baseline_of(&self, target: &ComparedIndex, holders: usize) -> bool {
        self.record.baseline_names.is_some()
            && self.interfaces == target.interfaces
            && target.record.holders_per_class >= holders
    }

    /// The side of the comparison; its names only for a baseline.
    pub fn side(&self, role: Role) -> Result<Side<'_>, IndexError> {
        let names = match role {
            Role::Baseline => self.record.baseline_names.clone(),
            Role::Target => None,
        };
        let rows = self.rows.aggregates.clone();
        Side::presorted(rows, names, &self.by_id, &self.self_size)
            .ok_or_else(|| IndexError::damaged(INSTANCES_BY_ID, "does not fit"))
    }

    /// The first `top` holders of the target's row `key`, with their
    /// retained sizes in `base`.
    pub fn holders(&self, base: &ComparedIndex, key: &str, top: usize) -> Vec<HolderGrowth> {
        let row = self.rows.aggregates.iter().position(|a| a.key == key);
        let kept = row.map_or(&[][..], |row| &self.record.holders[row][..]);
        let mut holders: Vec<HolderGrowth> = kept.iter().take(top).map(|h| h.holder()).collect();
        add_baseline_retained(&mut holders, &base.node_id, &base.retained);
        holders
    }
}

/// Reads what a comparison reads of the index, for `role`.
pub fn read(file: &File, header: &Header, role: Role) -> Result<ComparedIndex, IndexError> {
    let record = contents::read_record(file, header)?;
    let comparison: ComparisonRecord = contents::read_json(file, header, COMPARISON)?;
    let counts = Counts::of(&record)?;
    let (mut by_id, mut self_size) = (Vec::new(), Vec::new());
    let (mut low, mut high, mut retained) = (Vec::new(), Vec::new(), Vec::new());
    let failure = Mutex::new(None);
    rayon::scope(|s| {
        let read = Reader {
            file,
            header,
            failure: &failure,
        };
        read.fill(s, INSTANCES_BY_ID, &mut by_id);
        read.fill(s, "self_size", &mut self_size);
        if role == Role::Baseline {
            read.fill(s, "node_id", &mut low);
            read.fill(s, "node_id_high", &mut high);
            read.fill(s, "retained", &mut retained);
        }
    });
    contents::first_failure(failure)?;
    let baseline_lengths = [("node_id", low.len()), ("retained", retained.len())];
    let lengths = std::iter::once(("self_size", self_size.len()))
        .chain(
            baseline_lengths
                .into_iter()
                .filter(|_| role == Role::Baseline),
        )
        .chain((!high.is_empty()).then_some(("node_id_high", high.len())));
    counts.check_node_columns(lengths)?;
    if comparison.holders.len() != record.rows.len()
        || comparison
            .baseline_names
            .as_ref()
            .is_some_and(|names| names.len() != record.rows.len())
    {
        return Err(IndexError::damaged(COMPARISON, "does not fit"));
    }
    Ok(ComparedIndex {
        rows: record.class_rows(),
        interfaces: record.interfaces(),
        by_id,
        self_size,
        record: comparison,
        node_id: contents::node_ids(low, high),
        retained,
    })
}
