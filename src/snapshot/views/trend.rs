//! The trend over N snapshots of one program (oldest first): each class's
//! count and retained size in every snapshot, the change from the first to
//! the last, and whether its count grew at every step — the signal of a
//! soak test, where a class that grows with every snapshot leaks.
//!
//! Classes match across snapshots by DevTools' public class key (name and
//! constructor location, as the Comparison matches them); each snapshot's
//! numbers are its own Summary's (§5, §6.2), 0 where it lacks the class.
//! A trend reads nothing but the Summary rows, so a command can load each
//! snapshot for its rows only ([`SnapshotClasses`]) and drop it before the
//! next.

use std::cmp::Ordering;

use rustc_hash::FxHashMap as HashMap;

use super::gate::{GateMetric, Metrics};
use crate::snapshot::class_rows::ClassRows;
use crate::snapshot::classes::{self, ClassAggregate};
use crate::snapshot::graph::Location;
use crate::snapshot::strings::js_cmp;
use crate::snapshot::{Analysis, ScriptNames};

/// What a trend reads of one snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotClasses {
    /// The Summary rows, without their instance lists.
    pub classes: Vec<ClassAggregate>,
    pub scripts: ScriptNames,
    /// DevTools' total size (the whole heap).
    pub total_size: u64,
}

impl SnapshotClasses {
    pub fn of(analysis: &Analysis) -> SnapshotClasses {
        let classes = classes::without_instances(&analysis.aggregates);
        SnapshotClasses {
            classes,
            scripts: analysis.scripts.clone(),
            total_size: analysis.total_size(),
        }
    }

    /// The same of the class rows alone.
    pub fn of_rows(rows: &ClassRows) -> SnapshotClasses {
        SnapshotClasses {
            classes: rows.aggregates.clone(),
            scripts: rows.scripts.clone(),
            total_size: rows.totals.total_size,
        }
    }
}

/// One class across the snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassTrend {
    /// DevTools' public class key.
    pub key: String,
    pub name: String,
    pub location: Option<Location>,
    /// Objects in each snapshot, oldest first.
    pub counts: Vec<u64>,
    /// The class retained size in each snapshot, oldest first.
    pub retained_sizes: Vec<u64>,
}

impl ClassTrend {
    /// Objects in the last snapshot minus in the first.
    pub fn count_growth(&self) -> i64 {
        growth(&self.counts)
    }

    /// Retained size in the last snapshot minus in the first.
    pub fn retained_growth(&self) -> i64 {
        growth(&self.retained_sizes)
    }

    /// Strictly more objects at every step.
    pub fn grew_every_step(&self) -> bool {
        grew_every_step(&self.counts)
    }
}

/// Last minus first (0 for fewer than two values).
fn growth(values: &[u64]) -> i64 {
    match (values.first(), values.last()) {
        (Some(&first), Some(&last)) => last as i64 - first as i64,
        _ => 0,
    }
}

/// Each value larger than the one before, over at least one step.
fn grew_every_step(values: &[u64]) -> bool {
    values.len() >= 2 && values.windows(2).all(|step| step[0] < step[1])
}

/// The trend of every class.
#[derive(Debug, Clone)]
pub struct Trend {
    /// In the order the snapshots first show them.
    pub classes: Vec<ClassTrend>,
    /// The script names of all snapshots, the later's first.
    pub scripts: ScriptNames,
    /// DevTools' total size of each snapshot.
    pub total_sizes: Vec<u64>,
}

impl Trend {
    /// How many snapshots the trend spans.
    pub fn snapshot_count(&self) -> usize {
        self.total_sizes.len()
    }

    /// Objects of the classes named `name` (every class without one) in
    /// each snapshot.
    pub fn counts_of(&self, name: Option<&str>) -> Vec<u64> {
        let mut counts = vec![0; self.snapshot_count()];
        for class in self.named(name) {
            for (total, count) in counts.iter_mut().zip(&class.counts) {
                *total += count;
            }
        }
        counts
    }

    fn named<'a>(&'a self, name: Option<&'a str>) -> impl Iterator<Item = &'a ClassTrend> + 'a {
        self.classes
            .iter()
            .filter(move |c| name.is_none_or(|n| c.name == n))
    }
}

/// The trend of `snapshots`, oldest first.
///
/// # Complexity
/// O(classes of all snapshots), one hash lookup each.
pub fn trend(snapshots: &[SnapshotClasses]) -> Trend {
    let n = snapshots.len();
    let mut classes: Vec<ClassTrend> = Vec::new();
    let mut by_key: HashMap<&str, usize> = HashMap::default();
    for (step, snapshot) in snapshots.iter().enumerate() {
        for aggregate in &snapshot.classes {
            let row = *by_key.entry(&aggregate.key).or_insert_with(|| {
                classes.push(ClassTrend {
                    key: aggregate.key.clone(),
                    name: aggregate.name.clone(),
                    location: aggregate.location,
                    counts: vec![0; n],
                    retained_sizes: vec![0; n],
                });
                classes.len() - 1
            });
            classes[row].counts[step] = aggregate.count;
            classes[row].retained_sizes[step] = aggregate.retained_size;
        }
    }
    Trend {
        classes,
        scripts: ScriptNames::merged(snapshots.iter().map(|s| &s.scripts)),
        total_sizes: snapshots.iter().map(|s| s.total_size).collect(),
    }
}

/// The trend of snapshots loaded whole, oldest first (the TUI keeps them).
pub fn trend_of<'a>(analyses: impl IntoIterator<Item = &'a Analysis>) -> Trend {
    let snapshots: Vec<SnapshotClasses> = analyses.into_iter().map(SnapshotClasses::of).collect();
    trend(&snapshots)
}

/// A trend column. [`TrendColumn::ALL`] is the one table of them: the
/// TUI's columns in order, the `--sort` names and the titles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendColumn {
    Name,
    /// The counts, first to last; sorts by the last.
    Counts,
    CountGrowth,
    /// The retained sizes, first to last; sorts by the last.
    Retained,
    RetainedGrowth,
    /// Whether the count grew at every step; growing classes sort by their
    /// retained growth.
    GrewEveryStep,
}

impl TrendColumn {
    pub const ALL: [TrendColumn; 6] = [
        TrendColumn::Name,
        TrendColumn::Counts,
        TrendColumn::CountGrowth,
        TrendColumn::Retained,
        TrendColumn::RetainedGrowth,
        TrendColumn::GrewEveryStep,
    ];

    /// The `--sort` name.
    pub fn key(self) -> &'static str {
        match self {
            TrendColumn::Name => "name",
            TrendColumn::Counts => "count",
            TrendColumn::CountGrowth => "count-growth",
            TrendColumn::Retained => "retained",
            TrendColumn::RetainedGrowth => "retained-growth",
            TrendColumn::GrewEveryStep => "grew-every-step",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            TrendColumn::Name => "Constructor",
            TrendColumn::Counts => "Count, first \u{2192} last",
            TrendColumn::CountGrowth => "# Growth",
            TrendColumn::Retained => "Retained, first \u{2192} last",
            TrendColumn::RetainedGrowth => "Retained Growth",
            TrendColumn::GrewEveryStep => "Every step",
        }
    }

    /// The column's place in [`TrendColumn::ALL`] (declaration order).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// A change, shown with its sign.
    pub fn is_signed(self) -> bool {
        matches!(self, TrendColumn::CountGrowth | TrendColumn::RetainedGrowth)
    }

    pub fn default_descending(self) -> bool {
        self != TrendColumn::Name
    }

    /// The number a row sorts by in this column (0 for the name).
    pub fn value(self, class: &ClassTrend) -> i64 {
        let last = |values: &[u64]| values.last().map_or(0, |&v| v as i64);
        match self {
            TrendColumn::Name => 0,
            TrendColumn::Counts => last(&class.counts),
            TrendColumn::CountGrowth => class.count_growth(),
            TrendColumn::Retained => last(&class.retained_sizes),
            TrendColumn::RetainedGrowth => class.retained_growth(),
            TrendColumn::GrewEveryStep => i64::from(class.grew_every_step()),
        }
    }
}

/// Rows in `column`'s order (classes that grew at every step by their
/// retained growth), then by name (JavaScript's string order), then by
/// class key so the order is total.
pub fn compare_trends(
    a: &ClassTrend,
    b: &ClassTrend,
    column: TrendColumn,
    descending: bool,
) -> Ordering {
    let by = |column: TrendColumn| column.value(a).cmp(&column.value(b));
    let first = match column {
        TrendColumn::Name => js_cmp(&a.name, &b.name),
        TrendColumn::GrewEveryStep => by(column).then_with(|| by(TrendColumn::RetainedGrowth)),
        _ => by(column),
    };
    let first = if descending { first.reverse() } else { first };
    first
        .then_with(|| js_cmp(&a.name, &b.name))
        .then_with(|| a.key.cmp(&b.key))
}

/// What a trend's `--fail-if` rules can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendMetric {
    /// Objects in the last snapshot minus in the first.
    CountGrowth,
    /// Retained size in the last snapshot minus in the first; without a
    /// class, the change of the whole heap.
    RetainedGrowth,
    /// A test: strictly more objects at every step.
    GrewEveryStep,
}

impl GateMetric for TrendMetric {
    fn all() -> Vec<Self> {
        vec![
            TrendMetric::CountGrowth,
            TrendMetric::RetainedGrowth,
            TrendMetric::GrewEveryStep,
        ]
    }

    fn key(self) -> &'static str {
        match self {
            TrendMetric::CountGrowth => "count_growth",
            TrendMetric::RetainedGrowth => "retained_growth",
            TrendMetric::GrewEveryStep => "grew_every_step",
        }
    }

    fn is_size(self) -> bool {
        self == TrendMetric::RetainedGrowth
    }

    fn is_test(self) -> bool {
        self == TrendMetric::GrewEveryStep
    }
}

/// A trend's numbers for rules: over the classes with the rule's name (a
/// name can have several rows, split by constructor location), or over
/// every class.
impl Metrics<TrendMetric> for Trend {
    fn value(&self, metric: TrendMetric, class: Option<&str>) -> i64 {
        match (metric, class) {
            // Class retained sizes overlap: the whole heap's change instead.
            (TrendMetric::RetainedGrowth, None) => growth(&self.total_sizes),
            (TrendMetric::RetainedGrowth, Some(_)) => {
                self.named(class).map(ClassTrend::retained_growth).sum()
            }
            (TrendMetric::CountGrowth, _) => growth(&self.counts_of(class)),
            (TrendMetric::GrewEveryStep, _) => i64::from(grew_every_step(&self.counts_of(class))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;
    use crate::snapshot::views::gate::{violations, Rule};

    /// A program's heap: `jobs` Jobs and `cached` Cached in a global Map,
    /// `early` EarlyBirds hung on the global; every object 40 bytes.
    fn heap(jobs: u64, cached: u64, early: u64) -> SnapshotClasses {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        s.edge(0, "shortcut", "global", global);
        let map = s.node("object", "Map", 5, 20);
        s.edge(global, "property", "cache", map);
        let mut id = 100;
        let mut add = |s: &mut TestSnapshot, class: &str, holder: usize, count: u64| {
            for i in 0..count {
                id += 2;
                let object = s.node("object", class, id, 40);
                s.edge(holder, "element", &i.to_string(), object);
            }
        };
        add(&mut s, "Job", map, jobs);
        add(&mut s, "Cached", map, cached);
        add(&mut s, "EarlyBird", global, early);
        SnapshotClasses::of(&s.analyze())
    }

    fn soak() -> Trend {
        trend(&[heap(1, 0, 3), heap(2, 5, 3), heap(4, 5, 3)])
    }

    fn class<'a>(trend: &'a Trend, name: &str) -> &'a ClassTrend {
        trend
            .classes
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no {name} in {trend:?}"))
    }

    /// `ALL` is in declaration order (`index` is `as`).
    #[test]
    fn the_column_table_is_in_order() {
        for (i, column) in TrendColumn::ALL.into_iter().enumerate() {
            assert_eq!(column.index(), i);
        }
    }

    #[test]
    fn counts_and_retained_sizes_line_up_by_snapshot() {
        let trend = soak();
        let job = class(&trend, "Job");
        assert_eq!(job.counts, [1, 2, 4]);
        assert_eq!(job.retained_sizes, [40, 80, 160]);
        assert_eq!((job.count_growth(), job.retained_growth()), (3, 120));
        assert!(job.grew_every_step());
        let cached = class(&trend, "Cached");
        assert_eq!(cached.counts, [0, 5, 5], "0 where a snapshot lacks it");
        assert!(!cached.grew_every_step(), "flat for the last step");
        let early = class(&trend, "EarlyBird");
        assert_eq!(
            (early.counts.clone(), early.count_growth()),
            (vec![3, 3, 3], 0)
        );
        assert!(!early.grew_every_step());
        assert_eq!(trend.snapshot_count(), 3);
    }

    /// Classes with one name but different constructor locations are two
    /// rows, matched across snapshots by location.
    #[test]
    fn classes_match_by_key_not_by_name() {
        let located = |counts: [u64; 2]| {
            let mut s = TestSnapshot::new();
            let mut id = 3;
            for (script, count) in [(1, counts[0]), (2, counts[1])] {
                for _ in 0..count {
                    let object = s.node("object", "Foo", id, 16);
                    s.edge(0, "element", &id.to_string(), object);
                    s.location(object, script, 10, 4);
                    id += 2;
                }
            }
            SnapshotClasses::of(&s.analyze())
        };
        let trend = trend(&[located([1, 3]), located([2, 3])]);
        let by_script = |script: u32| {
            trend
                .classes
                .iter()
                .find(|c| c.location.is_some_and(|l| l.script_id == script))
                .map(|c| c.counts.clone())
        };
        assert_eq!(by_script(1), Some(vec![1, 2]));
        assert_eq!(by_script(2), Some(vec![3, 3]));
        assert_eq!(trend.counts_of(Some("Foo")), [4, 5], "a rule sums them");
    }

    #[test]
    fn rows_sort_by_retained_growth_then_name() {
        let trend = soak();
        let objects = ["Job", "Cached", "EarlyBird"];
        let mut rows: Vec<&ClassTrend> = trend
            .classes
            .iter()
            .filter(|c| objects.contains(&c.name.as_str()))
            .collect();
        let sorted = |rows: &mut Vec<&ClassTrend>, column: TrendColumn| {
            rows.sort_by(|a, b| compare_trends(a, b, column, column.default_descending()));
            rows.iter().map(|c| c.name.clone()).collect::<Vec<String>>()
        };
        assert_eq!(
            sorted(&mut rows, TrendColumn::RetainedGrowth),
            ["Cached", "Job", "EarlyBird"],
            "+200 B, +120 B, 0 B"
        );
        assert_eq!(
            sorted(&mut rows, TrendColumn::CountGrowth),
            ["Cached", "Job", "EarlyBird"],
            "+5, +3, 0"
        );
        assert_eq!(
            sorted(&mut rows, TrendColumn::Counts),
            ["Cached", "Job", "EarlyBird"],
            "5, 4, 3 in the last"
        );
        assert_eq!(
            sorted(&mut rows, TrendColumn::Name),
            ["Cached", "EarlyBird", "Job"]
        );
        assert_eq!(
            sorted(&mut rows, TrendColumn::GrewEveryStep),
            ["Job", "Cached", "EarlyBird"],
            "the one that grew at every step, then by retained growth"
        );
    }

    fn rule(text: &str) -> Rule<TrendMetric> {
        text.parse()
            .unwrap_or_else(|e| panic!("{text:?} must parse: {e}"))
    }

    #[test]
    fn rules_name_growth_and_the_every_step_test() {
        let r = rule("grew_every_step(Job)");
        assert_eq!(
            (r.metric, r.class.as_deref()),
            (TrendMetric::GrewEveryStep, Some("Job"))
        );
        assert_eq!(
            rule("grew_every_step(<div>)").class.as_deref(),
            Some("<div>")
        );
        assert_eq!(rule("grew_every_step").class, None);
        let r = rule("retained_growth(SessionRecord) > 1MB");
        assert_eq!((r.metric, r.threshold), (TrendMetric::RetainedGrowth, 1e6));
        assert_eq!(rule("count_growth(Foo) > 100").threshold, 100.0);
        let error = |text: &str| match text.parse::<Rule<TrendMetric>>() {
            Ok(r) => panic!("{text:?} must not parse: {r:?}"),
            Err(e) => e,
        };
        assert!(error("grew_every_step(Job) > 3").contains("yes/no test"));
        assert!(error("count_growth(Foo) > 3MB").contains("counts objects"));
        assert!(error("grew_every_stepp(Job)").contains("unknown metric \"grew_every_stepp\""));
        assert!(error("count_growth(Foo)").contains("no comparison operator"));
        assert!(error("delta(Foo) > 3").contains("unknown metric \"delta\""));
    }

    #[test]
    fn rules_hold_on_the_trend() {
        let trend = soak();
        let rules: Vec<Rule<TrendMetric>> = [
            "grew_every_step(Job)",
            "grew_every_step(Cached)",
            "grew_every_step(EarlyBird)",
            "count_growth(Cached) > 4",
            "count_growth(Cached) > 5",
            "retained_growth(Job) >= 120B",
            "count_growth > 7",
            "grew_every_step(Nobody)",
        ]
        .iter()
        .map(|text| rule(text))
        .collect();
        let held: Vec<(String, i64)> = violations(&rules, &trend)
            .into_iter()
            .map(|v| (v.rule.text, v.actual))
            .collect();
        assert_eq!(
            held,
            [
                ("grew_every_step(Job)".to_owned(), 1),
                ("count_growth(Cached) > 4".to_owned(), 5),
                ("retained_growth(Job) >= 120B".to_owned(), 120),
                ("count_growth > 7".to_owned(), 8),
            ]
        );
        let whole_heap = trend.total_sizes[2] as i64 - trend.total_sizes[0] as i64;
        assert_eq!(trend.value(TrendMetric::RetainedGrowth, None), whole_heap);
    }
}
