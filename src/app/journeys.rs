//! Journeys: keys fed to the app state, asserting what a user would see
//! change (dua's style). No terminal; rendering has its own tests.

use std::sync::Arc;

use super::class_table::Row;
use super::keymap::Keymap;
use super::object_tree::{RowKind, TreeKind};
use super::table_view::TableKind;
use super::testing::{comparison_app, demo, demo_pair, pair_app, press, summary_app};
use super::{App, Input, LoadState, Pane};
use crate::loader::LoadEvent;

fn class_name(app: &App, row: Row) -> String {
    let Row::Class(c) = row else {
        return String::new();
    };
    if app.view == Pane::Comparison {
        app.tables
            .comparison()
            .map(|d| d.name(c).to_owned())
            .unwrap_or_default()
    } else {
        app.tables
            .summary()
            .map(|d| d.name(c).to_owned())
            .unwrap_or_default()
    }
}

#[test]
fn finding_the_leak_in_the_comparison() {
    let mut app = comparison_app();
    assert_eq!(
        app.view,
        Pane::Comparison,
        "two snapshots open on the Comparison"
    );
    let data = app
        .tables
        .comparison()
        .expect("the comparison is computed once both load");
    let deltas: Vec<i64> = app.tables[TableKind::Comparison]
        .table
        .rows()
        .iter()
        .map(|r| match r {
            Row::Class(c) => data.diffs[*c as usize].delta(),
            _ => 0,
        })
        .collect();
    assert!(
        deltas.windows(2).all(|w| w[0] >= w[1]),
        "it is sorted by # Delta, largest first"
    );

    press(&mut app, "/sessionrec");
    assert_eq!(app.input, Input::Filter, "typing goes into the filter");
    assert_eq!(
        app.tables[TableKind::Comparison].table.rows().len(),
        1,
        "the filter narrows to one class"
    );
    assert_eq!(
        class_name(&app, app.tables[TableKind::Comparison].table.rows()[0]),
        "SessionRecord"
    );
    press(&mut app, "\n");
    assert_eq!(
        app.input,
        Input::None,
        "Enter keeps the filter and leaves the prompt"
    );

    press(&mut app, "l");
    assert_eq!(
        app.tables[TableKind::Comparison].table.rows().len(),
        1 + 100 + 1,
        "it expands to one page of new instances and a more row"
    );
    press(&mut app, "j");
    let tree = app
        .tree
        .as_ref()
        .expect("selecting an instance shows its retainers");
    assert!(
        tree.open_depth() >= 5,
        "the first retainer path is opened toward the roots"
    );
    let last_open = tree
        .visible()
        .into_iter()
        .rfind(|&r| tree.rows[r].open)
        .expect("an open row");
    let RowKind::Link { node: from, .. } = tree.rows[last_open].kind else {
        panic!("a retainer row")
    };
    let chain_end = tree.rows[last_open]
        .children
        .as_ref()
        .and_then(|c| c.first())
        .copied()
        .expect("children");
    let RowKind::Link { node: end, .. } = tree.rows[chain_end].kind else {
        panic!("a retainer row")
    };
    assert_eq!(
        tree.analysis.distances[end as usize], 1,
        "the chain ends at a user root (the global)"
    );
    assert!(tree.analysis.distances[from as usize] > 1);

    press(&mut app, "\t");
    assert_eq!(
        app.focus,
        Pane::Retainers,
        "Tab moves to the Retainers pane"
    );
    press(&mut app, "q");
    assert!(app.quit, "q quits");
}

#[test]
fn sorting_cycles_columns_and_presets_jump_to_deltas() {
    let mut app = comparison_app();
    press(&mut app, "D");
    assert_eq!(
        app.tables[TableKind::Comparison].table.sort.column,
        crate::snapshot::views::diff::DiffColumn::SizeDelta.index()
    );
    let first = class_name(&app, app.tables[TableKind::Comparison].table.rows()[0]);
    assert_eq!(first, "(string)", "strings grew most by size in the demo");
    press(&mut app, "r");
    assert!(
        !app.tables[TableKind::Comparison].table.sort.descending,
        "r reverses"
    );
    press(&mut app, "d");
    assert_eq!(
        app.tables[TableKind::Comparison].table.sort.column,
        crate::snapshot::views::diff::DiffColumn::Delta.index()
    );
    assert!(app.tables[TableKind::Comparison].table.sort.descending);
    press(&mut app, "s");
    assert_eq!(
        app.tables[TableKind::Comparison].table.sort.column,
        crate::snapshot::views::diff::DiffColumn::Delta.index() + 1,
        "s moves to the next column"
    );
}

#[test]
fn summary_expands_pages_and_collapses() {
    let mut app = summary_app();
    assert_eq!(app.view, Pane::Summary);
    let first = class_name(&app, app.tables[TableKind::Summary].table.rows()[0]);
    let data = app.tables.summary().expect("loaded");
    let top = data
        .aggregates()
        .iter()
        .max_by_key(|a| a.retained_size)
        .expect("classes");
    assert_eq!(
        first, top.name,
        "DevTools' default: retained size, largest first"
    );

    press(&mut app, "/sessionrecord\n");
    press(&mut app, "\n");
    assert!(
        matches!(
            app.tables[TableKind::Summary].table.rows().last(),
            Some(Row::More {
                remaining: 1400,
                ..
            })
        ),
        "1,500 instances page by 100"
    );
    press(&mut app, "G\n");
    assert!(
        matches!(
            app.tables[TableKind::Summary].table.rows().last(),
            Some(Row::More {
                remaining: 1300,
                ..
            })
        ),
        "Enter on the more row loads a page"
    );
    press(&mut app, "h");
    assert_eq!(
        app.tables[TableKind::Summary].table.rows().len(),
        1,
        "h collapses the class"
    );
    press(&mut app, "\u{1b}");
    assert!(
        app.tables[TableKind::Summary].table.rows().len() > 100,
        "Esc clears the filter"
    );
}

#[test]
fn jump_to_an_object_by_id() {
    let mut app = summary_app();
    press(&mut app, "@71213\n");
    let selection = app.selection.as_ref().expect("the object is selected");
    let (_, target) = demo_pair();
    assert_eq!(target.graph.id(selection.node), 71213);
    assert_eq!(app.focus, Pane::Retainers, "it shows what retains it");
    assert!(
        matches!(
            app.tables[TableKind::Summary].table.selected_row(),
            Some(Row::Instance { .. })
        ),
        "it is revealed in the Summary"
    );
    press(&mut app, "@999999999\n");
    assert_eq!(
        app.status.as_deref(),
        Some("no object @999999999 in after.heapsnapshot.gz")
    );
}

#[test]
fn a_failed_load_keeps_the_other_snapshot_usable() {
    let (_, target) = demo_pair();
    let mut app = App::new(
        vec![demo("missing.heapsnapshot"), demo("after.heapsnapshot.gz")],
        Keymap::default_keys(),
    );
    app.on_load(
        0,
        LoadEvent::Failed("missing.heapsnapshot: No such file".into()),
    );
    app.on_load(1, LoadEvent::Done(Arc::clone(target)));
    assert!(matches!(app.slots[0].state, LoadState::Failed(_)));
    assert_eq!(
        app.view,
        Pane::Summary,
        "it falls back to the Summary of the snapshot that loaded"
    );
    assert!(!app.tables[TableKind::Summary].table.rows().is_empty());
}

#[test]
fn early_counts_show_before_the_analysis_ends() {
    let (_, target) = demo_pair();
    let mut app = App::new(vec![demo("after.heapsnapshot.gz")], Keymap::default_keys());
    let early = crate::app::testing::early_rows();
    app.on_load(0, LoadEvent::Early(early));
    assert!(app.loading());
    assert!(
        !app.tables[TableKind::Summary].table.rows().is_empty(),
        "class counts are listed while dominators run"
    );
    press(&mut app, "l");
    assert_eq!(
        app.status.as_deref(),
        Some("instances are listed once the snapshot has loaded")
    );
    app.on_load(0, LoadEvent::Done(Arc::clone(target)));
    assert!(!app.loading());
    assert!(app.tables.summary().and_then(|d| d.analysis()).is_some());
}

#[test]
fn the_object_tree_cycles_through_retainers_containment_and_dominated() {
    let mut app = summary_app();
    press(&mut app, "@71213\n");
    let tree = app.tree.as_ref().expect("a tree for the selection");
    assert_eq!(tree.kind, TreeKind::Retainers);
    press(&mut app, "v");
    let tree = app.tree.as_ref().expect("a tree for the selection");
    assert_eq!(
        tree.kind,
        TreeKind::Containment,
        "v shows what the object holds"
    );
    let holds: Vec<String> = tree
        .top
        .iter()
        .filter_map(|&r| match tree.rows[r].kind {
            RowKind::Link { edge: Some(e), .. } => Some(tree.analysis.edge_label(e)),
            _ => None,
        })
        .collect();
    assert!(
        holds.contains(&"headers".to_owned()),
        "a SessionRecord holds its headers: {holds:?}"
    );
    press(&mut app, "v");
    let tree = app.tree.as_ref().expect("a tree for the selection");
    assert_eq!(
        tree.kind,
        TreeKind::Dominators,
        "v again shows what it dominates"
    );
    let dominated: u64 = tree
        .top
        .iter()
        .filter_map(|&r| match tree.rows[r].kind {
            RowKind::Link { node, .. } => Some(tree.analysis.dominators.retained[node as usize]),
            RowKind::More { .. } => None,
        })
        .sum();
    let own = tree.analysis.graph.self_size[tree.object as usize];
    assert_eq!(
        dominated + u64::from(own),
        tree.analysis.dominators.retained[tree.object as usize],
        "children add up to the retained size"
    );
    press(&mut app, "v");
    assert_eq!(
        app.tree.as_ref().map(|t| t.kind),
        Some(TreeKind::Retainers),
        "and back to retainers"
    );
}

#[test]
fn statistics_and_duplicated_strings_views() {
    let mut app = summary_app();
    press(&mut app, "5");
    assert_eq!(app.view, Pane::Statistics);
    let (_, stats) = app
        .statistics
        .as_ref()
        .expect("statistics once the view opens");
    assert_eq!(
        stats.total, 9_895_038,
        "DevTools' total for the demo (see fixtures/expected/demo-after.stats.json)"
    );
    press(&mut app, "6");
    assert_eq!(app.view, Pane::Duplicates);
    let data = app
        .tables
        .duplicates()
        .expect("duplicates once the view opens");
    let Some(Row::Class(first)) = app.tables[TableKind::Duplicates]
        .table
        .rows()
        .first()
        .copied()
    else {
        panic!("rows")
    };
    let most = data.groups().iter().map(|g| g.wasted()).max();
    assert_eq!(
        Some(data.groups()[first as usize].wasted()),
        most,
        "most wasted bytes first"
    );
    press(&mut app, "lj");
    assert!(
        app.selection.is_some(),
        "a copy of the string can be selected, with its retainers"
    );
}

#[test]
fn allocation_filter_narrows_the_target_summary() {
    let mut app = comparison_app();
    press(&mut app, "a");
    assert_eq!(app.view, Pane::Summary);
    let status = app.status.clone().unwrap_or_default();
    assert!(
        status.starts_with("Objects allocated between baseline"),
        "{status}"
    );
    let rows = app
        .tables
        .summary()
        .map(|d| d.aggregates().to_vec())
        .unwrap_or_default();
    let session = rows
        .iter()
        .find(|a| a.name == "SessionRecord")
        .expect("SessionRecord row");
    assert_eq!(
        (session.count, session.retained_size),
        (1000, 492_000),
        "DevTools' allocated-between numbers"
    );
    press(&mut app, "a");
    assert_eq!(
        app.status.as_deref(),
        Some("Objects allocated before baseline.heapsnapshot.gz"),
        "then the objects from before the baseline"
    );
    press(&mut app, "a");
    assert_eq!(
        app.status.as_deref(),
        Some("Objects retained by detached DOM nodes"),
        "then DevTools' named filters"
    );
    press(&mut app, "aaaa");
    let all = app
        .tables
        .summary()
        .map(|d| d.aggregates().len())
        .unwrap_or_default();
    let (_, target) = crate::app::testing::demo_pair();
    assert_eq!(
        all,
        target.aggregates.len(),
        "after the last named filter, all objects again"
    );
}

/// The committed three-snapshot fixture: its paths and analyses (loaded
/// once for all journeys).
fn three_snapshots() -> (Vec<std::path::PathBuf>, Vec<Arc<crate::snapshot::Analysis>>) {
    static LOADED: std::sync::OnceLock<Vec<Arc<crate::snapshot::Analysis>>> =
        std::sync::OnceLock::new();
    let names = [
        "s1.heapsnapshot.gz",
        "s2.heapsnapshot.gz",
        "s3.heapsnapshot.gz",
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/three");
    let paths: Vec<_> = names.iter().map(|n| dir.join(n)).collect();
    let analyses = LOADED.get_or_init(|| {
        paths
            .iter()
            .map(|path| {
                let loaded = crate::snapshot::load(path, &mut |_| true);
                Arc::new(loaded.unwrap_or_else(|e| panic!("{e}")))
            })
            .collect()
    });
    (paths, analyses.clone())
}

/// `paths` opened and every snapshot loaded, in slot order.
fn loaded_app(paths: Vec<std::path::PathBuf>, analyses: &[Arc<crate::snapshot::Analysis>]) -> App {
    let mut app = App::new(paths, Keymap::default_keys());
    for (slot, analysis) in analyses.iter().enumerate() {
        app.on_load(slot, LoadEvent::Done(Arc::clone(analysis)));
    }
    app
}

/// The Trend row of `name`.
fn trend_row(app: &App, name: &str) -> u32 {
    let data = app
        .tables
        .trend()
        .expect("the trend once every snapshot loads");
    let row = data.trend.classes.iter().position(|c| c.name == name);
    row.unwrap_or_else(|| panic!("no {name} in the trend")) as u32
}

#[test]
fn the_trend_view_follows_classes_and_opens_them_in_the_summary() {
    let (paths, analyses) = three_snapshots();
    let mut app = loaded_app(paths, &analyses);
    assert_eq!(app.view, Pane::Leaks, "three snapshots still open on Leaks");
    press(&mut app, "8");
    assert_eq!((app.view, app.focus), (Pane::Trend, Pane::Trend));
    let data = app.tables.trend().expect("trend");
    let growth: Vec<i64> = app.tables[TableKind::Trend]
        .table
        .rows()
        .iter()
        .map(|r| match r {
            Row::Class(c) => data.trend.classes[*c as usize].retained_growth(),
            _ => i64::MIN,
        })
        .collect();
    assert!(
        growth.windows(2).all(|w| w[0] >= w[1]),
        "sorted by retained growth, largest first"
    );
    let cached = trend_row(&app, "CachedOrder");
    let class = &data.trend.classes[cached as usize];
    assert_eq!(class.counts, [0, 300, 300]);
    let key = class.key.clone();

    press(&mut app, "/CachedOrder\n");
    assert_eq!(app.table().selected_row(), Some(Row::Class(cached)));
    press(&mut app, "\n");
    assert_eq!(app.view, Pane::Summary, "Enter opens the Summary");
    assert_eq!(app.summary_slot, 2, "of the last snapshot");
    let Some(Row::Class(shown)) = app.table().selected_row() else {
        panic!("a class row is selected");
    };
    let summary = app.tables.summary().expect("summary");
    assert_eq!(summary.aggregates()[shown as usize].key, key);
    assert_eq!(summary.aggregates()[shown as usize].count, 300);
    assert!(
        app.status
            .as_deref()
            .is_some_and(|s| s.contains("CachedOrder")),
        "{:?}",
        app.status
    );

    // A class freed before the last snapshot is not in its Summary.
    press(&mut app, "8\u{1b}");
    let freed = trend_row(&app, "FreedLater");
    assert!(app.tables[TableKind::Trend].table.select(Row::Class(freed)));
    press(&mut app, "\n");
    assert!(
        app.status
            .as_deref()
            .is_some_and(|s| s.contains("FreedLater has no objects in s3")),
        "{:?}",
        app.status
    );
}

/// Four snapshots: the trend spans them all, the leaks are S1 → S2 alive
/// in the last.
#[test]
fn four_snapshots_give_a_four_point_trend_and_leaks_into_the_last() {
    let (mut paths, mut analyses) = three_snapshots();
    paths.push(paths[2].clone());
    analyses.push(Arc::clone(&analyses[2]));
    let app = loaded_app(paths, &analyses);
    assert!(app.has_view(Pane::Trend) && app.has_view(Pane::Leaks));
    let data = app.tables.trend().expect("trend");
    let cached = &data.trend.classes[trend_row(&app, "CachedOrder") as usize];
    assert_eq!(cached.counts, [0, 300, 300, 300]);
    let leaks = app.tables.leaks().expect("leaks of S1, S2 and the last");
    assert!(leaks.report.classes.iter().any(|c| c.name == "CachedOrder"));
}

#[test]
fn two_snapshots_have_no_trend() {
    let mut app = comparison_app();
    assert!(!app.has_view(Pane::Trend));
    press(&mut app, "8");
    assert_eq!(app.view, Pane::Comparison);
    assert!(app
        .status
        .as_deref()
        .is_some_and(|s| s.contains("three snapshots or more")));
}

#[test]
fn the_trend_a_loader_followed_is_taken_as_is() {
    let (paths, analyses) = three_snapshots();
    let mut trend = crate::snapshot::views::trend::trend_of(analyses.iter().map(|a| a.as_ref()));
    trend.classes.truncate(1);
    let mut app = App::new(paths, Keymap::default_keys());
    app.on_load(0, LoadEvent::Done(Arc::clone(&analyses[0])));
    app.on_load(1, LoadEvent::Done(Arc::clone(&analyses[1])));
    app.on_load(2, LoadEvent::Trend(trend));
    app.on_load(2, LoadEvent::Done(Arc::clone(&analyses[2])));
    let data = app.tables.trend().expect("trend");
    assert_eq!(
        data.trend.classes.len(),
        1,
        "the UI thread did not follow again"
    );
}

#[test]
fn three_snapshots_open_on_the_leaks_view() {
    let (paths, analyses) = three_snapshots();
    let mut app = App::new(paths, Keymap::default_keys());
    for (slot, analysis) in analyses.into_iter().enumerate() {
        app.on_load(slot, LoadEvent::Done(analysis));
    }
    assert_eq!(app.view, Pane::Leaks);
    let data = app
        .tables
        .leaks()
        .expect("the leak report once all three load");
    let leaked: Vec<(String, u64)> = data
        .report
        .classes
        .iter()
        .map(|c| (c.name.clone(), c.count))
        .collect();
    for (class, count) in [("CachedOrder", 300), ("PendingJob", 120), ("Listener", 80)] {
        assert!(
            leaked.contains(&(class.to_owned(), count)),
            "{class} ×{count} in {leaked:?}"
        );
    }
    press(&mut app, "lj");
    let selection = app.selection.as_ref().expect("a leaked object is selected");
    assert_eq!(selection.slot, 2, "leaked objects live in S3");
    assert!(app.tree.is_some(), "with their retainers");
}

#[test]
fn snapshots_of_different_v8_versions_are_flagged() {
    let (_, after) = crate::app::testing::demo_pair();
    let chromium = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/real/chromium156-chat-before.heapsnapshot.gz");
    let other =
        Arc::new(crate::snapshot::load(&chromium, &mut |_| true).unwrap_or_else(|e| panic!("{e}")));
    let mut app = App::new(
        vec![chromium, demo("after.heapsnapshot.gz")],
        Keymap::default_keys(),
    );
    app.on_load(0, LoadEvent::Done(other));
    app.on_load(1, LoadEvent::Done(Arc::clone(after)));
    let status = app.status.clone().unwrap_or_default();
    assert!(
        status.contains("come from different V8 versions"),
        "the status line warns: {status}"
    );
}

#[test]
fn a_comparison_class_shows_where_its_growth_hangs() {
    let mut app = comparison_app();
    press(&mut app, "/SessionRecord\n");
    let (_, holders) = app.holders.as_ref().expect("holders of the selected class");
    let data = app.tables.comparison().expect("comparison");
    let top = holders.first().expect("a holder");
    assert_eq!(
        top.instances, 1500,
        "the cache Map holds all 1,500 records, 1,000 of them new"
    );
    assert_eq!(
        data.target.class_name(top.node),
        "Map",
        "the Map, not its internal backing store"
    );
    assert!(
        top.baseline_retained.is_some(),
        "the Map already existed in the baseline"
    );
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let mut app = summary_app();
    app.click_table_row(3);
    assert_eq!(
        app.tables[TableKind::Summary].table.selected,
        3,
        "a click on the fourth visible row selects it"
    );
    app.scroll(Pane::Summary, 3);
    assert_eq!(
        app.tables[TableKind::Summary].table.selected,
        6,
        "the wheel moves three rows"
    );
    app.scroll(Pane::Summary, -3);
    assert_eq!(app.tables[TableKind::Summary].table.selected, 3);
    press(&mut app, "l");
    app.click_table_row(4);
    assert!(
        matches!(
            app.tables[TableKind::Summary].table.selected_row(),
            Some(Row::Instance { .. })
        ),
        "clicking an instance selects it"
    );
    assert!(app.tree.is_some(), "and shows its retainers");
}

#[test]
fn the_comparison_a_loader_made_is_taken_as_is() {
    let (base, target) = demo_pair();
    let mut app = pair_app();
    let mut diffs = crate::snapshot::views::diff::compare(base, target);
    diffs.truncate(2);
    let names: Vec<String> = diffs.iter().map(|d| d.name.clone()).collect();
    app.on_load(1, LoadEvent::Done(Arc::clone(target)));
    app.on_load(0, LoadEvent::Compared(diffs));
    app.on_load(0, LoadEvent::Done(Arc::clone(base)));
    let data = app.tables.comparison().expect("comparison");
    let shown: Vec<String> = data.diffs.iter().map(|d| d.name.clone()).collect();
    assert_eq!(shown, names, "the UI thread did not compare again");
}

#[test]
fn the_leaks_a_loader_found_are_taken_as_is() {
    let (paths, analyses) = three_snapshots();
    let (s1, s2, s3) = (&analyses[0], &analyses[1], &analyses[2]);
    let mut report = crate::snapshot::views::leaks::find_leaks(&s1.graph, &s2.graph, s3, &|_| true);
    report.classes.truncate(1);
    let mut app = App::new(paths, Keymap::default_keys());
    app.on_load(0, LoadEvent::Done(Arc::clone(s1)));
    app.on_load(1, LoadEvent::Done(Arc::clone(s2)));
    app.on_load(2, LoadEvent::Leaks(report));
    app.on_load(2, LoadEvent::Done(Arc::clone(s3)));
    let data = app.tables.leaks().expect("leaks");
    assert_eq!(
        data.report.classes.len(),
        1,
        "the UI thread did not search again"
    );
}

#[test]
fn named_filters_narrow_the_summary_off_the_ui_thread() {
    let mut app = summary_app();
    app.on_key(crate::app::keymap::Key::Char('a'));
    assert_eq!(
        app.status.as_deref(),
        Some("Objects retained by detached DOM nodes"),
        "with one snapshot, a goes straight to the named filters"
    );
    assert!(
        app.summary_filter_pending() && app.job_pending(),
        "the heap search is a job, and the Summary waits for it"
    );
    assert!(
        app.tables[TableKind::Summary].table.rows().is_empty(),
        "no unfiltered rows meanwhile"
    );
    super::testing::run_jobs(&mut app);
    assert!(!app.summary_filter_pending());
    let (_, target) = demo_pair();
    let expected = crate::snapshot::views::named_filters::named_summary(
        target,
        crate::snapshot::views::named_filters::NamedFilter::DetachedDom,
    );
    assert_eq!(
        app.tables[TableKind::Summary].table.rows().len(),
        expected.len(),
        "the filter's classes, as `summary --only detached-dom` lists them"
    );
    assert!(!expected.is_empty());
}

#[test]
fn ignoring_a_retainer_moves_it_last_and_restoring_brings_it_back() {
    let mut app = summary_app();
    press(&mut app, "@71211\n");
    let first_retainer = |app: &App| {
        let tree = app.tree.as_ref().expect("a retainer tree");
        match tree.rows[tree.top[0]].kind {
            RowKind::Link { node, .. } => node,
            RowKind::More { .. } => panic!("a retainer row first"),
        }
    };
    let first = first_retainer(&app);
    let top_before = app.tree.as_ref().map(|t| t.top.len());
    press(&mut app, "i");
    assert_eq!(app.slots[0].ignored.nodes(), [first], "it is ignored");
    let tree = app.tree.as_ref().expect("the tree is rebuilt");
    assert_eq!(Some(tree.top.len()), top_before, "every row stays");
    // The Map's table goes: it and all it alone kept (the SessionRecord,
    // its WeakMap value) lose their distance and sort after the rest.
    let rows: Vec<(u32, Option<i32>)> = tree
        .top
        .iter()
        .filter_map(|&r| match tree.rows[r].kind {
            RowKind::Link { node, edge, .. } => Some((
                node,
                crate::snapshot::distances::display_distance(tree.distance(node, edge)),
            )),
            RowKind::More { .. } => None,
        })
        .collect();
    assert_eq!(
        rows[0].1,
        Some(16),
        "the RequestContext is first now: {rows:?}"
    );
    assert!(
        rows.iter().any(|&(n, d)| n == first && d.is_none()),
        "the ignored retainer shows no distance: {rows:?}"
    );
    assert!(
        rows[1..].iter().all(|&(_, d)| d.is_none()),
        "what only it kept sorts last: {rows:?}"
    );
    press(&mut app, "I");
    assert!(app.slots[0].ignored.nodes().is_empty());
    assert_eq!(first_retainer(&app), first, "restored, it is first again");
}

/// A terminal shrink must scroll every table view, not only the Summary
/// and Comparison: the screen draws the window that holds the selection,
/// and a click picks `offset + row`, so a stale offset clicked the wrong
/// row in Duplicated strings and Leaks.
#[test]
fn regression_resize_scrolls_every_table_view() {
    let mut duplicates = summary_app();
    press(&mut duplicates, "6");
    let (paths, analyses) = three_snapshots();
    let mut leaks = App::new(paths, Keymap::default_keys());
    for (slot, analysis) in analyses.into_iter().enumerate() {
        leaks.on_load(slot, LoadEvent::Done(analysis));
    }
    // The Leaks view has a handful of classes: open the first one's instances.
    press(&mut leaks, "l");
    for (mut app, pane) in [(duplicates, Pane::Duplicates), (leaks, Pane::Leaks)] {
        assert_eq!(app.view, pane);
        app.on_resize(20, 8);
        press(&mut app, &"j".repeat(15));
        assert_eq!(app.table().selected, 15, "{pane:?}: deep in the table");
        assert_eq!(app.table().offset, 0, "{pane:?}: row 15 fits in 20");

        app.on_resize(5, 8);
        let (selected, offset) = (app.table().selected, app.table().offset);
        assert!(
            offset <= selected && selected < offset + 5,
            "{pane:?}: the selection stays in the 5 rows shown (row {selected}, offset {offset})"
        );
        // The screen shows rows 11..=15; its first row is row 11.
        app.click_table_row(0);
        assert_eq!(
            app.table().selected,
            11,
            "{pane:?}: a click on the first row shown selects the row drawn there"
        );
    }
}

/// The Strings view's `/` searches every string value of the snapshot (the
/// same regex as `heaplens strings`), not only the duplicated ones; a copy
/// opens its retainers; Esc lists the duplicated strings again.
#[test]
fn searching_strings_and_opening_a_copy() {
    let mut app = summary_app();
    press(&mut app, "6");
    let duplicates = app.tables[TableKind::Duplicates].table.rows().len();
    press(&mut app, "/^sess-[0-9a-z]+-u[0-9]+$");
    let data = app.tables.duplicates().expect("the Strings view");
    let search = data.search.as_ref().expect("the search is shown");
    assert_eq!(search.pattern, "^sess-[0-9a-z]+-u[0-9]+$");
    assert_eq!(
        app.tables[TableKind::Duplicates].table.rows().len(),
        1500,
        "every session id, though none is duplicated"
    );
    assert!(!app.string_search_pending());
    press(&mut app, "\nlj");
    let Some(selection) = app.selection.clone() else {
        panic!("a copy is selected");
    };
    let (_, target) = demo_pair();
    assert!(target.graph.name(selection.node).starts_with("sess-"));
    let tree = app.tree.as_ref().expect("its retainers");
    assert_eq!(tree.kind, TreeKind::Retainers);
    assert!(!tree.rows.is_empty(), "a session id has retainers");

    press(&mut app, "/");
    for _ in 0.."^sess-[0-9a-z]+-u[0-9]+$".len() {
        app.on_key(crate::app::keymap::Key::Backspace);
    }
    press(&mut app, "sess-(");
    assert!(
        app.tables[TableKind::Duplicates].table.rows().is_empty(),
        "text that is no regex yet matches as text: no value has `sess-(`"
    );
    press(&mut app, "\u{1b}");
    let data = app.tables.duplicates().expect("the Strings view");
    assert!(data.search.is_none(), "Esc: the duplicated strings again");
    assert_eq!(
        app.tables[TableKind::Duplicates].table.rows().len(),
        duplicates
    );
}

/// A search typed while another runs waits for it, then searches the
/// text typed last.
#[test]
fn a_string_search_runs_for_the_text_typed_last() {
    let mut app = summary_app();
    press(&mut app, "6/");
    for c in "status".chars() {
        app.on_key(crate::app::keymap::Key::Char(c));
    }
    let jobs = app.take_jobs();
    assert_eq!(jobs.len(), 1, "one search at a time");
    assert!(app.string_search_pending());
    for job in jobs {
        app.on_job(job.run());
    }
    let search = |app: &App| {
        app.tables
            .duplicates()
            .and_then(|d| d.search.as_ref().map(|s| s.pattern.clone()))
    };
    assert_eq!(
        search(&app),
        None,
        "`s` was searched; `status` is typed now"
    );
    super::testing::run_jobs(&mut app);
    assert_eq!(search(&app).as_deref(), Some("status"));
    assert!(!app.string_search_pending());
}

/// With a Comparison class selected, Details names the growing collections
/// that hold its instances: the demo's SessionRecords are in `sessionCache`.
#[test]
fn the_comparison_names_the_collection_a_class_grows_in() {
    let mut app = comparison_app();
    press(&mut app, "/SessionRecord\n");
    let found = app.collections.clone().expect("found off the UI thread");
    let holding: Vec<_> = found
        .iter()
        .filter(|c| c.collection.holding("SessionRecord") > 0)
        .collect();
    let (_, target) = demo_pair();
    let first = holding.first().expect("a collection holds the records");
    assert_eq!(target.graph.id(first.collection.node), 124997);
    assert_eq!(first.held_as.as_deref(), Some("sessionCache"));
    assert_eq!(
        (
            first.collection.entries_before,
            first.collection.entries_after
        ),
        (500, 1500)
    );
}

/// The first class row's name in the current view.
fn first_class(app: &App) -> String {
    class_name(app, app.table().rows()[0])
}

/// A sort used to keep the selection and the scroll: after 24 rows down,
/// `D` opened mid-table, the classes it put first out of view.
#[test]
fn regression_a_new_sort_shows_its_first_row() {
    let mut app = comparison_app();
    app.on_resize(11, 5);
    for key in ["D", "d", "s", "r"] {
        press(&mut app, &"j".repeat(24));
        assert!(app.table().offset > 0, "{key}: scrolled down first");
        press(&mut app, key);
        let table = app.table();
        assert_eq!(
            (table.selected, table.offset),
            (0, 0),
            "{key}: the selection and the view go to the top"
        );
        assert_eq!(table.position().map(|(at, _)| at), Some(1), "row 1 of …");
    }
    press(&mut app, "D");
    assert_eq!(
        first_class(&app),
        "(string)",
        "the largest Size Delta first"
    );

    let mut app = summary_app();
    app.on_resize(11, 5);
    press(&mut app, &"j".repeat(24));
    press(&mut app, "a");
    let table = app.table();
    assert_eq!(
        (table.selected, table.offset),
        (0, 0),
        "a Summary filter change shows its first row too"
    );
}

/// Early rows have no retained sizes: sorted by them they came out by
/// name under `Retained Size ▼`. They are sorted by shallow size until
/// the analysis ends, and the arrow is on Shallow Size meanwhile.
#[test]
fn regression_early_rows_sort_by_shallow_size_until_retained_sizes_arrive() {
    let (_, target) = demo_pair();
    let mut app = App::new(vec![demo("after.heapsnapshot.gz")], Keymap::default_keys());
    app.on_load(0, LoadEvent::Early(crate::app::testing::early_rows()));
    let view = &app.tables[TableKind::Summary];
    let data = app.tables.summary().expect("early rows");
    let sizes: Vec<u64> = view
        .table
        .rows()
        .iter()
        .filter_map(|r| match r {
            Row::Class(c) => Some(data.aggregates()[*c as usize].self_size),
            _ => None,
        })
        .collect();
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "largest shallow size first: {sizes:?}"
    );
    assert_eq!(view.shown_sort().column, 2, "the arrow is on Shallow Size");
    assert_eq!(view.table.sort.column, 3, "the chosen sort is kept");

    app.on_load(0, LoadEvent::Done(Arc::clone(target)));
    let view = &app.tables[TableKind::Summary];
    assert_eq!(view.shown_sort().column, 3, "retained sizes known: by them");
    let top = target
        .aggregates
        .iter()
        .max_by_key(|a| a.retained_size)
        .map(|a| a.name.clone());
    assert_eq!(Some(first_class(&app)), top);
}

/// Text typed into the filter before the class rows existed was dropped
/// (each key replaced the last); it is kept and applied when they come.
#[test]
fn regression_filter_typed_before_the_rows_arrive_is_kept() {
    let (base, target) = demo_pair();
    let mut app = pair_app();
    press(&mut app, "/sessionrec");
    assert_eq!(app.table().filter, "sessionrec", "every key is kept");
    app.on_load(1, LoadEvent::Done(Arc::clone(target)));
    app.on_load(0, LoadEvent::Done(Arc::clone(base)));
    let rows = app.tables[TableKind::Comparison].table.rows();
    assert_eq!(rows.len(), 1, "the filter applies to the rows that came");
    assert_eq!(class_name(&app, rows[0]), "SessionRecord");
}

/// `/` reopened the old filter and appended to it
/// (`SessionRecordSessionRecord`). It reopens with the text selected:
/// the first key replaces it, Backspace edits it, Ctrl-u clears it.
#[test]
fn regression_a_reopened_filter_is_replaced_by_typing() {
    use super::keymap::Key;
    let mut app = comparison_app();
    press(&mut app, "/SessionRecord\n/");
    assert!(app.prompt_selected, "the old text is shown selected");
    press(&mut app, "RecordMeta");
    assert_eq!(app.table().filter, "RecordMeta", "typing replaced it");
    press(&mut app, "\n/");
    app.on_key(Key::Backspace);
    assert_eq!(app.table().filter, "RecordMet", "Backspace edits it");
    press(&mut app, "a");
    assert_eq!(app.table().filter, "RecordMeta", "and typing goes on");
    app.on_key(Key::Ctrl('u'));
    assert_eq!(app.table().filter, "", "Ctrl-u clears it");
    assert_eq!(app.input, Input::Filter, "in the open prompt");
}

/// The label of the tree's selected row.
fn selected_label(app: &App) -> String {
    let tree = app.tree.as_ref().expect("a tree");
    tree.label(tree.selected.expect("a selected row"))
}

/// `/` in the tree was ignored, so the letters after it ran commands.
/// It searches the loaded rows; `n`/`N` go to the next and previous.
#[test]
fn regression_slash_searches_the_object_tree() {
    let mut app = summary_app();
    press(&mut app, "@71213\n");
    assert_eq!(app.focus, Pane::Retainers);
    press(&mut app, "/context\n");
    assert_eq!(app.input, Input::None);
    let first = selected_label(&app);
    assert!(
        first.to_lowercase().contains("context"),
        "Enter selects a matching row: {first}"
    );
    assert_eq!(app.tree_kind, TreeKind::Retainers, "v was typed, not run");
    assert!(app.slots[0].ignored.nodes().is_empty(), "i was not run");
    let status = app.status.clone().unwrap_or_default();
    assert!(status.contains("match 1 of "), "{status}");
    press(&mut app, "n");
    let second = selected_label(&app);
    assert!(second.to_lowercase().contains("context") && second != first);
    press(&mut app, "N");
    assert_eq!(selected_label(&app), first, "N goes back");
    press(&mut app, "N");
    assert!(
        app.status.clone().unwrap_or_default().contains("match"),
        "N from the first wraps to the last"
    );

    let before = app.tree.as_ref().and_then(|t| t.selected);
    press(&mut app, "/nothing-like-this\n");
    assert_eq!(app.tree.as_ref().and_then(|t| t.selected), before);
    assert!(app
        .status
        .clone()
        .unwrap_or_default()
        .starts_with("no loaded row holds"));
    press(&mut app, "/\u{1b}");
    assert_eq!(app.input, Input::None, "Esc cancels");
    assert_eq!(app.search, "nothing-like-this", "and keeps the last search");
}

/// A match under a closed row is found too: the rows above it open.
#[test]
fn a_tree_search_opens_the_rows_above_its_match() {
    let mut app = summary_app();
    press(&mut app, "@71213\n");
    let tree = app.tree.as_mut().expect("a tree");
    let top = tree.top[0];
    tree.close(top);
    press(&mut app, "/global\n");
    let tree = app.tree.as_ref().expect("a tree");
    assert!(tree.rows[top].open, "the path to the match is open again");
    assert!(selected_label(&app).contains("global"));
}

#[test]
fn z_zooms_the_focused_pane_and_details_scrolls_when_focused() {
    let mut app = summary_app();
    press(&mut app, "@71213\n4");
    app.on_viewports(super::scroll::Viewports {
        table_rows: 10,
        tree_rows: 5,
        details: (12, 5),
        help: (60, 20),
    });
    press(&mut app, "jj");
    assert_eq!(app.details_scroll.offset, 2, "j scrolls Details");
    press(&mut app, "G");
    assert_eq!(app.details_scroll.offset, 7, "to the last full page");
    press(&mut app, "z");
    assert!(app.zoom, "z zooms");
    press(&mut app, "z");
    assert!(!app.zoom, "z again restores");
    press(&mut app, "?jjj");
    assert!(app.show_help, "j scrolls the help, which stays open");
    assert_eq!(app.help_scroll.offset, 3);
    press(&mut app, "x");
    assert!(!app.show_help, "another key closes it");
}

#[test]
fn angle_brackets_scroll_long_names_sideways() {
    let mut app = summary_app();
    press(&mut app, ">>");
    assert_eq!(app.table().shift, 16, "> scrolls the names by 8");
    press(&mut app, "<");
    assert_eq!(app.table().shift, 8);
    press(&mut app, &">".repeat(100));
    let longest = app.tables[TableKind::Summary].longest_name();
    assert_eq!(
        app.table().shift,
        longest - 1,
        "up to the last character of the longest name"
    );
    press(&mut app, "@71213\n>");
    assert_eq!(
        app.tree.as_ref().map(|t| t.shift),
        Some(8),
        "and in the tree"
    );
}

#[test]
fn y_copies_the_objects_id_and_m_lets_the_terminal_have_the_mouse() {
    let mut app = summary_app();
    press(&mut app, "y");
    assert_eq!(
        app.status.as_deref(),
        Some("select an object to copy its @id")
    );
    press(&mut app, "@71213\n");
    press(&mut app, "\u{1b}y");
    assert_eq!(app.status.as_deref(), Some("copied @71213"));
    assert_eq!(app.take_clipboard(), Some(71213), "for the clipboard");
    assert_eq!(app.take_clipboard(), None, "once");
    press(&mut app, "3j");
    let tree_row = app
        .tree
        .as_ref()
        .and_then(|t| t.selected_object())
        .map(|n| demo_pair().1.graph.id(n));
    press(&mut app, "y");
    assert_eq!(
        app.yanked,
        [Some(71213), tree_row]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
        "with the tree focused, its selected row's object; both kept for the exit"
    );
    assert!(app.mouse_capture);
    press(&mut app, "m");
    assert!(!app.mouse_capture, "m gives the mouse to the terminal");
    press(&mut app, "m");
    assert!(app.mouse_capture);
}
