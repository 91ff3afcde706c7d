//! Views: what the TUI and the headless commands show of analysed
//! snapshots. Each is a pure function of one or more [`Analysis`]
//! (crate::snapshot::Analysis) values: a new view never changes the load
//! pipeline, and the pipeline never depends on a view.

pub mod allocation;
pub mod collections;
pub mod compat;
pub mod containment;
pub mod diff;
pub mod duplicates;
pub mod gate;
pub mod growth;
pub mod leaks;
pub mod named_filters;
pub mod retainers;
pub mod statistics;
pub mod string_search;
pub mod tree;
pub mod trend;
