//! heaplens: read V8 heap snapshots with the numbers Chrome DevTools shows.
//!
//! `snapshot` is the headless engine (no UI dependency); `report` renders
//! its results as tables and JSON; `cli` is the command line.

pub mod cli;
pub mod commands;
pub mod format;
pub mod preflight;
pub mod report;
pub mod snapshot;

#[cfg(feature = "tui")]
pub mod app;
#[cfg(feature = "tui")]
pub mod loader;
#[cfg(feature = "tui")]
pub mod runtime;
#[cfg(feature = "tui")]
pub mod ui;
