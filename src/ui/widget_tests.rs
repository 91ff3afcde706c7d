//! Widget tests: one widget drawn into a `Buffer` from its props, over a
//! tiny hand-built heap, compared cell by cell (text and style) with
//! `Buffer::with_lines`, as ratatui's own widget tests do. The theme has
//! no colour, so the styles left are the emphasis every terminal shows.

use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Widget;

use crate::app::class_table::Row;
use crate::app::object_tree::{ObjectTree, TreeKind};
use crate::app::sources::SummaryData;
use crate::app::table_view::{Source, TableKind, TableView};
use crate::snapshot::test_snapshot::TestSnapshot;

use super::class_table::TableProps;
use super::object_tree::TreeProps;
use super::theme::Theme;

fn style(modifier: Modifier) -> Style {
    Style::new().add_modifier(modifier)
}

/// The Summary of global (10 B) → Store (40 B) → two Items (16 and 24 B):
/// sorted by Retained Size, largest first (the ▼, beside the whole title),
/// Item expanded into its two instances, the larger one selected (row 4
/// of 5, the bottom border says). 90 B in all.
#[test]
fn class_table_widget_draws_header_arrow_rows_and_selection() {
    let mut s = TestSnapshot::new();
    let global = s.node("object", "Window", 3, 10);
    let store = s.node("object", "Store", 5, 40);
    let small = s.node("object", "Item", 7, 16);
    let big = s.node("object", "Item", 9, 24);
    s.edge(0, "shortcut", "global", global);
    s.edge(global, "property", "store", store);
    s.edge(store, "property", "a", small);
    s.edge(store, "property", "b", big);
    let mut view = TableView::new(TableKind::Summary);
    view.set_source(Some(Source::Summary(SummaryData::Ready {
        analysis: Arc::new(s.analyze()),
        filtered: None,
    })));
    let Some(&Row::Class(item)) = view.table.rows().get(2) else {
        panic!("three classes");
    };
    assert!(view.expand(item), "instances are known");
    view.table.move_by(3, 10);
    let theme = Theme::new(false);
    let props = TableProps {
        view: &view,
        title: " Summary: store ".into(),
        focused: true,
        waiting: Vec::new(),
        theme: &theme,
    };
    let mut buffer = Buffer::empty(Rect::new(0, 0, 69, 8));
    props.render(buffer.area, &mut buffer);

    let mut expected = Buffer::with_lines([
        "┌ Summary: store ───────────────────────────────────────────────────┐",
        "│Constructor                Distance    Shallow Size Retained Size ▼│",
        "│▸ Window                          1       10 B 11 %      90 B 100 %│",
        "│▸ Store                           2       40 B 44 %       80 B 89 %│",
        "│▾ Item ×2                         3       40 B 44 %       40 B 44 %│",
        "│    Item @9                       3       24 B 27 %       24 B 27 %│",
        "│    Item @7                       3       16 B 18 %       16 B 18 %│",
        "└─────────────────────────────────────────────────────── row 4 of 5 ┘",
    ]);
    expected.set_style(Rect::new(1, 0, 16, 1), style(Modifier::BOLD));
    expected.set_style(Rect::new(1, 1, 67, 1), style(Modifier::BOLD));
    expected.set_style(Rect::new(7, 4, 3, 1), style(Modifier::DIM));
    expected.set_style(Rect::new(1, 5, 67, 1), style(Modifier::REVERSED));
    expected.set_style(Rect::new(56, 7, 12, 1), style(Modifier::DIM));
    assert_eq!(buffer, expected);
}

/// Leaf is held 101 times by Cache (`[99]`…`[0]`, then `leaf`), Cache by
/// global and, back, by Leaf. The first 100 retainers show, then
/// `… 1 more`; `[0] in Cache` is open, and Leaf under it is the cycle.
/// At the last row (End), the tree scrolls to show it; the columns have
/// titles and the bottom border says where the selection is.
#[test]
fn object_tree_widget_draws_an_open_row_a_cycle_and_more() {
    let mut s = TestSnapshot::new();
    let global = s.node("object", "Window", 3, 10);
    let cache = s.node("object", "Cache", 5, 20);
    let leaf = s.node("object", "Leaf", 7, 30);
    s.edge(0, "shortcut", "global", global);
    s.edge(global, "property", "cache", cache);
    s.edge(cache, "property", "leaf", leaf);
    for i in 0..100 {
        s.edge(cache, "element", &i.to_string(), leaf);
    }
    s.edge(leaf, "property", "owner", cache);
    let analysis = Arc::new(s.analyze());
    let object = analysis.ordinal(7);
    let mut tree = ObjectTree::new(TreeKind::Retainers, analysis, Arc::default(), object);
    assert_eq!(tree.top.len(), 100 + 1);
    // The first retainer opened on its own (DevTools' chain); open the
    // last one shown instead, and go to the end.
    tree.close(tree.top[0]);
    tree.open(tree.top[99]);
    tree.move_by(isize::MAX / 2, 5);
    let theme = Theme::new(false);
    let props = TreeProps {
        tree: Some(&tree),
        kind: TreeKind::Retainers,
        selected: true,
        ignored: 0,
        focused: true,
        theme: &theme,
    };
    let mut buffer = Buffer::empty(Rect::new(0, 0, 60, 8));
    props.render(buffer.area, &mut buffer);

    let mut expected = Buffer::with_lines([
        "┌ Retainers ─ of Leaf @7 ──────────────────────────────────┐",
        "│Object                        Distance   Shallow  Retained│",
        "│▶ [1] in Cache @5                    2      20 B      50 B│",
        "│▼ [0] in Cache @5                    2      20 B      50 B│",
        "│    cache in Window @3               1      10 B      60 B│",
        "│    owner in Leaf @7  ↻ cycle        3      30 B      30 B│",
        "│  … 1 more (Enter)                                        │",
        "└────────────────────────────────────────── row 103 of 103 ┘",
    ]);
    expected.set_style(Rect::new(1, 0, 11, 1), style(Modifier::BOLD));
    expected.set_style(Rect::new(13, 0, 12, 1), style(Modifier::DIM));
    expected.set_style(Rect::new(1, 1, 58, 1), style(Modifier::BOLD));
    expected.set_style(Rect::new(5, 5, 26, 1), style(Modifier::DIM));
    expected.set_style(Rect::new(1, 6, 58, 1), style(Modifier::REVERSED));
    expected.set_style(Rect::new(3, 6, 56, 1), style(Modifier::DIM));
    expected.set_style(Rect::new(43, 7, 16, 1), style(Modifier::DIM));
    assert_eq!(buffer, expected);
}

/// Snapshot text is attacker-controlled: a class named with escape
/// sequences and a bidi override shows them as visible escapes.
#[test]
fn regression_a_hostile_class_name_shows_as_escapes() {
    let mut s = TestSnapshot::new();
    let global = s.node("object", "Window", 3, 10);
    let evil = s.node("object", "\u{1b}[2J\u{1b}]0;x\u{7}\u{202e}Pwn", 5, 40);
    s.edge(0, "shortcut", "global", global);
    s.edge(global, "property", "e", evil);
    let mut view = TableView::new(TableKind::Summary);
    view.set_source(Some(Source::Summary(SummaryData::Ready {
        analysis: Arc::new(s.analyze()),
        filtered: None,
    })));
    let theme = Theme::new(false);
    let props = TableProps {
        view: &view,
        title: " Summary ".into(),
        focused: true,
        waiting: Vec::new(),
        theme: &theme,
    };
    let mut buffer = Buffer::empty(Rect::new(0, 0, 80, 5));
    props.render(buffer.area, &mut buffer);
    let text: String = buffer.content().iter().map(|c| c.symbol()).collect();
    assert!(text.contains(r"\e[2J\e]0;x\u{7}\u{202e}Pwn"), "{text}");
    assert!(!text.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{text}");
}

/// A program's heap: Window → `jobs` Jobs of 40 B (their constructor in
/// `/srv/app/jobs.js`, named by a closure of it) and two EarlyBirds of
/// 10 B.
fn soak_heap(jobs: u64) -> crate::snapshot::Analysis {
    let mut s = TestSnapshot::new();
    let global = s.node("object", "Window", 3, 10);
    s.edge(0, "shortcut", "global", global);
    let closure = s.node("closure", "Job", 5, 0);
    let shared = s.node("code", "(shared function info)", 7, 0);
    let script = s.node("code", "/srv/app/jobs.js", 9, 0);
    s.edge(global, "property", "Job", closure);
    s.edge(closure, "internal", "shared", shared);
    s.edge(shared, "internal", "script", script);
    s.location(closure, 12, 3, 5);
    for i in 0..jobs {
        let job = s.node("object", "Job", 21 + 2 * i, 40);
        s.edge(global, "element", &i.to_string(), job);
        s.location(job, 12, 3, 5);
    }
    for i in 0..2 {
        let bird = s.node("object", "EarlyBird", 11 + 2 * i, 10);
        s.edge(global, "property", &format!("bird{i}"), bird);
    }
    s.analyze()
}

/// The Trend of 1 → 2 → 4 Jobs: sorted by Retained Growth (the ▼), each
/// row with its counts first → last and a sparkline, signed growth, the
/// Job row located in `jobs.js` and marked as growing at every step.
#[test]
fn trend_widget_draws_counts_sparklines_and_growth() {
    use crate::app::sources::TrendData;
    use crate::snapshot::views::trend::trend_of;
    let heaps = [soak_heap(1), soak_heap(2), soak_heap(4)];
    let mut view = TableView::new(TableKind::Trend);
    view.set_source(Some(Source::Trend(TrendData {
        trend: trend_of(heaps.iter()),
    })));
    let theme = Theme::new(false);
    let props = TableProps {
        view: &view,
        title: " Trend ".into(),
        focused: true,
        waiting: Vec::new(),
        theme: &theme,
    };
    let mut buffer = Buffer::empty(Rect::new(0, 0, 124, 6));
    props.render(buffer.area, &mut buffer);

    // Window and Job both retain 120 B more: by name then.
    let mut expected = Buffer::with_lines([
        "┌ Trend ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐",
        "│Constructor                        Count, first → last   # Growth    Retained, first → last Retained Growth ▼   Every step│",
        "│▸ Job jobs.js:3:5                            1 → 4 ▂▄█         +3              40 B → 160 B            +120 B         grew│",
        "│▸ Window                                     1 → 1 ███          0              70 B → 190 B            +120 B             │",
        "│▸ EarlyBird                                  2 → 2 ███          0               20 B → 20 B               0 B             │",
        "└────────────────────────────────────────────────────────────────────────────────────────────────────────────── row 1 of 3 ┘",
    ]);
    expected.set_style(Rect::new(1, 0, 7, 1), style(Modifier::BOLD));
    expected.set_style(Rect::new(1, 1, 122, 1), style(Modifier::BOLD));
    expected.set_style(Rect::new(1, 2, 122, 1), style(Modifier::REVERSED));
    expected.set_style(Rect::new(6, 2, 12, 1), style(Modifier::DIM));
    expected.set_style(Rect::new(111, 5, 12, 1), style(Modifier::DIM));
    assert_eq!(buffer, expected);
}

/// A name wider than its column scrolls sideways (`>`): the row shows
/// what was cut, `…` marking the cut.
#[test]
fn a_long_name_scrolls_sideways() {
    let long = "AVeryLongConstructorNameThatNoColumnFits_ItsTail";
    let mut s = TestSnapshot::new();
    let global = s.node("object", "Window", 3, 10);
    let object = s.node("object", long, 5, 40);
    s.edge(0, "shortcut", "global", global);
    s.edge(global, "property", "o", object);
    let mut view = TableView::new(TableKind::Summary);
    view.set_source(Some(Source::Summary(SummaryData::Ready {
        analysis: Arc::new(s.analyze()),
        filtered: None,
    })));
    let theme = Theme::new(false);
    let draw = |view: &TableView| {
        let props = TableProps {
            view,
            title: " Summary ".into(),
            focused: true,
            waiting: Vec::new(),
            theme: &theme,
        };
        let mut buffer = Buffer::empty(Rect::new(0, 0, 70, 5));
        props.render(buffer.area, &mut buffer);
        buffer
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect::<String>()
    };
    assert!(!draw(&view).contains("ItsTail"), "cut at first");
    view.table.shift = 41;
    let text = draw(&view);
    assert!(text.contains("▸ …ItsTail"), "{text}");
}

/// Containment and Dominated said what the Retainers pane is for.
#[test]
fn each_object_tree_says_what_it_is_for_before_a_selection() {
    let theme = Theme::new(false);
    for (kind, says) in [
        (TreeKind::Retainers, "what keeps it alive"),
        (TreeKind::Containment, "what it holds"),
        (TreeKind::Dominators, "what freeing it would free"),
    ] {
        let props = TreeProps {
            tree: None,
            kind,
            selected: false,
            ignored: 0,
            focused: false,
            theme: &theme,
        };
        let mut buffer = Buffer::empty(Rect::new(0, 0, 100, 4));
        props.render(buffer.area, &mut buffer);
        let text: String = buffer.content().iter().map(|c| c.symbol()).collect();
        assert!(text.contains(says), "{kind:?}: {text}");
        assert!(text.contains(&format!("┌ {} ", kind.title())), "{text}");
    }
}
