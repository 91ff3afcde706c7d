//! What the table views show: Summary rows (early counts, then the full
//! analysis, optionally only objects allocated in an id range), Comparison
//! rows, duplicated strings, the three-snapshot leak report and the trend
//! over N snapshots, with their columns and sort orders. Each is a [`TableSource`]: what a table view
//! needs of its rows, so sorting and listing instances are written once.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::sync::Arc;

use crate::snapshot::class_rows::ClassRows;
use crate::snapshot::classes::{compare_classes, ClassAggregate, SummaryColumn};
use crate::snapshot::graph::Location;
use crate::snapshot::strings::js_cmp;
use crate::snapshot::views::allocation::{max_js_object_id, IdRange};
use crate::snapshot::views::diff::{compare_rows, ClassDiff, DiffColumn, DiffRow};
use crate::snapshot::views::duplicates::DuplicateGroup;
use crate::snapshot::views::growth::retained_deltas;
use crate::snapshot::views::leaks::LeakReport;
use crate::snapshot::views::named_filters::NamedFilter;
use crate::snapshot::views::trend::{compare_trends, Trend, TrendColumn};
use crate::snapshot::{Analysis, ScriptNames};

use super::class_table::{Side, Sort};

/// What a table view needs of the rows it lists (classes, or string
/// groups): names for the fuzzy filter, an order per sort column, and
/// the instances a row expands into.
pub trait TableSource {
    /// Rows before filtering; a row is an index below this.
    fn row_count(&self) -> usize;

    /// A row's name, as the fuzzy filter matches it.
    fn row_name(&self, row: u32) -> Cow<'_, str>;

    /// How two rows compare under `sort` (its direction included).
    fn compare(&self, a: u32, b: u32, sort: Sort) -> Ordering;

    /// A row's instances in display order; None while they are unknown
    /// (the analysis has not finished).
    fn instances(&self, row: u32) -> Option<Vec<(u32, Side)>>;

    /// Where a class row's constructor is, and the names of the scripts
    /// that says it in; None for rows without one (or not known yet).
    fn location(&self, _row: u32) -> Option<(Location, &ScriptNames)> {
        None
    }

    /// The sort the rows can honour for `sort`: itself, unless its column
    /// is not known yet.
    fn honoured(&self, sort: Sort) -> Sort {
        sort
    }

    /// Row indexes in `sort` order.
    fn sorted(&self, sort: Sort) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.row_count() as u32).collect();
        order.sort_by(|&a, &b| self.compare(a, b, sort));
        order
    }
}

/// `by` in the sort's direction, ties in name order (JavaScript's string
/// order): the comparator of the columns the engine does not sort.
fn directed(by: Ordering, descending: bool, names: (&str, &str)) -> Ordering {
    let by = if descending { by.reverse() } else { by };
    by.then_with(|| js_cmp(names.0, names.1))
}

/// `nodes`, largest `size` first (ties keep their order), on one `side`.
fn largest_first(mut nodes: Vec<u32>, size: impl Fn(u32) -> u64, side: Side) -> Vec<(u32, Side)> {
    nodes.sort_by_key(|&n| Reverse(size(n)));
    nodes.into_iter().map(|n| (n, side)).collect()
}

/// The Summary's columns in the TUI (the count shows beside the name).
pub const SUMMARY_TUI_COLUMNS: [SummaryColumn; 4] = [
    SummaryColumn::Name,
    SummaryColumn::Distance,
    SummaryColumn::Shallow,
    SummaryColumn::Retained,
];
pub const SUMMARY_COLUMNS: [&str; 4] = [
    SummaryColumn::Name.title(),
    SummaryColumn::Distance.title(),
    SummaryColumn::Shallow.title(),
    SummaryColumn::Retained.title(),
];
/// The Summary's Shallow Size column: early rows' sort.
const SUMMARY_SHALLOW_COLUMN: usize = 2;
const _: () = assert!(matches!(
    SUMMARY_TUI_COLUMNS[SUMMARY_SHALLOW_COLUMN],
    SummaryColumn::Shallow
));
/// DevTools' default: Retained Size, largest first.
pub const SUMMARY_DEFAULT_SORT: Sort = Sort {
    column: 3,
    descending: true,
};

pub const COMPARISON_COLUMNS: [&str; 8] = [
    DiffColumn::Name.title(),
    DiffColumn::New.title(),
    DiffColumn::Deleted.title(),
    DiffColumn::Delta.title(),
    DiffColumn::AllocSize.title(),
    DiffColumn::FreedSize.title(),
    DiffColumn::SizeDelta.title(),
    DiffColumn::RetainedDelta.title(),
];
/// Leak hunting starts from the classes that grew most.
pub const COMPARISON_DEFAULT_SORT: Sort = Sort {
    column: DiffColumn::Delta.index(),
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
    /// An index's finished rows, before its analysis is read.
    Indexed(Arc<ClassRows>),
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
            SummaryData::Indexed(rows) => &rows.aggregates,
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
            SummaryData::Early(_) | SummaryData::Indexed(_) => None,
        }
    }

    /// Whether the rows have their retained sizes and distances.
    pub fn rows_finished(&self) -> bool {
        !matches!(self, SummaryData::Early(_))
    }

    /// DevTools' percentage base, once known (else None).
    pub fn total_size(&self) -> Option<u64> {
        match self {
            SummaryData::Ready { analysis, .. } => Some(analysis.total_size()),
            SummaryData::Indexed(rows) => Some(rows.totals.total_size),
            SummaryData::Early(_) => None,
        }
    }

    pub fn name(&self, class: u32) -> &str {
        &self.aggregates()[class as usize].name
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

impl TableSource for SummaryData {
    fn row_count(&self) -> usize {
        self.aggregates().len()
    }

    fn row_name(&self, class: u32) -> Cow<'_, str> {
        Cow::Borrowed(self.name(class))
    }

    /// Early rows have no distances or retained sizes yet: sorting by
    /// those would list them by name under a size header. They stand in
    /// the largest shallow size first until the analysis is done.
    fn honoured(&self, sort: Sort) -> Sort {
        let unknown = matches!(
            SUMMARY_TUI_COLUMNS[sort.column],
            SummaryColumn::Distance | SummaryColumn::Retained
        );
        match self {
            SummaryData::Early(_) if unknown => Sort {
                column: SUMMARY_SHALLOW_COLUMN,
                descending: true,
            },
            _ => sort,
        }
    }

    fn compare(&self, a: u32, b: u32, sort: Sort) -> Ordering {
        let rows = self.aggregates();
        compare_classes(
            &rows[a as usize],
            &rows[b as usize],
            SUMMARY_TUI_COLUMNS[sort.column],
            sort.descending,
        )
    }

    /// Known once the analysis (or an index's rows) names the scripts.
    fn location(&self, class: u32) -> Option<(Location, &ScriptNames)> {
        let scripts = match self {
            SummaryData::Indexed(rows) => &rows.scripts,
            _ => &self.analysis()?.scripts,
        };
        Some((self.aggregates()[class as usize].location?, scripts))
    }

    /// Instances of a class, DevTools' default order: retained size
    /// descending, then id. None until the analysis is done.
    fn instances(&self, class: u32) -> Option<Vec<(u32, Side)>> {
        let analysis = self.analysis()?;
        let mut nodes = self.aggregates()[class as usize].instances.clone();
        analysis.sort_by_retained_size(&mut nodes);
        Some(nodes.into_iter().map(|n| (n, Side::Only)).collect())
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
    /// The script names of both snapshots, the target's first.
    pub scripts: ScriptNames,
}

impl ComparisonData {
    /// Row `class` with its retained growth.
    pub fn row(&self, class: u32) -> DiffRow<'_> {
        DiffRow {
            diff: &self.diffs[class as usize],
            retained_delta: self.retained_delta[class as usize],
        }
    }

    pub fn new(base: Arc<Analysis>, target: Arc<Analysis>, diffs: Vec<ClassDiff>) -> Self {
        let retained_delta = retained_deltas(&base.aggregates, &target.aggregates, &diffs);
        let scripts = ScriptNames::merged([&base.scripts, &target.scripts]);
        ComparisonData {
            base,
            target,
            diffs,
            retained_delta,
            scripts,
        }
    }

    pub fn name(&self, class: u32) -> &str {
        &self.diffs[class as usize].name
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

impl TableSource for ComparisonData {
    fn row_count(&self) -> usize {
        self.diffs.len()
    }

    fn row_name(&self, class: u32) -> Cow<'_, str> {
        Cow::Borrowed(self.name(class))
    }

    fn compare(&self, a: u32, b: u32, sort: Sort) -> Ordering {
        let column = DiffColumn::ALL[sort.column];
        compare_rows(&self.row(a), &self.row(b), column, sort.descending)
    }

    fn location(&self, class: u32) -> Option<(Location, &ScriptNames)> {
        Some((self.diffs[class as usize].location?, &self.scripts))
    }

    /// New instances (largest first), then deleted ones.
    fn instances(&self, class: u32) -> Option<Vec<(u32, Side)>> {
        let diff = &self.diffs[class as usize];
        let by_size = |analysis: &Analysis, nodes: &[u32], side: Side| {
            let sizes = &analysis.graph.self_size;
            largest_first(nodes.to_vec(), |n| u64::from(sizes[n as usize]), side)
        };
        let mut list = by_size(&self.target, &diff.added, Side::New);
        list.extend(by_size(&self.base, &diff.deleted, Side::Deleted));
        Some(list)
    }
}

pub const DUPLICATES_COLUMNS: [&str; 5] = ["String", "Copies", "Size each", "Wasted", "Retained"];
/// Most wasted bytes first.
pub const DUPLICATES_DEFAULT_SORT: Sort = Sort {
    column: 3,
    descending: true,
};

/// Duplicated strings (§6.4) of one snapshot, a row per text; while a
/// search is shown, every string value matching it instead.
#[derive(Debug, Clone)]
pub struct DuplicatesData {
    pub analysis: Arc<Analysis>,
    pub duplicates: Arc<Vec<DuplicateGroup>>,
    pub search: Option<StringSearch>,
}

/// The string values of a snapshot that match the view's filter.
#[derive(Debug, Clone)]
pub struct StringSearch {
    /// The filter text it was searched for.
    pub pattern: String,
    pub groups: Vec<DuplicateGroup>,
}

impl DuplicatesData {
    /// The duplicated strings of `analysis`, no search.
    pub fn new(analysis: Arc<Analysis>, duplicates: Vec<DuplicateGroup>) -> Self {
        DuplicatesData {
            analysis,
            duplicates: Arc::new(duplicates),
            search: None,
        }
    }

    /// The same snapshot's duplicates with `search` shown (or none).
    pub fn with_search(&self, search: Option<StringSearch>) -> Self {
        DuplicatesData {
            analysis: Arc::clone(&self.analysis),
            duplicates: Arc::clone(&self.duplicates),
            search,
        }
    }

    /// The rows: the search's, or the duplicated strings.
    pub fn groups(&self) -> &[DuplicateGroup] {
        match &self.search {
            Some(search) => &search.groups,
            None => &self.duplicates,
        }
    }

    /// The value, as one line (the same number of characters, so the
    /// filter's highlight positions stay right).
    pub fn name(&self, group: u32) -> String {
        self.groups()[group as usize]
            .value
            .replace(['\n', '\r', '\t'], " ")
    }
}

impl TableSource for DuplicatesData {
    fn row_count(&self) -> usize {
        self.groups().len()
    }

    /// The value as it is: the filter matches what `heaplens strings` does.
    fn row_name(&self, group: u32) -> Cow<'_, str> {
        Cow::Borrowed(&self.groups()[group as usize].value)
    }

    fn compare(&self, a: u32, b: u32, sort: Sort) -> Ordering {
        let groups = self.groups();
        let (a, b) = (&groups[a as usize], &groups[b as usize]);
        let key = |g: &DuplicateGroup| -> u64 {
            match sort.column {
                1 => g.nodes.len() as u64,
                2 => g.copy_size,
                3 => g.wasted(),
                _ => g.retained_size,
            }
        };
        let by = if sort.column == 0 {
            js_cmp(&a.value, &b.value)
        } else {
            key(a).cmp(&key(b))
        };
        directed(by, sort.descending, (&a.value, &b.value))
    }

    /// The copies of a string, largest retained first.
    fn instances(&self, group: u32) -> Option<Vec<(u32, Side)>> {
        let retained = &self.analysis.dominators.retained;
        let nodes = self.groups()[group as usize].nodes.clone();
        Some(largest_first(nodes, |n| retained[n as usize], Side::Only))
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

impl TableSource for LeaksData {
    fn row_count(&self) -> usize {
        self.report.classes.len()
    }

    fn row_name(&self, class: u32) -> Cow<'_, str> {
        Cow::Borrowed(self.name(class))
    }

    fn compare(&self, a: u32, b: u32, sort: Sort) -> Ordering {
        let classes = &self.report.classes;
        let (a, b) = (&classes[a as usize], &classes[b as usize]);
        let by = match sort.column {
            0 | 3 => js_cmp(&a.name, &b.name),
            1 => a.count.cmp(&b.count),
            _ => a.retained_size.cmp(&b.retained_size),
        };
        directed(by, sort.descending, (&a.name, &b.name))
    }

    fn location(&self, class: u32) -> Option<(Location, &ScriptNames)> {
        let class = &self.report.classes[class as usize];
        Some((class.location?, &self.analysis.scripts))
    }

    /// The leaked objects of a class, largest retained first.
    fn instances(&self, class: u32) -> Option<Vec<(u32, Side)>> {
        let retained = &self.analysis.dominators.retained;
        let nodes = self.report.classes[class as usize].instances.clone();
        Some(largest_first(nodes, |n| retained[n as usize], Side::Only))
    }
}

/// The trend's columns, [`TrendColumn::ALL`]'s titles.
pub const TREND_COLUMNS: [&str; 6] = [
    TrendColumn::Name.title(),
    TrendColumn::Counts.title(),
    TrendColumn::CountGrowth.title(),
    TrendColumn::Retained.title(),
    TrendColumn::RetainedGrowth.title(),
    TrendColumn::GrewEveryStep.title(),
];
/// As `heaplens trend`: the classes that grew most by retained size first.
pub const TREND_DEFAULT_SORT: Sort = Sort {
    column: TrendColumn::RetainedGrowth.index(),
    descending: true,
};

/// Each class over the snapshots (three or more), oldest first. Its rows
/// list no instances: Enter opens the class in the last snapshot's
/// Summary instead.
#[derive(Debug, Clone)]
pub struct TrendData {
    pub trend: Trend,
}

impl TrendData {
    pub fn name(&self, class: u32) -> &str {
        &self.trend.classes[class as usize].name
    }
}

impl TableSource for TrendData {
    fn row_count(&self) -> usize {
        self.trend.classes.len()
    }

    fn row_name(&self, class: u32) -> Cow<'_, str> {
        Cow::Borrowed(self.name(class))
    }

    fn compare(&self, a: u32, b: u32, sort: Sort) -> Ordering {
        let classes = &self.trend.classes;
        compare_trends(
            &classes[a as usize],
            &classes[b as usize],
            TrendColumn::ALL[sort.column],
            sort.descending,
        )
    }

    /// A trend row spans snapshots: it has no instances of its own.
    fn instances(&self, _class: u32) -> Option<Vec<(u32, Side)>> {
        None
    }

    fn location(&self, class: u32) -> Option<(Location, &ScriptNames)> {
        Some((
            self.trend.classes[class as usize].location?,
            &self.trend.scripts,
        ))
    }
}
