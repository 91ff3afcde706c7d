//! The other DevTools views, headless: Statistics, Duplicated strings, the
//! dominator tree and Containment.

use serde::Serialize;

use super::{plural, short_object_line, to_json, Table};
use crate::format;
use crate::snapshot::distances::display_distance;
use crate::snapshot::views::containment::{containment_tree, dominator_tree};
use crate::snapshot::views::duplicates::DuplicateGroup;
use crate::snapshot::views::statistics::Statistics;
use crate::snapshot::views::string_search::example;
use crate::snapshot::views::tree::{TreeLimits, TreeRow};
use crate::snapshot::Analysis;

/// String values longer than this are cut in the table.
const VALUE_CHARS: usize = 60;
/// `strings` values longer than this are cut in the table.
const STRING_CHARS: usize = 80;

#[derive(Serialize)]
struct StatsJson {
    total: u64,
    v8heap: V8HeapJson,
    native: NativeJson,
    /// DevTools' pie legend, in its order.
    categories: CategoriesJson,
}

#[derive(Serialize)]
struct V8HeapJson {
    total: i64,
    code: u64,
    strings: u64,
    js_arrays: u64,
    system: u64,
}

#[derive(Serialize)]
struct NativeJson {
    total: u64,
    typed_arrays: u64,
}

#[derive(Serialize)]
struct CategoriesJson {
    code: u64,
    strings: u64,
    js_arrays: u64,
    typed_arrays: u64,
    system: u64,
    other_js: i64,
    other_non_js: i64,
}

/// `heaplens stats --format json`: DevTools' `getStatistics()` fields (in
/// snake case) plus the legend's derived categories.
pub fn stats_json(s: &Statistics) -> String {
    to_json(&StatsJson {
        total: s.total,
        v8heap: V8HeapJson {
            total: s.v8heap_total(),
            code: s.code,
            strings: s.strings,
            js_arrays: s.js_arrays,
            system: s.system,
        },
        native: NativeJson {
            total: s.native_total,
            typed_arrays: s.typed_arrays,
        },
        categories: CategoriesJson {
            code: s.code,
            strings: s.strings,
            js_arrays: s.js_arrays,
            typed_arrays: s.typed_arrays,
            system: s.system,
            other_js: s.other_js(),
            other_non_js: s.other_non_js(),
        },
    })
}

/// `heaplens stats`: the legend of DevTools' Statistics pie.
pub fn stats_table(s: &Statistics) -> String {
    let rows = s.legend();
    let mut table = Table::new(&["Category", "Size", ""]);
    let percent = |v: i64| format::percent(v.max(0) as u64, s.total);
    for (name, value) in rows {
        table.row(vec![name.to_owned(), signed_size(value), percent(value)]);
    }
    table.row(vec![
        "Total".to_owned(),
        format::bytes(s.total),
        percent(s.total as i64),
    ]);
    table.render()
}

/// Sizes are never negative in DevTools' pie; a formula can be on a broken
/// file, so show the sign rather than wrap around.
fn signed_size(v: i64) -> String {
    if v < 0 {
        format::signed_bytes(v)
    } else {
        format::bytes(v as u64)
    }
}

#[derive(Serialize)]
struct DuplicatesJson<'a> {
    groups: Vec<GroupJson<'a>>,
    wasted: u64,
}

#[derive(Serialize)]
struct GroupJson<'a> {
    value: &'a str,
    count: usize,
    copy_size: u64,
    total_size: u64,
    wasted: u64,
    retained_size: u64,
    truncated: bool,
}

/// `heaplens duplicates --format json`: the first `top` groups; `wasted` is
/// over all groups.
pub fn duplicates_json(groups: &[DuplicateGroup], top: usize) -> String {
    to_json(&DuplicatesJson {
        groups: groups
            .iter()
            .take(top)
            .map(|g| GroupJson {
                value: &g.value,
                count: g.nodes.len(),
                copy_size: g.copy_size,
                total_size: g.total_size,
                wasted: g.wasted(),
                retained_size: g.retained_size,
                truncated: g.truncated,
            })
            .collect(),
        wasted: groups.iter().map(DuplicateGroup::wasted).sum(),
    })
}

/// `heaplens duplicates`: groups by wasted bytes.
pub fn duplicates_table(groups: &[DuplicateGroup], top: usize) -> String {
    let mut table = Table::new(&["String", "Copies", "Size per copy", "Total Size", "Wasted"]);
    for g in groups.iter().take(top) {
        table.row(vec![
            quoted_value(&g.value),
            format::group(g.nodes.len() as u64),
            format::bytes(g.copy_size),
            format::bytes(g.total_size),
            format::bytes(g.wasted()),
        ]);
    }
    let wasted: u64 = groups.iter().map(DuplicateGroup::wasted).sum();
    let copies: usize = groups.iter().map(|g| g.nodes.len()).sum();
    format!(
        "{}\n{} strings duplicated in {} groups ({} shown); {} wasted\n",
        table.render(),
        format::group(copies as u64),
        format::group(groups.len() as u64),
        format::group(top.min(groups.len()) as u64),
        format::bytes(wasted),
    )
}

#[derive(Serialize)]
struct StringsJson<'a> {
    /// Values found (`strings` may list fewer), their copies and bytes.
    values: usize,
    copies: usize,
    bytes: u64,
    strings: Vec<StringJson<'a>>,
}

#[derive(Serialize)]
struct StringJson<'a> {
    /// The full value (JSON escapes it).
    value: &'a str,
    /// Present for sliced strings of a parent whose text is `value`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    sliced: bool,
    copies: usize,
    bytes: u64,
    retained_size: u64,
    example_id: Option<u64>,
}

/// `heaplens strings --format json`: the first `top` values, in full.
pub fn strings_json(groups: &[DuplicateGroup], analysis: &Analysis, top: usize) -> String {
    to_json(&StringsJson {
        values: groups.len(),
        copies: groups.iter().map(|g| g.nodes.len()).sum(),
        bytes: groups.iter().map(|g| g.total_size).sum(),
        strings: groups
            .iter()
            .take(top)
            .map(|g| StringJson {
                value: &g.value,
                sliced: g.sliced,
                copies: g.nodes.len(),
                bytes: g.total_size,
                retained_size: g.retained_size,
                example_id: example(analysis, g).map(|n| analysis.graph.id(n)),
            })
            .collect(),
    })
}

/// `heaplens strings`: values by bytes, each shown safely and cut short
/// (values are secrets: they appear nowhere else).
pub fn strings_table(groups: &[DuplicateGroup], analysis: &Analysis, top: usize) -> String {
    let mut table = Table::new(&["String", "Copies", "Bytes", "Retained", "Example"]);
    for g in groups.iter().take(top) {
        table.row(vec![
            shown_value(g),
            format::group(g.nodes.len() as u64),
            format::bytes(g.total_size),
            format::bytes(g.retained_size),
            example(analysis, g).map_or_else(String::new, |n| format!("@{}", analysis.graph.id(n))),
        ]);
    }
    let copies: usize = groups.iter().map(|g| g.nodes.len()).sum();
    let bytes: u64 = groups.iter().map(|g| g.total_size).sum();
    format!(
        "{}
{} in {} ({} shown), {}
",
        table.render(),
        plural(copies as u64, "string", "strings"),
        plural(groups.len() as u64, "value", "values"),
        format::group(top.min(groups.len()) as u64),
        format::bytes(bytes),
    )
}

/// `"value"` made visible and cut to `STRING_CHARS`; a slice says so.
fn shown_value(g: &DuplicateGroup) -> String {
    let visible = format::visible(&g.value);
    let mut shown: String = visible.chars().take(STRING_CHARS).collect();
    if shown.len() < visible.len() {
        shown.push('\u{2026}');
    }
    if g.sliced {
        format!("slice of \"{shown}\"")
    } else {
        format!("\"{shown}\"")
    }
}

/// A string as a one-line JSON literal, cut to a readable length.
fn quoted_value(value: &str) -> String {
    let cut: String = value.chars().take(VALUE_CHARS).collect();
    let quoted = serde_json::to_string(&cut).unwrap_or_else(|_| cut.clone());
    if cut.len() < value.len() {
        format!("{quoted}\u{2026}")
    } else {
        quoted
    }
}

/// Which tree a report draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TreeKind {
    Containment,
    Dominators,
}

#[derive(Serialize)]
struct TreeJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    edge_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edge_name: Option<String>,
    id: u64,
    name: String,
    class: String,
    self_size: u32,
    retained_size: u64,
    distance: Option<i32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    cycle: bool,
    children: Vec<TreeJson>,
    #[serde(skip_serializing_if = "is_zero")]
    more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// `heaplens containment`: what `n` holds, every edge (weak ones too).
pub fn containment_report(analysis: &Analysis, n: u32, limits: TreeLimits, json: bool) -> String {
    let (rows, more) = containment_tree(analysis, n, limits);
    tree_report(analysis, n, &rows, more, json, TreeKind::Containment)
}

/// `heaplens dominators`: what `n` dominates, by retained size.
pub fn dominators_report(analysis: &Analysis, n: u32, limits: TreeLimits, json: bool) -> String {
    let (rows, more) = dominator_tree(analysis, n, limits);
    tree_report(analysis, n, &rows, more, json, TreeKind::Dominators)
}

fn tree_report(
    analysis: &Analysis,
    n: u32,
    rows: &[TreeRow],
    more: usize,
    json: bool,
    kind: TreeKind,
) -> String {
    if json {
        let mut top = tree_json(analysis, None, n);
        top.children = rows.iter().map(|r| row_json(analysis, r)).collect();
        top.more = more;
        return to_json(&top);
    }
    let mut table = Table::new(&["Object", "Distance", "Shallow Size", "Retained Size", ""]);
    table.row(node_cells(analysis, n, String::new()));
    tree_rows(analysis, rows, more, 1, kind, &mut table);
    table.render()
}

fn tree_json(analysis: &Analysis, edge: Option<usize>, n: u32) -> TreeJson {
    let graph = &analysis.graph;
    TreeJson {
        edge_type: edge.map(|e| graph.layout.edge_type_name(graph.edge_type[e]).to_owned()),
        edge_name: edge.map(|e| analysis.edge_label(e)),
        id: graph.id(n),
        name: analysis.object_label(n),
        class: analysis.class_name(n).to_owned(),
        self_size: graph.self_size[n as usize],
        retained_size: analysis.dominators.retained[n as usize],
        distance: display_distance(analysis.distances[n as usize]),
        cycle: false,
        children: Vec::new(),
        more: 0,
    }
}

fn row_json(analysis: &Analysis, row: &TreeRow) -> TreeJson {
    let mut json = tree_json(analysis, row.edge, row.node);
    json.cycle = row.cycle;
    json.children = row.children.iter().map(|r| row_json(analysis, r)).collect();
    json.more = row.more;
    json
}

fn node_cells(analysis: &Analysis, n: u32, label: String) -> Vec<String> {
    let retained = analysis.dominators.retained[n as usize];
    let label = if label.is_empty() {
        short_object_line(analysis, n)
    } else {
        label
    };
    vec![
        label,
        format::distance(display_distance(analysis.distances[n as usize])),
        format::bytes(u64::from(analysis.graph.self_size[n as usize])),
        format::bytes(retained),
        format::percent(retained, analysis.total_size()),
    ]
}

fn tree_rows(
    analysis: &Analysis,
    rows: &[TreeRow],
    more: usize,
    depth: usize,
    kind: TreeKind,
    table: &mut Table,
) {
    let indent = "  ".repeat(depth);
    for row in rows {
        // DevTools' Containment separator is `::` (§7.3).
        let mut label = match (kind, row.edge) {
            (TreeKind::Containment, Some(e)) => format!(
                "{indent}{} :: {}",
                analysis.edge_label(e),
                short_object_line(analysis, row.node)
            ),
            _ => format!("{indent}{}", short_object_line(analysis, row.node)),
        };
        if row.cycle {
            label.push_str("  \u{21bb} cycle");
        }
        table.row(node_cells(analysis, row.node, label));
        tree_rows(analysis, &row.children, row.more, depth + 1, kind, table);
    }
    if more > 0 {
        let mut cells = vec![String::new(); 5];
        cells[0] = format!("{indent}\u{2026} {more} more");
        table.row(cells);
    }
}
