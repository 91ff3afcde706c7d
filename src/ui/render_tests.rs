//! Render tests: whole screens on ratatui's `TestBackend`, snapshotted with
//! insta (`cargo insta review` after a deliberate change). Insta drops
//! styles, so where a style is the point we assert the cell style directly.

use std::sync::Arc;
use std::time::Instant;

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::Terminal;

use crate::app::class_table::Row;
use crate::app::keymap::Keymap;
use crate::app::table_view::{Source, TableKind};
use crate::app::testing::{comparison_app, demo, demo_pair, press, summary_app};
use crate::app::{App, LoadState, Pane};
use crate::format;
use crate::loader::LoadEvent;
use crate::snapshot::{Progress, Stage};

/// Draws `app` as the runtime does: measured for the screen, then drawn.
fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    app.on_viewports(super::viewports(app, Rect::new(0, 0, width, height)));
    let mut terminal =
        Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|e| panic!("{e}"));
    terminal
        .draw(|f| super::render(app, f))
        .unwrap_or_else(|e| panic!("render: {e}"));
    terminal
}

#[test]
fn summary_pane() {
    let mut app = summary_app();
    insta::assert_snapshot!(draw(&mut app, 110, 30).backend());
}

#[test]
fn comparison_filtered_with_retainers() {
    let mut app = comparison_app();
    press(&mut app, "/SessionRec\nlj");
    insta::assert_snapshot!(draw(&mut app, 120, 40).backend());
}

#[test]
fn retainers_pane_focused_at_80_by_24() {
    let mut app = comparison_app();
    press(&mut app, "/RecordMeta\nlj\t");
    insta::assert_snapshot!(draw(&mut app, 80, 24).backend());
}

#[test]
fn details_pane_at_80_by_24() {
    let mut app = summary_app();
    press(&mut app, "@71213\n4");
    let areas = super::layout(ratatui::layout::Rect::new(0, 0, 80, 24), true);
    assert!(
        areas.details.height > 0 && areas.retainers.width == 0,
        "narrow screens show Details in place of Retainers"
    );
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(
        text.contains("│    SessionRecord @71213"),
        "the jumped-to object is in view: {text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn comparison_details_name_the_growing_collections() {
    let mut app = comparison_app();
    press(&mut app, "/SessionRec\n");
    let text = draw(&mut app, 200, 50).backend().to_string();
    assert!(text.contains("Growing collections holding it:"), "{text}");
    assert!(
        text.contains("Map @124997 (sessionCache): 500 → 1,500 entries, +548 kB"),
        "{text}"
    );
    press(&mut app, "\u{1b}/LruEntry\n");
    let text = draw(&mut app, 200, 50).backend().to_string();
    assert!(
        text.contains("Growing collections (none holds it):"),
        "the bounded LRU does not grow: the top ones show instead {text}"
    );
}

#[test]
fn string_search_title_and_highlight() {
    let mut app = summary_app();
    press(&mut app, "6/u12$");
    let terminal = draw(&mut app, 120, 30);
    let text = terminal.backend().to_string();
    assert!(
        text.contains(" Strings matching /u12$/: after.heapsnapshot.gz "),
        "{text}"
    );
    let buffer = terminal.backend().buffer();
    let row: String = (0..60)
        .map(|x| buffer[(x, 4)].symbol().to_owned())
        .collect();
    let Some(quote) = row.find('"') else {
        panic!("a quoted value first: {row:?}");
    };
    let value: String = row[quote + 1..].chars().take_while(|&c| c != '"').collect();
    assert!(value.ends_with("u12"), "{row:?}");
    let matched = |i: usize| {
        let x = (row[..quote + 1].chars().count() + i) as u16;
        buffer[(x, 4)].modifier.contains(Modifier::UNDERLINED)
    };
    let n = value.chars().count();
    assert!(
        (n - 3..n).all(matched) && !(0..n - 3).any(matched),
        "exactly `u12` is highlighted, after the quote: {row:?}"
    );
}

#[test]
fn help_overlay() {
    let mut app = summary_app();
    press(&mut app, "?");
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn loading_shows_progress_then_early_counts() {
    let mut app = App::new(vec![demo("after.heapsnapshot.gz")], Keymap::default_keys());
    app.slots[0].file_bytes = Some(1_622_227);
    app.slots[0].state = LoadState::Loading {
        progress: Progress {
            stage: Stage::Read,
            bytes_read: 811_000,
        },
        started: Instant::now(),
    };
    let text = draw(&mut app, 100, 20).backend().to_string();
    assert!(
        text.contains("reading and parsing 50 %"),
        "stage and the percent of the bytes read: {text}"
    );
    assert!(
        text.contains("811 kB / 1.6 MB"),
        "bytes read of the total: {text}"
    );
    assert!(text.contains("q cancels"), "it says how to cancel: {text}");

    let (_, target) = demo_pair();
    let early = crate::app::testing::early_rows();
    app.on_load(0, LoadEvent::Early(early));
    let text = draw(&mut app, 100, 20).backend().to_string();
    assert!(
        text.contains("(array) ×140"),
        "counts show before retained sizes: {text}"
    );
    assert!(text.contains('…'), "retained sizes are pending: {text}");
    assert!(
        text.contains("(retained sizes pending, by shallow size)"),
        "the title says how early rows are sorted: {text}"
    );
    assert!(
        text.contains("Shallow Size ▼") && !text.contains("Retained Size ▼"),
        "the arrow is on the column they are sorted by: {text}"
    );
    app.on_load(0, LoadEvent::Done(Arc::clone(target)));
    let text = draw(&mut app, 100, 20).backend().to_string();
    assert!(
        !text.contains('…'),
        "retained sizes replace the placeholders: {text}"
    );
}

/// An index's rows are finished: shown by retained size at once, with
/// their script names, before the rest of the analysis is read.
#[test]
fn an_index_shows_finished_rows_before_the_analysis() {
    let mut app = App::new(vec![demo("after.heapsnapshot.gz")], Keymap::default_keys());
    let (_, target) = demo_pair();
    let rows = crate::snapshot::class_rows::ClassRows::of(target);
    app.on_load(0, LoadEvent::Rows(Box::new(rows)));
    let text = draw(&mut app, 120, 40).backend().to_string();
    assert!(!text.contains("pending"), "nothing pending: {text}");
    assert!(text.contains("Retained Size ▼"), "by retained size: {text}");
    assert!(text.contains("leaky-app.js:"), "scripts named: {text}");
    app.on_load(0, LoadEvent::Done(Arc::clone(target)));
    let done = draw(&mut app, 120, 40).backend().to_string();
    assert_eq!(
        text.lines().skip(2).collect::<Vec<_>>(),
        done.lines().skip(2).collect::<Vec<_>>(),
        "the same table once the analysis is read"
    );
}

#[test]
fn selection_and_filter_matches_are_styled() {
    let mut app = comparison_app();
    press(&mut app, "/Sess");
    let terminal = draw(&mut app, 120, 30);
    let buffer = terminal.backend().buffer();
    // Row 4 is the first data row: header (2 lines), border, column titles.
    let selected = &buffer[(5, 4)];
    assert!(
        selected.modifier.contains(Modifier::REVERSED),
        "the selected row is reversed"
    );
    let row: String = (0..40)
        .map(|x| buffer[(x, 4)].symbol().to_owned())
        .collect();
    let s = row
        .chars()
        .position(|c| c == 'S')
        .unwrap_or_else(|| panic!("class name in {row:?}"));
    assert!(
        buffer[(s as u16, 4)]
            .modifier
            .contains(Modifier::UNDERLINED),
        "matched characters are highlighted in {row:?}"
    );
}

#[test]
fn statistics_view() {
    let mut app = summary_app();
    press(&mut app, "5");
    insta::assert_snapshot!(draw(&mut app, 100, 24).backend());
}

#[test]
fn duplicated_strings_view() {
    let mut app = summary_app();
    press(&mut app, "6");
    insta::assert_snapshot!(draw(&mut app, 100, 24).backend());
}

/// Row `y` of a drawn screen, from column `x` for `width` cells.
fn screen_row(buffer: &Buffer, x: u16, y: u16, width: u16) -> String {
    (x..x + width).map(|x| buffer[(x, y)].symbol()).collect()
}

/// Whether `value` is in `line` whole: not glued to other text, so not
/// the visible end of a longer, cut number.
fn shows_whole(line: &str, value: &str) -> bool {
    let apart = |c: Option<char>| c.is_none_or(|c| c == ' ' || c == '│');
    line.match_indices(value).any(|(at, _)| {
        apart(line[..at].chars().next_back()) && apart(line[at + value.len()..].chars().next())
    })
}

/// Every pane that gets room shows its title at its top-left corner (as
/// much as fits), the table's first row shows its class, and from 80
/// columns, where the table is laid out to fit, its numbers are whole.
#[test]
fn every_terminal_size_shows_each_pane_title_and_the_first_row() {
    const COMPARISON: &str = " Comparison: baseline.heapsnapshot.gz → after.heapsnapshot.gz ";
    // (keys after the filtered, expanded Comparison; the table's title;
    // what its first row names).
    let steps = [
        ("", COMPARISON, "SessionRecord"),
        ("5", " Statistics: after.heapsnapshot.gz ", "Code"),
        (
            "6",
            " Duplicated strings: after.heapsnapshot.gz ",
            "\"leaky-client/1.0\"",
        ),
        ("?", " Keys (j/k scroll, any other key closes) ", ""),
        ("3", COMPARISON, "SessionRecord"),
        ("4", COMPARISON, "SessionRecord"),
    ];
    for (keys, table_title, first_row) in steps {
        let mut app = comparison_app();
        press(&mut app, "/Sess\nlj");
        press(&mut app, keys);
        // Shrinking: at 40x12 the one row left scrolls to the selection.
        for (w, h) in [(250, 80), (80, 24), (40, 12), (20, 6), (10, 3), (1, 1)] {
            let at = format!("{w}x{h} after {keys:?}");
            let terminal = draw(&mut app, w, h);
            let buffer = terminal.backend().buffer();
            if (w, h) == (1, 1) {
                assert_eq!(buffer[(0, 0)].symbol(), "┌", "{at}: a pane's corner");
                continue;
            }
            if app.show_help {
                // The overlay is at most 150 wide, centred.
                let width = w.min(150);
                let top = screen_row(buffer, (w - width) / 2, 0, width);
                let fits: String = table_title.chars().take(usize::from(width) - 2).collect();
                assert!(top.starts_with(&format!("┌{fits}")), "{at}: {top:?}");
                continue;
            }
            let areas = super::layout_of(&app, Rect::new(0, 0, w, h));
            let panes = [
                (areas.table, table_title),
                (areas.retainers, " Retainers "),
                (areas.details, " Details "),
            ];
            let mut shown = 0;
            for (area, title) in panes
                .into_iter()
                .filter(|(a, _)| a.width > 2 && a.height > 1)
            {
                let top = screen_row(buffer, area.x, area.y, area.width);
                let fits: String = title.chars().take(usize::from(area.width) - 2).collect();
                assert!(top.starts_with(&format!("┌{fits}")), "{at}: {top:?}");
                shown += 1;
            }
            assert!(shown > 0, "{at}: some pane gets room");
            // Border, column titles (a blank line for Statistics), first row.
            if areas.table.height < 4 {
                continue;
            }
            let row = screen_row(buffer, areas.table.x, areas.table.y + 2, areas.table.width);
            assert!(row.contains(first_row), "{at}: {row:?}");
            if w < 80 || app.view == Pane::Statistics {
                continue;
            }
            let table = app.table();
            let Some(Row::Class(first)) = table.rows().get(table.offset).copied() else {
                panic!("{at}: a class row first");
            };
            let numbers = match app.table_view().source() {
                Some(Source::Comparison(data)) => {
                    let d = &data.diffs[first as usize];
                    // What matters for a leak shows first at 80 columns.
                    vec![
                        format::group(d.new_count),
                        format::signed_count(d.delta()),
                        format::signed_bytes(d.size_delta()),
                        format::signed_bytes(data.retained_delta[first as usize]),
                    ]
                }
                Some(Source::Duplicates(data)) => {
                    let g = &data.groups()[first as usize];
                    vec![
                        format::group(g.nodes.len() as u64),
                        format::bytes(g.copy_size),
                        format::bytes(g.wasted()),
                        format::bytes(g.retained_size),
                    ]
                }
                _ => panic!("{at}: a table view"),
            };
            for n in numbers {
                assert!(shows_whole(&row, &n), "{at}: {n} whole in {row:?}");
            }
        }
    }
}

#[test]
fn big_counts_are_shown_whole_not_cut() {
    let mut app = comparison_app();
    let Some(Source::Comparison(data)) = app.tables[TableKind::Comparison].source_mut() else {
        panic!("comparison");
    };
    let Some(row) = data.diffs.iter_mut().find(|d| d.name == "(string)") else {
        panic!("the demo pair has new strings");
    };
    row.new_count = 1_172_025;
    row.deleted_count = 500;
    let text = draw(&mut app, 120, 20).backend().to_string();
    assert!(text.contains("1,172,025"), "# New whole: {text}");
    assert!(
        text.contains("+1,171,525"),
        "# Delta whole, with its sign: {text}"
    );
}

/// Item 1 of the cockpit: after 24 rows down, `D` opens on its first row
/// (it kept the old scroll and opened mid-table), and the pane says where
/// the selection is.
#[test]
fn a_new_sort_at_80_by_24_opens_on_its_first_row() {
    let mut app = comparison_app();
    draw(&mut app, 80, 24);
    press(&mut app, &"j".repeat(24));
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(text.contains(" row 25 of "), "{text}");
    press(&mut app, "D");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(
        text.contains("│▸ (string) "),
        "the largest Size Delta shows: {text}"
    );
    assert!(text.contains(" row 1 of "), "{text}");
    insta::assert_snapshot!(text);
}

/// At 80 columns the Comparison keeps what matters for a leak (# Delta,
/// Size Delta, Retained Δ, then # New) and says which columns it left
/// out; with a class selected and no object, the bottom pane says where
/// its growth hangs ("Held by"), which a narrow screen used to hide.
#[test]
fn the_comparison_at_80_by_24_names_its_hidden_columns_and_the_holders() {
    let mut app = comparison_app();
    press(&mut app, "/SessionRecord\n");
    let text = draw(&mut app, 80, 24).backend().to_string();
    for title in ["# New", "# Delta ▼", "Size Delta", "Retained Δ"] {
        assert!(text.contains(title), "{title} shows: {text}");
    }
    assert!(
        text.contains(" +3 hidden: # Deleted, Alloc. Size, Freed Size "),
        "{text}"
    );
    assert!(text.contains("Held by:"), "{text}");
    insta::assert_snapshot!(text);
}

/// A sort by a column that does not fit shows it (in place of another).
#[test]
fn sorting_by_a_hidden_column_shows_it() {
    let mut app = comparison_app();
    // # Delta → Alloc. Size → Freed Size.
    press(&mut app, "ss");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(text.contains("Freed Size ▼"), "{text}");
    assert!(text.contains("hidden: "), "{text}");
    assert!(
        !text.contains("hidden: # Deleted, Alloc. Size, Freed Size"),
        "{text}"
    );
}

/// The arrow used to overwrite the start of a title (`eed Size ▼`,
/// `loc. Size ▼`): every column has room for its title and the arrow.
#[test]
fn regression_the_sort_arrow_sits_beside_whole_titles() {
    let mut app = comparison_app();
    for title in crate::app::sources::COMPARISON_COLUMNS.iter().skip(4) {
        press(&mut app, "s");
        for width in [120, 80] {
            let text = draw(&mut app, width, 24).backend().to_string();
            let header = text.lines().nth(3).unwrap_or_default();
            assert!(
                header.contains(&format!(" {title} ▼")),
                "{width} columns: {header}"
            );
        }
    }
    let mut app = summary_app();
    press(&mut app, "s");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(text.contains("│Constructor ▲"), "names sort A to Z: {text}");
    press(&mut app, "s");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(text.contains(" Distance ▼"), "{text}");
}

/// Details was cut after `Distance` at 80×24 and could not scroll: `j`
/// scrolls it when it has the focus, and its border says which lines show.
#[test]
fn details_scroll_at_80_by_24() {
    let mut app = summary_app();
    press(&mut app, "@71213\n4");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(text.contains(" lines 1–5 of 10 "), "{text}");
    assert!(!text.contains("Dominator"), "{text}");
    press(&mut app, "jjjj");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(text.contains("│Dominator (array) @"), "{text}");
    assert!(text.contains("│Name      SessionRecord"), "{text}");
    assert!(text.contains(" lines 5–9 of 10 "), "{text}");
}

/// The help at 80×24 had two colliding, cut columns and could not
/// scroll: it is one column there, and `j`, PgDn, `G` scroll it.
#[test]
fn the_help_at_80_by_24_is_one_column_and_scrolls() {
    let mut app = summary_app();
    press(&mut app, "?");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(
        text.contains("│  Ctrl-z        Suspend to the shell (fg resumes)"),
        "{text}"
    );
    insta::assert_snapshot!(text);
    press(&mut app, "G");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(app.show_help, "G scrolled, the help stays");
    assert!(text.contains("│Mouse"), "the end of the help: {text}");
    assert!(
        text.contains("m             Let the terminal select text"),
        "{text}"
    );
}

/// Wide enough, the help keeps its two columns, none of them cut.
#[test]
fn the_help_on_a_wide_screen_has_two_whole_columns() {
    let mut app = summary_app();
    press(&mut app, "?");
    let text = draw(&mut app, 150, 50).backend().to_string();
    let line = text
        .lines()
        .find(|l| l.contains("Quit heaplens"))
        .unwrap_or_default();
    assert!(line.contains("Expand/collapse (Trend: Summary)"), "{text}");
    assert!(!text.contains(" lines "), "all of it fits: {text}");
}

/// `z` gives the focused pane the whole screen between the header and
/// the footer; `z` again restores the layout.
#[test]
fn z_zooms_the_focused_pane_at_80_by_24() {
    let mut app = summary_app();
    press(&mut app, "@71213\n4z");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(!text.contains("┌ Summary"), "only Details: {text}");
    for field in ["Object", "Distance", "Dominator", "Snapshot", "Name"] {
        assert!(text.contains(&format!("│{field}")), "{field}: {text}");
    }
    press(&mut app, "3");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(
        text.contains("┌ Retainers") && !text.contains("┌ Details"),
        "{text}"
    );
    press(&mut app, "z");
    let text = draw(&mut app, 80, 24).backend().to_string();
    assert!(
        text.contains("┌ Summary") && text.contains("┌ Retainers"),
        "{text}"
    );
}

/// A long name, cut in its column, can be read whole in Details (wrapped):
/// here a duplicated string, whose row shows its first 60 characters.
#[test]
fn details_show_a_selected_rows_whole_name() {
    let mut app = summary_app();
    press(&mut app, "6/Copyright Joyent\n4");
    let Some(Row::Class(group)) = app.table().selected_row() else {
        panic!("a string row");
    };
    let value = app
        .tables
        .duplicates()
        .map(|d| d.name(group))
        .unwrap_or_default();
    // A word wholly past the table's preview.
    let (at, word) = value
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - value.as_ptr() as usize, w))
        .find(|&(at, w)| at > 70 && w.len() >= 4 && w.chars().all(char::is_alphabetic))
        .unwrap_or_else(|| panic!("a long string: {value}"));
    let text = draw(&mut app, 80, 24).backend().to_string();
    let table = text.lines().nth(4).unwrap_or_default();
    assert!(!table.contains(word), "cut in the table: {table}");
    assert!(text.contains(word), "{word} (at {at}) in Details: {text}");
}
