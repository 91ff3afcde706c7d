//! The object tree of the bottom pane, in three kinds: Retainers (who keeps
//! the selected object alive, toward the GC roots), Containment (what it
//! holds, weak edges included) and Dominators (what freeing it would free).
//!
//! The graph is cyclic and huge, so children are materialised only when a
//! row is opened, fan-out is paged (`… N more`), and a row whose object
//! already appears above it is marked as a cycle and cannot open. Retainer
//! trees open their first path on selection, as DevTools does.

use std::sync::Arc;

use crate::format;
use crate::snapshot::distances::BASE_UNREACHABLE_DISTANCE;
use crate::snapshot::views::containment::{containment_edges, dominated_children};
use crate::snapshot::views::retainers::IgnoredRetainers;
use crate::snapshot::Analysis;

/// What the tree lists below an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeKind {
    Retainers,
    Containment,
    Dominators,
}

impl TreeKind {
    pub fn title(self) -> &'static str {
        match self {
            TreeKind::Retainers => "Retainers",
            TreeKind::Containment => "Containment",
            TreeKind::Dominators => "Dominated",
        }
    }

    /// The next kind, for the key that cycles them.
    pub fn next(self) -> TreeKind {
        match self {
            TreeKind::Retainers => TreeKind::Containment,
            TreeKind::Containment => TreeKind::Dominators,
            TreeKind::Dominators => TreeKind::Retainers,
        }
    }

    /// The children of `n`: (edge leading to the child, child), in order.
    fn children(
        self,
        analysis: &Analysis,
        ignored: &IgnoredRetainers,
        n: u32,
    ) -> Vec<(Option<usize>, u32)> {
        match self {
            TreeKind::Retainers => analysis
                .retainers_ignoring(n, ignored)
                .into_iter()
                .map(|r| (Some(r.edge), r.from))
                .collect(),
            TreeKind::Containment => containment_edges(analysis, n)
                .into_iter()
                .map(|e| (Some(e), analysis.graph.edge_to[e]))
                .collect(),
            TreeKind::Dominators => dominated_children(analysis, n)
                .into_iter()
                .map(|c| (None, c))
                .collect(),
        }
    }

    /// Whether `n` has children, without listing them.
    fn has_children(self, analysis: &Analysis, n: u32) -> bool {
        match self {
            TreeKind::Retainers => analysis.has_retainers(n),
            TreeKind::Containment => !analysis.graph.edges(n).is_empty(),
            TreeKind::Dominators => analysis.dominators.has_children(n),
        }
    }
}

/// Children listed per page under one object.
pub const FAN_OUT: usize = 100;
/// How deep the first path is opened on selection (DevTools: 20).
pub const AUTO_EXPAND_LEVELS: usize = 20;

/// A row of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    /// `node`, reached over `edge` (none in the dominator tree): the
    /// parent's retainer, its holding, or a node it dominates.
    Link {
        edge: Option<usize>,
        node: u32,
        cycle: bool,
    },
    /// More children of `object` than shown.
    More { object: u32, remaining: usize },
}

/// A materialised row.
#[derive(Debug, Clone)]
pub struct TreeRow {
    pub kind: RowKind,
    pub parent: Option<usize>,
    pub depth: usize,
    /// Loaded children (None until first opened).
    pub children: Option<Vec<usize>>,
    pub open: bool,
}

/// The tree of one object.
#[derive(Debug, Clone)]
pub struct ObjectTree {
    pub kind: TreeKind,
    pub analysis: Arc<Analysis>,
    /// The Retainers view's ignored objects and distances.
    pub ignored: Arc<IgnoredRetainers>,
    /// The object at the top.
    pub object: u32,
    /// Every materialised row; identifiers are indexes here.
    pub rows: Vec<TreeRow>,
    pub top: Vec<usize>,
    /// Selected row identifier.
    pub selected: Option<usize>,
    pub offset: usize,
    /// Characters of the labels scrolled off to the left, to read labels
    /// wider than the pane.
    pub shift: usize,
}

/// Which way a search goes from the selected row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchStep {
    /// The first match from the top.
    First,
    Next,
    Previous,
}

/// A search's outcome: the row found, and its place among the matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub row: usize,
    /// 1-based.
    pub nth: usize,
    pub of: usize,
}

impl ObjectTree {
    /// The tree of `object`; a retainer tree opens its first path
    /// (DevTools' chain).
    pub fn new(
        kind: TreeKind,
        analysis: Arc<Analysis>,
        ignored: Arc<IgnoredRetainers>,
        object: u32,
    ) -> Self {
        let mut tree = ObjectTree {
            kind,
            analysis,
            ignored,
            object,
            rows: Vec::new(),
            top: Vec::new(),
            selected: None,
            offset: 0,
            shift: 0,
        };
        tree.top = tree.load_children(None, object, 0);
        tree.selected = tree.top.first().copied();
        if kind == TreeKind::Retainers {
            tree.expand_first_path();
        }
        tree
    }

    /// Child rows of `object` under `parent`, starting at `skip`.
    fn load_children(&mut self, parent: Option<usize>, object: u32, skip: usize) -> Vec<usize> {
        let depth = parent.map_or(0, |p| self.rows[p].depth + 1);
        let children = self.kind.children(&self.analysis, &self.ignored, object);
        let total = children.len();
        let mut ids = Vec::new();
        for (edge, node) in children.into_iter().skip(skip).take(FAN_OUT) {
            let cycle = node == self.object || self.path_contains(parent, node);
            ids.push(self.push(TreeRow {
                kind: RowKind::Link { edge, node, cycle },
                parent,
                depth,
                children: None,
                open: false,
            }));
        }
        let shown = skip + ids.len();
        if shown < total {
            ids.push(self.push(TreeRow {
                kind: RowKind::More {
                    object,
                    remaining: total - shown,
                },
                parent,
                depth,
                children: None,
                open: false,
            }));
        }
        ids
    }

    fn push(&mut self, row: TreeRow) -> usize {
        self.rows.push(row);
        self.rows.len() - 1
    }

    /// Whether `node` is the object of `row` or of any row above it.
    fn path_contains(&self, mut row: Option<usize>, node: u32) -> bool {
        let id = self.analysis.graph.id(node);
        while let Some(r) = row {
            if let RowKind::Link { node, .. } = self.rows[r].kind {
                if self.analysis.graph.id(node) == id {
                    return true;
                }
            }
            row = self.rows[r].parent;
        }
        false
    }

    /// Whether a row can open (a retainer that is not a cycle and has retainers).
    pub fn can_open(&self, row: usize) -> bool {
        match self.rows[row].kind {
            RowKind::Link { cycle, node, .. } => {
                !cycle && self.kind.has_children(&self.analysis, node)
            }
            RowKind::More { .. } => false,
        }
    }

    /// Opens a row, loading its children the first time.
    pub fn open(&mut self, row: usize) {
        let RowKind::Link {
            node, cycle: false, ..
        } = self.rows[row].kind
        else {
            return;
        };
        if self.rows[row].children.is_none() {
            let children = self.load_children(Some(row), node, 0);
            self.rows[row].children = Some(children);
        }
        self.rows[row].open = !self.rows[row].children.as_ref().is_some_and(Vec::is_empty);
    }

    pub fn close(&mut self, row: usize) {
        self.rows[row].open = false;
    }

    /// Replaces a `… N more` row with the next page of its siblings.
    pub fn show_more(&mut self, row: usize) {
        let RowKind::More { object, .. } = self.rows[row].kind else {
            return;
        };
        let parent = self.rows[row].parent;
        let siblings = match parent {
            Some(p) => self.rows[p].children.clone().unwrap_or_default(),
            None => self.top.clone(),
        };
        let shown = siblings.len() - 1;
        let more = self.load_children(parent, object, shown);
        let mut updated: Vec<usize> = siblings.into_iter().filter(|&s| s != row).collect();
        updated.extend(more);
        let next = updated.get(shown).copied();
        match parent {
            Some(p) => self.rows[p].children = Some(updated),
            None => self.top = updated,
        }
        self.selected = next.or(self.selected);
    }

    /// DevTools' `expandRetainersChain`: open the first retainer while it
    /// is neither a user root (distance ≤ 1) nor unreachable.
    fn expand_first_path(&mut self) {
        let mut row = self.top.first().copied();
        for _ in 0..AUTO_EXPAND_LEVELS {
            let Some(r) = row else { break };
            let RowKind::Link {
                node,
                edge,
                cycle: false,
            } = self.rows[r].kind
            else {
                break;
            };
            let distance = self.distance(node, edge);
            if distance <= 1 || distance >= BASE_UNREACHABLE_DISTANCE {
                break;
            }
            self.open(r);
            row = self.rows[r]
                .children
                .as_ref()
                .and_then(|c| c.first().copied());
        }
    }

    /// The distance a row shows: in the Retainers view, the retainer's
    /// distance with the ignored objects left out.
    pub fn distance(&self, node: u32, edge: Option<usize>) -> i32 {
        match self.kind {
            TreeKind::Retainers => self.analysis.retainer_distance(node, edge, &self.ignored),
            _ => self.analysis.distances[node as usize],
        }
    }

    /// Rows in display order: the top level and the children of open rows.
    pub fn visible(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.top.iter().rev().copied().collect();
        while let Some(r) = stack.pop() {
            out.push(r);
            if self.rows[r].open {
                if let Some(children) = &self.rows[r].children {
                    stack.extend(children.iter().rev());
                }
            }
        }
        out
    }

    /// Moves the selection by `delta` visible rows.
    pub fn move_by(&mut self, delta: isize, height: usize) {
        let visible = self.visible();
        if visible.is_empty() {
            return;
        }
        let at = self
            .selected
            .and_then(|s| visible.iter().position(|&v| v == s))
            .unwrap_or(0);
        let next = at.saturating_add_signed(delta).min(visible.len() - 1);
        self.selected = Some(visible[next]);
        self.scroll_into_view(next, height);
    }

    fn scroll_into_view(&mut self, index: usize, height: usize) {
        let height = height.max(1);
        if index < self.offset {
            self.offset = index;
        } else if index >= self.offset + height {
            self.offset = index + 1 - height;
        }
    }

    /// Left: close the selected row, or go to its parent.
    pub fn collapse_or_parent(&mut self) {
        let Some(s) = self.selected else { return };
        if self.rows[s].open {
            self.close(s);
        } else if let Some(p) = self.rows[s].parent {
            self.selected = Some(p);
        }
    }

    /// Enter: open/close a retainer, or page a `… more` row.
    pub fn toggle(&mut self) {
        let Some(s) = self.selected else { return };
        match self.rows[s].kind {
            RowKind::More { .. } => self.show_more(s),
            RowKind::Link { .. } if self.rows[s].open => self.close(s),
            RowKind::Link { .. } => self.open(s),
        }
    }

    /// The object of the selected row.
    pub fn selected_object(&self) -> Option<u32> {
        match self.rows[self.selected?].kind {
            RowKind::Link { node, .. } => Some(node),
            RowKind::More { .. } => None,
        }
    }

    /// A row's text as the pane shows it (before the numbers): DevTools'
    /// `edge in Object @id` for retainers, `edge :: Object @id` for
    /// containment, `Object @id` in the dominator tree, with the cycle and
    /// ignored marks. Snapshot text is shown as by `format::visible`.
    pub fn label(&self, row: usize) -> String {
        let analysis = &self.analysis;
        let (edge, node, cycle) = match self.rows[row].kind {
            RowKind::More { remaining, .. } => {
                return format!("… {} more (Enter)", format::group(remaining as u64))
            }
            RowKind::Link { edge, node, cycle } => (edge, node, cycle),
        };
        let object = format!(
            "{} @{}",
            format::visible(&analysis.object_label(node)),
            analysis.graph.id(node)
        );
        let label = match (self.kind, edge) {
            (TreeKind::Retainers, Some(e)) => {
                format!("{} in {object}", format::visible(&analysis.edge_label(e)))
            }
            (TreeKind::Containment, Some(e)) => {
                format!("{} :: {object}", format::visible(&analysis.edge_label(e)))
            }
            _ => object,
        };
        if cycle {
            format!("{label}  ↻ cycle")
        } else if self.kind == TreeKind::Retainers && self.ignored.is_ignored(node) {
            format!("{label}  (ignored)")
        } else {
            label
        }
    }

    /// Characters in the longest label shown: how far labels can scroll.
    pub fn longest_label(&self) -> usize {
        self.visible()
            .into_iter()
            .map(|r| self.label(r).chars().count())
            .max()
            .unwrap_or(0)
    }

    /// `row N of M` for the pane's title: the selected row of the rows shown.
    pub fn position(&self) -> Option<(usize, usize)> {
        let visible = self.visible();
        let at = visible.iter().position(|&r| Some(r) == self.selected)?;
        Some((at + 1, visible.len()))
    }

    /// Every loaded row in display order, closed ones' children included:
    /// what a search looks through (it opens nothing new).
    fn loaded(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.top.iter().rev().copied().collect();
        while let Some(r) = stack.pop() {
            out.push(r);
            if let Some(children) = &self.rows[r].children {
                stack.extend(children.iter().rev());
            }
        }
        out
    }

    /// The loaded row whose label holds `text` (ignoring case), found
    /// `step` from the selection, wrapping around the end.
    pub fn find(&self, text: &str, step: SearchStep) -> Option<Found> {
        let needle = text.to_lowercase();
        let order = self.loaded();
        // Places in `order` of the matching rows.
        let hits: Vec<usize> = (0..order.len())
            .filter(|&i| matches!(self.rows[order[i]].kind, RowKind::Link { .. }))
            .filter(|&i| self.label(order[i]).to_lowercase().contains(&needle))
            .collect();
        let here = self
            .selected
            .and_then(|s| order.iter().position(|&r| r == s))
            .unwrap_or(0);
        let at = match step {
            SearchStep::First => 0,
            SearchStep::Next => hits.iter().position(|&i| i > here).unwrap_or(0),
            SearchStep::Previous => hits
                .iter()
                .rposition(|&i| i < here)
                .unwrap_or(hits.len().saturating_sub(1)),
        };
        let &i = hits.get(at)?;
        Some(Found {
            row: order[i],
            nth: at + 1,
            of: hits.len(),
        })
    }

    /// Selects `row`, opening the rows above it, and scrolls it into a
    /// window of `height` rows.
    pub fn reveal(&mut self, row: usize, height: usize) {
        let mut parent = self.rows[row].parent;
        while let Some(p) = parent {
            self.rows[p].open = true;
            parent = self.rows[p].parent;
        }
        self.selected = Some(row);
        self.move_by(0, height);
    }

    /// How many levels the open path below the top reaches (for tests/status).
    pub fn open_depth(&self) -> usize {
        self.visible()
            .iter()
            .map(|&r| self.rows[r].depth)
            .max()
            .unwrap_or(0)
    }
}
