//! The state shared by the table views (Summary, Comparison, Duplicated
//! strings, Leaks): classes in sort order, narrowed by the fuzzy filter,
//! each expandable into its instances.
//!
//! Rows are indices, never copies: a 100k-class snapshot costs one `Vec` of
//! row references, and the widget builds cells only for the visible window.

use std::collections::HashMap;

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use regex::Regex;

use crate::snapshot::views::string_search::lenient_regex;

/// Which snapshot an instance row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The one snapshot of a Summary.
    Only,
    /// New in the target (Comparison).
    New,
    /// Deleted from the baseline (Comparison).
    Deleted,
}

/// One visible row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Class(u32),
    Instance {
        class: u32,
        node: u32,
        side: Side,
    },
    /// "… N more": activating it shows the next page of instances.
    More {
        class: u32,
        remaining: usize,
    },
}

/// Instances shown per page, as DevTools' grids do.
pub const PAGE: usize = 100;

/// An expanded class: its instances in display order, and how many show.
#[derive(Debug, Clone)]
struct Expansion {
    instances: Vec<(u32, Side)>,
    shown: usize,
}

/// How the filter text matches row names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    /// Fuzzy, ignoring case (class names: `sessrec` finds `SessionRecord`).
    Fuzzy,
    /// A regular expression found anywhere in the name, as `heaplens
    /// strings` matches values; text that is no regex (yet: `sess-(` while
    /// typing) matches as it is.
    Regex,
}

/// Column sort: which column and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

/// Classes, filter, expansion and selection of one table pane.
#[derive(Debug, Clone)]
pub struct ClassTable {
    pub sort: Sort,
    pub matching: Matching,
    pub filter: String,
    /// Matched character positions per class, for highlighting.
    pub matches: HashMap<u32, Vec<usize>>,
    /// Classes in sort order (before filtering).
    sorted: Vec<u32>,
    expanded: HashMap<u32, Expansion>,
    rows: Vec<Row>,
    pub selected: usize,
    pub offset: usize,
    /// Characters of the name column scrolled off to the left, to read
    /// names wider than the column.
    pub shift: usize,
}

impl ClassTable {
    pub fn new(sort: Sort) -> Self {
        ClassTable {
            sort,
            matching: Matching::Fuzzy,
            filter: String::new(),
            matches: HashMap::new(),
            sorted: Vec::new(),
            expanded: HashMap::new(),
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            shift: 0,
        }
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn selected_row(&self) -> Option<Row> {
        self.rows.get(self.selected).copied()
    }

    /// Replaces the class order (after loading or re-sorting), keeping the
    /// selected class selected when it is still there.
    pub fn set_sorted(&mut self, sorted: Vec<u32>, names: &dyn Fn(u32) -> String) {
        // A selection still on the first row stays on the first row: the
        // user has not picked anything yet.
        let keep = if self.selected == 0 {
            None
        } else {
            self.selected_row()
        };
        self.sorted = sorted;
        self.refilter(names);
        self.reselect(keep);
    }

    /// Applies the fuzzy filter to the class names.
    pub fn set_filter(&mut self, filter: &str, names: &dyn Fn(u32) -> String) {
        self.filter = filter.to_owned();
        let keep = self.selected_row();
        self.refilter(names);
        self.reselect(keep);
    }

    /// The same table, its filter matching as `matching` says.
    pub fn with_matching(self, matching: Matching) -> Self {
        ClassTable { matching, ..self }
    }

    fn refilter(&mut self, names: &dyn Fn(u32) -> String) {
        self.matches.clear();
        if !self.filter.is_empty() {
            let matched = name_matcher(self.matching, &self.filter);
            for &class in &self.sorted {
                if let Some(positions) = matched(&names(class)) {
                    self.matches.insert(class, positions);
                }
            }
        }
        self.rebuild_rows();
    }

    fn visible_classes(&self) -> impl Iterator<Item = u32> + '_ {
        self.sorted
            .iter()
            .copied()
            .filter(|c| self.filter.is_empty() || self.matches.contains_key(c))
    }

    /// Number of classes that pass the filter.
    pub fn class_count(&self) -> usize {
        self.visible_classes().count()
    }

    fn rebuild_rows(&mut self) {
        let mut rows = Vec::with_capacity(self.sorted.len());
        for class in self.visible_classes() {
            rows.push(Row::Class(class));
            if let Some(expansion) = self.expanded.get(&class) {
                let shown = expansion.shown.min(expansion.instances.len());
                rows.extend(
                    expansion.instances[..shown]
                        .iter()
                        .map(|&(node, side)| Row::Instance { class, node, side }),
                );
                if shown < expansion.instances.len() {
                    rows.push(Row::More {
                        class,
                        remaining: expansion.instances.len() - shown,
                    });
                }
            }
        }
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    fn reselect(&mut self, row: Option<Row>) {
        self.selected = match row {
            Some(r) => self.rows.iter().position(|&x| x == r).unwrap_or(0),
            None => 0,
        };
    }

    /// Selects `row` if it is shown; false if not.
    pub fn select(&mut self, row: Row) -> bool {
        match self.rows.iter().position(|&r| r == row) {
            Some(position) => {
                self.selected = position;
                true
            }
            None => false,
        }
    }

    pub fn is_expanded(&self, class: u32) -> bool {
        self.expanded.contains_key(&class)
    }

    /// Expands `class` with its instances (already in display order).
    pub fn expand(&mut self, class: u32, instances: Vec<(u32, Side)>) {
        let keep = self.selected_row();
        self.expanded.insert(
            class,
            Expansion {
                instances,
                shown: PAGE,
            },
        );
        self.rebuild_rows();
        self.reselect(keep);
    }

    /// Collapses `class` and selects its row.
    pub fn collapse(&mut self, class: u32) {
        self.expanded.remove(&class);
        self.rebuild_rows();
        self.reselect(Some(Row::Class(class)));
    }

    /// Shows the next page of instances of `class`.
    pub fn show_more(&mut self, class: u32) {
        let keep = self.selected;
        if let Some(expansion) = self.expanded.get_mut(&class) {
            expansion.shown += PAGE;
        }
        self.rebuild_rows();
        self.selected = keep.min(self.rows.len().saturating_sub(1));
    }

    /// Reveals `node` of `class`: expands the class and pages to the node.
    pub fn reveal(&mut self, class: u32, node: u32) -> bool {
        let Some(expansion) = self.expanded.get_mut(&class) else {
            return false;
        };
        let Some(index) = expansion.instances.iter().position(|&(n, _)| n == node) else {
            return false;
        };
        expansion.shown = expansion.shown.max((index / PAGE + 1) * PAGE);
        self.rebuild_rows();
        let found = self
            .rows
            .iter()
            .position(|r| matches!(r, Row::Instance { node: n, .. } if *n == node));
        if let Some(position) = found {
            self.selected = position;
        }
        found.is_some()
    }

    /// Moves the selection by `delta` rows, keeping it in a viewport of `height`.
    pub fn move_by(&mut self, delta: isize, height: usize) {
        let last = self.rows.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.scroll_into_view(height);
    }

    /// `row N of M` for the pane's title: the selected row, 1-based, of
    /// the rows listed (instances included). None while there are none.
    pub fn position(&self) -> Option<(usize, usize)> {
        (!self.rows.is_empty()).then(|| (self.selected + 1, self.rows.len()))
    }

    pub fn select_first(&mut self, height: usize) {
        self.selected = 0;
        self.scroll_into_view(height);
    }

    pub fn select_last(&mut self, height: usize) {
        self.selected = self.rows.len().saturating_sub(1);
        self.scroll_into_view(height);
    }

    /// Selects the row at `index` on screen (a mouse click).
    pub fn select_visible(&mut self, index: usize, height: usize) {
        if self.offset + index < self.rows.len() {
            self.selected = self.offset + index;
            self.scroll_into_view(height);
        }
    }

    /// Keeps the selection inside the window of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
    }
}

/// Whether a name matches the filter, and where (character positions, for
/// the highlight).
type NameMatcher = Box<dyn Fn(&str) -> Option<Vec<usize>>>;

/// The matcher of `filter` under `matching`.
fn name_matcher(matching: Matching, filter: &str) -> NameMatcher {
    match matching {
        Matching::Fuzzy => {
            let matcher = SkimMatcherV2::default().ignore_case();
            let filter = filter.to_owned();
            Box::new(move |name| matcher.fuzzy_indices(name, &filter).map(|(_, p)| p))
        }
        Matching::Regex => {
            let pattern = lenient_regex(filter);
            Box::new(move |name| regex_positions(pattern.as_ref()?, name))
        }
    }
}

/// The character positions `pattern` matches in `name` (for the
/// highlight), or None when it does not match.
fn regex_positions(pattern: &Regex, name: &str) -> Option<Vec<usize>> {
    let mut found = pattern.find_iter(name).peekable();
    found.peek()?;
    let ranges: Vec<std::ops::Range<usize>> = found.map(|m| m.range()).collect();
    let positions = name
        .char_indices()
        .enumerate()
        .filter(|(_, (byte, _))| ranges.iter().any(|r| r.contains(byte)))
        .map(|(i, _)| i)
        .collect();
    Some(positions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(class: u32) -> String {
        ["SessionRecord", "Array", "Object", "RequestContext"][class as usize].to_owned()
    }

    #[test]
    fn filter_narrows_and_keeps_sort_order() {
        let mut t = ClassTable::new(Sort {
            column: 0,
            descending: true,
        });
        t.set_sorted(vec![2, 0, 1, 3], &names);
        t.set_filter("sess", &names);
        assert_eq!(t.rows(), &[Row::Class(0)]);
        assert_eq!(t.matches[&0], vec![0, 1, 2, 3]);
        t.set_filter("e", &names);
        assert_eq!(
            t.rows(),
            &[Row::Class(2), Row::Class(0), Row::Class(3)],
            "sort order survives"
        );
    }

    #[test]
    fn a_regex_filter_matches_anywhere_and_highlights_each_match() {
        let values =
            |row: u32| ["sess-1-u1", "token=sess-9", "é-sess-é", "other"][row as usize].to_owned();
        let mut t = ClassTable::new(Sort {
            column: 0,
            descending: true,
        })
        .with_matching(Matching::Regex);
        t.set_sorted(vec![0, 1, 2, 3], &values);
        t.set_filter("^sess-", &values);
        assert_eq!(t.rows(), &[Row::Class(0)], "anchored");
        t.set_filter("sess-[0-9]", &values);
        assert_eq!(t.rows(), &[Row::Class(0), Row::Class(1)]);
        assert_eq!(t.matches[&1], vec![6, 7, 8, 9, 10, 11]);
        t.set_filter("sess", &values);
        assert_eq!(t.matches[&2], vec![2, 3, 4, 5], "positions are characters");
        t.set_filter("sess-(", &values);
        assert!(t.rows().is_empty(), "no regex yet: matched as text");
        t.set_filter("SESS", &values);
        assert!(
            t.rows().is_empty(),
            "case-sensitive, like `heaplens strings`"
        );
        t.set_filter("(?i)SESS", &values);
        assert_eq!(t.rows().len(), 3);
    }

    #[test]
    fn expansion_pages_instances() {
        let mut t = ClassTable::new(Sort {
            column: 0,
            descending: true,
        });
        t.set_sorted(vec![0, 1], &names);
        t.expand(0, (0..250).map(|n| (n, Side::Only)).collect());
        assert_eq!(t.rows().len(), 1 + PAGE + 1 + 1);
        assert_eq!(
            t.rows()[PAGE + 1],
            Row::More {
                class: 0,
                remaining: 150
            }
        );
        t.show_more(0);
        assert_eq!(
            t.rows()[2 * PAGE + 1],
            Row::More {
                class: 0,
                remaining: 50
            }
        );
        assert!(t.reveal(0, 249));
        assert_eq!(
            t.selected_row(),
            Some(Row::Instance {
                class: 0,
                node: 249,
                side: Side::Only
            })
        );
        t.collapse(0);
        assert_eq!(t.rows(), &[Row::Class(0), Row::Class(1)]);
        assert_eq!(t.selected, 0);
    }
}
