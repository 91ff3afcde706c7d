//! `App`: everything the TUI shows, and how actions change it. No drawing,
//! no I/O, no threads: the runtime feeds it actions and load events, the
//! widgets read it.

pub mod action;
pub mod class_table;
pub mod jobs;
pub mod keymap;
pub mod object_tree;
mod prompt;
pub mod scroll;
pub mod sources;
pub mod table_view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::loader::LoadEvent;
use crate::snapshot::class_rows::ClassRows;
use crate::snapshot::views::diff::{compare, DiffColumn};
use crate::snapshot::views::growth::{self, HolderGrowth};
use crate::snapshot::views::named_filters::NamedFilter;
use crate::snapshot::views::retainers::IgnoredRetainers;
use crate::snapshot::views::statistics::Statistics;
use crate::snapshot::views::trend::{trend_of, Trend};
use crate::snapshot::views::{allocation, compat, duplicates, leaks, statistics};
use crate::snapshot::{Analysis, ClassAggregate, Progress, Stage};

use self::action::Action;
use self::class_table::{ClassTable, Row, Side, Sort};
use self::jobs::{Job, JobDone, NamedCollection};
use self::keymap::{Context, Key, Keymap};
use self::object_tree::{ObjectTree, RowKind, SearchStep, TreeKind};
use self::scroll::{Scroll, Viewports};
use self::sources::{
    ComparisonData, DuplicatesData, LeaksData, StringSearch, SummaryData, SummaryFilter, TrendData,
};
use self::table_view::{Source, TableKind, TableView, TableViews};

/// Holders of a growing class shown in Details.
const HOLDERS_SHOWN: usize = 5;
/// Characters `<` and `>` scroll long names by.
const SHIFT_STEP: isize = 8;
/// Ids `y` copied that are printed on exit, the latest.
const YANKS_KEPT: usize = 20;

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Summary,
    Comparison,
    Retainers,
    Details,
    Statistics,
    Duplicates,
    Leaks,
    Trend,
}

impl Pane {
    pub const ALL: [Pane; 8] = [
        Pane::Summary,
        Pane::Comparison,
        Pane::Retainers,
        Pane::Details,
        Pane::Statistics,
        Pane::Duplicates,
        Pane::Leaks,
        Pane::Trend,
    ];

    /// The short name on the tab line.
    pub fn tab(self) -> &'static str {
        match self {
            Pane::Statistics => "Stats",
            Pane::Duplicates => "Strings",
            other => other.title(),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Summary => "Summary",
            Pane::Comparison => "Comparison",
            Pane::Retainers => "Retainers",
            Pane::Details => "Details",
            Pane::Statistics => "Statistics",
            Pane::Duplicates => "Duplicated strings",
            Pane::Leaks => "Leaks",
            Pane::Trend => "Trend",
        }
    }
}

/// Loading state of one snapshot.
#[derive(Debug, Clone)]
pub enum LoadState {
    Loading {
        progress: Progress,
        started: Instant,
    },
    Ready {
        analysis: Arc<Analysis>,
        took: Duration,
    },
    Failed(String),
}

/// One snapshot given on the command line.
#[derive(Debug, Clone)]
pub struct SnapshotSlot {
    pub path: PathBuf,
    /// File size, for the progress bar (None for streams; the runtime
    /// sets it from the opened input).
    pub file_bytes: Option<u64>,
    pub state: LoadState,
    /// Class counts and shallow sizes, known before the load ends.
    pub early: Option<Arc<Vec<ClassAggregate>>>,
    /// The finished Summary rows an index gives before the analysis.
    pub indexed: Option<Arc<ClassRows>>,
    /// The Retainers view's ignored objects (DevTools' "Ignore this
    /// retainer"), kept across selections like DevTools does.
    pub ignored: Arc<IgnoredRetainers>,
}

impl SnapshotSlot {
    pub fn analysis(&self) -> Option<&Arc<Analysis>> {
        match &self.state {
            LoadState::Ready { analysis, .. } => Some(analysis),
            _ => None,
        }
    }

    /// The file's name, shown as by `format::visible` (names can hold
    /// anything).
    pub fn name(&self) -> String {
        self.path.file_name().map_or_else(
            || crate::format::path(&self.path),
            |n| crate::format::visible(&n.to_string_lossy()).into_owned(),
        )
    }
}

/// The object the Retainers and Details panes describe.
#[derive(Debug, Clone)]
pub struct Selection {
    pub slot: usize,
    pub node: u32,
}

/// Text prompts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    None,
    /// The fuzzy class filter; its text lives in the table.
    Filter,
    /// `@id` being typed.
    Jump(String),
    /// Text searched for in the object tree.
    Search(String),
}

/// The whole TUI state.
pub struct App {
    pub slots: Vec<SnapshotSlot>,
    pub focus: Pane,
    /// The view on top: Summary, Comparison, Statistics, Duplicates, Leaks
    /// or Trend.
    pub view: Pane,
    /// Which slot the Summary shows (the target by default).
    pub summary_slot: usize,
    /// The Summary, Comparison, Duplicated strings, Leaks and Trend tables.
    pub tables: TableViews,
    /// The Comparison as a loader computed it, until both snapshots are in.
    compared: Option<Vec<crate::snapshot::views::diff::ClassDiff>>,
    /// The leaks as a loader found them, until every snapshot is in.
    found_leaks: Option<leaks::LeakReport>,
    /// The trend as a loader followed it, until every snapshot is in.
    found_trend: Option<Trend>,
    /// The Summary's filter: allocation time or one of DevTools' named filters.
    pub summary_filter: SummaryFilter,
    /// The last named filter's rows: (slot, filter, rows).
    named_rows: Option<(usize, NamedFilter, Arc<Vec<ClassAggregate>>)>,
    /// Background work asked for and not yet handed to the runtime.
    jobs: Vec<Job>,
    /// Statistics of a slot, computed when the view is first shown.
    pub statistics: Option<(usize, Statistics)>,
    /// Where the growth of the selected Comparison class hangs.
    pub holders: Option<(u32, Vec<HolderGrowth>)>,
    /// The Comparison's collections that gained entries (a job finds them).
    pub collections: Option<Arc<Vec<NamedCollection>>>,
    /// A string search runs: the next one waits for it (one at a time,
    /// for the text typed last).
    string_search_running: bool,
    pub tree: Option<ObjectTree>,
    /// What the object tree lists: retainers, containment or dominated.
    pub tree_kind: TreeKind,
    pub selection: Option<Selection>,
    pub input: Input,
    /// The prompt's text is selected: the next character typed replaces
    /// it (a reopened filter or search, as fzf and htop do).
    pub prompt_selected: bool,
    /// The last search of the object tree, for `n` and `N`.
    pub search: String,
    pub show_help: bool,
    /// The focused pane fills the screen (`z`).
    pub zoom: bool,
    pub details_scroll: Scroll,
    pub help_scroll: Scroll,
    /// Whether the terminal sends mouse events to heaplens; off, the
    /// terminal selects text itself. The runtime applies it.
    pub mouse_capture: bool,
    /// Ids copied with `y`, oldest first: printed again on exit.
    pub yanked: Vec<u64>,
    /// An id copied and not yet sent to the terminal's clipboard.
    pub clipboard: Option<u64>,
    /// A suspend asked for (Ctrl-z); the runtime does it.
    pub suspend: bool,
    pub status: Option<String>,
    pub quit: bool,
    pub keymap: Keymap,
    /// Rows the table and tree can show, from the last known terminal size.
    pub table_height: usize,
    pub tree_height: usize,
}

impl App {
    /// A new app for one snapshot (`[target]`), two (`[baseline, target]`)
    /// or three and more (`[s1, s2, …, sn]`, oldest first: the
    /// three-snapshot technique over S1, S2 and the last, and the trend).
    pub fn new(paths: Vec<PathBuf>, keymap: Keymap) -> Self {
        let count = paths.len();
        let slots: Vec<SnapshotSlot> = paths
            .into_iter()
            .map(|path| SnapshotSlot {
                file_bytes: None,
                path,
                state: LoadState::Loading {
                    progress: Progress {
                        stage: Stage::Read,
                        bytes_read: 0,
                    },
                    started: Instant::now(),
                },
                early: None,
                indexed: None,
                ignored: Arc::default(),
            })
            .collect();
        let view = match count {
            0 | 1 => Pane::Summary,
            2 => Pane::Comparison,
            _ => Pane::Leaks,
        };
        App {
            summary_slot: slots.len().saturating_sub(1),
            slots,
            focus: view,
            view,
            tables: TableViews::new(),
            compared: None,
            found_leaks: None,
            found_trend: None,
            summary_filter: SummaryFilter::All,
            named_rows: None,
            jobs: Vec::new(),
            statistics: None,
            holders: None,
            collections: None,
            string_search_running: false,
            tree: None,
            tree_kind: TreeKind::Retainers,
            selection: None,
            input: Input::None,
            prompt_selected: false,
            search: String::new(),
            show_help: false,
            zoom: false,
            details_scroll: Scroll::default(),
            help_scroll: Scroll::default(),
            mouse_capture: true,
            yanked: Vec::new(),
            clipboard: None,
            suspend: false,
            status: None,
            quit: false,
            keymap,
            table_height: 20,
            tree_height: 8,
        }
    }

    pub fn is_comparison(&self) -> bool {
        self.slots.len() >= 2
    }

    /// The baseline of the Comparison: the first snapshot.
    pub fn base_slot(&self) -> usize {
        0
    }

    /// The snapshot viewed by default: the last one.
    pub fn target_slot(&self) -> usize {
        self.slots.len().saturating_sub(1)
    }

    /// Whether a view can be shown with the snapshots given.
    pub fn has_view(&self, pane: Pane) -> bool {
        match pane {
            Pane::Comparison => self.is_comparison(),
            Pane::Leaks | Pane::Trend => self.slots.len() >= 3,
            _ => true,
        }
    }

    /// Whether any snapshot is still loading (the runtime ticks meanwhile).
    pub fn loading(&self) -> bool {
        self.slots
            .iter()
            .any(|s| matches!(s.state, LoadState::Loading { .. }))
    }

    /// The key context for the focused pane.
    pub fn context(&self) -> Context {
        match (&self.input, self.focus) {
            (Input::Filter | Input::Jump(_) | Input::Search(_), _) => Context::Input,
            (
                _,
                Pane::Summary | Pane::Comparison | Pane::Duplicates | Pane::Leaks | Pane::Trend,
            ) => Context::Table,
            (_, Pane::Retainers) => Context::Retainers,
            (_, Pane::Details | Pane::Statistics) => Context::Global,
        }
    }

    /// A key press: resolved through the key map, or typed into a prompt.
    pub fn on_key(&mut self, key: Key) {
        self.status = None;
        if self.show_help {
            if self.scroll_help(key) {
                return;
            }
            self.show_help = false;
            if !matches!(key, Key::Char('q') | Key::Ctrl('c')) {
                return;
            }
        }
        match self.keymap.resolve(self.context(), key) {
            Some(action) => self.update(action),
            None => self.type_key(key),
        }
    }

    /// The moving keys scroll the help overlay; true when `key` did.
    fn scroll_help(&mut self, key: Key) -> bool {
        let help = &mut self.help_scroll;
        match self.keymap.resolve(Context::Global, key) {
            Some(Action::MoveDown) => help.by(1),
            Some(Action::MoveUp) => help.by(-1),
            Some(Action::PageDown) => help.by(help.page()),
            Some(Action::PageUp) => help.by(-help.page()),
            Some(Action::First) => help.top(),
            Some(Action::Last) => help.bottom(),
            _ => return false,
        }
        true
    }

    /// Applies one action.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => {
                self.show_help = !self.show_help;
                self.help_scroll.top();
            }
            Action::FocusNext => self.cycle_focus(1),
            Action::FocusPrevious => self.cycle_focus(-1),
            Action::FocusSummary => self.focus_view(Pane::Summary),
            Action::FocusComparison => self.focus_view(Pane::Comparison),
            Action::FocusRetainers => self.focus = Pane::Retainers,
            Action::FocusDetails => self.focus = Pane::Details,
            Action::FocusStatistics => self.focus_view(Pane::Statistics),
            Action::FocusDuplicates => self.focus_view(Pane::Duplicates),
            Action::FocusLeaks => self.focus_view(Pane::Leaks),
            Action::FocusTrend => self.focus_view(Pane::Trend),
            Action::CycleSummaryFilter => self.cycle_summary_filter(),
            Action::IgnoreRetainer => self.toggle_ignored_retainer(),
            Action::RestoreRetainers => self.restore_retainers(),
            Action::FocusPreviousView => self.focus = self.view,
            Action::Jump => self.open_jump(),
            Action::SwitchSnapshot => self.switch_snapshot(),
            Action::CycleTree => self.cycle_tree(),
            Action::MoveDown => self.move_by(1),
            Action::MoveUp => self.move_by(-1),
            Action::PageDown => self.move_by(self.page()),
            Action::PageUp => self.move_by(-self.page()),
            Action::First => self.move_to_end(false),
            Action::Last => self.move_to_end(true),
            Action::Toggle => self.toggle(),
            Action::Expand => self.expand(),
            Action::Collapse => self.collapse(),
            Action::Filter => self.open_filter(),
            Action::SortNext => self.sort_next(),
            Action::SortReverse => self.sort_reverse(),
            Action::SortDelta => self.sort_comparison(DiffColumn::Delta.index()),
            Action::SortSizeDelta => self.sort_comparison(DiffColumn::SizeDelta.index()),
            Action::ClearFilter => self.set_filter(""),
            Action::Accept => self.accept_input(),
            Action::Cancel => self.cancel_input(),
            Action::DeleteChar => self.delete_char(),
            Action::ClearInput => self.clear_input(),
            Action::Search => self.open_search(),
            Action::SearchNext => self.search_tree(SearchStep::Next),
            Action::SearchPrevious => self.search_tree(SearchStep::Previous),
            Action::Zoom => self.zoom = !self.zoom,
            Action::ShiftLeft => self.shift_names(-SHIFT_STEP),
            Action::ShiftRight => self.shift_names(SHIFT_STEP),
            Action::ToggleMouse => self.toggle_mouse(),
            Action::Yank => self.yank(),
            Action::Suspend => self.suspend = true,
        }
    }

    fn page(&self) -> isize {
        let height = match self.focus {
            Pane::Retainers => self.tree_height,
            Pane::Details => return self.details_scroll.page(),
            _ => self.table_height,
        };
        height.max(2) as isize - 1
    }

    fn cycle_focus(&mut self, step: isize) {
        let panes: Vec<Pane> = Pane::ALL
            .into_iter()
            .filter(|&p| self.has_view(p))
            .collect();
        let at = panes.iter().position(|&p| p == self.focus).unwrap_or(0);
        let next = panes[(at as isize + step).rem_euclid(panes.len() as isize) as usize];
        match next {
            Pane::Retainers | Pane::Details => self.focus = next,
            view => self.focus_view(view),
        }
    }

    fn focus_view(&mut self, pane: Pane) {
        if !self.has_view(pane) {
            self.status = Some(match pane {
                Pane::Leaks => "Leaks needs three snapshots or more: heaplens S1 S2 S3".into(),
                Pane::Trend => "Trend needs three snapshots or more: heaplens S1 S2 S3 …".into(),
                _ => "Comparison needs two snapshots: heaplens BASELINE TARGET".into(),
            });
            return;
        }
        self.view = pane;
        self.focus = pane;
        match pane {
            Pane::Statistics => self.compute_statistics(),
            Pane::Duplicates => self.compute_duplicates(),
            _ => {}
        }
        self.sync_selection();
    }

    /// Statistics of the Summary's snapshot, once it has loaded.
    fn compute_statistics(&mut self) {
        let slot = self.summary_slot;
        if self.statistics.as_ref().is_some_and(|(s, _)| *s == slot) {
            return;
        }
        self.statistics = self.slots[slot]
            .analysis()
            .map(|a| (slot, statistics::statistics(a)));
    }

    /// Duplicated strings of the Summary's snapshot, once it has loaded.
    fn compute_duplicates(&mut self) {
        let slot = self.summary_slot;
        let current = self.tables.duplicates().map(|d| Arc::as_ptr(&d.analysis));
        let Some(analysis) = self.slots[slot].analysis() else {
            return;
        };
        if current == Some(Arc::as_ptr(analysis)) {
            return;
        }
        let groups = duplicates::duplicated_strings(analysis);
        let data = DuplicatesData::new(Arc::clone(analysis), groups);
        let view = &mut self.tables[TableKind::Duplicates];
        view.reset();
        view.set_source(Some(Source::Duplicates(data)));
    }

    /// DevTools' Summary filter drop-down: all objects → allocated between
    /// baseline and target → before baseline (with a baseline, on the
    /// target) → the named filters.
    fn cycle_summary_filter(&mut self) {
        let with_baseline = self.is_comparison() && self.summary_slot == self.target_slot();
        self.summary_filter = self.summary_filter.next(with_baseline);
        self.view = Pane::Summary;
        self.focus = Pane::Summary;
        self.rebuild_summary();
        // Other rows: show their first, as a new sort does.
        self.tables[TableKind::Summary].table.select_first(1);
        self.sync_selection();
        let (base, target) = (
            self.slots[self.base_slot()].name(),
            self.slots[self.target_slot()].name(),
        );
        self.status = Some(self.summary_filter.label(&base, &target));
    }

    /// The background work asked for since the last call, for the runtime
    /// to run off this thread.
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.jobs)
    }

    /// Whether background work is queued or running.
    pub fn job_pending(&self) -> bool {
        !self.jobs.is_empty()
    }

    /// A finished background job.
    pub fn on_job(&mut self, done: JobDone) {
        match done {
            JobDone::NamedFilter { slot, filter, rows } => {
                self.named_rows = Some((slot, filter, Arc::new(rows)));
                if slot == self.summary_slot && self.summary_filter == SummaryFilter::Named(filter)
                {
                    self.rebuild_summary();
                }
            }
            JobDone::IgnoreRetainers { slot, view } => self.apply_ignored(slot, view),
            JobDone::SearchStrings {
                analysis,
                pattern,
                groups,
            } => self.show_string_search(&analysis, pattern, groups),
            JobDone::GrowingCollections(found) => self.collections = Some(Arc::new(found)),
            JobDone::Failed(message) => self.status = Some(message),
        }
    }

    /// In the Strings view the filter searches every string value of the
    /// snapshot (on a job), not only the duplicated ones listed; an empty
    /// filter lists the duplicated strings again.
    fn search_strings(&mut self) {
        let Some(data) = self.tables.duplicates() else {
            return;
        };
        let text = self.tables[TableKind::Duplicates].table.filter.clone();
        if text.is_empty() {
            if data.search.is_some() {
                let source = Source::Duplicates(data.with_search(None));
                self.replace_duplicates(source);
            }
            return;
        }
        if self.string_search_running || data.search.as_ref().is_some_and(|s| s.pattern == text) {
            return;
        }
        self.string_search_running = true;
        self.jobs.push(Job::SearchStrings {
            analysis: Arc::clone(&data.analysis),
            pattern: text,
        });
    }

    /// A string search's values, shown if the filter still says the same
    /// (else the text typed since is searched).
    fn show_string_search(
        &mut self,
        analysis: &Arc<Analysis>,
        pattern: String,
        groups: Vec<duplicates::DuplicateGroup>,
    ) {
        self.string_search_running = false;
        let Some(data) = self
            .tables
            .duplicates()
            .filter(|d| Arc::ptr_eq(&d.analysis, analysis))
        else {
            return;
        };
        if self.tables[TableKind::Duplicates].table.filter != pattern {
            self.search_strings();
            return;
        }
        let source = Source::Duplicates(data.with_search(Some(StringSearch { pattern, groups })));
        self.replace_duplicates(source);
    }

    fn replace_duplicates(&mut self, source: Source) {
        let height = self.table_height;
        self.tables[TableKind::Duplicates].replace_source(source, height);
        if self.view == Pane::Duplicates {
            self.sync_selection();
        }
    }

    /// Whether the Strings view waits for a search.
    pub fn string_search_pending(&self) -> bool {
        self.string_search_running
    }

    /// The kind of table the current view shows (the Summary's for
    /// Statistics, which has none).
    pub fn table_kind(&self) -> TableKind {
        TableKind::of(self.view).unwrap_or(TableKind::Summary)
    }

    /// The table view of the current view.
    pub fn table_view(&self) -> &TableView {
        &self.tables[self.table_kind()]
    }

    fn table_view_mut(&mut self) -> &mut TableView {
        let kind = self.table_kind();
        &mut self.tables[kind]
    }

    /// The table state of the current view.
    pub fn table(&self) -> &ClassTable {
        &self.table_view().table
    }

    fn table_mut(&mut self) -> &mut ClassTable {
        &mut self.table_view_mut().table
    }

    fn move_by(&mut self, delta: isize) {
        match self.focus {
            Pane::Retainers => {
                let height = self.tree_height;
                if let Some(tree) = &mut self.tree {
                    tree.move_by(delta, height);
                }
            }
            Pane::Details => self.details_scroll.by(delta),
            Pane::Statistics => {}
            _ => {
                let height = self.table_height;
                self.table_mut().move_by(delta, height);
                self.sync_selection();
            }
        }
    }

    fn move_to_end(&mut self, last: bool) {
        match self.focus {
            Pane::Retainers => {
                let height = self.tree_height;
                if let Some(tree) = &mut self.tree {
                    tree.move_by(if last { isize::MAX / 2 } else { isize::MIN / 2 }, height);
                }
            }
            Pane::Details if last => self.details_scroll.bottom(),
            Pane::Details => self.details_scroll.top(),
            Pane::Statistics => {}
            _ => {
                let height = self.table_height;
                if last {
                    self.table_mut().select_last(height);
                } else {
                    self.table_mut().select_first(height);
                }
                self.sync_selection();
            }
        }
    }

    fn toggle(&mut self) {
        match self.focus {
            Pane::Retainers => {
                if let Some(tree) = &mut self.tree {
                    tree.toggle();
                }
            }
            Pane::Details | Pane::Statistics => {}
            Pane::Trend => self.open_trend_class(),
            _ => match self.table().selected_row() {
                Some(Row::Class(class)) if self.table().is_expanded(class) => {
                    self.table_mut().collapse(class)
                }
                Some(Row::Class(_)) => self.expand(),
                Some(Row::More { class, .. }) => self.table_mut().show_more(class),
                Some(Row::Instance { .. }) => self.focus = Pane::Retainers,
                None => {}
            },
        }
    }

    fn expand(&mut self) {
        match self.focus {
            Pane::Retainers => {
                if let Some(tree) = &mut self.tree {
                    if let Some(s) = tree.selected {
                        tree.open(s);
                    }
                }
            }
            Pane::Details | Pane::Statistics => {}
            Pane::Trend => self.open_trend_class(),
            _ => {
                let Some(Row::Class(class)) = self.table().selected_row() else {
                    return;
                };
                if !self.table_view_mut().expand(class) {
                    self.status = Some("instances are listed once the snapshot has loaded".into());
                }
            }
        }
    }

    fn collapse(&mut self) {
        match self.focus {
            Pane::Retainers => {
                if let Some(tree) = &mut self.tree {
                    tree.collapse_or_parent();
                }
            }
            Pane::Details | Pane::Statistics => {}
            _ => {
                let class = match self.table().selected_row() {
                    Some(
                        Row::Class(c) | Row::Instance { class: c, .. } | Row::More { class: c, .. },
                    ) => c,
                    None => return,
                };
                if self.table().is_expanded(class) {
                    self.table_mut().collapse(class);
                    self.sync_selection();
                }
            }
        }
    }

    fn sort_next(&mut self) {
        self.table_view_mut().sort_next();
        self.sync_selection();
    }

    fn sort_reverse(&mut self) {
        self.table_view_mut().sort_reverse();
        self.sync_selection();
    }

    fn sort_comparison(&mut self, column: usize) {
        if !self.is_comparison() {
            self.status = Some("sorting by deltas needs two snapshots".into());
            return;
        }
        self.view = Pane::Comparison;
        self.focus = Pane::Comparison;
        self.tables[TableKind::Comparison].set_sort(Sort {
            column,
            descending: true,
        });
        self.sync_selection();
    }

    fn set_filter(&mut self, text: &str) {
        let height = self.table_height;
        self.table_view_mut().set_filter(text, height);
        self.sync_selection();
        if self.view == Pane::Duplicates {
            self.search_strings();
        }
    }

    /// `<` and `>`: scrolls the names of the focused table or tree, up to
    /// the last character of the longest.
    fn shift_names(&mut self, delta: isize) {
        let shift = |at: usize, longest: usize| {
            at.saturating_add_signed(delta)
                .min(longest.saturating_sub(1))
        };
        match self.focus {
            Pane::Retainers => {
                if let Some(tree) = &mut self.tree {
                    tree.shift = shift(tree.shift, tree.longest_label());
                }
            }
            Pane::Details | Pane::Statistics => {}
            _ => {
                let view = self.table_view_mut();
                view.table.shift = shift(view.table.shift, view.longest_name());
            }
        }
    }

    fn toggle_mouse(&mut self) {
        self.mouse_capture = !self.mouse_capture;
        self.status = Some(if self.mouse_capture {
            "mouse on: the wheel scrolls, a click selects (m: let the terminal select text)".into()
        } else {
            "mouse off: the terminal selects and copies text (m: mouse on)".into()
        });
    }

    /// `y`: copies the @id of the object in focus (the tree's selected row
    /// when the tree has the focus, else the selected object) to the
    /// terminal's clipboard, and keeps it to print on exit.
    fn yank(&mut self) {
        let Some(id) = self.focused_object_id() else {
            self.status = Some("select an object to copy its @id".into());
            return;
        };
        self.yanked.retain(|&y| y != id);
        self.yanked.push(id);
        let extra = self.yanked.len().saturating_sub(YANKS_KEPT);
        self.yanked.drain(..extra);
        self.clipboard = Some(id);
        self.status = Some(format!("copied @{id}"));
    }

    fn focused_object_id(&self) -> Option<u64> {
        let selection = self.selection.as_ref()?;
        let node = match (&self.tree, self.focus) {
            (Some(tree), Pane::Retainers) => tree.selected_object()?,
            _ => selection.node,
        };
        let analysis = self.slots[selection.slot].analysis()?;
        Some(analysis.graph.id(node))
    }

    /// The id `y` copied last, once: the runtime sends it to the clipboard.
    pub fn take_clipboard(&mut self) -> Option<u64> {
        self.clipboard.take()
    }

    /// A suspend asked for since the last call.
    pub fn take_suspend(&mut self) -> bool {
        std::mem::take(&mut self.suspend)
    }

    /// Retainers → Containment → Dominated, for the same object.
    fn cycle_tree(&mut self) {
        self.tree_kind = self.tree_kind.next();
        if let Some(selection) = self.selection.take() {
            self.select_object(selection);
        }
        self.status = Some(format!("object tree: {}", self.tree_kind.title()));
    }

    fn switch_snapshot(&mut self) {
        if !self.is_comparison() {
            self.status = Some("only one snapshot is open".into());
            return;
        }
        self.summary_slot = (self.summary_slot + 1) % self.slots.len();
        if self.summary_filter.is_allocation_range() {
            self.summary_filter = SummaryFilter::All;
        }
        let summary = &mut self.tables[TableKind::Summary];
        summary.reset();
        summary.set_source(None);
        self.rebuild_summary();
        self.focus_view(Pane::Summary);
        self.status = Some(format!(
            "Summary of {}",
            self.slots[self.summary_slot].name()
        ));
    }

    /// A Trend row's class in the last snapshot's Summary (all objects, so
    /// that every class of the trend is there), selected.
    fn open_trend_class(&mut self) {
        let Some(Row::Class(row)) = self.table().selected_row() else {
            return;
        };
        let Some(class) = self.tables.trend().map(|d| &d.trend.classes[row as usize]) else {
            return;
        };
        let (key, name) = (
            class.key.clone(),
            crate::format::visible(&class.name).into_owned(),
        );
        let target = self.target_slot();
        if self.summary_slot != target || self.summary_filter != SummaryFilter::All {
            self.summary_slot = target;
            self.summary_filter = SummaryFilter::All;
            let summary = &mut self.tables[TableKind::Summary];
            summary.reset();
            summary.set_source(None);
            self.rebuild_summary();
        }
        self.focus_view(Pane::Summary);
        let file = self.slots[target].name();
        let found = self
            .tables
            .summary()
            .and_then(|d| d.aggregates().iter().position(|a| a.key == key));
        let Some(class) = found else {
            self.status = Some(format!("{name} has no objects in {file}"));
            return;
        };
        let height = self.table_height;
        self.tables[TableKind::Summary].select_class(class as u32, height);
        self.sync_selection();
        self.status = Some(format!("{name} in the Summary of {file}"));
    }

    /// `@id`: select the object in the Summary's snapshot and show its retainers.
    fn jump(&mut self, text: &str) {
        let Ok(id) = text.trim_start_matches('@').parse::<u64>() else {
            self.status = Some(format!("@{text} is not an object id"));
            return;
        };
        let slot = self.summary_slot;
        let Some(analysis) = self.slots[slot].analysis().cloned() else {
            self.status = Some("the snapshot is still loading".into());
            return;
        };
        let Some(node) = analysis.node_by_id(id) else {
            self.status = Some(format!("no object @{id} in {}", self.slots[slot].name()));
            return;
        };
        self.view = Pane::Summary;
        if let Some(class) = self.tables.summary().and_then(|d| d.class_of(node)) {
            let height = self.table_height;
            self.tables[TableKind::Summary].reveal(class, node, height);
        }
        self.select_object(Selection { slot, node });
        self.focus = Pane::Retainers;
    }

    /// Follows the table selection into the Retainers and Details panes.
    fn sync_selection(&mut self) {
        // Details shows the new row from its top.
        self.details_scroll.top();
        let selection = match self.table().selected_row() {
            Some(Row::Instance { node, side, .. }) => Some(Selection {
                slot: match (side, self.table_kind()) {
                    (Side::Deleted, _) => self.base_slot(),
                    (Side::New, _) | (_, TableKind::Leaks) => self.target_slot(),
                    (Side::Only, _) => self.summary_slot,
                },
                node,
            }),
            _ => None,
        };
        self.follow_comparison_class();
        match selection {
            Some(s) => self.select_object(s),
            None => {
                self.selection = None;
                self.tree = None;
            }
        }
    }

    /// With a Comparison class row selected, find the objects its growth
    /// hangs on (once per class).
    fn follow_comparison_class(&mut self) {
        let Some(Row::Class(class)) = self
            .table()
            .selected_row()
            .filter(|_| self.view == Pane::Comparison)
        else {
            return;
        };
        if self.holders.as_ref().is_some_and(|(c, _)| *c == class) {
            return;
        }
        if let Some(data) = self.tables.comparison() {
            let key = &data.diffs[class as usize].key;
            let found = growth::holders(&data.base, &data.target, key, HOLDERS_SHOWN);
            self.holders = Some((class, found));
        }
    }

    fn select_object(&mut self, selection: Selection) {
        let same = self
            .selection
            .as_ref()
            .is_some_and(|s| s.slot == selection.slot && s.node == selection.node);
        if same {
            return;
        }
        self.details_scroll.top();
        self.tree = self.tree_of(&selection);
        self.selection = Some(selection);
    }

    fn tree_of(&self, selection: &Selection) -> Option<ObjectTree> {
        let slot = &self.slots[selection.slot];
        let analysis = slot.analysis()?;
        Some(ObjectTree::new(
            self.tree_kind,
            Arc::clone(analysis),
            Arc::clone(&slot.ignored),
            selection.node,
        ))
    }

    /// DevTools' "Ignore this retainer" on the selected Retainers row, or
    /// "Stop ignoring" when it is ignored already. The distances are
    /// recomputed on a job.
    fn toggle_ignored_retainer(&mut self) {
        let Some((slot, node)) = self.selected_retainer() else {
            self.status = Some("select a retainer in the Retainers tree to ignore it".into());
            return;
        };
        let Some(analysis) = self.slots[slot].analysis() else {
            return;
        };
        let ignored = &self.slots[slot].ignored;
        let mut nodes = ignored.nodes().to_vec();
        let id = analysis.graph.id(node);
        if ignored.is_ignored(node) {
            nodes.retain(|&n| n != node);
            self.status = Some(format!("no longer ignoring @{id}; recomputing distances…"));
        } else {
            nodes.push(node);
            self.status = Some(format!("ignoring @{id}; recomputing distances…"));
        }
        self.jobs.push(Job::IgnoreRetainers {
            slot,
            analysis: Arc::clone(analysis),
            nodes,
        });
    }

    /// The slot and node of the selected row of a Retainers tree.
    fn selected_retainer(&self) -> Option<(usize, u32)> {
        let tree = self
            .tree
            .as_ref()
            .filter(|t| t.kind == TreeKind::Retainers)?;
        let slot = self.selection.as_ref()?.slot;
        match tree.rows[tree.selected?].kind {
            RowKind::Link { node, .. } => Some((slot, node)),
            RowKind::More { .. } => None,
        }
    }

    /// Stops ignoring every retainer of the selection's snapshot.
    fn restore_retainers(&mut self) {
        let Some(slot) = self.selection.as_ref().map(|s| s.slot) else {
            return;
        };
        if self.slots[slot].ignored.nodes().is_empty() {
            self.status = Some("no retainer is ignored".into());
            return;
        }
        self.apply_ignored(slot, IgnoredRetainers::default());
        self.status = Some("every retainer is shown again".into());
    }

    /// A recomputed Retainers view: the tree redraws with its distances and
    /// opens its first path again, as DevTools does.
    fn apply_ignored(&mut self, slot: usize, view: IgnoredRetainers) {
        let count = view.nodes().len();
        self.slots[slot].ignored = Arc::new(view);
        if let Some(selection) = self.selection.clone().filter(|s| s.slot == slot) {
            self.tree = self.tree_of(&selection);
        }
        if count > 0 {
            self.status = Some(format!(
                "{count} ignored retainer{}: i on an ignored row stops ignoring it, I all",
                if count == 1 { "" } else { "s" }
            ));
        }
    }

    /// A message from a loader thread.
    pub fn on_load(&mut self, slot: usize, event: LoadEvent) {
        let Some(s) = self.slots.get_mut(slot) else {
            return;
        };
        match event {
            LoadEvent::Progress(p) => {
                if let LoadState::Loading { progress, .. } = &mut s.state {
                    *progress = p;
                }
            }
            LoadEvent::Early(rows) => {
                s.early = Some(Arc::new(rows));
                if slot == self.summary_slot && self.tables.summary().is_none() {
                    self.rebuild_summary();
                }
            }
            LoadEvent::Rows(rows) => {
                s.indexed = Some(Arc::new(*rows));
                if slot == self.summary_slot && self.tables.summary().is_none() {
                    self.rebuild_summary();
                }
            }
            LoadEvent::Compared(diffs) => self.compared = Some(diffs),
            LoadEvent::Leaks(report) => self.found_leaks = Some(report),
            LoadEvent::Trend(trend) => self.found_trend = Some(trend),
            LoadEvent::Done(analysis) => {
                let took = match &s.state {
                    LoadState::Loading { started, .. } => started.elapsed(),
                    _ => Duration::ZERO,
                };
                s.state = LoadState::Ready { analysis, took };
                s.early = None;
                s.indexed = None;
                // The allocation filter needs the baseline too.
                if slot == self.summary_slot || self.summary_filter.is_allocation_range() {
                    self.rebuild_summary();
                }
                self.rebuild_comparison();
                self.rebuild_leaks();
                self.rebuild_trend();
            }
            LoadEvent::Warning(message) => self.status = Some(message),
            LoadEvent::Failed(message) => {
                s.state = LoadState::Failed(message.clone());
                self.status = Some(message);
                let needs_all = matches!(self.view, Pane::Comparison | Pane::Leaks | Pane::Trend);
                if self.slots.len() > 1 && needs_all {
                    // Keep the other snapshots usable.
                    self.summary_slot = usize::from(slot == 0);
                    self.rebuild_summary();
                    self.focus_view(Pane::Summary);
                }
            }
        }
    }

    fn rebuild_summary(&mut self) {
        let slot = &self.slots[self.summary_slot];
        let data = match (&slot.state, &slot.indexed, &slot.early) {
            (LoadState::Ready { analysis, .. }, _, _) => {
                let analysis = Arc::clone(analysis);
                Some(SummaryData::Ready {
                    filtered: self.filtered_rows(&analysis),
                    analysis,
                })
            }
            (_, Some(rows), _) => Some(SummaryData::Indexed(Arc::clone(rows))),
            (_, _, Some(early)) => Some(SummaryData::Early(Arc::clone(early))),
            _ => None,
        };
        self.tables[TableKind::Summary].set_source(data.map(Source::Summary));
    }

    /// The Summary's rows under its filter. An allocation range needs the
    /// baseline loaded too (DevTools' filter uses both snapshots' ids); a
    /// named filter searches the heap on a job, and shows no rows until
    /// it is done.
    fn filtered_rows(&mut self, analysis: &Arc<Analysis>) -> Option<Arc<Vec<ClassAggregate>>> {
        match self.summary_filter {
            SummaryFilter::All => None,
            SummaryFilter::Named(filter) => Some(self.named_filter_rows(analysis, filter)),
            range => {
                if self.summary_slot != self.target_slot() {
                    return None;
                }
                let base = self.slots[self.base_slot()].analysis()?;
                let range = range.range(base, analysis)?;
                Some(Arc::new(allocation::allocated_summary(analysis, range)))
            }
        }
    }

    fn named_filter_rows(
        &mut self,
        analysis: &Arc<Analysis>,
        filter: NamedFilter,
    ) -> Arc<Vec<ClassAggregate>> {
        let slot = self.summary_slot;
        match &self.named_rows {
            Some((s, f, rows)) if *s == slot && *f == filter => Arc::clone(rows),
            _ => {
                self.jobs.push(Job::NamedFilter {
                    slot,
                    analysis: Arc::clone(analysis),
                    filter,
                });
                Arc::new(Vec::new())
            }
        }
    }

    /// Whether the Summary waits for its named filter's rows.
    pub fn summary_filter_pending(&self) -> bool {
        match self.summary_filter {
            SummaryFilter::Named(filter) => !matches!(
                &self.named_rows,
                Some((slot, f, _)) if *slot == self.summary_slot && *f == filter
            ),
            _ => false,
        }
    }

    /// The three-snapshot leak report (S1, S2 and the last), once every
    /// snapshot has loaded.
    fn rebuild_leaks(&mut self) {
        if !self.has_view(Pane::Leaks) || self.tables.leaks().is_some() || self.loading() {
            return;
        }
        let (Some(s1), Some(s2), Some(s3)) = (
            self.slots[0].analysis(),
            self.slots[1].analysis(),
            self.slots[self.target_slot()].analysis(),
        ) else {
            return;
        };
        // The loaders find them off this thread; finding them here is the
        // fallback when they did not.
        let report = self.found_leaks.take().unwrap_or_else(|| {
            leaks::find_leaks(&s1.graph, &s2.graph, s3, &|n| !leaks::is_v8_internal(s3, n))
        });
        let data = LeaksData {
            analysis: Arc::clone(s3),
            report,
        };
        self.tables[TableKind::Leaks].set_source(Some(Source::Leaks(data)));
        if self.view == Pane::Leaks {
            self.sync_selection();
        }
    }

    /// The trend of every snapshot, once they have all loaded.
    fn rebuild_trend(&mut self) {
        if !self.has_view(Pane::Trend) || self.tables.trend().is_some() {
            return;
        }
        let Some(analyses) = self
            .slots
            .iter()
            .map(|slot| slot.analysis().map(Arc::as_ref))
            .collect::<Option<Vec<&Analysis>>>()
        else {
            return;
        };
        // The loaders follow it off this thread; following it here is the
        // fallback when they did not.
        let trend = self
            .found_trend
            .take()
            .unwrap_or_else(|| trend_of(analyses));
        let data = TrendData { trend };
        self.tables[TableKind::Trend].set_source(Some(Source::Trend(data)));
    }

    fn rebuild_comparison(&mut self) {
        if !self.is_comparison() || self.tables.comparison().is_some() {
            return;
        }
        let (Some(base), Some(target)) = (
            self.slots[self.base_slot()].analysis(),
            self.slots[self.target_slot()].analysis(),
        ) else {
            return;
        };
        // The loaders compare the pair off this thread; computing it here
        // is the fallback when they did not.
        let diffs = self
            .compared
            .take()
            .unwrap_or_else(|| compare(base, target));
        let data = ComparisonData::new(Arc::clone(base), Arc::clone(target), diffs);
        if let Some(warning) = data.swapped_warning() {
            self.status = Some(warning);
        }
        if !compat::same_meta(&base.graph.layout, &target.graph.layout) {
            let names = (
                self.slots[self.base_slot()].name(),
                self.slots[self.target_slot()].name(),
            );
            self.status = Some(compat::meta_warning(&names.0, &names.1));
        }
        self.jobs.push(Job::GrowingCollections {
            base: Arc::clone(base),
            target: Arc::clone(target),
        });
        self.tables[TableKind::Comparison].set_source(Some(Source::Comparison(data)));
        if self.view == Pane::Comparison {
            self.sync_selection();
        }
    }

    /// What the layout gives each pane, measured before each draw: the
    /// rows of the table and tree, the lines of Details and help.
    pub fn on_viewports(&mut self, viewports: Viewports) {
        // A pane the zoom or the layout hides keeps its scroll for when it
        // shows again.
        let kept = |rows: usize, before: usize| if rows > 0 { rows } else { before };
        self.on_resize(
            kept(viewports.table_rows, self.table_height),
            kept(viewports.tree_rows, self.tree_height),
        );
        if let (lines, height @ 1..) = viewports.details {
            self.details_scroll.fit(lines, height);
        }
        let (lines, height) = viewports.help;
        self.help_scroll.fit(lines, height);
    }

    /// Terminal size changed: recompute how many rows the panes show.
    pub fn on_resize(&mut self, table_height: usize, tree_height: usize) {
        self.table_height = table_height.max(1);
        self.tree_height = tree_height.max(1);
        let (t, r) = (self.table_height, self.tree_height);
        for view in self.tables.iter_mut() {
            view.table.scroll_into_view(t);
        }
        if let Some(tree) = &mut self.tree {
            tree.move_by(0, r);
        }
    }

    /// A mouse click on row `index` of the table (0 = first visible row).
    pub fn click_table_row(&mut self, index: usize) {
        self.focus = self.view;
        let height = self.table_height;
        self.table_mut().select_visible(index, height);
        self.sync_selection();
    }

    /// Mouse wheel over a pane.
    pub fn scroll(&mut self, pane: Pane, lines: isize) {
        self.focus = pane;
        self.move_by(lines);
    }
}
#[cfg(test)]
mod journeys;
#[cfg(test)]
pub mod testing;
