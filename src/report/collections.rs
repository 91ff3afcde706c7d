//! `heaplens collections`: the collections that gained entries, as a
//! table, JSON or a Markdown report.

use std::fmt::Write as _;

use serde::Serialize;

use super::markdown::{code, retainer_path, table};
use super::{plural, short_object_line, to_json, truncate, Table};
use crate::format;
use crate::snapshot::views::collections::GrowingCollection;
use crate::snapshot::views::leaks::PathFinder;
use crate::snapshot::Analysis;

/// Classes listed per collection under `holds`.
const HOLDS_SHOWN: usize = 5;
/// Classes named per collection in a table or Markdown report.
const HOLDS_IN_TABLE: usize = 2;
/// A path line keeps this many steps from each end.
const PATH_ENDS: usize = 4;
/// Edge labels (property names: program data) are cut to this length.
const LABEL_CHARS: usize = 40;

#[derive(Serialize)]
struct CollectionsJson {
    /// Collections that gained entries (`collections` may list fewer).
    count: usize,
    collections: Vec<CollectionJson>,
}

#[derive(Serialize)]
struct CollectionJson {
    id: u64,
    class: String,
    /// From the collection to the V8 store its entries are counted in.
    owner_path: Vec<StepJson>,
    entries_before: u64,
    entries_after: u64,
    entries_delta: u64,
    retained_before: u64,
    retained_after: u64,
    retained_delta: i64,
    holds: Vec<HeldJson>,
    /// Shortest path from the GC-root end down to the collection's holder.
    path: Vec<StepJson>,
}

#[derive(Serialize)]
struct StepJson {
    edge: String,
    class: String,
    id: u64,
}

#[derive(Serialize)]
struct HeldJson {
    class: String,
    count: u64,
}

/// `heaplens collections --format json`: the first `top` collections.
pub fn collections_json(
    found: &[GrowingCollection],
    target: &Analysis,
    top: Option<usize>,
) -> String {
    let mut paths = PathFinder::new(target);
    let collections = found
        .iter()
        .take(top.unwrap_or(usize::MAX))
        .map(|c| collection_json(target, c, path_json(target, &mut paths, c.node)))
        .collect();
    to_json(&CollectionsJson {
        count: found.len(),
        collections,
    })
}

fn collection_json(
    target: &Analysis,
    c: &GrowingCollection,
    path: Vec<StepJson>,
) -> CollectionJson {
    let graph = &target.graph;
    let owner_path = c.store.owner_step().map(|(edge, store)| StepJson {
        edge: edge.to_owned(),
        class: target.class_name(store).to_owned(),
        id: graph.id(store),
    });
    CollectionJson {
        id: graph.id(c.node),
        class: target.class_name(c.node).to_owned(),
        owner_path: owner_path.into_iter().collect(),
        entries_before: c.entries_before,
        entries_after: c.entries_after,
        entries_delta: c.gained(),
        retained_before: c.retained_before,
        retained_after: c.retained_after,
        retained_delta: c.retained_delta(),
        holds: c
            .holds
            .iter()
            .take(HOLDS_SHOWN)
            .map(|(class, count)| HeldJson {
                class: class.clone(),
                count: *count,
            })
            .collect(),
        path,
    }
}

/// `n`'s shortest path to the roots, root end first.
fn path_json(target: &Analysis, paths: &mut PathFinder<'_>, n: u32) -> Vec<StepJson> {
    let path = paths.shortest_path(n);
    path.iter()
        .rev()
        .map(|step| StepJson {
            edge: target.edge_label(step.edge),
            class: target.class_name(step.from).to_owned(),
            id: target.graph.id(step.from),
        })
        .collect()
}

/// `heaplens collections` as a table, then each collection's path.
pub fn collections_table(
    found: &[GrowingCollection],
    target: &Analysis,
    files: [&str; 2],
    top: usize,
) -> String {
    let shown = &found[..found.len().min(top)];
    let mut table = Table::new(&[
        "Collection",
        "Entries",
        "Gained",
        "Retained",
        "Retained \u{394}",
    ]);
    for c in shown {
        table.row(vec![
            truncate(&short_object_line(target, c.node), 50),
            format!(
                "{} \u{2192} {}",
                format::group(c.entries_before),
                format::group(c.entries_after)
            ),
            format!("+{}", format::group(c.gained())),
            format!(
                "{} \u{2192} {}",
                format::bytes(c.retained_before),
                format::bytes(c.retained_after)
            ),
            format::signed_bytes(c.retained_delta()),
        ]);
    }
    let [base, target_file] = files;
    let mut out = format!(
        "Collections that gained entries: {base} \u{2192} {target_file}\n\n{}\n{} gained entries ({} shown), most entries gained first\n",
        table.render(),
        plural(found.len() as u64, "collection", "collections"),
        format::group(shown.len() as u64),
    );
    if !shown.is_empty() {
        out.push_str("\nWhat they hold, and their paths to the roots (root end first):\n");
        let mut paths = PathFinder::new(target);
        for c in shown {
            let _ = writeln!(
                out,
                "  {}: holds {}\n    {}",
                short_object_line(target, c.node),
                format::visible(&holds_cell(c)),
                format::visible(&path_line(target, &mut paths, c.node)),
            );
        }
    }
    out
}

/// `SessionRecord ×1,500, (string) ×1,462, …`
fn holds_cell(c: &GrowingCollection) -> String {
    let mut cells: Vec<String> = c
        .holds
        .iter()
        .take(HOLDS_IN_TABLE)
        .map(|(class, count)| format!("{} \u{d7}{}", truncate(class, 30), format::group(*count)))
        .collect();
    if c.holds.is_empty() {
        return "no heap objects".to_owned();
    }
    if c.holds.len() > HOLDS_IN_TABLE {
        cells.push("\u{2026}".to_owned());
    }
    cells.join(", ")
}

/// `global → … → sessionCache in system / Context @6`: the edges from the
/// root end, the middle left out of long paths.
fn path_line(target: &Analysis, paths: &mut PathFinder<'_>, n: u32) -> String {
    let path = paths.shortest_path(n);
    let mut labels: Vec<String> = path
        .iter()
        .rev()
        .map(|step| truncate(&target.edge_label(step.edge), LABEL_CHARS))
        .collect();
    if labels.len() > 2 * PATH_ENDS {
        labels.splice(PATH_ENDS..labels.len() - PATH_ENDS, ["\u{2026}".to_owned()]);
    }
    let holder = path
        .first()
        .map(|step| format!(" in {}", short_object_line(target, step.from)))
        .unwrap_or_default();
    format!("{}{holder}", labels.join(" \u{2192} "))
}

/// `heaplens collections --format markdown`: the first `top` collections
/// and the top one's path.
pub fn collections_markdown(
    found: &[GrowingCollection],
    target: &Analysis,
    files: [&str; 2],
    top: usize,
) -> String {
    let [base, target_file] = files;
    let shown = &found[..found.len().min(top)];
    let mut out = format!(
        "# Growing collections: {} \u{2192} {}\n\n{} gained entries; the top {} by entries gained:\n\n",
        code(base),
        code(target_file),
        plural(found.len() as u64, "collection", "collections"),
        format::group(shown.len() as u64),
    );
    let rows: Vec<Vec<String>> = shown.iter().map(|c| markdown_cells(target, c)).collect();
    out.push_str(&table(
        &[
            "Collection",
            "Entries before",
            "Entries after",
            "Retained before",
            "Retained after",
            "Retained \u{394}",
            "Holds most",
        ],
        &rows,
    ));
    if let Some(c) = shown.first() {
        let _ = write!(
            out,
            "\n## Retainer path of the top collection\n\n\
             {} gained {} entries ({} \u{2192} {}); its retained size went \
             from {} to {} ({}):\n\n{}",
            code(&short_object_line(target, c.node)),
            format::group(c.gained()),
            format::group(c.entries_before),
            format::group(c.entries_after),
            format::bytes(c.retained_before),
            format::bytes(c.retained_after),
            format::signed_bytes(c.retained_delta()),
            retainer_path(target, c.node)
        );
    }
    out
}

fn markdown_cells(target: &Analysis, c: &GrowingCollection) -> Vec<String> {
    vec![
        code(&short_object_line(target, c.node)),
        format::group(c.entries_before),
        format::group(c.entries_after),
        format::bytes(c.retained_before),
        format::bytes(c.retained_after),
        format::signed_bytes(c.retained_delta()),
        code(&holds_cell(c)),
    ]
}
