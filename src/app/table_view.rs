//! The table views (Summary, Comparison, Duplicated strings, Leaks, Trend)
//! as one type: a [`TableView`] is a [`ClassTable`] (order, filter,
//! expansion, selection, scroll) over a [`Source`] (the rows it lists).
//! Every per-view operation is written here once, so a change to one view
//! (a resize, a sort, a filter) cannot miss the others.

use std::ops::{Index, IndexMut};

use super::class_table::{ClassTable, Matching, Row, Side, Sort};
use super::sources::{
    self, ComparisonData, DuplicatesData, LeaksData, SummaryData, TableSource, TrendData,
    COMPARISON_COLUMNS, DUPLICATES_COLUMNS, LEAKS_COLUMNS, SUMMARY_COLUMNS, TREND_COLUMNS,
};
use super::Pane;

/// Which table view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    Summary,
    Comparison,
    Duplicates,
    Leaks,
    Trend,
}

impl TableKind {
    pub const ALL: [TableKind; 5] = [
        TableKind::Summary,
        TableKind::Comparison,
        TableKind::Duplicates,
        TableKind::Leaks,
        TableKind::Trend,
    ];

    /// The table a view shows; Statistics and the object panes have none.
    pub fn of(pane: Pane) -> Option<TableKind> {
        match pane {
            Pane::Summary => Some(TableKind::Summary),
            Pane::Comparison => Some(TableKind::Comparison),
            Pane::Duplicates => Some(TableKind::Duplicates),
            Pane::Leaks => Some(TableKind::Leaks),
            Pane::Trend => Some(TableKind::Trend),
            Pane::Retainers | Pane::Details | Pane::Statistics => None,
        }
    }

    /// Column titles.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            TableKind::Summary => &SUMMARY_COLUMNS,
            TableKind::Comparison => &COMPARISON_COLUMNS,
            TableKind::Duplicates => &DUPLICATES_COLUMNS,
            TableKind::Leaks => &LEAKS_COLUMNS,
            TableKind::Trend => &TREND_COLUMNS,
        }
    }

    /// How the filter matches rows: string values by regex (as `heaplens
    /// strings`), class names fuzzily.
    pub fn matching(self) -> Matching {
        match self {
            TableKind::Duplicates => Matching::Regex,
            TableKind::Summary | TableKind::Comparison | TableKind::Leaks | TableKind::Trend => {
                Matching::Fuzzy
            }
        }
    }

    /// The sort a view opens with.
    pub fn default_sort(self) -> Sort {
        match self {
            TableKind::Summary => sources::SUMMARY_DEFAULT_SORT,
            TableKind::Comparison => sources::COMPARISON_DEFAULT_SORT,
            TableKind::Duplicates => sources::DUPLICATES_DEFAULT_SORT,
            TableKind::Leaks => sources::LEAKS_DEFAULT_SORT,
            TableKind::Trend => sources::TREND_DEFAULT_SORT,
        }
    }
}

/// The rows of a table view, by kind: typed for the widgets that draw
/// each kind's columns, a [`TableSource`] for everything else.
#[derive(Debug, Clone)]
pub enum Source {
    Summary(SummaryData),
    Comparison(ComparisonData),
    Duplicates(DuplicatesData),
    Leaks(LeaksData),
    Trend(TrendData),
}

impl Source {
    pub fn kind(&self) -> TableKind {
        match self {
            Source::Summary(_) => TableKind::Summary,
            Source::Comparison(_) => TableKind::Comparison,
            Source::Duplicates(_) => TableKind::Duplicates,
            Source::Leaks(_) => TableKind::Leaks,
            Source::Trend(_) => TableKind::Trend,
        }
    }

    /// The kind-independent side of the rows.
    pub fn rows(&self) -> &dyn TableSource {
        match self {
            Source::Summary(d) => d,
            Source::Comparison(d) => d,
            Source::Duplicates(d) => d,
            Source::Leaks(d) => d,
            Source::Trend(d) => d,
        }
    }
}

/// One table view: its table state and, once known, its rows.
#[derive(Debug, Clone)]
pub struct TableView {
    kind: TableKind,
    /// Order, filter, expansion, selection and scroll.
    pub table: ClassTable,
    source: Option<Source>,
}

impl TableView {
    pub fn new(kind: TableKind) -> Self {
        TableView {
            kind,
            table: ClassTable::new(kind.default_sort()).with_matching(kind.matching()),
            source: None,
        }
    }

    pub fn kind(&self) -> TableKind {
        self.kind
    }

    /// The rows, once known.
    pub fn source(&self) -> Option<&Source> {
        self.source.as_ref()
    }

    /// The rows, to change them in place (tests); the order is not redone.
    #[cfg(test)]
    pub fn source_mut(&mut self) -> Option<&mut Source> {
        self.source.as_mut()
    }

    /// New rows (or none yet): re-sorted under the current sort, keeping
    /// the filter, the expanded rows and the selected row where they still
    /// apply. Without rows the table keeps what it showed.
    pub fn set_source(&mut self, source: Option<Source>) {
        debug_assert!(
            source.as_ref().is_none_or(|s| s.kind() == self.kind),
            "a {:?} source for the {:?} view",
            source.as_ref().map(Source::kind),
            self.kind
        );
        self.source = source;
        self.resort();
    }

    /// Forgets order, filter, expansion and selection; keeps the sort.
    pub fn reset(&mut self) {
        self.table = ClassTable::new(self.table.sort).with_matching(self.kind.matching());
    }

    /// Other rows altogether (a row index means another row now): the
    /// expansion and selection go, the sort and filter stay.
    pub fn replace_source(&mut self, source: Source, height: usize) {
        let filter = std::mem::take(&mut self.table.filter);
        self.reset();
        self.table.filter = filter;
        self.set_source(Some(source));
        self.table.scroll_into_view(height);
    }

    /// Re-sorts the rows under the table's sort (or what stands in for it
    /// while its column is unknown: see [`TableView::shown_sort`]).
    pub fn resort(&mut self) {
        let Some(source) = &self.source else {
            return;
        };
        let rows = source.rows();
        let sorted = rows.sorted(rows.honoured(self.table.sort));
        self.table
            .set_sorted(sorted, &|c| rows.row_name(c).into_owned());
    }

    /// The sort the rows are in, for the header's arrow: the table's,
    /// unless its column is not known yet (early Summary rows have no
    /// retained sizes) and the rows stand in another.
    pub fn shown_sort(&self) -> Sort {
        match &self.source {
            Some(source) => source.rows().honoured(self.table.sort),
            None => self.table.sort,
        }
    }

    /// A new sort shows its first rows: the selection goes to the top, so
    /// the rows the sort put first cannot be scrolled out of view.
    pub fn set_sort(&mut self, sort: Sort) {
        self.table.sort = sort;
        self.resort();
        self.table.select_first(1);
    }

    /// The next column, largest first (names: A to Z).
    pub fn sort_next(&mut self) {
        let column = (self.table.sort.column + 1) % self.kind.columns().len();
        self.set_sort(Sort {
            column,
            descending: column != 0,
        });
    }

    /// The same column, the other way.
    pub fn sort_reverse(&mut self) {
        let sort = self.table.sort;
        self.set_sort(Sort {
            descending: !sort.descending,
            ..sort
        });
    }

    /// Applies the fuzzy filter (once there are rows to match) and keeps
    /// the selection in a window of `height` rows.
    pub fn set_filter(&mut self, text: &str, height: usize) {
        match &self.source {
            Some(source) => {
                let rows = source.rows();
                self.table
                    .set_filter(text, &|c| rows.row_name(c).into_owned());
            }
            // Kept for the rows to come: `set_source` filters them by it.
            None => self.table.filter = text.to_owned(),
        }
        self.table.scroll_into_view(height);
    }

    /// Characters in the longest class name listed: how far the name
    /// column can scroll.
    pub fn longest_name(&self) -> usize {
        let Some(source) = &self.source else {
            return 0;
        };
        let rows = source.rows();
        self.table
            .rows()
            .iter()
            .filter_map(|row| match row {
                Row::Class(c) => Some(rows.row_name(*c).chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    pub fn selected_row(&self) -> Option<Row> {
        self.table.selected_row()
    }

    /// A row's instances, once they are known.
    pub fn instances(&self, class: u32) -> Option<Vec<(u32, Side)>> {
        self.source.as_ref()?.rows().instances(class)
    }

    /// Expands `class` into its instances; false while they are unknown.
    pub fn expand(&mut self, class: u32) -> bool {
        match self.instances(class) {
            Some(list) => {
                self.table.expand(class, list);
                true
            }
            None => false,
        }
    }

    /// Selects the row of `class`, clearing the filter when it hides the
    /// class, and scrolls it into a window of `height`.
    pub fn select_class(&mut self, class: u32, height: usize) {
        if !self.table.select(Row::Class(class)) {
            self.set_filter("", height);
            self.table.select(Row::Class(class));
        }
        self.table.scroll_into_view(height);
    }

    /// Selects `node` of `class`, expanding the class (with the filter
    /// cleared) if it is not, and scrolls it into a window of `height`.
    pub fn reveal(&mut self, class: u32, node: u32, height: usize) {
        if !self.table.is_expanded(class) {
            if let (Some(source), Some(list)) = (&self.source, self.instances(class)) {
                let rows = source.rows();
                self.table
                    .set_filter("", &|c| rows.row_name(c).into_owned());
                self.table.expand(class, list);
            }
        }
        self.table.reveal(class, node);
        self.table.scroll_into_view(height);
    }
}

/// Every table view, one per [`TableKind`].
#[derive(Debug, Clone)]
pub struct TableViews([TableView; 5]);

impl TableViews {
    pub fn new() -> Self {
        // Indexing by `kind as usize` needs ALL in declaration order.
        debug_assert!(TableKind::ALL
            .iter()
            .enumerate()
            .all(|(i, &kind)| kind as usize == i));
        TableViews(TableKind::ALL.map(TableView::new))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut TableView> {
        self.0.iter_mut()
    }

    pub fn summary(&self) -> Option<&SummaryData> {
        match self[TableKind::Summary].source()? {
            Source::Summary(d) => Some(d),
            _ => None,
        }
    }

    pub fn comparison(&self) -> Option<&ComparisonData> {
        match self[TableKind::Comparison].source()? {
            Source::Comparison(d) => Some(d),
            _ => None,
        }
    }

    pub fn duplicates(&self) -> Option<&DuplicatesData> {
        match self[TableKind::Duplicates].source()? {
            Source::Duplicates(d) => Some(d),
            _ => None,
        }
    }

    pub fn leaks(&self) -> Option<&LeaksData> {
        match self[TableKind::Leaks].source()? {
            Source::Leaks(d) => Some(d),
            _ => None,
        }
    }

    pub fn trend(&self) -> Option<&TrendData> {
        match self[TableKind::Trend].source()? {
            Source::Trend(d) => Some(d),
            _ => None,
        }
    }
}

impl Default for TableViews {
    fn default() -> Self {
        Self::new()
    }
}

impl Index<TableKind> for TableViews {
    type Output = TableView;

    fn index(&self, kind: TableKind) -> &TableView {
        &self.0[kind as usize]
    }
}

impl IndexMut<TableKind> for TableViews {
    fn index_mut(&mut self, kind: TableKind) -> &mut TableView {
        &mut self.0[kind as usize]
    }
}
