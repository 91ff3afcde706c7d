//! What the table views show: Summary rows (early counts, then the full
//! analysis, optionally only objects allocated in an id range), Comparison
//! rows, duplicated strings and the three-snapshot leak report, with their
//! columns and sort orders.

use std::sync::Arc;

use crate::snapshot::classes::{compare_classes, ClassAggregate, SummaryColumn};
use crate::snapshot::strings::js_cmp;
use crate::snapshot::views::allocation::{max_js_object_id, IdRange};
use crate::snapshot::views::diff::{compare_diffs, ClassDiff, DiffColumn};
use crate::snapshot::views::duplicates::DuplicateGroup;
use crate::snapshot::views::growth::retained_deltas;
use crate::snapshot::views::leaks::LeakReport;
use crate::snapshot::views::named_filters::NamedFilter;
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

/// The Summary's filter drop-down, as DevTools has it: all objects, the
/// allocation ranges (with a baseline, on the target's Summary), or one of
/// the named filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryFilter {
    All,
    /// Objects allocated between the baseline and the target.
    Between,
    /// Objects allocated before the baseline was taken.
    Before,
    Named(NamedFilter),
}

impl SummaryFilter {
    const ORDER: [SummaryFilter; 7] = [
        SummaryFilter::All,
        SummaryFilter::Between,
        SummaryFilter::Before,
        SummaryFilter::Named(NamedFilter::DetachedDom),
        SummaryFilter::Named(NamedFilter::Console),
        SummaryFilter::Named(NamedFilter::EventHandlers),
        SummaryFilter::Named(NamedFilter::DuplicatedStrings),
    ];

    /// The next entry of the drop-down; the allocation ranges only
    /// `with_baseline`.
    pub fn next(self, with_baseline: bool) -> SummaryFilter {
        let at = Self::ORDER.iter().position(|&f| f == self).unwrap_or(0);
        Self::ORDER
            .iter()
            .cycle()
            .skip(at + 1)
            .take(Self::ORDER.len())
            .copied()
            .find(|f| with_baseline || !f.is_allocation_range())
            .unwrap_or(SummaryFilter::All)
    }

    pub fn is_allocation_range(self) -> bool {
        matches!(self, SummaryFilter::Between | SummaryFilter::Before)
    }

    /// The id range of an allocation filter.
    pub fn range(self, base: &Analysis, target: &Analysis) -> Option<IdRange> {
        match self {
            SummaryFilter::Between => Some(IdRange::between(&base.graph, &target.graph)),
            SummaryFilter::Before => Some(IdRange {
                after: 0,
                up_to: max_js_object_id(&base.graph),
            }),
            SummaryFilter::All | SummaryFilter::Named(_) => None,
        }
    }

    pub fn label(self, base: &str, target: &str) -> String {
        match self {
            SummaryFilter::All => "All objects".to_owned(),
            SummaryFilter::Between => format!("Objects allocated between {base} and {target}"),
            SummaryFilter::Before => format!("Objects allocated before {base}"),
            SummaryFilter::Named(named) => named.title().to_owned(),
        }
    }
}

/// The Summary's rows: counts first, the full analysis when it is done.
#[derive(Debug, Clone)]
pub enum SummaryData {
    Early(Arc<Vec<ClassAggregate>>),
    Ready {
        analysis: Arc<Analysis>,
        /// Rows of a Summary filter, instead of the analysis' own.
        filtered: Option<Arc<Vec<ClassAggregate>>>,
    },
}

impl SummaryData {
    pub fn aggregates(&self) -> &[ClassAggregate] {
        match self {
            SummaryData::Early(rows) => rows,
            SummaryData::Ready {
                filtered: Some(rows),
                ..
            } => rows,
            SummaryData::Ready { analysis, .. } => &analysis.aggregates,
        }
    }

    pub fn analysis(&self) -> Option<&Arc<Analysis>> {
        match self {
            SummaryData::Ready { analysis, .. } => Some(analysis),
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
        let mut nodes = self.aggregates()[class as usize].instances.clone();
        analysis.sort_by_retained_size(&mut nodes);
        Some(nodes.into_iter().map(|n| (n, Side::Only)).collect())
    }

    /// The class row holding `node`.
    pub fn class_of(&self, node: u32) -> Option<u32> {
        self.analysis()?;
        self.aggregates()
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

pub const DUPLICATES_COLUMNS: [&str; 5] = ["String", "Copies", "Size each", "Wasted", "Retained"];
/// Most wasted bytes first.
pub const DUPLICATES_DEFAULT_SORT: Sort = Sort {
    column: 3,
    descending: true,
};

/// Duplicated strings (§6.4) of one snapshot: a row per text.
#[derive(Debug, Clone)]
pub struct DuplicatesData {
    pub analysis: Arc<Analysis>,
    pub groups: Vec<DuplicateGroup>,
}

impl DuplicatesData {
    /// The value, as one line.
    pub fn name(&self, group: u32) -> String {
        self.groups[group as usize]
            .value
            .replace(['\n', '\r', '\t'], " ")
    }

    pub fn sorted(&self, sort: Sort) -> Vec<u32> {
        let groups = &self.groups;
        let key = |g: &DuplicateGroup| -> u64 {
            match sort.column {
                1 => g.nodes.len() as u64,
                2 => g.copy_size,
                3 => g.wasted(),
                _ => g.retained_size,
            }
        };
        let mut order: Vec<u32> = (0..groups.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&groups[a as usize], &groups[b as usize]);
            let by = if sort.column == 0 {
                js_cmp(&a.value, &b.value)
            } else {
                key(a).cmp(&key(b))
            };
            let by = if sort.descending { by.reverse() } else { by };
            by.then_with(|| js_cmp(&a.value, &b.value))
        });
        order
    }

    /// The copies of a string, largest retained first.
    pub fn instances(&self, group: u32) -> Vec<(u32, Side)> {
        let retained = &self.analysis.dominators.retained;
        let mut nodes = self.groups[group as usize].nodes.clone();
        nodes.sort_by(|&a, &b| retained[b as usize].cmp(&retained[a as usize]));
        nodes.into_iter().map(|n| (n, Side::Only)).collect()
    }
}

pub const LEAKS_COLUMNS: [&str; 4] = [
    "Constructor",
    "Leaked",
    "Retained Size",
    "Shortest path to the roots",
];
pub const LEAKS_DEFAULT_SORT: Sort = Sort {
    column: 2,
    descending: true,
};

/// The three-snapshot leak report: objects allocated between S1 and S2
/// still alive in S3, by class.
#[derive(Debug, Clone)]
pub struct LeaksData {
    pub analysis: Arc<Analysis>,
    pub report: LeakReport,
}

impl LeaksData {
    pub fn name(&self, class: u32) -> &str {
        &self.report.classes[class as usize].name
    }

    pub fn sorted(&self, sort: Sort) -> Vec<u32> {
        let classes = &self.report.classes;
        let mut order: Vec<u32> = (0..classes.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&classes[a as usize], &classes[b as usize]);
            let by = match sort.column {
                0 | 3 => js_cmp(&a.name, &b.name),
                1 => a.count.cmp(&b.count),
                _ => a.retained_size.cmp(&b.retained_size),
            };
            let by = if sort.descending { by.reverse() } else { by };
            by.then_with(|| js_cmp(&a.name, &b.name))
        });
        order
    }

    /// The leaked objects of a class, largest retained first.
    pub fn instances(&self, class: u32) -> Vec<(u32, Side)> {
        let retained = &self.analysis.dominators.retained;
        let mut nodes = self.report.classes[class as usize].instances.clone();
        nodes.sort_by(|&a, &b| retained[b as usize].cmp(&retained[a as usize]));
        nodes.into_iter().map(|n| (n, Side::Only)).collect()
    }

    /// The most common shortest path of a class, root end first:
    /// `edge in Class → edge in Class …`.
    pub fn top_path(&self, class: u32) -> String {
        let mut steps = Vec::new();
        let mut groups = &self.report.classes[class as usize].paths;
        while let Some(g) = groups.iter().max_by_key(|g| g.count) {
            steps.push(format!("{} in {}", g.edge, g.class));
            groups = &g.children;
        }
        steps.join(" → ")
    }
}
