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
use super::record::{ComparisonRecord, Record};
use super::IndexError;
use crate::snapshot::class_rows::ClassRows;
use crate::snapshot::graph::NodeIds;
use crate::snapshot::views::diff::Side;
use crate::snapshot::views::growth::HolderGrowth;
use crate::snapshot::InterfaceDefinition;

/// Which side of a comparison an index is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Baseline,
    Target,
}

/// The small sections of a comparison's index, read first: whether its
/// baseline index serves is known before the columns are read.
#[derive(Debug)]
pub struct ComparisonHead {
    record: Record,
    comparison: ComparisonRecord,
}

impl ComparisonHead {
    /// Whether the comparison sections of this baseline compare with
    /// `target` as the analysis would: the target classifies it with the
    /// same interfaces, under which its rows are its Summary rows, and
    /// keeps the holders asked for. Otherwise the baseline is classified
    /// again, from its analysis.
    pub fn serves_as_baseline_of(&self, target: &ComparisonHead, holders: usize) -> bool {
        self.comparison.baseline_names.is_some()
            && self.record.interfaces == target.record.interfaces
            && target.comparison.holders_per_class >= holders
    }
}

/// One snapshot of a comparison, as its index keeps it.
#[derive(Debug)]
pub struct ComparedIndex {
    pub rows: ClassRows,
    /// Its `{a, b}` interfaces: a target's classify the baseline.
    pub interfaces: Vec<InterfaceDefinition>,
    /// `id << 32 | node` of every row's instances, row after row, by id.
    by_id: Vec<u64>,
    self_size: Vec<u32>,
    comparison: ComparisonRecord,
    /// A baseline's node ids and retained sizes (empty for a target).
    pub node_id: NodeIds,
    pub retained: Vec<u64>,
}

impl ComparedIndex {
    /// The side of the comparison; its names only for a baseline.
    pub fn side(&self, role: Role) -> Result<Side<'_>, IndexError> {
        let names = match role {
            Role::Baseline => self.comparison.baseline_names.clone(),
            Role::Target => None,
        };
        let rows = self.rows.aggregates.clone();
        Side::presorted(rows, names, &self.by_id, &self.self_size)
            .ok_or_else(|| IndexError::damaged(INSTANCES_BY_ID, "does not fit"))
    }

    /// The first `top` holders of the target's row `key`, their baseline
    /// sizes still unknown.
    pub fn holders(&self, key: &str, top: usize) -> Vec<HolderGrowth> {
        let row = self.rows.aggregates.iter().position(|a| a.key == key);
        let kept = row.map_or(&[][..], |row| &self.comparison.holders[row][..]);
        kept.iter().take(top).map(|h| h.holder()).collect()
    }
}

/// Reads the small sections a comparison reads of the index.
pub fn head(file: &File, header: &Header) -> Result<ComparisonHead, IndexError> {
    let record = contents::read_record(file, header)?;
    let comparison: ComparisonRecord = contents::read_json(file, header, COMPARISON)?;
    let fits = comparison.holders.len() == record.rows.len()
        && comparison
            .baseline_names
            .as_ref()
            .is_none_or(|names| names.len() == record.rows.len());
    match fits {
        true => Ok(ComparisonHead { record, comparison }),
        false => Err(IndexError::damaged(COMPARISON, "does not fit")),
    }
}

/// Reads the rest of what a comparison reads of the index, for `role`.
pub fn read(
    file: &File,
    header: &Header,
    head: ComparisonHead,
    role: Role,
) -> Result<ComparedIndex, IndexError> {
    let ComparisonHead { record, comparison } = head;
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
    Ok(ComparedIndex {
        rows: record.class_rows(),
        interfaces: record.interfaces(),
        by_id,
        self_size,
        comparison,
        node_id: contents::node_ids(low, high),
        retained,
    })
}
