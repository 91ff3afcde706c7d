//! Headless output of engine results: aligned tables for people, JSON (the
//! contract shared with the DevTools oracle) for scripts and golden tests.

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use crate::format;
use crate::snapshot::class_rows::Totals;
use crate::snapshot::classes::{compare_classes, ClassAggregate, SummaryColumn};
use crate::snapshot::distances::display_distance;
use crate::snapshot::graph::Location;
use crate::snapshot::names::display_name;
use crate::snapshot::views::allocation::IdRange;
use crate::snapshot::views::diff::{compare_rows, ClassDiff, DiffColumn, DiffRow};
use crate::snapshot::views::growth::HolderGrowth;
use crate::snapshot::views::named_filters::NamedFilter;
use crate::snapshot::views::retainers::{retainer_tree, IgnoredRetainers};
use crate::snapshot::views::tree::{TreeLimits, TreeRow};
use crate::snapshot::{Analysis, ScriptNames};

mod collections;
mod leaks;
mod markdown;
mod table;
mod trend;
mod views;

pub use table::set_width;
use table::Table;

pub use collections::{collections_json, collections_markdown, collections_table};
pub use leaks::{leaks_json, leaks_table};
pub use markdown::{diff_markdown, leaks_markdown, summary_markdown};
pub use trend::{
    count_series, trend_cell, trend_json, trend_markdown, trend_rows, trend_table, TrendReport,
};
pub use views::{
    containment_report, dominators_report, duplicates_json, duplicates_table, stats_json,
    stats_table, strings_json, strings_table,
};

/// Which rows to show and how.
#[derive(Debug, Clone, Default)]
pub struct RowSelection {
    pub top: Option<usize>,
    /// Case-insensitive substring of the class name (DevTools' filter).
    pub filter: Option<String>,
}

impl RowSelection {
    /// Whether a class of this name passes the filter.
    pub fn keeps(&self, name: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| name.to_lowercase().contains(&f.to_lowercase()))
    }

    fn limit(&self) -> usize {
        self.top.unwrap_or(usize::MAX)
    }
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    snapshot: SnapshotJson,
    /// Present with `--allocated-after`: the id range the rows cover.
    #[serde(skip_serializing_if = "Option::is_none")]
    allocated: Option<AllocatedJson>,
    /// Present with `--only`: the named filter the rows are under.
    #[serde(skip_serializing_if = "Option::is_none")]
    only: Option<&'static str>,
    classes: Vec<ClassJson<'a>>,
}

#[derive(Serialize)]
struct AllocatedJson {
    after_id: u64,
    up_to_id: u64,
}

#[derive(Serialize)]
struct SnapshotJson {
    node_count: usize,
    edge_count: usize,
    total_self_size: u64,
    extra_native_bytes: u64,
}

/// A class's `location` and the `script` it names, as every JSON report
/// gives them.
#[derive(Serialize)]
struct LocationJson {
    /// `scriptId:line:column` (the oracle's contract), or null.
    location: Option<String>,
    /// The script's full name or URL, where a closure of it names it.
    script: Option<String>,
}

impl LocationJson {
    fn of(location: Option<Location>, scripts: &ScriptNames) -> LocationJson {
        LocationJson {
            location: location.map(|l| l.to_string()),
            script: location.and_then(|l| scripts.name(l.script_id).map(str::to_owned)),
        }
    }
}

/// `Name (server.js:82:19)` for a located class (`Name (127:82:19)` where
/// no closure names the script), else the name.
fn class_label(name: &str, location: Option<Location>, scripts: &ScriptNames) -> String {
    match location {
        Some(l) => format!("{name} ({})", scripts.short_label(l)),
        None => name.to_owned(),
    }
}

#[derive(Serialize)]
struct ClassJson<'a> {
    name: &'a str,
    #[serde(flatten)]
    place: LocationJson,
    count: u64,
    self_size: u64,
    retained_size: u64,
    distance: Option<i32>,
}

/// The Summary to print: every class (for the totals) and the rows shown.
pub struct SummaryReport<'a> {
    /// The snapshot's totals (of all its objects, whatever the filter).
    pub totals: Totals,
    pub scripts: &'a ScriptNames,
    /// All class rows: the snapshot's, or the filtered ones.
    pub classes: &'a [ClassAggregate],
    pub rows: Vec<&'a ClassAggregate>,
    /// Set when the classes are "objects allocated between" two snapshots.
    pub allocated: Option<IdRange>,
    /// Set when the classes are under one of DevTools' named filters.
    pub only: Option<NamedFilter>,
}

/// Summary rows in display order.
pub fn summary_rows<'a>(
    classes: &'a [ClassAggregate],
    column: SummaryColumn,
    descending: bool,
    selection: &RowSelection,
) -> Vec<&'a ClassAggregate> {
    let mut rows: Vec<&ClassAggregate> = classes
        .iter()
        .filter(|a| selection.keeps(&a.name))
        .collect();
    rows.sort_by(|a, b| compare_classes(a, b, column, descending));
    rows.truncate(selection.limit());
    rows
}

/// `heaplens summary --format json`.
pub fn summary_json(report: &SummaryReport<'_>) -> String {
    let totals = report.totals;
    let doc = SummaryJson {
        snapshot: SnapshotJson {
            node_count: totals.node_count,
            edge_count: totals.edge_count,
            total_self_size: totals.total_self_size,
            extra_native_bytes: totals.extra_native_bytes,
        },
        allocated: report.allocated.map(|r| AllocatedJson {
            after_id: r.after,
            up_to_id: r.up_to,
        }),
        only: report.only.map(NamedFilter::cli_name),
        classes: report
            .rows
            .iter()
            .map(|a| ClassJson {
                name: &a.name,
                place: LocationJson::of(a.location, report.scripts),
                count: a.count,
                self_size: a.self_size,
                retained_size: a.retained_size,
                distance: display_distance(a.distance),
            })
            .collect(),
    };
    to_json(&doc)
}

/// `heaplens summary` as an aligned table.
pub fn summary_table(report: &SummaryReport<'_>) -> String {
    let totals = report.totals;
    let total = totals.total_size;
    let mut table = Table::new(&[
        "Constructor",
        "Distance",
        "Count",
        "Shallow Size",
        "",
        "Retained Size",
        "",
    ]);
    for a in &report.rows {
        table.row(vec![
            class_label(&a.name, a.location, report.scripts),
            format::distance(display_distance(a.distance)),
            format::group(a.count),
            format::bytes(a.self_size),
            format::percent(a.self_size, total),
            format::bytes(a.retained_size),
            format::percent(a.retained_size, total),
        ]);
    }
    let objects: u64 = report.classes.iter().map(|a| a.count).sum();
    let shallow: u64 = report.classes.iter().map(|a| a.self_size).sum();
    let scope = match (report.allocated, report.only) {
        (Some(r), _) => format!(
            "Objects allocated between the snapshots (id {} < id \u{2264} {})\n",
            r.after, r.up_to
        ),
        (None, Some(only)) => format!("{}\n", only.title()),
        (None, None) => String::new(),
    };
    format!(
        "{scope}{}\nTotal: {} objects ({}), {} classes; {} nodes, {} edges\n",
        table.render(),
        format::group(objects),
        format::bytes(shallow),
        format::group(report.classes.len() as u64),
        format::group(totals.node_count as u64),
        format::group(totals.edge_count as u64),
    )
}

#[derive(Serialize)]
struct DiffJson<'a> {
    classes: Vec<DiffClassJson<'a>>,
}

#[derive(Serialize)]
struct DiffClassJson<'a> {
    name: &'a str,
    #[serde(flatten)]
    place: LocationJson,
    new: u64,
    deleted: u64,
    delta: i64,
    alloc_size: u64,
    freed_size: u64,
    size_delta: i64,
    retained_delta: i64,
    /// For the classes that grew most: the objects their growth hangs on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    holders: Vec<HolderJson>,
}

/// Classes whose holders `diff` reports: the top growers by Retained Δ.
pub const HOLDER_CLASSES: usize = 5;

/// Where the growth hangs, for the rows that grew most by retained size
/// (at most `classes` of them): their top holders (`holders_of` a class
/// key), by class key.
pub fn top_holders(
    rows: &[DiffRow<'_>],
    classes: usize,
    holders_of: impl Fn(&str) -> Vec<HolderGrowth> + Sync,
) -> Vec<(String, Vec<HolderGrowth>)> {
    let mut growing: Vec<&DiffRow<'_>> = rows.iter().filter(|r| r.retained_delta > 0).collect();
    growing.sort_by_key(|r| std::cmp::Reverse(r.retained_delta));
    growing.truncate(classes);
    // One class per core: a class can have millions of instances.
    growing
        .into_par_iter()
        .map(|r| (r.diff.key.clone(), holders_of(&r.diff.key)))
        .collect()
}

#[derive(Serialize)]
struct HolderJson {
    id: u64,
    object: String,
    instances: u64,
    instances_retained: u64,
    retained: u64,
    baseline_retained: Option<u64>,
    retained_delta: i64,
}

fn holders_json(holders: &[HolderGrowth]) -> Vec<HolderJson> {
    holders
        .iter()
        .map(|h| HolderJson {
            id: h.id,
            object: h.label.clone(),
            instances: h.instances,
            instances_retained: h.instances_retained,
            retained: h.retained,
            baseline_retained: h.baseline_retained,
            retained_delta: h.retained_delta(),
        })
        .collect()
}

/// Comparison rows in display order; `retained` is per row of `diffs`.
pub fn diff_rows<'a>(
    diffs: &'a [ClassDiff],
    retained: &[i64],
    column: DiffColumn,
    selection: &RowSelection,
) -> Vec<DiffRow<'a>> {
    let mut rows: Vec<DiffRow<'a>> = diffs
        .iter()
        .zip(retained.iter().copied().chain(std::iter::repeat(0)))
        .filter(|(d, _)| selection.keeps(&d.name))
        .map(|(diff, retained_delta)| DiffRow {
            diff,
            retained_delta,
        })
        .collect();
    rows.sort_by(|a, b| compare_rows(a, b, column, column.default_descending()));
    rows.truncate(selection.limit());
    rows
}

/// The script names of a Comparison: the target's, the baseline's where
/// only it names a script (a class whose every instance was freed).
pub fn comparison_scripts(base: &ScriptNames, target: &ScriptNames) -> ScriptNames {
    ScriptNames::merged([base, target])
}

/// `heaplens diff --format json`.
pub fn diff_json(
    rows: &[DiffRow<'_>],
    scripts: &ScriptNames,
    holders: &[(String, Vec<HolderGrowth>)],
) -> String {
    let holders_of = |key: &str| {
        holders
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(Vec::new, |(_, list)| holders_json(list))
    };
    let doc = DiffJson {
        classes: rows
            .iter()
            .map(
                |&DiffRow {
                     diff: d,
                     retained_delta,
                 }| DiffClassJson {
                    holders: holders_of(&d.key),
                    name: &d.name,
                    place: LocationJson::of(d.location, scripts),
                    new: d.new_count,
                    deleted: d.deleted_count,
                    delta: d.delta(),
                    alloc_size: d.alloc_size,
                    freed_size: d.freed_size,
                    size_delta: d.size_delta(),
                    retained_delta,
                },
            )
            .collect(),
    };
    to_json(&doc)
}

/// One Comparison row's cells, as DevTools formats them.
fn diff_cells(row: &DiffRow<'_>, scripts: &ScriptNames) -> Vec<String> {
    let d = row.diff;
    let name = class_label(&d.name, d.location, scripts);
    let numbers = DiffColumn::ALL[1..]
        .iter()
        .map(|&c| format::diff_value(c, row.value(c)));
    std::iter::once(name).chain(numbers).collect()
}

/// `heaplens diff` as an aligned table.
pub fn diff_table(
    rows: &[DiffRow<'_>],
    scripts: &ScriptNames,
    holders: &[(String, Vec<HolderGrowth>)],
) -> String {
    let mut table = Table::new(&DiffColumn::ALL.map(DiffColumn::title));
    for row in rows {
        table.row(diff_cells(row, scripts));
    }
    let new: u64 = rows.iter().map(|r| r.diff.new_count).sum();
    let deleted: u64 = rows.iter().map(|r| r.diff.deleted_count).sum();
    let size: i64 = rows.iter().map(|r| r.diff.size_delta()).sum();
    let mut out = format!(
        "{}\n{} classes changed: {} new, {} deleted objects, size delta {}\n",
        table.render(),
        format::group(rows.len() as u64),
        format::group(new),
        format::group(deleted),
        format::signed_bytes(size)
    );
    out.push_str(&holders_table(rows, holders));
    out
}

/// `text` cut to `max` characters, with an ellipsis.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    text.chars()
        .take(max - 1)
        .chain(std::iter::once('…'))
        .collect()
}

/// "Where the growth hangs": each top-growing class and its top holders.
fn holders_table(rows: &[DiffRow<'_>], holders: &[(String, Vec<HolderGrowth>)]) -> String {
    if holders.iter().all(|(_, list)| list.is_empty()) {
        return String::new();
    }
    let mut table = Table::new(&["Class / holder", "Instances", "Retained", "vs baseline"]);
    for (key, list) in holders {
        let Some(row) = rows.iter().find(|r| &r.diff.key == key) else {
            continue;
        };
        table.row(vec![
            row.diff.name.clone(),
            String::new(),
            String::new(),
            format::signed_bytes(row.retained_delta),
        ]);
        for h in list {
            table.row(vec![
                format!("  held by {}", truncate(&holder_line(h), 70)),
                format::group(h.instances),
                format::bytes(h.retained),
                match h.baseline_retained {
                    Some(_) => format::signed_bytes(h.retained_delta()),
                    None => "new".to_owned(),
                },
            ]);
        }
    }
    format!(
        "\nWhere the growth hangs (classes by Retained \u{394}):\n{}",
        table.render()
    )
}

#[derive(Serialize)]
struct NodeJson {
    id: u64,
    name: String,
    class: String,
    #[serde(rename = "type")]
    node_type: String,
    self_size: u32,
    retained_size: u64,
    distance: Option<i32>,
    /// Present when retainers are ignored: their ids, in the order given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ignored: Vec<u64>,
    retainers: Vec<RetainerJson>,
}

#[derive(Serialize)]
struct RetainerJson {
    edge_type: String,
    edge_name: String,
    from_id: u64,
    from_class: String,
    from_distance: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cycle: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    retainers: Vec<RetainerJson>,
    #[serde(skip_serializing_if = "is_zero")]
    more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn node_json(
    analysis: &Analysis,
    n: u32,
    ignored: &IgnoredRetainers,
    retainers: Vec<RetainerJson>,
) -> NodeJson {
    let graph = &analysis.graph;
    NodeJson {
        id: graph.id(n),
        name: display_name(graph, n),
        class: analysis.class_name(n).to_owned(),
        node_type: graph.type_name(n).to_owned(),
        self_size: graph.self_size[n as usize],
        retained_size: analysis.dominators.retained[n as usize],
        distance: display_distance(analysis.distances[n as usize]),
        ignored: ignored.nodes().iter().map(|&i| graph.id(i)).collect(),
        retainers,
    }
}

fn retainer_json(
    analysis: &Analysis,
    edge: usize,
    from: u32,
    ignored: &IgnoredRetainers,
) -> RetainerJson {
    let graph = &analysis.graph;
    RetainerJson {
        edge_type: graph
            .layout
            .edge_type_name(graph.edge_type[edge])
            .to_owned(),
        edge_name: analysis.edge_label(edge),
        from_id: graph.id(from),
        from_class: analysis.class_name(from).to_owned(),
        from_distance: display_distance(analysis.retainer_distance(from, Some(edge), ignored)),
        cycle: None,
        retainers: Vec::new(),
        more: 0,
    }
}

/// `heaplens node --format json`: the node and its direct retainers.
pub fn node_report_json(analysis: &Analysis, n: u32, ignored: &IgnoredRetainers) -> String {
    let retainers = analysis
        .retainers_ignoring(n, ignored)
        .into_iter()
        .map(|r| retainer_json(analysis, r.edge, r.from, ignored))
        .collect();
    to_json(&node_json(analysis, n, ignored, retainers))
}

/// One line describing an object, DevTools style: `Foo @123`.
/// Shown as by `format::visible`: labels are snapshot text.
pub fn object_line(analysis: &Analysis, n: u32) -> String {
    let label = analysis.object_label(n);
    format!("{} @{}", format::visible(&label), analysis.graph.id(n))
}

/// [`object_line`] of a holder, from what it keeps of its object.
pub fn holder_line(h: &HolderGrowth) -> String {
    format!("{} @{}", format::visible(&h.label), h.id)
}

/// `1 class`, `2 classes`, with grouped digits.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", format::group(n), if n == 1 { one } else { many })
}

/// Object labels longer than this are cut (strings can be 1024 characters).
const LABEL_CHARS: usize = 80;

/// `object_line`, cut to a readable length for trees and reports.
/// Nameless objects (V8 internals) show their class instead of nothing.
fn short_object_line(analysis: &Analysis, n: u32) -> String {
    let id = analysis.graph.id(n);
    let label = format::visible(&analysis.object_label(n)).into_owned();
    if label.is_empty() {
        return format!("{} @{id}", format::visible(analysis.class_name(n)));
    }
    if label.chars().count() <= LABEL_CHARS {
        return format!("{label} @{id}");
    }
    let cut: String = label.chars().take(LABEL_CHARS).collect();
    format!("{cut}\u{2026} @{id}")
}

/// `heaplens node` as text.
pub fn node_report_table(analysis: &Analysis, n: u32, ignored: &IgnoredRetainers) -> String {
    let graph = &analysis.graph;
    let mut out = String::new();
    let _ = writeln!(out, "{}", object_line(analysis, n));
    let _ = writeln!(
        out,
        "  class {}  type {}  distance {}  shallow {} ({} B)  retained {} ({} B)",
        format::visible(analysis.class_name(n)),
        format::visible(graph.type_name(n)),
        format::distance(display_distance(analysis.distances[n as usize])),
        format::bytes(u64::from(graph.self_size[n as usize])),
        graph.self_size[n as usize],
        format::bytes(analysis.dominators.retained[n as usize]),
        analysis.dominators.retained[n as usize],
    );
    let retainers = analysis.retainers_ignoring(n, ignored);
    let _ = writeln!(
        out,
        "\nRetainers ({}){}:",
        retainers.len(),
        ignoring_note(analysis, ignored)
    );
    let mut table = Table::new(&["Object", "Distance", "Shallow Size", "Retained Size"]);
    for r in retainers {
        table.row(retainer_cells(analysis, r.edge, r.from, "", ignored));
    }
    out + &table.render()
}

/// `, ignoring @1 @2` when retainers are ignored.
fn ignoring_note(analysis: &Analysis, ignored: &IgnoredRetainers) -> String {
    let ids: Vec<String> = ignored
        .nodes()
        .iter()
        .map(|&n| format!("@{}", analysis.graph.id(n)))
        .collect();
    if ids.is_empty() {
        String::new()
    } else {
        format!(", ignoring {}", ids.join(" "))
    }
}

fn retainer_cells(
    analysis: &Analysis,
    edge: usize,
    from: u32,
    indent: &str,
    ignored: &IgnoredRetainers,
) -> Vec<String> {
    let distance = analysis.retainer_distance(from, Some(edge), ignored);
    vec![
        format!(
            "{indent}{} in {}",
            analysis.edge_label(edge),
            object_line(analysis, from)
        ),
        format::distance(display_distance(distance)),
        format::bytes(u64::from(analysis.graph.self_size[from as usize])),
        format::bytes(analysis.dominators.retained[from as usize]),
    ]
}

/// `heaplens retainers`: the retainer tree.
pub fn retainers_report(
    analysis: &Analysis,
    n: u32,
    limits: TreeLimits,
    ignored: &IgnoredRetainers,
    json: bool,
) -> String {
    let (tree, more) = retainer_tree(analysis, n, limits, ignored);
    if json {
        let mut doc = node_json(analysis, n, ignored, tree_json(analysis, &tree, ignored));
        doc.retainers.extend(more_json(more));
        return to_json(&doc);
    }
    let mut table = Table::new(&["Object", "Distance", "Shallow Size", "Retained Size"]);
    tree_rows(analysis, &tree, more, 0, ignored, &mut table);
    format!(
        "{}{}\n{}",
        object_line(analysis, n),
        ignoring_note(analysis, ignored),
        table.render()
    )
}

fn tree_json(
    analysis: &Analysis,
    nodes: &[TreeRow],
    ignored: &IgnoredRetainers,
) -> Vec<RetainerJson> {
    nodes
        .iter()
        .filter_map(|node| {
            let mut json = retainer_json(analysis, node.edge?, node.node, ignored);
            json.cycle = node.cycle.then_some(true);
            json.retainers = tree_json(analysis, &node.children, ignored);
            json.more = node.more;
            Some(json)
        })
        .collect()
}

fn more_json(more: usize) -> Option<RetainerJson> {
    (more > 0).then(|| RetainerJson {
        edge_type: String::new(),
        edge_name: format!("… {more} more"),
        from_id: 0,
        from_class: String::new(),
        from_distance: None,
        cycle: None,
        retainers: Vec::new(),
        more,
    })
}

fn tree_rows(
    analysis: &Analysis,
    nodes: &[TreeRow],
    more: usize,
    depth: usize,
    ignored: &IgnoredRetainers,
    table: &mut Table,
) {
    let indent = "  ".repeat(depth);
    for node in nodes {
        let Some(edge) = node.edge else { continue };
        let mut cells = retainer_cells(analysis, edge, node.node, &indent, ignored);
        if node.cycle {
            cells[0].push_str("  ↻ cycle");
        }
        table.row(cells);
        tree_rows(
            analysis,
            &node.children,
            node.more,
            depth + 1,
            ignored,
            table,
        );
    }
    if more > 0 {
        table.row(vec![
            format!("{indent}… {more} more"),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
}

fn to_json<T: Serialize>(doc: &T) -> String {
    serde_json::to_string(doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")) + "\n"
}

/// `--timings`: one line per stage, to stderr.
pub fn timings(path: &std::path::Path, timings: &crate::snapshot::Timings) -> String {
    let mut out = format!("timings for {}:\n", crate::format::path(path));
    for timing in &timings.stages {
        let label = if timing.beside {
            format!("{} (beside)", timing.stage.label())
        } else {
            timing.stage.label().to_owned()
        };
        out.push_str(&timing_line(&label, timing.took, timing.peak_rss));
    }
    out.push_str(&timing_line("total (wall)", timings.wall(), None));
    out
}

/// One `--timings` line: a step, its time and the peak RSS after it.
pub fn timing_line(label: &str, took: std::time::Duration, peak_rss: Option<u64>) -> String {
    let mut line = format!("  {:<40} {:>8.3} s", label, took.as_secs_f64());
    if let Some(bytes) = peak_rss {
        let _ = write!(line, "   peak RSS {:>6.2} GB", bytes as f64 / 1e9);
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::views::diff::ClassDiff;

    /// The JSON keys of a Comparison row are the column table's keys.
    #[test]
    fn diff_json_keys_are_the_column_table_keys() {
        let diff = ClassDiff {
            key: "Foo".into(),
            name: "Foo".into(),
            location: None,
            new_count: 2,
            deleted_count: 1,
            alloc_size: 30,
            freed_size: 10,
            added: Vec::new(),
            deleted: Vec::new(),
        };
        let row = DiffRow {
            diff: &diff,
            retained_delta: 7,
        };
        let json = DiffClassJson {
            name: &diff.name,
            place: LocationJson::of(None, &ScriptNames::default()),
            new: diff.new_count,
            deleted: diff.deleted_count,
            delta: diff.delta(),
            alloc_size: diff.alloc_size,
            freed_size: diff.freed_size,
            size_delta: diff.size_delta(),
            retained_delta: row.retained_delta,
            holders: Vec::new(),
        };
        let value = serde_json::to_value(&json).unwrap_or_default();
        for column in DiffColumn::ALL.into_iter().skip(1) {
            assert_eq!(
                value.get(column.key()).and_then(serde_json::Value::as_i64),
                Some(row.value(column)),
                "{column:?}"
            );
        }
    }
}
