//! heaplens entry point: parse the command line, run a headless command or
//! the TUI, and turn every failure into one line on stderr and exit code 2.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Parser;

use heaplens::cli::{Cli, Command, DiffSort, Format, SummarySort};
use heaplens::report::{self, RowSelection};
use heaplens::snapshot::classes::SummaryColumn;
use heaplens::snapshot::diff::{compare, DiffColumn};
use heaplens::snapshot::retainers::TreeLimits;
use heaplens::snapshot::{self, Analysis};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(output) => write_stdout(&output),
        Err(e) => {
            eprintln!("heaplens: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Writes the report; a closed pipe (`| head`) is not an error.
fn write_stdout(output: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("heaplens: writing output: {e}");
            ExitCode::from(2)
        }
        _ => ExitCode::SUCCESS,
    }
}

fn run(cli: Cli) -> anyhow::Result<String> {
    let timings = cli.timings;
    heaplens::preflight::check(&snapshot_paths(&cli), cli.force)?;
    match cli.command {
        Some(Command::Summary {
            snapshot,
            sort,
            top,
            filter,
            format,
        }) => {
            let analysis = load(&snapshot, timings)?;
            let column = summary_column(sort);
            let rows = report::summary_rows(
                &analysis,
                column,
                column.default_descending(),
                &RowSelection { top, filter },
            );
            Ok(match format {
                Format::Json => report::summary_json(&analysis, &rows),
                Format::Table => report::summary_table(&analysis, &rows),
            })
        }
        Some(Command::Diff {
            baseline,
            target,
            sort,
            top,
            filter,
            format,
        }) => {
            let (base, target) = load_pair(&baseline, &target, timings)?;
            let diffs = compare(&base, &target);
            let column = diff_column(sort);
            let rows = report::diff_rows(
                &diffs,
                column,
                column.default_descending(),
                &RowSelection { top, filter },
            );
            Ok(match format {
                Format::Json => report::diff_json(&rows),
                Format::Table => report::diff_table(&rows),
            })
        }
        Some(Command::Node {
            snapshot,
            id,
            format,
        }) => {
            let analysis = load(&snapshot, timings)?;
            let n = find_node(&analysis, &id, &snapshot)?;
            Ok(match format {
                Format::Json => report::node_report_json(&analysis, n),
                Format::Table => report::node_report_table(&analysis, n),
            })
        }
        Some(Command::Retainers {
            snapshot,
            id,
            depth,
            fan_out,
            format,
        }) => {
            let analysis = load(&snapshot, timings)?;
            let n = find_node(&analysis, &id, &snapshot)?;
            let limits = TreeLimits {
                depth,
                fan_out,
                max_rows: 10_000,
            };
            Ok(report::retainers_report(
                &analysis,
                n,
                limits,
                format == Format::Json,
            ))
        }
        None => open(&cli.snapshots, timings),
    }
}

#[cfg(feature = "tui")]
fn open(snapshots: &[std::path::PathBuf], _timings: bool) -> anyhow::Result<String> {
    if !(1..=2).contains(&snapshots.len()) {
        return Err(anyhow!(
            "give one snapshot, or a baseline and a target (see --help)"
        ));
    }
    for path in snapshots {
        if path.as_os_str() != "-" && !path.exists() {
            return Err(anyhow!("{}: no such file", path.display()));
        }
    }
    heaplens::runtime::run(snapshots)?;
    Ok(String::new())
}

/// Without the TUI, opening snapshots prints the Summary or the Comparison.
#[cfg(not(feature = "tui"))]
fn open(snapshots: &[std::path::PathBuf], timings: bool) -> anyhow::Result<String> {
    match snapshots {
        [one] => {
            let analysis = load(one, timings)?;
            let rows = report::summary_rows(
                &analysis,
                SummaryColumn::Retained,
                true,
                &RowSelection::default(),
            );
            Ok(report::summary_table(&analysis, &rows))
        }
        [base, target] => {
            let (base, target) = load_pair(base, target, timings)?;
            let diffs = compare(&base, &target);
            let rows = report::diff_rows(&diffs, DiffColumn::Delta, true, &RowSelection::default());
            Ok(report::diff_table(&rows))
        }
        _ => Err(anyhow!(
            "give one snapshot, or a baseline and a target (see --help)"
        )),
    }
}

fn load(path: &Path, timings: bool) -> anyhow::Result<Analysis> {
    let analysis =
        snapshot::load(path, &mut |_| true).with_context(|| path.display().to_string())?;
    if timings {
        eprint!("{}", report::timings(path, &analysis.timings));
    }
    Ok(analysis)
}

/// Loads baseline and target side by side: each load is mostly sequential.
fn load_pair(base: &Path, target: &Path, timings: bool) -> anyhow::Result<(Analysis, Analysis)> {
    let (b, t) = std::thread::scope(|s| {
        let b = s.spawn(|| load(base, timings));
        let t = load(target, timings);
        (b.join(), t)
    });
    let b = b.map_err(|_| anyhow!("the baseline loader panicked"))?;
    Ok((b?, t?))
}

/// Every snapshot the command will load (all at once, for the preflight).
fn snapshot_paths(cli: &Cli) -> Vec<std::path::PathBuf> {
    match &cli.command {
        Some(
            Command::Summary { snapshot, .. }
            | Command::Node { snapshot, .. }
            | Command::Retainers { snapshot, .. },
        ) => {
            vec![snapshot.clone()]
        }
        Some(Command::Diff {
            baseline, target, ..
        }) => vec![baseline.clone(), target.clone()],
        None => cli.snapshots.clone(),
    }
}

fn find_node(analysis: &Analysis, id: &str, path: &Path) -> anyhow::Result<u32> {
    let number: u64 = id
        .trim_start_matches('@')
        .parse()
        .map_err(|_| anyhow!("{id:?} is not a node id (expected @123 or 123)"))?;
    analysis
        .node_by_id(number)
        .ok_or_else(|| anyhow!("{}: no object with id @{number}", path.display()))
}

fn summary_column(sort: SummarySort) -> SummaryColumn {
    match sort {
        SummarySort::Retained => SummaryColumn::Retained,
        SummarySort::Shallow => SummaryColumn::Shallow,
        SummarySort::Count => SummaryColumn::Count,
        SummarySort::Distance => SummaryColumn::Distance,
        SummarySort::Name => SummaryColumn::Name,
    }
}

fn diff_column(sort: DiffSort) -> DiffColumn {
    match sort {
        DiffSort::New => DiffColumn::New,
        DiffSort::Deleted => DiffColumn::Deleted,
        DiffSort::Delta => DiffColumn::Delta,
        DiffSort::AllocSize => DiffColumn::AllocSize,
        DiffSort::FreedSize => DiffColumn::FreedSize,
        DiffSort::SizeDelta => DiffColumn::SizeDelta,
        DiffSort::Name => DiffColumn::Name,
    }
}
