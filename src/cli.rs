//! Command-line interface (clap derive): the TUI by default, headless
//! subcommands for scripts, CI and incident notes.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Read V8 heap snapshots (.heapsnapshot, .heapsnapshot.gz) with the numbers
/// Chrome DevTools shows.
#[derive(Debug, Parser)]
#[command(
    name = "heaplens",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// One snapshot, or BASELINE TARGET (older first, like `diff OLD NEW`).
    #[arg(value_name = "SNAPSHOT", num_args = 0..=2)]
    pub snapshots: Vec<PathBuf>,
    /// Print per-stage load times to stderr.
    #[arg(long, global = true)]
    pub timings: bool,
    /// Load even when the memory estimate exceeds the memory available
    /// (the limit is the tightest of free memory, the cgroup limit and
    /// HEAPLENS_MAX_MEMORY).
    #[arg(long, global = true)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Class Summary: count, shallow size, retained size, distance.
    Summary {
        snapshot: PathBuf,
        #[arg(long, value_enum, default_value_t = SummarySort::Retained)]
        sort: SummarySort,
        /// Show only the first N classes.
        #[arg(long)]
        top: Option<usize>,
        /// Keep classes whose name contains TEXT (case-insensitive).
        #[arg(long)]
        filter: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Comparison of BASELINE → TARGET: new, deleted and delta per class.
    Diff {
        baseline: PathBuf,
        target: PathBuf,
        #[arg(long, value_enum, default_value_t = DiffSort::AllocSize)]
        sort: DiffSort,
        #[arg(long)]
        top: Option<usize>,
        #[arg(long)]
        filter: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One object and its retainers, as DevTools' Retainers grid lists them.
    Node {
        snapshot: PathBuf,
        /// The object's id, as `@123` or `123`.
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The retainer tree of an object toward the GC roots.
    Retainers {
        snapshot: PathBuf,
        id: String,
        /// Levels to expand.
        #[arg(long, default_value_t = 8)]
        depth: usize,
        /// Retainers shown per object.
        #[arg(long, default_value_t = 5)]
        fan_out: usize,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummarySort {
    Retained,
    Shallow,
    Count,
    Distance,
    Name,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffSort {
    New,
    Deleted,
    Delta,
    AllocSize,
    FreedSize,
    SizeDelta,
    Name,
}
