//! The text prompts: the table's fuzzy filter, the tree's search and the
//! `@id` jump. A reopened prompt shows its old text selected, as fzf and
//! htop do: the first character typed replaces it, Backspace edits it,
//! Ctrl-u clears it.

use super::keymap::Key;
use super::object_tree::SearchStep;
use super::{App, Input, Pane};
use crate::format;

impl App {
    /// `/` on a table: the filter prompt, with the filter's text selected.
    pub(super) fn open_filter(&mut self) {
        self.input = Input::Filter;
        self.prompt_selected = !self.table().filter.is_empty();
    }

    /// `/` on the object tree: the search prompt, with the last search
    /// selected.
    pub(super) fn open_search(&mut self) {
        self.input = Input::Search(self.search.clone());
        self.prompt_selected = !self.search.is_empty();
    }

    /// `@`: the id prompt, empty.
    pub(super) fn open_jump(&mut self) {
        self.input = Input::Jump(String::new());
        self.prompt_selected = false;
    }

    /// A key no binding took: typed into the open prompt, replacing its
    /// text if that is selected.
    pub(super) fn type_key(&mut self, key: Key) {
        let Key::Char(c) = key else {
            return;
        };
        let replace = std::mem::take(&mut self.prompt_selected);
        match &mut self.input {
            Input::Filter => {
                let mut text = if replace {
                    String::new()
                } else {
                    self.table().filter.clone()
                };
                text.push(c);
                self.set_filter(&text);
            }
            Input::Search(text) => {
                if replace {
                    text.clear();
                }
                text.push(c);
            }
            Input::Jump(text) if c.is_ascii_digit() => text.push(c),
            Input::Jump(_) | Input::None => {}
        }
    }

    /// Backspace: edits the text (a selected text is kept, now unselected).
    pub(super) fn delete_char(&mut self) {
        self.prompt_selected = false;
        match &mut self.input {
            Input::Jump(text) | Input::Search(text) => {
                text.pop();
            }
            Input::Filter => {
                let mut text = self.table().filter.clone();
                text.pop();
                self.set_filter(&text);
            }
            Input::None => {}
        }
    }

    /// Ctrl-u: empties the prompt, which stays open.
    pub(super) fn clear_input(&mut self) {
        self.prompt_selected = false;
        match &mut self.input {
            Input::Jump(text) | Input::Search(text) => text.clear(),
            Input::Filter => self.set_filter(""),
            Input::None => {}
        }
    }

    pub(super) fn accept_input(&mut self) {
        self.prompt_selected = false;
        match std::mem::replace(&mut self.input, Input::None) {
            Input::Jump(text) => self.jump(&text),
            Input::Search(text) => {
                self.search = text;
                self.search_tree(SearchStep::First);
            }
            Input::Filter | Input::None => {}
        }
    }

    pub(super) fn cancel_input(&mut self) {
        self.prompt_selected = false;
        if self.input == Input::Filter {
            self.set_filter("");
        }
        self.input = Input::None;
    }

    /// Enter, `n`, `N`: selects the tree's next loaded row whose label
    /// holds the search text (any case), opening the rows above it.
    pub(super) fn search_tree(&mut self, step: SearchStep) {
        if self.search.is_empty() {
            self.status = Some("/ searches the tree first".into());
            return;
        }
        let shown = format::visible(&self.search).into_owned();
        let height = self.tree_height;
        let Some(tree) = &mut self.tree else {
            self.status = Some("select an object to search its tree".into());
            return;
        };
        self.focus = Pane::Retainers;
        self.status = Some(match tree.find(&self.search, step) {
            Some(found) => {
                tree.reveal(found.row, height);
                format!("\"{shown}\": match {} of {}", found.nth, found.of)
            }
            None => format!("no loaded row holds \"{shown}\" (open rows to search more)"),
        });
    }
}
