//! heaplens: read V8 heap snapshots with the numbers Chrome DevTools shows.
//!
//! The public API is what the binary, the benchmarks and the fuzz target
//! use: `snapshot`, the headless engine (no UI dependency); `report`, its
//! results as tables, JSON and Markdown; `cli` and `commands`, the command
//! line and what runs it. The rest is the crate's own (see
//! `docs/architecture.md`).

pub mod cli;
pub mod commands;
pub(crate) mod format;
pub(crate) mod preflight;
pub mod report;
pub mod snapshot;

#[cfg(feature = "tui")]
pub(crate) mod app;
#[cfg(feature = "tui")]
pub(crate) mod loader;
#[cfg(feature = "tui")]
pub(crate) mod runtime;
#[cfg(feature = "tui")]
pub(crate) mod ui;
