//! `Action`: what the user asked for, independent of the key that asked.

use serde::Deserialize;

/// A user intent. Keys map to actions through `assets/keymap.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    FocusNext,
    FocusPrevious,
    FocusSummary,
    FocusComparison,
    FocusRetainers,
    FocusDetails,
    FocusPreviousView,
    Jump,
    SwitchSnapshot,
    CycleTree,
    MoveDown,
    MoveUp,
    PageDown,
    PageUp,
    First,
    Last,
    Toggle,
    Expand,
    Collapse,
    Filter,
    SortNext,
    SortReverse,
    SortDelta,
    SortSizeDelta,
    ClearFilter,
    Accept,
    Cancel,
    DeleteChar,
}

impl Action {
    /// Every action, for the "each action is reachable" test.
    pub const ALL: [Action; 30] = [
        Action::Quit,
        Action::Help,
        Action::FocusNext,
        Action::FocusPrevious,
        Action::FocusSummary,
        Action::FocusComparison,
        Action::FocusRetainers,
        Action::FocusDetails,
        Action::FocusPreviousView,
        Action::Jump,
        Action::SwitchSnapshot,
        Action::CycleTree,
        Action::MoveDown,
        Action::MoveUp,
        Action::PageDown,
        Action::PageUp,
        Action::First,
        Action::Last,
        Action::Toggle,
        Action::Expand,
        Action::Collapse,
        Action::Filter,
        Action::SortNext,
        Action::SortReverse,
        Action::SortDelta,
        Action::SortSizeDelta,
        Action::ClearFilter,
        Action::Accept,
        Action::Cancel,
        Action::DeleteChar,
    ];
}
