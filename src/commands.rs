//! The commands behind the command line: the headless reports and the
//! TUI. Each takes its snapshots from one [`LoadPlan`] (inputs opened once,
//! the preflight's verdict) and returns its report; `main` prints it.

mod diff;
mod objects;
mod plan;
mod reports;
mod summary;
mod trend;

use std::path::Path;

use anyhow::anyhow;

use crate::cli::{Cli, Command, DiffArgs, ReportFormat, SummaryArgs};
use crate::format;
use crate::snapshot::classes::SummaryColumn;
use crate::snapshot::views::diff::DiffColumn;
pub use plan::{Demand, LoadPlan};

/// Rows of a Markdown report unless `--top` says otherwise.
const MARKDOWN_TOP: usize = 10;

/// What a command produced: the report, and the `--fail-if` rules it
/// violated (printed on stderr after the report; exit status 1).
#[derive(Debug, Default)]
pub struct Outcome {
    pub report: String,
    pub violations: Vec<String>,
}

impl From<String> for Outcome {
    fn from(report: String) -> Self {
        Outcome {
            report,
            violations: Vec::new(),
        }
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let opens_tui = opens_tui();
    let mut plan = LoadPlan::new(Demand::of(&cli, opens_tui), cli.force, cli.timings)?;
    let Some(command) = cli.command else {
        return open(plan, cli.snapshots.len(), opens_tui).map(Outcome::from);
    };
    let plan = &mut plan;
    match command {
        Command::Summary(args) => summary::summary(args, plan).map(Outcome::from),
        Command::Diff(args) => diff::diff(args, plan),
        Command::Leaks(args) => reports::leaks(args, plan).map(Outcome::from),
        Command::Trend(args) => trend::trend(args, plan),
        Command::Node(args) => objects::node(args, plan).map(Outcome::from),
        Command::Retainers(args) => objects::retainers(args, plan).map(Outcome::from),
        Command::Stats(args) => reports::stats(args, plan).map(Outcome::from),
        Command::Duplicates(args) => reports::duplicates(args, plan).map(Outcome::from),
        Command::Dominators(args) => objects::dominators(args, plan).map(Outcome::from),
        Command::Containment(args) => objects::containment(args, plan).map(Outcome::from),
    }
}

/// `heaplens SNAPSHOT...` in a terminal opens the TUI (when built with it).
fn opens_tui() -> bool {
    use std::io::IsTerminal;
    cfg!(feature = "tui") && std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

/// Opens the TUI; without a terminal (output piped, a script, no `tui`
/// feature) prints the Summary or the Comparison instead.
fn open(plan: LoadPlan, count: usize, opens_tui: bool) -> anyhow::Result<String> {
    if count == 0 {
        return Err(anyhow!(
            "give one snapshot, a baseline and a target, or three or more snapshots S1 S2 S3 … (see --help)"
        ));
    }
    #[cfg(feature = "tui")]
    if opens_tui {
        crate::runtime::run(plan.into_inputs())?;
        return Ok(String::new());
    }
    let _ = opens_tui;
    open_headless(plan, count)
}

/// The text a terminal-less `heaplens SNAPSHOT...` prints: `summary ONE`
/// or `diff BASE TARGET --sort delta`.
fn open_headless(mut plan: LoadPlan, count: usize) -> anyhow::Result<String> {
    match count {
        1 => {
            let args = SummaryArgs {
                snapshot: plan.path(0).to_owned(),
                sort: SummaryColumn::Retained,
                top: None,
                filter: None,
                allocated_after: None,
                only: None,
                format: ReportFormat::Table,
            };
            summary::summary(args, &mut plan)
        }
        2 => {
            let args = DiffArgs {
                baseline: plan.path(0).to_owned(),
                target: plan.path(1).to_owned(),
                sort: Some(DiffColumn::Delta),
                top: None,
                filter: None,
                format: ReportFormat::Table,
                fail_if: Vec::new(),
            };
            diff::diff(args, &mut plan).map(|outcome| outcome.report)
        }
        _ => Err(anyhow!(
            "without a terminal, use `heaplens leaks S1 S2 S3` or `heaplens trend S1 S2 … SN` for three or more snapshots"
        )),
    }
}

/// A file's name for report headings (the path's last part), shown safely.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || format::path(path),
        |n| format::visible(&n.to_string_lossy()).into_owned(),
    )
}
