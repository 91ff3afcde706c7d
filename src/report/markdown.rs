//! `--format markdown`: an incident report ready to paste into a ticket —
//! a heading naming the files, the top classes, the top deltas, and the
//! retainer path of the worst offender, as DevTools would open it (§7.5).

use std::fmt::Write as _;

use super::{
    comparison_scripts, diff_cells, plural, short_object_line, summary_rows, SummaryReport,
};
use crate::format;
use crate::snapshot::classes::{ClassAggregate, SummaryColumn};
use crate::snapshot::distances::display_distance;
use crate::snapshot::graph::Location;
use crate::snapshot::views::diff::{DiffColumn, DiffRow};
use crate::snapshot::views::leaks::{is_v8_internal, LeakClass, LeakReport, PathFinder, PathGroup};
use crate::snapshot::{Analysis, ScriptNames};

/// `heaplens summary --format markdown`.
pub fn summary_markdown(
    report: &SummaryReport<'_>,
    analysis: &Analysis,
    file: &str,
    base: Option<&str>,
) -> String {
    let mut out = format!("# Heap summary: {}\n\n", code(file));
    let objects: u64 = report.classes.iter().map(|a| a.count).sum();
    let _ = writeln!(
        out,
        "{} in {}; total size {} ({} nodes, {} edges).\n",
        plural(objects, "object", "objects"),
        plural(report.classes.len() as u64, "class", "classes"),
        format::bytes(analysis.total_size()),
        format::group(analysis.graph.node_count() as u64),
        format::group(analysis.graph.edge_count() as u64),
    );
    if let (Some(range), Some(base)) = (report.allocated, base) {
        let _ = writeln!(
            out,
            "Only objects allocated between {} and {} (id {} < id \u{2264} {}).\n",
            code(base),
            code(file),
            range.after,
            range.up_to
        );
    }
    if let Some(only) = report.only {
        let _ = writeln!(out, "Under DevTools' Summary filter *{}*.\n", only.title());
    }
    out.push_str("## Top classes\n\n");
    out.push_str(&classes_table(analysis, &report.rows));
    // `max_by_key` keeps the last of equals: reversed, the first row wins.
    let worst = report.rows.iter().rev().max_by_key(|a| a.retained_size);
    if let Some(worst) = worst {
        out.push_str(&worst_class_path(analysis, worst));
    }
    out
}

/// `heaplens diff --format markdown`: `rows` are all rows in display order;
/// the tables show the first `top`.
pub fn diff_markdown(
    base: &Analysis,
    target: &Analysis,
    rows: &[DiffRow<'_>],
    files: [&str; 2],
    (top, internals): (usize, bool),
) -> String {
    let [base_file, target_file] = files;
    let mut out = format!(
        "# Heap comparison: {} \u{2192} {}\n\n",
        code(base_file),
        code(target_file)
    );
    let _ = writeln!(
        out,
        "Total size {} \u{2192} {} ({}); {} changed.\n",
        format::bytes(base.total_size()),
        format::bytes(target.total_size()),
        format::signed_bytes(target.total_size() as i64 - base.total_size() as i64),
        plural(rows.len() as u64, "class", "classes"),
    );
    let shown = &rows[..rows.len().min(top)];
    out.push_str("## Top deltas\n\n");
    out.push_str(&deltas_table(
        shown,
        &comparison_scripts(&base.scripts, &target.scripts),
    ));
    let _ = writeln!(out, "\n## Top classes in {}\n", code(target_file));
    let selection = super::RowSelection {
        top: Some(top),
        filter: None,
    };
    let classes = summary_rows(
        &target.aggregates,
        SummaryColumn::Retained,
        true,
        &selection,
    );
    out.push_str(&classes_table(target, &classes));
    if let Some(worst) = worst_offender(target, rows, internals) {
        out.push_str(&worst_delta_path(target, worst, target_file, internals));
    }
    out
}

/// The class whose retained size grew most and that has new objects, among
/// the user's classes unless `internals`: V8's own (`(string)` held by a
/// handle scope is the snapshot writer's file name, not a leak) are left
/// out. Ties go to the first row.
fn worst_offender<'r, 'a>(
    target: &Analysis,
    rows: &'r [DiffRow<'a>],
    internals: bool,
) -> Option<&'r DiffRow<'a>> {
    let user_class = |row: &DiffRow<'_>| {
        let name = &row.diff.name;
        let first = row.diff.added.first();
        !(name.starts_with('(') || name.starts_with("system / "))
            && first.is_some_and(|&n| !is_v8_internal(target, n))
    };
    rows.iter()
        .rev()
        .filter(|r| !r.diff.added.is_empty() && (internals || user_class(r)))
        .max_by_key(|r| r.retained_delta)
}

/// `heaplens leaks --format markdown`.
pub fn leaks_markdown(leaks: &LeakReport, s3: &Analysis, files: [&str; 3], top: usize) -> String {
    let [s1, s2, s3_file] = files;
    let mut out = format!(
        "# Leak report: {} \u{2192} {} \u{2192} {}\n\n",
        code(s1),
        code(s2),
        code(s3_file)
    );
    let _ = writeln!(
        out,
        "{} allocated between {} and {} (id {} < id \u{2264} {}) still alive in {}, \
         in {}, retaining {} together.\n",
        plural(leaks.count, "object", "objects"),
        code(s1),
        code(s2),
        leaks.range.after,
        leaks.range.up_to,
        code(s3_file),
        plural(leaks.classes.len() as u64, "class", "classes"),
        format::bytes(leaks.retained_size),
    );
    out.push_str("## Leaked classes\n\n");
    let total = s3.total_size();
    let cells: Vec<Vec<String>> = leaks
        .classes
        .iter()
        .take(top)
        .map(|c| {
            vec![
                class_cell(&c.name, c.location, &s3.scripts),
                format::group(c.count),
                sized(c.retained_size, total),
            ]
        })
        .collect();
    out.push_str(&table(&["Class", "Objects", "Retained Size"], &cells));
    if let Some(class) = leaks.classes.first() {
        out.push_str(&top_group_path(s3, class));
    }
    out
}

/// The Comparison columns as a Markdown table.
fn deltas_table(rows: &[DiffRow<'_>], scripts: &ScriptNames) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = diff_cells(row, scripts);
            cells[0] = class_cell(&row.diff.name, row.diff.location, scripts);
            cells
        })
        .collect();
    table(&DiffColumn::ALL.map(DiffColumn::title), &cells)
}

/// The Summary columns as a Markdown table.
fn classes_table(analysis: &Analysis, rows: &[&ClassAggregate]) -> String {
    let total = analysis.total_size();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|a| {
            vec![
                class_cell(&a.name, a.location, &analysis.scripts),
                format::distance(display_distance(a.distance)),
                format::group(a.count),
                sized(a.self_size, total),
                sized(a.retained_size, total),
            ]
        })
        .collect();
    table(
        &[
            "Constructor",
            "Distance",
            "Count",
            "Shallow Size",
            "Retained Size",
        ],
        &cells,
    )
}

fn sized(bytes: u64, total: u64) -> String {
    format!(
        "{} ({})",
        format::bytes(bytes),
        format::percent(bytes, total)
    )
}

/// `` `Name` (server.js:82:19) ``: the name as code, the location (the
/// script's short name, or its id) beside it.
pub(super) fn class_cell(name: &str, location: Option<Location>, scripts: &ScriptNames) -> String {
    match location {
        // A script's name is snapshot text: a pipe would end the cell.
        Some(l) => format!(
            "{} ({})",
            code(name),
            scripts.short_label(l).replace('|', "\\|")
        ),
        None => code(name),
    }
}

/// The largest instance of the class retaining most, and its path.
fn worst_class_path(analysis: &Analysis, class: &ClassAggregate) -> String {
    let retained = &analysis.dominators.retained;
    let Some(&n) = class.instances.iter().max_by(|&&a, &&b| {
        retained[a as usize]
            .cmp(&retained[b as usize])
            .then(analysis.graph.id(b).cmp(&analysis.graph.id(a)))
    }) else {
        return String::new();
    };
    format!(
        "\n## Retainer path of the worst offender\n\n\
         The largest {} (the class above retaining most), retaining {}:\n\n{}",
        code(&class.name),
        format::bytes(retained[n as usize]),
        retainer_path(analysis, n)
    )
}

/// The first new instance of the class that gained the most objects.
fn worst_delta_path(
    target: &Analysis,
    row: &DiffRow<'_>,
    target_file: &str,
    internals: bool,
) -> String {
    let retained = &target.dominators.retained;
    let largest = row.diff.added.iter().max_by_key(|&&n| retained[n as usize]);
    let Some(&n) = largest else {
        return String::new();
    };
    let among = if internals {
        "among all classes"
    } else {
        "among the program's classes (V8's own left out; `--internals` to include them)"
    };
    format!(
        "\n## Retainer path of the worst offender\n\n\
         The class whose retained size grew most, {among}: {} ({} retained, {} objects). \
         Its largest new object in {}:\n\n{}",
        code(&row.diff.name),
        format::signed_bytes(row.retained_delta),
        format::signed_count(row.diff.delta()),
        code(target_file),
        retainer_path(target, n)
    )
}

/// The top class's largest merged path, drawn from the object up.
fn top_group_path(s3: &Analysis, class: &LeakClass) -> String {
    let mut chain: Vec<&PathGroup> = Vec::new();
    let mut level = &class.paths;
    while let Some(group) = level.first() {
        chain.push(group);
        level = &group.children;
    }
    let Some(last) = chain.last() else {
        return String::new();
    };
    let mut out = format!(
        "\n## Retainer path of the top group\n\n\
         {} of the {} leaked {} objects are held through this path \
         (retaining {}):\n\n- {} \u{d7}{}\n",
        format::group(last.count),
        format::group(class.count),
        code(&class.name),
        format::bytes(last.retained_size),
        code(&class.name),
        format::group(last.count),
    );
    for (depth, group) in chain.iter().rev().enumerate() {
        let _ = writeln!(
            out,
            "{}- {} in {}",
            "  ".repeat(depth + 1),
            code(&group.edge),
            code(&group_holder(s3, group))
        );
    }
    out
}

/// The retainer of a merged path step: the object when all paths share it.
pub(super) fn group_holder(s3: &Analysis, group: &PathGroup) -> String {
    match group.node {
        Some(n) => short_object_line(s3, n),
        None => group.class.clone(),
    }
}

/// `n`'s shortest path to the GC roots as an indented list, object first.
pub(super) fn retainer_path(analysis: &Analysis, n: u32) -> String {
    let mut out = format!("- {}\n", code(&short_object_line(analysis, n)));
    let path = PathFinder::new(analysis).shortest_path(n);
    for (depth, step) in path.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}- {} in {}",
            "  ".repeat(depth + 1),
            code(&analysis.edge_label(step.edge)),
            code(&short_object_line(analysis, step.from))
        );
    }
    out
}

/// Inline code that survives any text: backticks fenced, pipes escaped for
/// tables, no line breaks.
pub(super) fn code(text: &str) -> String {
    let text = format::visible(text).replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// A GitHub Markdown table; every column but the first right-aligned.
pub(super) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|", header.join(" | "));
    for i in 0..header.len() {
        out.push_str(if i == 0 { " --- |" } else { " ---: |" });
    }
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| format::visible(c).into_owned())
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_pipes_and_backticks() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "`` x`y ``");
        assert_eq!(code("<div>"), "`<div>`");
    }

    #[test]
    fn tables_align_numbers_right() {
        let t = table(&["A", "B"], &[vec!["x".into(), "1".into()]]);
        assert_eq!(t, "| A | B |\n| --- | ---: |\n| x | 1 |\n");
    }
}
