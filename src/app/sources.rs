//! What the two class tables show: Summary rows (early counts, then the
//! full analysis) and Comparison rows, with their columns and sort orders.

use std::sync::Arc;

use crate::snapshot::allocation::max_js_object_id;
use crate::snapshot::classes::{compare_classes, ClassAggregate, SummaryColumn};
use crate::snapshot::diff::{compare_diffs, ClassDiff, DiffColumn};
use crate::snapshot::growth::retained_deltas;
use crate::snapshot::strings::js_cmp;
use crate::snapshot::Analysis;

use super::class_table::{Side, Sort};

pub const SUMMARY_COLUMNS: [&str; 4] = ["Constructor", "Distance", "Shallow Size", "Retained Size"];
const SUMMARY_SORTS: [SummaryColumn; 4] = [
    SummaryColumn::Name,
    SummaryColumn::Distance,
    SummaryColumn::Shallow,
    SummaryColumn::Retained,
];
/// DevTools' default: Retained Size, largest first.
pub const SUMMARY_DEFAULT_SORT: Sort = Sort {
    column: 3,
    descending: true,
};

pub use crate::format::COMPARISON_COLUMNS;
pub const COMPARISON_DELTA: usize = 3;
pub const COMPARISON_SIZE_DELTA: usize = 6;
const COMPARISON_RETAINED_DELTA: usize = 7;
const DIFF_SORTS: [DiffColumn; 7] = [
    DiffColumn::Name,
    DiffColumn::New,
    DiffColumn::Deleted,
    DiffColumn::Delta,
    DiffColumn::AllocSize,
    DiffColumn::FreedSize,
    DiffColumn::SizeDelta,
];
/// Leak hunting starts from the classes that grew most.
pub const COMPARISON_DEFAULT_SORT: Sort = Sort {
    column: COMPARISON_DELTA,
    descending: true,
};

/// The Summary's rows: counts first, the full analysis when it is done.
#[derive(Debug, Clone)]
pub enum SummaryData {
    Early(Arc<Vec<ClassAggregate>>),
    Ready(Arc<Analysis>),
}

impl SummaryData {
    pub fn aggregates(&self) -> &[ClassAggregate] {
        match self {
            SummaryData::Early(rows) => rows,
            SummaryData::Ready(analysis) => &analysis.aggregates,
        }
    }

    pub fn analysis(&self) -> Option<&Arc<Analysis>> {
        match self {
            SummaryData::Ready(analysis) => Some(analysis),
            SummaryData::Early(_) => None,
        }
    }

    pub fn name(&self, class: u32) -> &str {
        &self.aggregates()[class as usize].name
    }

    /// Class indexes in `sort` order.
    pub fn sorted(&self, sort: Sort) -> Vec<u32> {
        let rows = self.aggregates();
        let mut order: Vec<u32> = (0..rows.len() as u32).collect();
        let column = SUMMARY_SORTS[sort.column];
        order.sort_by(|&a, &b| {
            compare_classes(
                &rows[a as usize],
                &rows[b as usize],
                column,
                sort.descending,
            )
        });
        order
    }

    /// Instances of a class, DevTools' default order: retained size
    /// descending, then id. None until the analysis is done.
    pub fn instances(&self, class: u32) -> Option<Vec<(u32, Side)>> {
        let analysis = self.analysis()?;
        let mut nodes = analysis.aggregates[class as usize].instances.clone();
        let retained = &analysis.dominators.retained;
        let ids = &analysis.graph.node_id;
        nodes.sort_by(|&a, &b| {
            retained[b as usize]
                .cmp(&retained[a as usize])
                .then(ids[a as usize].cmp(&ids[b as usize]))
        });
        Some(nodes.into_iter().map(|n| (n, Side::Only)).collect())
    }

    /// The class row holding `node`.
    pub fn class_of(&self, node: u32) -> Option<u32> {
        let analysis = self.analysis()?;
        analysis
            .aggregates
            .iter()
            .position(|a| a.instances.binary_search(&node).is_ok())
            .map(|i| i as u32)
    }
}

/// The Comparison's rows, with the class retained-size change per row.
#[derive(Debug, Clone)]
pub struct ComparisonData {
    pub base: Arc<Analysis>,
    pub target: Arc<Analysis>,
    pub diffs: Vec<ClassDiff>,
    /// Target minus baseline class retained size, per row (DevTools lacks it).
    pub retained_delta: Vec<i64>,
}

impl ComparisonData {
    pub fn new(base: Arc<Analysis>, target: Arc<Analysis>, diffs: Vec<ClassDiff>) -> Self {
        let retained_delta = retained_deltas(&base, &target, &diffs);
        ComparisonData {
            base,
            target,
            diffs,
            retained_delta,
        }
    }

    pub fn name(&self, class: u32) -> &str {
        &self.diffs[class as usize].name
    }

    pub fn sorted(&self, sort: Sort) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.diffs.len() as u32).collect();
        let rows = &self.diffs;
        if sort.column == COMPARISON_RETAINED_DELTA {
            let delta = &self.retained_delta;
            order.sort_by(|&a, &b| {
                let by = delta[a as usize].cmp(&delta[b as usize]);
                let by = if sort.descending { by.reverse() } else { by };
                by.then_with(|| js_cmp(&rows[a as usize].name, &rows[b as usize].name))
            });
        } else {
            let column = DIFF_SORTS[sort.column];
            order.sort_by(|&a, &b| {
                compare_diffs(
                    &rows[a as usize],
                    &rows[b as usize],
                    column,
                    sort.descending,
                )
            });
        }
        order
    }

    /// New instances (largest first), then deleted ones.
    pub fn instances(&self, class: u32) -> Vec<(u32, Side)> {
        let diff = &self.diffs[class as usize];
        let by_size = |analysis: &Analysis, nodes: &[u32], side: Side| {
            let mut list = nodes.to_vec();
            let sizes = &analysis.graph.self_size;
            list.sort_by(|&a, &b| sizes[b as usize].cmp(&sizes[a as usize]));
            list.into_iter().map(move |n| (n, side))
        };
        by_size(&self.target, &diff.added, Side::New)
            .chain(by_size(&self.base, &diff.deleted, Side::Deleted))
            .collect()
    }

    /// V8 hands out ids in increasing order, so a baseline with newer
    /// objects than the target was probably given second.
    pub fn swapped_warning(&self) -> Option<String> {
        let newest = |a: &Analysis| max_js_object_id(&a.graph);
        (newest(&self.base) > newest(&self.target)).then(|| {
            "the snapshots look swapped: the baseline has newer objects than the target (give the older one first)"
                .to_owned()
        })
    }
}
