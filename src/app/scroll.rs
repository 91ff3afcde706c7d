//! Scrolling of the text panes (Details, the help overlay). Their lines
//! are laid out by the widgets, so the runtime measures them before each
//! draw ([`Viewports`]) and the app clamps its offsets to what exists.

/// How far a text pane is scrolled, and what it was last measured to hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    /// First line shown.
    pub offset: usize,
    /// Lines the content takes at the pane's width.
    pub lines: usize,
    /// Lines the pane shows.
    pub height: usize,
}

impl Scroll {
    /// The furthest offset that still fills the pane.
    fn limit(&self) -> usize {
        self.lines.saturating_sub(self.height)
    }

    /// Takes a new measure, keeping the offset inside it.
    pub fn fit(&mut self, lines: usize, height: usize) {
        self.lines = lines;
        self.height = height;
        self.offset = self.offset.min(self.limit());
    }

    pub fn by(&mut self, delta: isize) {
        self.offset = self.offset.saturating_add_signed(delta).min(self.limit());
    }

    pub fn top(&mut self) {
        self.offset = 0;
    }

    pub fn bottom(&mut self) {
        self.offset = self.limit();
    }

    /// A page: the pane's height less one line of context.
    pub fn page(&self) -> isize {
        self.height.max(2) as isize - 1
    }

    /// Whether some lines are out of view.
    pub fn overflows(&self) -> bool {
        self.lines > self.height
    }
}

/// What the layout gives each pane, measured by the UI for the app: rows
/// of the table and the tree, and the text panes' lines and heights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Viewports {
    pub table_rows: usize,
    pub tree_rows: usize,
    /// (lines, height) of the Details pane.
    pub details: (usize, usize),
    /// (lines, height) of the help overlay.
    pub help: (usize, usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_stops_at_the_last_full_page() {
        let mut s = Scroll::default();
        s.fit(12, 5);
        s.by(100);
        assert_eq!(s.offset, 7, "lines 8 to 12 fill the pane");
        s.by(-3);
        assert_eq!(s.offset, 4);
        s.fit(6, 5);
        assert_eq!(s.offset, 1, "a shorter text pulls the offset back");
        s.top();
        assert_eq!(s.offset, 0);
        assert!(s.overflows());
        s.fit(5, 5);
        assert!(!s.overflows());
    }
}
