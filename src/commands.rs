//! The commands behind the command line: the headless reports and the
//! TUI. Each takes its snapshots from one [`LoadPlan`] (inputs opened once,
//! the preflight's verdict) and returns its report, or how the TUI ended;
//! `main` prints it and picks the exit status.

mod collections;
mod diff;
mod indexes;
mod objects;
mod plan;
mod reports;
mod strings;
mod summary;
mod trend;

use std::fmt::Display;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::CommandFactory;

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

/// How a TUI session ended.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SessionEnd {
    /// The signal that ended it (SIGTERM, SIGHUP, SIGINT; Ctrl-c counts as
    /// SIGINT), or None when the user quit.
    pub signal: Option<i32>,
    /// The loads that failed, one line each, as the TUI showed them:
    /// repeated on stderr once the terminal is restored.
    pub failed: Vec<String>,
    /// Ids copied with `y`, oldest first: printed on stdout once the
    /// terminal is restored, for a terminal without a clipboard.
    pub yanked: Vec<u64>,
}

impl SessionEnd {
    /// `copied @ID` lines for stdout, one per id copied.
    pub fn yanked_report(&self) -> String {
        self.yanked
            .iter()
            .map(|id| format!("copied @{id}\n"))
            .collect()
    }
}

impl SessionEnd {
    /// 128 + the signal, as a shell reports a process the signal killed;
    /// else 2 when a load failed; else 0.
    pub fn exit_status(&self) -> u8 {
        match self.signal {
            Some(signal) => u8::try_from(128 + signal).unwrap_or(2),
            None if self.failed.is_empty() => 0,
            None => 2,
        }
    }
}

/// What running the command line left to do.
#[derive(Debug)]
pub enum Finished {
    /// A report to print (every command, and `heaplens SNAPSHOT...`
    /// without a terminal).
    Report(Outcome),
    /// The TUI ran; the terminal is restored.
    Session(SessionEnd),
}

/// Writes `heaplens: LINE` on stderr. A closed or full stderr drops the
/// line (`eprintln!` would panic: exit status 101 instead of ours).
/// Shown as by `format::visible`, so it stays one line whatever it holds.
pub fn tell(line: impl Display) {
    let line = line.to_string();
    let _ = writeln!(
        std::io::stderr().lock(),
        "heaplens: {}",
        format::visible(&line)
    );
}

/// Writes `text` (the `--timings` tables) on stderr, dropped as by [`tell`].
pub fn to_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<Finished> {
    match &cli.command {
        Some(Command::Completions(args)) => {
            return Ok(Finished::Report(completions(args.shell).into()))
        }
        Some(Command::Man) => return man().map(|page| Finished::Report(page.into())),
        _ => {}
    }
    crate::report::set_width(table_width(cli.width));
    let screen = Screen::of_this_process();
    let opens_tui = screen == Screen::Tui;
    let demand = Demand::of(&cli, opens_tui);
    if cli.command.is_none() {
        if let Some(hint) = subcommand_typo(&cli.snapshots) {
            return Err(hint);
        }
    }
    let mut plan = LoadPlan::new(demand, cli.force, cli.timings, cli.quiet)?;
    let Some(command) = cli.command else {
        return open(plan, cli.snapshots.len(), &screen);
    };
    let plan = &mut plan;
    run_command(command, plan).map(Finished::Report)
}

fn run_command(command: Command, plan: &mut LoadPlan) -> anyhow::Result<Outcome> {
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
        Command::Collections(args) => collections::collections(args, plan).map(Outcome::from),
        Command::Strings(args) => strings::strings(args, plan).map(Outcome::from),
        Command::Index(args) => indexes::index(args, plan).map(Outcome::from),
        Command::Completions(_) | Command::Man => Ok(Outcome::default()),
    }
}

/// `heaplens sumary f` reads as a snapshot named `sumary`: when no such
/// file exists and the name is a subcommand's but for a letter or two,
/// say which was meant.
fn subcommand_typo(snapshots: &[PathBuf]) -> Option<anyhow::Error> {
    let first = snapshots.first()?;
    if first.exists() || first.as_os_str() == "-" {
        return None;
    }
    let typed = first.to_str()?;
    let command = Cli::command();
    let meant = command
        .get_subcommands()
        .map(clap::Command::get_name)
        .filter(|name| strsim::damerau_levenshtein(typed, name) <= 2)
        .min_by_key(|name| strsim::damerau_levenshtein(typed, name))?;
    Some(anyhow!(
        "{}: no such file; did you mean the subcommand `heaplens {meant}`? (see --help)",
        format::visible(typed)
    ))
}

/// Columns headless tables fit: `--width`, else the terminal's, else
/// `$COLUMNS`, else a width that keeps a piped report readable.
fn table_width(asked: Option<usize>) -> Option<usize> {
    const DEFAULT: usize = 160;
    let terminal =
        || terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0));
    let columns = || std::env::var("COLUMNS").ok()?.trim().parse().ok();
    Some(asked.or_else(terminal).or_else(columns).unwrap_or(DEFAULT))
}

/// `heaplens completions SHELL`.
fn completions(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "heaplens", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `heaplens man`: the roff manual page.
fn man() -> anyhow::Result<String> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Where `heaplens SNAPSHOT...` shows the snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    /// The TUI: a terminal on both ends, and built with it.
    Tui,
    /// Printed tables: output piped, a script, no `tui` feature.
    Text,
    /// A terminal that cannot draw (`TERM=dumb`, or no TERM): printed
    /// tables, after a line saying why.
    Dumb(String),
}

impl Screen {
    fn of_this_process() -> Screen {
        use std::io::IsTerminal;
        let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
        if !(cfg!(feature = "tui") && terminal) {
            return Screen::Text;
        }
        match Screen::cannot_draw(std::env::var_os("TERM").as_deref()) {
            Some(why) => Screen::Dumb(why),
            None => Screen::Tui,
        }
    }

    /// Why a terminal with this `TERM` cannot draw the interface, if it
    /// cannot. Without TERM (an empty environment, a cron job on a tty)
    /// nothing says the terminal understands escape sequences; Windows
    /// consoles have no TERM and draw.
    fn cannot_draw(term: Option<&std::ffi::OsStr>) -> Option<String> {
        match term {
            Some(term) if term == "dumb" => Some("TERM=dumb".into()),
            Some(term) if term.is_empty() && cfg!(unix) => Some("TERM is empty".into()),
            None if cfg!(unix) => Some("TERM is not set".into()),
            _ => None,
        }
    }
}

/// Opens the TUI; without a terminal that can draw it (output piped, a
/// script, `TERM=dumb`, no `tui` feature) prints the Summary or the
/// Comparison instead.
fn open(plan: LoadPlan, count: usize, screen: &Screen) -> anyhow::Result<Finished> {
    if count == 0 {
        return Err(anyhow!(
            "give one snapshot, a baseline and a target, or three or more snapshots S1 S2 S3 … (see --help)"
        ));
    }
    match screen {
        #[cfg(feature = "tui")]
        Screen::Tui => return crate::runtime::run(plan.into_loads()).map(Finished::Session),
        Screen::Dumb(why) => {
            let instead = match count {
                1 => "; printing the Summary instead",
                2 => "; printing the Comparison instead",
                _ => "",
            };
            tell(format_args!(
                "{why}: the terminal cannot draw the interface{instead}"
            ));
        }
        _ => {}
    }
    open_headless(plan, count).map(|report| Finished::Report(report.into()))
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
                internals: false,
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

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::*;

    #[test]
    fn a_session_exits_with_128_plus_its_signal_else_2_for_a_failed_load() {
        let end = |signal, failed: &[&str]| SessionEnd {
            signal,
            failed: failed.iter().map(|&f| f.to_owned()).collect(),
            yanked: Vec::new(),
        };
        assert_eq!(end(None, &[]).exit_status(), 0);
        assert_eq!(end(None, &["a: truncated"]).exit_status(), 2);
        assert_eq!(end(Some(2), &[]).exit_status(), 130);
        assert_eq!(end(Some(15), &["a: truncated"]).exit_status(), 143);
        assert_eq!(end(Some(1), &[]).exit_status(), 129);
    }

    #[test]
    fn dumb_or_missing_term_cannot_draw() {
        assert_eq!(
            Screen::cannot_draw(Some(OsStr::new("dumb"))).as_deref(),
            Some("TERM=dumb")
        );
        assert_eq!(
            Screen::cannot_draw(Some(OsStr::new("xterm-256color"))),
            None
        );
        assert_eq!(Screen::cannot_draw(Some(OsStr::new("tmux-256color"))), None);
        if cfg!(unix) {
            assert_eq!(
                Screen::cannot_draw(None).as_deref(),
                Some("TERM is not set")
            );
            assert_eq!(
                Screen::cannot_draw(Some(OsStr::new(""))).as_deref(),
                Some("TERM is empty")
            );
        }
    }
}
