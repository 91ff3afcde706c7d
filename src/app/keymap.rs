//! Keys as data: `assets/keymap.toml` maps (context, key) to an [`Action`];
//! the help overlay and the footer are generated from the same file.

use std::collections::HashMap;

use serde::Deserialize;

use super::action::Action;

/// A key press, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Up,
    Down,
    Left,
    Right,
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    PageUp,
    PageDown,
    Home,
    End,
}

impl Key {
    /// Parses the keymap notation: `q`, `<C-c>`, `<Enter>`…
    pub fn parse(text: &str) -> Option<Key> {
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Some(Key::Char(c));
        }
        let inner = text.strip_prefix('<')?.strip_suffix('>')?;
        if let Some(c) = inner.strip_prefix("C-") {
            let mut chars = c.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) => Some(Key::Ctrl(c)),
                _ => None,
            };
        }
        Some(match inner {
            "Up" => Key::Up,
            "Down" => Key::Down,
            "Left" => Key::Left,
            "Right" => Key::Right,
            "Enter" => Key::Enter,
            "Esc" => Key::Esc,
            "Tab" => Key::Tab,
            "BackTab" => Key::BackTab,
            "Backspace" => Key::Backspace,
            "PageUp" => Key::PageUp,
            "PageDown" => Key::PageDown,
            "Home" => Key::Home,
            "End" => Key::End,
            _ => return None,
        })
    }

    /// How help and the footer write the key.
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{c}"),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Left => "←".into(),
            Key::Right => "→".into(),
            Key::Enter => "Enter".into(),
            Key::Esc => "Esc".into(),
            Key::Tab => "Tab".into(),
            Key::BackTab => "Shift-Tab".into(),
            Key::Backspace => "Backspace".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "Home".into(),
            Key::End => "End".into(),
        }
    }
}

/// Where a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Table,
    Retainers,
    Input,
}

impl Context {
    pub const ALL: [Context; 4] = [
        Context::Global,
        Context::Table,
        Context::Retainers,
        Context::Input,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Table => "Table views",
            Context::Retainers => "Object tree (Retainers, Containment, Dominated)",
            Context::Input => "Filter, search and @id prompts",
        }
    }

    fn section(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Table => "table",
            Context::Retainers => "retainers",
            Context::Input => "input",
        }
    }
}

/// One binding as the help screen lists it.
#[derive(Debug, Clone)]
pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub desc: String,
    pub hint: Option<String>,
}

#[derive(Deserialize)]
struct Section {
    bindings: Vec<RawBinding>,
}

#[derive(Deserialize)]
struct RawBinding {
    on: String,
    action: Action,
    desc: String,
    hint: Option<String>,
}

/// The parsed key map.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: HashMap<Context, Vec<Binding>>,
}

/// The default bindings, compiled in.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

impl Keymap {
    /// Parses a key map file.
    pub fn parse(text: &str) -> Result<Keymap, String> {
        let sections: HashMap<String, Section> = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut bindings = HashMap::new();
        for context in Context::ALL {
            let Some(section) = sections.get(context.section()) else {
                continue;
            };
            let mut list = Vec::new();
            for raw in &section.bindings {
                let key = Key::parse(&raw.on).ok_or_else(|| format!("unknown key {:?}", raw.on))?;
                list.push(Binding {
                    key,
                    action: raw.action,
                    desc: raw.desc.clone(),
                    hint: raw.hint.clone(),
                });
            }
            bindings.insert(context, list);
        }
        Ok(Keymap { bindings })
    }

    /// The compiled-in defaults.
    pub fn default_keys() -> Keymap {
        Keymap::parse(DEFAULT_KEYMAP).unwrap_or_else(|e| panic!("assets/keymap.toml is valid: {e}"))
    }

    /// The action for `key` in `context`, falling back to the global keys
    /// (except in text input, where unbound keys are typed).
    pub fn resolve(&self, context: Context, key: Key) -> Option<Action> {
        let find = |c: Context| {
            self.bindings
                .get(&c)
                .and_then(|list| list.iter().find(|b| b.key == key))
                .map(|b| b.action)
        };
        match context {
            Context::Input => find(Context::Input),
            Context::Global => find(Context::Global),
            pane => find(pane).or_else(|| find(Context::Global)),
        }
    }

    /// The bindings of one context, in file order.
    pub fn bindings(&self, context: Context) -> &[Binding] {
        self.bindings.get(&context).map_or(&[], Vec::as_slice)
    }

    /// Footer hints for a context: (key, hint) of bindings that have one.
    pub fn hints(&self, context: Context) -> Vec<(String, String)> {
        let mut hints: Vec<(String, String)> = self
            .bindings(context)
            .iter()
            .chain(match context {
                Context::Input | Context::Global => &[][..],
                _ => self.bindings(Context::Global),
            })
            .filter_map(|b| b.hint.as_ref().map(|h| (b.key.label(), h.clone())))
            .collect();
        hints.dedup_by(|a, b| a.1 == b.1);
        hints
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_action_is_reachable() {
        let keymap = Keymap::default_keys();
        let bound: HashSet<Action> = Context::ALL
            .iter()
            .flat_map(|&c| keymap.bindings(c).iter().map(|b| b.action))
            .collect();
        for action in Action::ALL {
            assert!(bound.contains(&action), "{action:?} has a key");
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_a_context() {
        let keymap = Keymap::default_keys();
        for context in Context::ALL {
            let mut seen = HashSet::new();
            for b in keymap.bindings(context) {
                assert!(seen.insert(b.key), "{:?} bound twice in {context:?}", b.key);
            }
        }
    }

    #[test]
    fn pane_keys_win_over_global_ones() {
        let keymap = Keymap::default_keys();
        assert_eq!(
            keymap.resolve(Context::Table, Key::Char('j')),
            Some(Action::MoveDown)
        );
        assert_eq!(
            keymap.resolve(Context::Table, Key::Enter),
            Some(Action::Toggle)
        );
        assert_eq!(
            keymap.resolve(Context::Input, Key::Char('j')),
            None,
            "j is typed in a prompt"
        );
        assert_eq!(Key::parse("<C-c>"), Some(Key::Ctrl('c')));
        assert_eq!(Key::parse("<Nope>"), None);
    }
}
