//! The object tree pane: adapts the lazy tree of `app::object_tree` to
//! tui-tree-widget, one row per materialised child, labelled as DevTools
//! does (`edge in Object @id` for retainers, `edge :: Object @id` for
//! containment, `Object @id` in the dominator tree) with distance, shallow
//! and retained size.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, StatefulWidget, Widget, Wrap};
use ratatui::Frame;
use tui_tree_widget::{Tree, TreeItem, TreeState};

use crate::app::object_tree::{ObjectTree, RowKind, TreeKind};
use crate::app::{App, Pane};
use crate::format;
use crate::snapshot::distances::display_distance;

use super::theme::Theme;

/// Identifier of the placeholder child that makes an unopened row show ▶.
const PLACEHOLDER: usize = usize::MAX;
/// Width of the three number columns at the end of each row.
const NUMBERS: usize = 8 + 1 + 9 + 1 + 9;

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(&TreeProps::of(app, theme), area);
}

/// Everything the object tree pane draws, taken from the app: the widget
/// reads nothing else, so it can be drawn (and tested) on its own.
pub struct TreeProps<'a> {
    /// The tree of the selected object, once there is one.
    pub tree: Option<&'a ObjectTree>,
    /// What the pane lists (its title, even without a tree).
    pub kind: TreeKind,
    /// Whether an object is selected (its tree may still be loading).
    pub selected: bool,
    /// How many retainers of the selection's snapshot are ignored.
    pub ignored: usize,
    pub focused: bool,
    pub theme: &'a Theme,
}

impl<'a> TreeProps<'a> {
    pub fn of(app: &'a App, theme: &'a Theme) -> Self {
        TreeProps {
            tree: app.tree.as_ref(),
            kind: app.tree_kind,
            selected: app.selection.is_some(),
            ignored: app
                .selection
                .as_ref()
                .map_or(0, |s| app.slots[s.slot].ignored.nodes().len()),
            focused: app.focus == Pane::Retainers,
            theme,
        }
    }

    /// `(2 ignored)` while retainers of the selection's snapshot are ignored.
    fn ignored_note(&self) -> String {
        if self.kind == TreeKind::Retainers && self.ignored > 0 {
            format!(" ({} ignored)", self.ignored)
        } else {
            String::new()
        }
    }
}

impl Widget for &TreeProps<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let mut block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(self.focused))
            .title(Span::styled(
                format!(" {}{} ", self.kind.title(), self.ignored_note()),
                theme.title(),
            ));
        let Some(tree) = self.tree else {
            let hint = if self.selected {
                "The snapshot is still loading."
            } else {
                no_selection_hint(self.kind)
            };
            Paragraph::new(Line::styled(hint, theme.dim()))
                .wrap(Wrap { trim: false })
                .block(block)
                .render(area, buf);
            return;
        };
        let analysis = &tree.analysis;
        block = block.title(Span::styled(
            format!(
                " of {} @{} ",
                format::visible(&analysis.object_label(tree.object)),
                analysis.graph.id(tree.object)
            ),
            theme.dim(),
        ));
        if tree.top.is_empty() {
            let text = match tree.kind {
                TreeKind::Retainers => {
                    "No retainers: only the root or weak references hold this object."
                }
                TreeKind::Containment => "This object holds no references.",
                TreeKind::Dominators => "This object dominates no other object.",
            };
            Paragraph::new(Line::styled(text, theme.dim()))
                .block(block)
                .render(area, buf);
            return;
        }
        block = block.title_bottom(
            Line::styled(super::position_title(tree.position()), theme.dim()).right_aligned(),
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let [header, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        header_line(usize::from(inner.width), theme).render(header, buf);
        let items = items(tree, &tree.top, usize::from(inner.width), theme);
        let mut state = TreeState::default();
        for (r, row) in tree.rows.iter().enumerate() {
            if row.open {
                state.open(path(tree, r));
            }
        }
        if let Some(s) = tree.selected {
            state.select(path(tree, s));
        }
        match Tree::new(&items) {
            Ok(widget) => {
                let widget = widget.highlight_style(theme.selected());
                StatefulWidget::render(widget, body, buf, &mut state);
            }
            Err(e) => Paragraph::new(e.to_string()).render(body, buf),
        }
    }
}

/// What the pane is for, before an object is selected.
fn no_selection_hint(kind: TreeKind) -> &'static str {
    match kind {
        TreeKind::Retainers => {
            "Select an object to see what keeps it alive (expand a class with Enter, then ↓)."
        }
        TreeKind::Containment => {
            "Select an object to see what it holds (expand a class with Enter, then ↓)."
        }
        TreeKind::Dominators => {
            "Select an object to see what freeing it would free (expand a class with Enter, then ↓)."
        }
    }
}

/// The column titles, the numbers' right-aligned over theirs.
fn header_line(width: usize, theme: &Theme) -> Line<'static> {
    let numbers = numbers(["Distance", "Shallow", "Retained"].map(String::from));
    let room = width.saturating_sub(NUMBERS);
    Line::styled(format!("{:<room$}{numbers}", "Object"), theme.header())
}

/// Identifiers from the top level down to `row`.
fn path(tree: &ObjectTree, row: usize) -> Vec<usize> {
    let mut path = vec![row];
    let mut at = tree.rows[row].parent;
    while let Some(p) = at {
        path.push(p);
        at = tree.rows[p].parent;
    }
    path.reverse();
    path
}

fn items(
    tree: &ObjectTree,
    ids: &[usize],
    width: usize,
    theme: &Theme,
) -> Vec<TreeItem<'static, usize>> {
    ids.iter()
        .map(|&id| {
            let row = &tree.rows[id];
            let text = row_text(tree, id, width.saturating_sub(row.depth * 2 + 2), theme);
            let children = match (&row.children, row.open) {
                (Some(children), true) => items(tree, children, width, theme),
                (None, _) if tree.can_open(id) => vec![TreeItem::new_leaf(PLACEHOLDER, "")],
                (Some(children), false) if !children.is_empty() => {
                    vec![TreeItem::new_leaf(PLACEHOLDER, "")]
                }
                _ => Vec::new(),
            };
            TreeItem::new(id, text, children).unwrap_or_else(|_| TreeItem::new_leaf(id, "?"))
        })
        .collect()
}

fn row_text(tree: &ObjectTree, id: usize, width: usize, theme: &Theme) -> Line<'static> {
    let analysis = &tree.analysis;
    match tree.rows[id].kind {
        RowKind::More { .. } => Line::styled(tree.label(id), theme.dim()),
        RowKind::Link { edge, node, cycle } => {
            let label = shifted(&tree.label(id), tree.shift);
            let numbers = numbers([
                format::distance(display_distance(tree.distance(node, edge))),
                format::bytes(u64::from(analysis.graph.self_size[node as usize])),
                format::bytes(analysis.dominators.retained[node as usize]),
            ]);
            let room = width.saturating_sub(NUMBERS + 1);
            let mut label: String = label.chars().take(room).collect();
            let pad = room.saturating_sub(label.chars().count());
            label.push_str(&" ".repeat(pad + 1));
            let style = if cycle {
                theme.dim()
            } else {
                ratatui::style::Style::new()
            };
            Line::from(vec![Span::styled(label, style), Span::raw(numbers)])
        }
    }
}

/// Distance, shallow and retained size, right-aligned in [`NUMBERS`] cells.
fn numbers([distance, shallow, retained]: [String; 3]) -> String {
    format!("{distance:>8} {shallow:>9} {retained:>9}")
}

/// `text` without its first `shift` characters, marked `…` where cut.
pub fn shifted(text: &str, shift: usize) -> String {
    if shift == 0 {
        return text.to_owned();
    }
    std::iter::once('…')
        .chain(text.chars().skip(shift))
        .collect()
}
