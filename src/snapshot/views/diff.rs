//! The Comparison view: what changed between a baseline and a target
//! snapshot (spec §8; DevTools `aggregatesForDiff`, `calculateSnapshotDiff`).
//!
//! Objects are matched by node id within the same public class key; the
//! baseline is classified with the *target's* `{a, b}` interface
//! definitions. Survivors are ignored; only new and deleted objects count.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;

use crate::snapshot::classes::{build_aggregates, merge_public_keys, ClassAggregate};
use crate::snapshot::graph::{Location, NodeIds};
use crate::snapshot::names::{apply_interfaces, InterfaceDefinition};
use crate::snapshot::Analysis;

/// One Comparison row.
#[derive(Debug, Clone)]
pub struct ClassDiff {
    pub key: String,
    pub name: String,
    pub location: Option<Location>,
    pub new_count: u64,
    pub deleted_count: u64,
    pub alloc_size: u64,
    pub freed_size: u64,
    /// New instances (target ordinals), by id ascending.
    pub added: Vec<u32>,
    /// Deleted instances (baseline ordinals), by id ascending.
    pub deleted: Vec<u32>,
}

impl ClassDiff {
    /// `# Delta`.
    pub fn delta(&self) -> i64 {
        self.new_count as i64 - self.deleted_count as i64
    }

    /// `Size Delta`.
    pub fn size_delta(&self) -> i64 {
        self.alloc_size as i64 - self.freed_size as i64
    }
}

/// One snapshot as a comparison reads it: its class rows, each row's
/// instances by id, and its nodes' self sizes.
pub struct Side<'a> {
    rows: Cow<'a, [ClassAggregate]>,
    /// A baseline's: the name DevTools gives each row when the target
    /// lacks the class. Empty for a target.
    names: Vec<String>,
    by_id: InstancesById<'a>,
    self_size: &'a [u32],
}

/// Where a side's instances by id come from.
enum InstancesById<'a> {
    /// Each row's instance list, sorted by id when its class is compared.
    ToSort(&'a NodeIds),
    /// Every row's instances already keyed and sorted (see
    /// [`keyed_by_id`]), one row after another from `starts[row]`.
    Sorted {
        keyed: &'a [u64],
        starts: Vec<usize>,
    },
}

impl<'a> Side<'a> {
    /// The baseline of a comparison with a target of `{a, b}` interfaces
    /// `interfaces`: its classes under those.
    pub fn baseline(base: &'a Analysis, interfaces: &[InterfaceDefinition]) -> Side<'a> {
        let (rows, names) = base_aggregates(base, interfaces).into_iter().unzip();
        Side {
            rows: Cow::Owned(rows),
            names,
            by_id: InstancesById::ToSort(&base.graph.node_id),
            self_size: &base.graph.self_size,
        }
    }

    /// The target of a comparison: its Summary rows.
    pub fn target(target: &'a Analysis) -> Side<'a> {
        Side {
            rows: Cow::Borrowed(&target.aggregates),
            names: Vec::new(),
            by_id: InstancesById::ToSort(&target.graph.node_id),
            self_size: &target.graph.self_size,
        }
    }

    /// A side whose rows (without instance lists) come with their
    /// instances already keyed by id, row after row ([`instances_by_id`]),
    /// and, for a baseline, a name per row ([`baseline_names`]). None when
    /// those do not fit the rows or `keyed` names a node past `self_size`.
    pub fn presorted(
        rows: Vec<ClassAggregate>,
        names: Option<Vec<String>>,
        keyed: &'a [u64],
        self_size: &'a [u32],
    ) -> Option<Side<'a>> {
        if names
            .as_ref()
            .is_some_and(|names| names.len() != rows.len())
        {
            return None;
        }
        let mut starts = Vec::with_capacity(rows.len() + 1);
        let mut end = 0usize;
        for row in &rows {
            starts.push(end);
            end = end.checked_add(usize::try_from(row.count).ok()?)?;
        }
        starts.push(end);
        let fits = end == keyed.len()
            && keyed
                .par_iter()
                .all(|&k| (k as u32 as usize) < self_size.len());
        fits.then(|| Side {
            rows: Cow::Owned(rows),
            names: names.unwrap_or_default(),
            by_id: InstancesById::Sorted { keyed, starts },
            self_size,
        })
    }

    /// Row `row`'s instances as `id << 32 | node`, by id.
    fn by_id(&self, row: usize) -> Cow<'_, [u64]> {
        match &self.by_id {
            InstancesById::ToSort(ids) => Cow::Owned(keyed_by_id(ids, &self.rows[row].instances)),
            InstancesById::Sorted { keyed, starts } => {
                Cow::Borrowed(&keyed[starts[row]..starts[row + 1]])
            }
        }
    }

    /// Σ self sizes of `nodes`.
    fn size(&self, nodes: &[u32]) -> u64 {
        nodes
            .iter()
            .map(|&n| u64::from(self.self_size[n as usize]))
            .sum()
    }
}

/// Every Summary row's instances as [`keyed_by_id`] gives them, row after
/// row: what an index keeps so that a comparison need not sort them.
pub fn instances_by_id(analysis: &Analysis) -> Vec<u64> {
    let total = analysis.aggregates.iter().map(|a| a.instances.len()).sum();
    let mut keyed = vec![0u64; total];
    // Each row's own stretch of `keyed`, filled on all cores.
    let mut rest = &mut keyed[..];
    let mut stretches = Vec::with_capacity(analysis.aggregates.len());
    for aggregate in &analysis.aggregates {
        let (stretch, after) = std::mem::take(&mut rest).split_at_mut(aggregate.instances.len());
        stretches.push((aggregate, stretch));
        rest = after;
    }
    let ids = &analysis.graph.node_id;
    stretches
        .into_par_iter()
        .for_each(|(aggregate, stretch)| key_by_id(ids, &aggregate.instances, stretch));
    keyed
}

/// The names [`Side::baseline`] gives the rows of `analysis` compared with
/// a target of the same interfaces, when those rows are its Summary rows
/// (as they are unless two class names share a key): what an index keeps
/// so that it can serve as such a baseline.
pub fn baseline_names(analysis: &Analysis) -> Option<Vec<String>> {
    let compared = base_aggregates(analysis, &analysis.interfaces);
    let same_rows = compared.len() == analysis.aggregates.len()
        && compared
            .iter()
            .zip(&analysis.aggregates)
            .all(|((c, _), a)| c.key == a.key && c.instances == a.instances);
    same_rows.then(|| compared.into_iter().map(|(_, name)| name).collect())
}

/// Compares `base` → `target`. Rows have new or deleted objects only.
///
/// # Complexity
/// O(nodes of both + instances × log instances) for the id sorts.
pub fn compare(base: &Analysis, target: &Analysis) -> Vec<ClassDiff> {
    let baseline = Side::baseline(base, &target.interfaces);
    compare_sides(&baseline, &Side::target(target))
}

/// [`compare`] of two sides, `base` a baseline's (with its rows' names).
pub fn compare_sides(base: &Side<'_>, target: &Side<'_>) -> Vec<ClassDiff> {
    let mut target_side: HashMap<&str, usize> = HashMap::new();
    for (row, aggregate) in target.rows.iter().enumerate() {
        target_side.insert(&aggregate.key, row);
    }
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = (0..base.rows.len())
        .map(|row| (Some(row), target_side.remove(base.rows[row].key.as_str())))
        .collect();
    let target_only = (0..target.rows.len())
        .filter(|&row| target_side.contains_key(target.rows[row].key.as_str()))
        .map(|row| (None, Some(row)));
    pairs.extend(target_only);
    // Classes are independent; their id sorts run on all cores.
    pairs
        .into_par_iter()
        .filter_map(|(old, new)| diff_class(base, old, target, new))
        .collect()
}

/// The baseline's aggregates under the target's interface definitions
/// `interfaces`, each with the name DevTools reports for it: the
/// baseline's own class name of its highest-id instance (§8.1 quirk).
fn base_aggregates(
    base: &Analysis,
    interfaces: &[InterfaceDefinition],
) -> Vec<(ClassAggregate, String)> {
    let graph = &base.graph;
    let foreign_from = graph.strings.len() as u32;
    let foreign: Vec<u32> = (0..interfaces.len() as u32)
        .map(|i| foreign_from + i)
        .collect();
    let classes = apply_interfaces(
        graph,
        &base.plain_shapes(),
        base.classes.clone(),
        interfaces,
        &foreign,
    );
    let names: Vec<&str> = interfaces.iter().map(|d| d.name.as_str()).collect();
    let class_name = |class: u32| match class.checked_sub(foreign_from) {
        Some(i) => names[i as usize],
        None => graph.strings.get(class),
    };
    let aggregates = build_aggregates(graph, &classes, &class_name, &|_| true);
    merge_public_keys(aggregates)
        .into_iter()
        .map(|aggregate| {
            let last = aggregate
                .instances
                .iter()
                .copied()
                .max_by_key(|&n| graph.node_id.devtools(n));
            let name = last.map_or_else(String::new, |n| base.class_name(n).to_owned());
            (aggregate, name)
        })
        .collect()
}

/// The instances as `id << 32 | node`, by id: DevTools' id, the low 32
/// bits (see [`NodeIds`]). Sorting pairs instead of
/// nodes by a looked-up id keeps the sort out of random memory (with the
/// classes on all cores, `compare` of the 1 GB pair went 0.71 s → 0.44 s),
/// and one `u64` per pair halves what it moves (its class diffs took
/// 0.19–0.22 s instead of 0.24–0.28 s). V8's instances mostly come in id
/// order already.
fn keyed_by_id(ids: &NodeIds, instances: &[u32]) -> Vec<u64> {
    let mut keyed = vec![0; instances.len()];
    key_by_id(ids, instances, &mut keyed);
    keyed
}

/// [`keyed_by_id`] into `keyed`, as long as `instances`.
fn key_by_id(ids: &NodeIds, instances: &[u32], keyed: &mut [u64]) {
    for (key, &n) in keyed.iter_mut().zip(instances) {
        *key = u64::from(ids.devtools(n)) << 32 | u64::from(n);
    }
    if !keyed.is_sorted() {
        keyed.sort_unstable();
    }
}

/// The Comparison row of base row `old` and target row `new` (one may be
/// missing: a class only one side has), None when nothing changed.
fn diff_class(
    base: &Side<'_>,
    old_row: Option<usize>,
    target: &Side<'_>,
    new_row: Option<usize>,
) -> Option<ClassDiff> {
    let old = old_row.map_or(Cow::Borrowed(&[][..]), |row| base.by_id(row));
    let new = new_row.map_or(Cow::Borrowed(&[][..]), |row| target.by_id(row));
    let (mut deleted, mut added) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        match (old[i] >> 32).cmp(&(new[j] >> 32)) {
            std::cmp::Ordering::Less => {
                deleted.push(old[i] as u32);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                added.push(new[j] as u32);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    deleted.extend(old[i..].iter().map(|&key| key as u32));
    added.extend(new[j..].iter().map(|&key| key as u32));
    if added.is_empty() && deleted.is_empty() {
        return None;
    }
    let (key, name, location) = match (new_row, old_row) {
        (Some(row), _) => {
            let a = &target.rows[row];
            (&a.key, a.name.clone(), a.location)
        }
        (None, Some(row)) => {
            let a = &base.rows[row];
            (&a.key, base.names[row].clone(), a.location)
        }
        (None, None) => return None,
    };
    Some(ClassDiff {
        key: key.clone(),
        name,
        location,
        new_count: added.len() as u64,
        deleted_count: deleted.len() as u64,
        alloc_size: target.size(&added),
        freed_size: base.size(&deleted),
        added,
        deleted,
    })
}

/// A Comparison column. [`DiffColumn::ALL`] is the one table of them: the
/// TUI's columns in order, and per column its key (the JSON key, the
/// `--sort` name with dashes, the `--fail-if` metric), its title and
/// whether it is a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiffColumn {
    Name,
    New,
    Deleted,
    Delta,
    AllocSize,
    FreedSize,
    SizeDelta,
    /// The class's retained size in the target minus in the baseline
    /// (DevTools lacks it).
    RetainedDelta,
}

impl DiffColumn {
    pub const ALL: [DiffColumn; 8] = [
        DiffColumn::Name,
        DiffColumn::New,
        DiffColumn::Deleted,
        DiffColumn::Delta,
        DiffColumn::AllocSize,
        DiffColumn::FreedSize,
        DiffColumn::SizeDelta,
        DiffColumn::RetainedDelta,
    ];

    /// `alloc_size`: the JSON key and the `--fail-if` metric.
    pub fn key(self) -> &'static str {
        match self {
            DiffColumn::Name => "name",
            DiffColumn::New => "new",
            DiffColumn::Deleted => "deleted",
            DiffColumn::Delta => "delta",
            DiffColumn::AllocSize => "alloc_size",
            DiffColumn::FreedSize => "freed_size",
            DiffColumn::SizeDelta => "size_delta",
            DiffColumn::RetainedDelta => "retained_delta",
        }
    }

    /// DevTools' header (and ours for the retained growth).
    pub const fn title(self) -> &'static str {
        match self {
            DiffColumn::Name => "Constructor",
            DiffColumn::New => "# New",
            DiffColumn::Deleted => "# Deleted",
            DiffColumn::Delta => "# Delta",
            DiffColumn::AllocSize => "Alloc. Size",
            DiffColumn::FreedSize => "Freed Size",
            DiffColumn::SizeDelta => "Size Delta",
            DiffColumn::RetainedDelta => "Retained \u{394}",
        }
    }

    pub fn from_key(key: &str) -> Option<DiffColumn> {
        DiffColumn::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The column's place in [`DiffColumn::ALL`] (the TUI's column):
    /// `ALL` lists the columns in declaration order.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Bytes (they take units), as opposed to names and object counts.
    pub fn is_size(self) -> bool {
        matches!(
            self,
            DiffColumn::AllocSize
                | DiffColumn::FreedSize
                | DiffColumn::SizeDelta
                | DiffColumn::RetainedDelta
        )
    }

    /// A change, shown with its sign (and coloured by it in the TUI).
    pub fn is_signed(self) -> bool {
        matches!(
            self,
            DiffColumn::Delta | DiffColumn::SizeDelta | DiffColumn::RetainedDelta
        )
    }

    pub fn default_descending(self) -> bool {
        self != DiffColumn::Name
    }
}

/// One Comparison row with its class retained-size change.
#[derive(Debug, Clone, Copy)]
pub struct DiffRow<'a> {
    pub diff: &'a ClassDiff,
    pub retained_delta: i64,
}

impl DiffRow<'_> {
    /// The row's number in `column` (0 for the name).
    pub fn value(&self, column: DiffColumn) -> i64 {
        let d = self.diff;
        match column {
            DiffColumn::Name => 0,
            DiffColumn::New => d.new_count as i64,
            DiffColumn::Deleted => d.deleted_count as i64,
            DiffColumn::Delta => d.delta(),
            DiffColumn::AllocSize => d.alloc_size as i64,
            DiffColumn::FreedSize => d.freed_size as i64,
            DiffColumn::SizeDelta => d.size_delta(),
            DiffColumn::RetainedDelta => self.retained_delta,
        }
    }
}

/// DevTools' Comparison comparators (§8.2): the column, then name, then
/// the class key so the order is total.
pub fn compare_rows(
    a: &DiffRow<'_>,
    b: &DiffRow<'_>,
    column: DiffColumn,
    descending: bool,
) -> std::cmp::Ordering {
    use crate::snapshot::strings::js_cmp;
    let (da, db) = (a.diff, b.diff);
    let first = match column {
        DiffColumn::Name => js_cmp(&da.name, &db.name),
        _ => a.value(column).cmp(&b.value(column)),
    };
    let first = if descending { first.reverse() } else { first };
    first
        .then_with(|| js_cmp(&da.name, &db.name))
        .then_with(|| da.key.cmp(&db.key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// `ALL` is the TUI's column order, by declaration (`index` is `as`),
    /// and every key names its column back.
    #[test]
    fn the_column_table_is_in_order_and_its_keys_round_trip() {
        for (i, column) in DiffColumn::ALL.into_iter().enumerate() {
            assert_eq!(column.index(), i);
            assert_eq!(DiffColumn::from_key(column.key()), Some(column));
        }
    }
    use crate::snapshot::views::growth::{holders, retained_deltas};

    /// global → plain objects and a Map of Records. The baseline has
    /// {a, b} @5 @7 and {c} @9 and one Record; the target has {a, b} @5
    /// @11 @13 and three Records.
    fn snapshot(plain: &[(u64, &[&str])], records: u64) -> Analysis {
        let mut s = TestSnapshot::new();
        let global = s.node("object", "global", 3, 10);
        s.edge(0, "shortcut", "global", global);
        for &(id, properties) in plain {
            let object = s.node("object", "Object", id, 16);
            s.edge(global, "property", &format!("o{id}"), object);
            for (i, property) in properties.iter().enumerate() {
                let value = s.node("object", "Value", id * 100 + i as u64, 8);
                s.edge(object, "property", property, value);
            }
        }
        let map = s.node("object", "Map", 31, 20);
        s.edge(global, "property", "cache", map);
        for i in 0..records {
            let record = s.node("object", "Record", 41 + 2 * i, 40);
            s.edge(map, "element", &i.to_string(), record);
        }
        s.analyze()
    }

    #[test]
    fn a_shed_baseline_compares_as_the_whole_one() {
        let ab: &[&str] = &["a", "b"];
        let base = || snapshot(&[(5, ab), (7, ab), (9, &["c"])], 1);
        let target = snapshot(&[(5, ab), (11, ab), (13, ab)], 3);
        let whole = base();
        let mut shed = base();
        shed.shed_for_comparison();
        assert_eq!(shed.graph.edge_count(), 0, "the edges are gone");
        let rows = |base: &Analysis| -> Vec<String> {
            let diffs = compare(base, &target);
            let retained = retained_deltas(&base.aggregates, &target.aggregates, &diffs);
            let holders = holders(base, &target, ",Record", 3);
            let mut rows: Vec<String> = diffs.iter().map(|d| format!("{d:?}")).collect();
            rows.push(format!("{retained:?} {holders:?}"));
            rows.sort();
            rows
        };
        assert_eq!(rows(&shed), rows(&whole));
        let diffs = compare(&shed, &target);
        let ab_row = diffs.iter().find(|d| d.name == "{a, b}");
        assert_eq!(
            ab_row.map(|d| (d.new_count, d.deleted_count)),
            Some((2, 1)),
            "@7 was {{a, b}} by the target's interfaces (else 3 new, 0 deleted): {diffs:?}"
        );
    }

    /// Julia writes addresses as ids. DevTools keeps their low 32 bits, and
    /// its Comparison matches objects by those: two ids that differ only
    /// above them are one object. heaplens shows the ids as written.
    #[test]
    fn ids_past_32_bits_match_by_their_low_bits_as_in_devtools() {
        const ADDRESS: u64 = 140_234_567_891;
        let snapshot = |records: &[u64]| {
            let mut s = TestSnapshot::new();
            let global = s.node("object", "global", ADDRESS - 2, 10);
            s.edge(0, "shortcut", "global", global);
            for &id in records {
                let record = s.node("object", "Record", id, 40);
                s.edge(global, "property", &format!("r{id}"), record);
            }
            s.analyze()
        };
        let moved = ADDRESS + (1 << 32);
        let base = snapshot(&[ADDRESS, ADDRESS + 64]);
        let target = snapshot(&[moved, ADDRESS + 128, ADDRESS + 192]);
        assert!(target.graph.node_id.is_wide());
        assert_eq!(
            target.graph.id(target.ordinal(moved)),
            moved,
            "shown as written"
        );
        let diffs = compare(&base, &target);
        let record = diffs.iter().find(|d| d.name == "Record");
        assert_eq!(
            record.map(|d| (d.new_count, d.deleted_count)),
            Some((2, 1)),
            "@{moved} is @{ADDRESS} to DevTools: it survives: {diffs:?}"
        );
    }
}
