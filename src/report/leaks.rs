//! `heaplens leaks`: leaked classes with their merged retainer paths, as an
//! indented table or JSON.

use serde::Serialize;

use super::markdown::group_holder;
use super::{class_label, plural, to_json, LocationJson, Table};
use crate::format;
use crate::snapshot::views::leaks::{LeakClass, LeakReport, PathGroup};
use crate::snapshot::Analysis;

/// Path groups shown per level in the table; the rest are summed up.
const GROUPS_PER_LEVEL: usize = 5;
/// Path rows shown per class in the table (linked lists make staircases);
/// the JSON has every path.
const ROWS_PER_CLASS: usize = 30;

#[derive(Serialize)]
struct LeaksJson<'a> {
    range: RangeJson,
    count: u64,
    retained_size: u64,
    classes: Vec<LeakClassJson<'a>>,
}

#[derive(Serialize)]
struct RangeJson {
    after_id: u64,
    up_to_id: u64,
}

#[derive(Serialize)]
struct LeakClassJson<'a> {
    name: &'a str,
    #[serde(flatten)]
    place: LocationJson,
    count: u64,
    retained_size: u64,
    paths: Vec<PathJson>,
}

#[derive(Serialize)]
struct PathJson {
    edge: String,
    class: String,
    /// The retaining object when every merged path shares it.
    id: Option<u64>,
    count: u64,
    retained_size: u64,
    paths: Vec<PathJson>,
}

fn path_json(s3: &Analysis, group: &PathGroup) -> PathJson {
    PathJson {
        edge: group.edge.clone(),
        class: group.class.clone(),
        id: group.node.map(|n| s3.graph.id(n)),
        count: group.count,
        retained_size: group.retained_size,
        paths: group.children.iter().map(|g| path_json(s3, g)).collect(),
    }
}

/// `heaplens leaks --format json`: the first `top` classes, full paths.
pub fn leaks_json(report: &LeakReport, s3: &Analysis, top: usize) -> String {
    let doc = LeaksJson {
        range: RangeJson {
            after_id: report.range.after,
            up_to_id: report.range.up_to,
        },
        count: report.count,
        retained_size: report.retained_size,
        classes: report
            .classes
            .iter()
            .take(top)
            .map(|c| LeakClassJson {
                name: &c.name,
                place: LocationJson::of(c.location, &s3.scripts),
                count: c.count,
                retained_size: c.retained_size,
                paths: c.paths.iter().map(|g| path_json(s3, g)).collect(),
            })
            .collect(),
    };
    to_json(&doc)
}

/// `heaplens leaks` as a table: each class, then its merged paths from the
/// root end down to the objects' holders.
pub fn leaks_table(report: &LeakReport, s3: &Analysis, files: [&str; 3], top: usize) -> String {
    let [s1, s2, s3_file] = files;
    let mut table = Table::new(&[
        "Class / retainer path (root end first)",
        "Objects",
        "Retained Size",
        "",
    ]);
    for class in report.classes.iter().take(top) {
        class_rows(s3, class, &mut table);
    }
    let hidden = report.classes.len().saturating_sub(top);
    let hidden = if hidden > 0 {
        format!(
            " ({} not shown; see --top)",
            plural(hidden as u64, "class", "classes")
        )
    } else {
        String::new()
    };
    format!(
        "Objects allocated between {s1} and {s2} (id {} < id \u{2264} {}) still alive in {s3_file}\n\n{}\n\
         {} in {}{hidden}, retaining {} together\n",
        report.range.after,
        report.range.up_to,
        table.render(),
        plural(report.count, "leaked object", "leaked objects"),
        plural(report.classes.len() as u64, "class", "classes"),
        format::bytes(report.retained_size),
    )
}

/// A class row, then its path rows (at most `ROWS_PER_CLASS`).
fn class_rows(s3: &Analysis, class: &LeakClass, table: &mut Table) {
    table.row(vec![
        class_label(&class.name, class.location, &s3.scripts),
        format::group(class.count),
        format::bytes(class.retained_size),
        format::percent(class.retained_size, s3.total_size()),
    ]);
    let mut budget = ROWS_PER_CLASS;
    if group_rows(s3, &class.paths, 1, &mut budget, table) {
        table.row(vec![
            "  \u{2026} (more paths: --format json lists them all)".to_owned(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
}

/// Rows for `groups` and below, largest first, until `budget` rows are
/// used; returns whether the budget cut some off.
fn group_rows(
    s3: &Analysis,
    groups: &[PathGroup],
    depth: usize,
    budget: &mut usize,
    table: &mut Table,
) -> bool {
    let indent = "  ".repeat(depth);
    let shown = &groups[..groups.len().min(GROUPS_PER_LEVEL)];
    for group in shown {
        if *budget == 0 {
            return true;
        }
        *budget -= 1;
        table.row(vec![
            format!("{indent}{} in {}", group.edge, group_holder(s3, group)),
            format::group(group.count),
            format::bytes(group.retained_size),
            String::new(),
        ]);
        if group_rows(s3, &group.children, depth + 1, budget, table) {
            return true;
        }
    }
    let rest = &groups[shown.len()..];
    if rest.is_empty() {
        return false;
    }
    if *budget == 0 {
        return true;
    }
    *budget -= 1;
    let count: u64 = rest.iter().map(|g| g.count).sum();
    let retained: u64 = rest.iter().map(|g| g.retained_size).sum();
    table.row(vec![
        format!(
            "{indent}\u{2026} {} more",
            plural(rest.len() as u64, "path", "paths")
        ),
        format::group(count),
        format::bytes(retained),
        String::new(),
    ]);
    false
}
