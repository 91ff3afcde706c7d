//! heaplens entry point: parse the command line, run a headless command or
//! the TUI, and turn every failure into one line on stderr and exit code 2.
//! `diff --fail-if` rules that hold exit with 1, after the report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, Context};
use clap::Parser;

use heaplens::cli::{
    Cli, Command, ContainmentArgs, DiffArgs, DiffSort, DominatorsArgs, DuplicatesArgs, Format,
    LeaksArgs, NodeArgs, ReportFormat, RetainersArgs, StatsArgs, SummaryArgs, SummarySort,
};
use heaplens::format as fmt;
use heaplens::preflight::Loading;
use heaplens::report::{self, DiffOrder, RowSelection, SummaryReport};
use heaplens::snapshot::classes::SummaryColumn;
use heaplens::snapshot::graph::HeapGraph;
use heaplens::snapshot::meta::Layout;
use heaplens::snapshot::progress::peak_rss_bytes;
use heaplens::snapshot::views::allocation::{allocated_summary, IdRange};
use heaplens::snapshot::views::diff::{compare, DiffColumn};
use heaplens::snapshot::views::gate::{violations, DiffMetrics, Violation};
use heaplens::snapshot::views::named_filters::named_summary;
use heaplens::snapshot::views::retainers::IgnoredRetainers;
use heaplens::snapshot::views::tree::TreeLimits;
use heaplens::snapshot::views::{compat, duplicates, growth, leaks, statistics};
use heaplens::snapshot::{self, Analysis, Reads, Schedule};

/// Rows of a Markdown report unless `--top` says otherwise.
const MARKDOWN_TOP: usize = 10;
/// Leak classes and duplicate groups a table shows unless `--top` says.
const LEAKS_TOP: usize = 10;
const DUPLICATES_TOP: usize = 20;
/// Rows a tree report prints at most, whatever the depth and fan-out.
const MAX_TREE_ROWS: usize = 10_000;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(outcome) => finish(&outcome),
        Err(e) => {
            eprintln!("heaplens: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// What a command produced: the report, and the `--fail-if` rules it
/// violated (printed on stderr after the report; exit status 1).
#[derive(Debug, Default)]
struct Outcome {
    report: String,
    violations: Vec<String>,
}

impl From<String> for Outcome {
    fn from(report: String) -> Self {
        Outcome {
            report,
            violations: Vec::new(),
        }
    }
}

fn finish(outcome: &Outcome) -> ExitCode {
    if !write_stdout(&outcome.report) {
        return ExitCode::from(2);
    }
    for line in &outcome.violations {
        eprintln!("heaplens: {line}");
    }
    if outcome.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes the report; a closed pipe (`| head`) is not an error.
fn write_stdout(output: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("heaplens: writing output: {e}");
            false
        }
        _ => true,
    }
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let timings = cli.timings;
    let (paths, allowed) = snapshot_paths(&cli);
    let loading = heaplens::preflight::check(&paths, allowed, cli.force)
        .map_err(|refusal| with_lighter_format(&cli, &paths, refusal))?;
    let Some(command) = cli.command else {
        return open(&cli.snapshots, timings, loading).map(Outcome::from);
    };
    match command {
        Command::Summary(args) => summary(args, timings, loading).map(Outcome::from),
        Command::Diff(args) => diff(args, timings, loading),
        Command::Leaks(args) => leaks_report(args, timings).map(Outcome::from),
        Command::Node(args) => node(args, timings).map(Outcome::from),
        Command::Retainers(args) => retainers(args, timings).map(Outcome::from),
        Command::Stats(args) => stats(args, timings).map(Outcome::from),
        Command::Duplicates(args) => duplicate_strings(args, timings).map(Outcome::from),
        Command::Dominators(args) => dominators(args, timings).map(Outcome::from),
        Command::Containment(args) => containment_view(args, timings).map(Outcome::from),
    }
}

fn summary(args: SummaryArgs, timings: bool, loading: Loading) -> anyhow::Result<String> {
    let (analysis, base) = match &args.allocated_after {
        Some(base) => {
            let (graph, analysis) = load_with_graph(base, &args.snapshot, timings)?;
            (analysis, Some(graph))
        }
        None => {
            let reads = if args.reads_only_rows() {
                Reads::SummaryRows
            } else {
                Reads::Everything
            };
            let schedule = match loading {
                Loading::OnePassAtATime => Schedule::OnePassAtATime,
                _ => Schedule::SideBySide,
            };
            (load_for(&args.snapshot, timings, reads, schedule)?, None)
        }
    };
    let range = base.map(|b| IdRange::between(&b, &analysis.graph));
    let filtered = match (range, args.only) {
        (Some(r), _) => Some(allocated_summary(analysis, r)),
        (None, Some(only)) => Some(named_summary(analysis, only)),
        (None, None) => None,
    };
    let classes = filtered.as_deref().unwrap_or(&analysis.aggregates);
    let column = summary_column(args.sort);
    let top = match args.format {
        ReportFormat::Markdown => Some(args.top.unwrap_or(MARKDOWN_TOP)),
        _ => args.top,
    };
    let selection = RowSelection {
        top,
        filter: args.filter,
    };
    let report = SummaryReport {
        analysis,
        classes,
        rows: report::summary_rows(classes, column, column.default_descending(), &selection),
        allocated: range,
        only: args.only,
    };
    Ok(match args.format {
        ReportFormat::Json => report::summary_json(&report),
        ReportFormat::Table => report::summary_table(&report),
        ReportFormat::Markdown => {
            let base_name = args.allocated_after.as_deref().map(file_name);
            report::summary_markdown(&report, &file_name(&args.snapshot), base_name.as_deref())
        }
    })
}

fn diff(args: DiffArgs, timings: bool, loading: Loading) -> anyhow::Result<Outcome> {
    // Only a Markdown report shows distances, and only the target's.
    let target_reads = if args.format == ReportFormat::Markdown {
        Reads::Everything
    } else {
        Reads::AllButDistances
    };
    let paths = [args.baseline.as_path(), args.target.as_path()];
    let (base, target) = load_for_comparison(paths, target_reads, loading, timings)?;
    warn_if_meta_differs(
        [&args.baseline, &args.target],
        [&base.graph.layout, &target.graph.layout],
    );
    let mut steps = Steps::new(timings);
    let diffs = steps.run("comparing classes", || compare(base, target));
    let retained = growth::retained_deltas(base, target, &diffs);
    let markdown = args.format == ReportFormat::Markdown;
    let default_sort = if markdown {
        DiffSort::Delta
    } else {
        DiffSort::AllocSize
    };
    // Markdown counts every changed class and cuts its tables itself.
    let selection = RowSelection {
        top: if markdown { None } else { args.top },
        filter: args.filter,
    };
    let order = diff_order(args.sort.unwrap_or(default_sort));
    let rows = report::diff_rows(&diffs, &retained, order, &selection);
    let holders = steps.run("finding top holders", || {
        report::top_holders(base, target, &rows, report::HOLDER_CLASSES)
    });
    let report = steps.run("writing the report", || match args.format {
        ReportFormat::Json => report::diff_json(&rows, target, &holders),
        ReportFormat::Table => report::diff_table(&rows, target, &holders),
        ReportFormat::Markdown => {
            let files = [file_name(&args.baseline), file_name(&args.target)];
            let top = args.top.unwrap_or(MARKDOWN_TOP);
            report::diff_markdown(base, target, &rows, [&files[0], &files[1]], top)
        }
    });
    steps.print(match loading {
        Loading::BaselineFirst => "the comparison (baseline loaded first, to fit in memory)",
        _ => "the comparison (snapshots loaded side by side)",
    });
    let metrics = DiffMetrics {
        diffs: &diffs,
        base,
        target,
    };
    let violations = violations(&args.fail_if, &metrics)
        .iter()
        .map(violation_line)
        .collect();
    Ok(Outcome { report, violations })
}

/// `--timings` for a command's own steps after its loads, to stderr.
struct Steps {
    shown: bool,
    lines: String,
    started: Instant,
}

impl Steps {
    fn new(shown: bool) -> Steps {
        Steps {
            shown,
            lines: String::new(),
            started: Instant::now(),
        }
    }

    fn run<T>(&mut self, label: &str, step: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = step();
        if self.shown {
            let line = report::timing_line(label, started.elapsed(), peak_rss_bytes());
            self.lines.push_str(&line);
        }
        out
    }

    fn print(&self, title: &str) {
        if self.shown {
            let total = report::timing_line("total (wall)", self.started.elapsed(), None);
            eprint!("timings for {title}:\n{}{total}", self.lines);
        }
    }
}

/// `--fail-if 'RULE' holds: METRIC(CLASS) = VALUE`, sizes also in DevTools units.
fn violation_line(v: &Violation) -> String {
    let subject = match &v.rule.class {
        Some(class) => format!("{}({class})", v.rule.metric.name()),
        None => v.rule.metric.name().to_owned(),
    };
    let value = if v.rule.metric.is_size() {
        format!("{} B ({})", v.actual, fmt::signed_bytes(v.actual))
    } else {
        v.actual.to_string()
    };
    format!("--fail-if '{}' holds: {subject} = {value}", v.rule)
}

fn leaks_report(args: LeaksArgs, timings: bool) -> anyhow::Result<String> {
    let (s1, s2, s3) = load_three(&args.s1, &args.s2, &args.s3, timings)?;
    let paths = [&args.s1, &args.s2, &args.s3];
    if !compat::same_meta(&s1.layout, &s2.layout) {
        warn_if_meta_differs([paths[0], paths[1]], [&s1.layout, &s2.layout]);
    } else {
        warn_if_meta_differs([paths[1], paths[2]], [&s2.layout, &s3.graph.layout]);
    }
    let selection = RowSelection {
        top: None,
        filter: args.filter,
    };
    let include = |n: u32| {
        (args.internals || !leaks::is_v8_internal(s3, n)) && selection.keeps(s3.class_name(n))
    };
    let found = leaks::find_leaks(&s1, &s2, s3, &include);
    let files = paths.map(|p| file_name(p));
    let files = [files[0].as_str(), files[1].as_str(), files[2].as_str()];
    Ok(match args.format {
        ReportFormat::Json => report::leaks_json(&found, s3, args.top.unwrap_or(usize::MAX)),
        ReportFormat::Table => {
            report::leaks_table(&found, s3, files, args.top.unwrap_or(LEAKS_TOP))
        }
        ReportFormat::Markdown => {
            report::leaks_markdown(&found, s3, files, args.top.unwrap_or(MARKDOWN_TOP))
        }
    })
}

fn node(args: NodeArgs, timings: bool) -> anyhow::Result<String> {
    let analysis = load(&args.snapshot, timings)?;
    let n = find_node(analysis, &args.id, &args.snapshot)?;
    let ignored = ignored_retainers(analysis, &args.ignore, &args.snapshot)?;
    Ok(match args.format {
        Format::Json => report::node_report_json(analysis, n, &ignored),
        Format::Table => report::node_report_table(analysis, n, &ignored),
    })
}

fn retainers(args: RetainersArgs, timings: bool) -> anyhow::Result<String> {
    let analysis = load(&args.snapshot, timings)?;
    let n = find_node(analysis, &args.id, &args.snapshot)?;
    let ignored = ignored_retainers(analysis, &args.ignore, &args.snapshot)?;
    let limits = tree_limits(args.depth, args.fan_out);
    Ok(report::retainers_report(
        analysis,
        n,
        limits,
        &ignored,
        args.format == Format::Json,
    ))
}

/// The Retainers view with the `--ignore` objects ignored.
fn ignored_retainers(
    analysis: &Analysis,
    ids: &[String],
    path: &Path,
) -> anyhow::Result<IgnoredRetainers> {
    let nodes = ids
        .iter()
        .map(|id| find_node(analysis, id, path))
        .collect::<anyhow::Result<Vec<u32>>>()?;
    Ok(IgnoredRetainers::new(analysis, nodes))
}

fn stats(args: StatsArgs, timings: bool) -> anyhow::Result<String> {
    let analysis = load(&args.snapshot, timings)?;
    let stats = statistics::statistics(analysis);
    Ok(match args.format {
        Format::Json => report::stats_json(&stats),
        Format::Table => format!(
            "Statistics of {}\n{}",
            file_name(&args.snapshot),
            report::stats_table(&stats)
        ),
    })
}

fn duplicate_strings(args: DuplicatesArgs, timings: bool) -> anyhow::Result<String> {
    let analysis = load(&args.snapshot, timings)?;
    let groups = duplicates::duplicated_strings(analysis);
    Ok(match args.format {
        Format::Json => report::duplicates_json(&groups, args.top.unwrap_or(usize::MAX)),
        Format::Table => report::duplicates_table(&groups, args.top.unwrap_or(DUPLICATES_TOP)),
    })
}

fn dominators(args: DominatorsArgs, timings: bool) -> anyhow::Result<String> {
    let analysis = load(&args.snapshot, timings)?;
    let n = match &args.id {
        Some(id) => find_node(analysis, id, &args.snapshot)?,
        None => analysis.graph.root,
    };
    let limits = tree_limits(args.depth, args.fan_out);
    let json = args.format == Format::Json;
    Ok(report::dominators_report(analysis, n, limits, json))
}

fn containment_view(args: ContainmentArgs, timings: bool) -> anyhow::Result<String> {
    let analysis = load(&args.snapshot, timings)?;
    let n = find_node(analysis, &args.id, &args.snapshot)?;
    let limits = tree_limits(args.depth, args.fan_out);
    let json = args.format == Format::Json;
    Ok(report::containment_report(analysis, n, limits, json))
}

/// One warning line when two snapshots come from different V8 versions.
fn warn_if_meta_differs(paths: [&Path; 2], layouts: [&Layout; 2]) {
    if !compat::same_meta(layouts[0], layouts[1]) {
        let [a, b] = paths.map(|p| p.display().to_string());
        eprintln!("heaplens: warning: {}", compat::meta_warning(&a, &b));
    }
}

/// A file's name for report headings (the path's last part).
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Opens the TUI; without a terminal (output piped, a script, no `tui`
/// feature) prints the Summary or the Comparison instead.
fn open(snapshots: &[PathBuf], timings: bool, loading: Loading) -> anyhow::Result<String> {
    if !(1..=3).contains(&snapshots.len()) {
        return Err(anyhow!(
            "give one snapshot, a baseline and a target, or three snapshots S1 S2 S3 (see --help)"
        ));
    }
    for path in snapshots {
        if path.as_os_str() != "-" && !path.exists() {
            return Err(anyhow!("{}: no such file", path.display()));
        }
    }
    #[cfg(feature = "tui")]
    if opens_tui() {
        heaplens::runtime::run(snapshots)?;
        return Ok(String::new());
    }
    open_headless(snapshots, timings, loading)
}

/// `heaplens SNAPSHOT...` in a terminal opens the TUI (when built with it).
fn opens_tui() -> bool {
    use std::io::IsTerminal;
    cfg!(feature = "tui") && std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

/// The text a terminal-less `heaplens SNAPSHOT...` prints.
fn open_headless(snapshots: &[PathBuf], timings: bool, loading: Loading) -> anyhow::Result<String> {
    match snapshots {
        // `summary ONE` and `diff BASE TARGET --sort delta`.
        [one] => {
            let args = SummaryArgs {
                snapshot: one.clone(),
                sort: SummarySort::Retained,
                top: None,
                filter: None,
                allocated_after: None,
                only: None,
                format: ReportFormat::Table,
            };
            summary(args, timings, loading)
        }
        [base, target] => {
            let args = DiffArgs {
                baseline: base.clone(),
                target: target.clone(),
                sort: Some(DiffSort::Delta),
                top: None,
                filter: None,
                format: ReportFormat::Table,
                fail_if: Vec::new(),
            };
            diff(args, timings, loading).map(|outcome| outcome.report)
        }
        _ => Err(anyhow!(
            "without a terminal, use `heaplens leaks S1 S2 S3` for three snapshots"
        )),
    }
}

/// Loads and analyses a snapshot for the rest of the process. A headless
/// command exits right after its report, and the OS takes the memory back
/// at once: freeing the analysis of a 1 GB snapshot array by array took
/// 0.18 s, so it is never freed.
fn load(path: &Path, timings: bool) -> anyhow::Result<&'static Analysis> {
    load_for(path, timings, Reads::Everything, Schedule::SideBySide)
}

/// [`load`] for a command that `reads` only some of the analysis.
fn load_for(
    path: &Path,
    timings: bool,
    reads: Reads,
    schedule: Schedule,
) -> anyhow::Result<&'static Analysis> {
    Ok(Box::leak(Box::new(load_owned(
        path, timings, reads, schedule,
    )?)))
}

fn load_owned(
    path: &Path,
    timings: bool,
    reads: Reads,
    schedule: Schedule,
) -> anyhow::Result<Analysis> {
    let loaded = snapshot::load_for(path, &mut |_| true, reads, schedule);
    let analysis = loaded.with_context(|| path.display().to_string())?;
    if timings {
        eprint!("{}", report::timings(path, &analysis.timings));
        if schedule == Schedule::OnePassAtATime {
            eprintln!("  (one pass at a time, to fit in memory)");
        }
    }
    Ok(analysis)
}

/// Parses a snapshot without analysing it: enough for ids and the meta.
fn parse_only(path: &Path) -> anyhow::Result<HeapGraph> {
    let source = snapshot::source::open(path).with_context(|| path.display().to_string())?;
    snapshot::parse::parse_snapshot(source, &mut |_| true)
        .with_context(|| path.display().to_string())
}

/// Parses `other` while `path` loads: loads are mostly sequential.
fn load_with_graph(
    other: &Path,
    path: &Path,
    timings: bool,
) -> anyhow::Result<(HeapGraph, &'static Analysis)> {
    let (g, a) = std::thread::scope(|s| {
        let g = s.spawn(|| parse_only(other));
        let a = load(path, timings);
        (g.join(), a)
    });
    let g = g.map_err(|_| anyhow!("the loader of {} panicked", other.display()))?;
    Ok((g?, a?))
}

/// S1 and S2 are only parsed (their ids and meta are all `leaks` needs).
fn load_three(
    s1: &Path,
    s2: &Path,
    s3: &Path,
    timings: bool,
) -> anyhow::Result<(HeapGraph, HeapGraph, &'static Analysis)> {
    let (g1, rest) = std::thread::scope(|s| {
        let g1 = s.spawn(|| parse_only(s1));
        let rest = load_with_graph(s2, s3, timings);
        (g1.join(), rest)
    });
    let g1 = g1.map_err(|_| anyhow!("the loader of {} panicked", s1.display()))?;
    let (g2, a3) = rest?;
    Ok((g1?, g2, a3))
}

/// The baseline, shed to what a comparison reads once loaded, and the
/// target, `target_reads` of it: side by side, or one after the other when
/// the preflight found too little memory for that (1 GB pair, JSON:
/// 6.3–7.6 s and 1.7–1.9 GB peak RSS side by side, 6.7–7.9 s and 1.46 GB
/// one after the other).
fn load_for_comparison(
    [base, target]: [&Path; 2],
    target_reads: Reads,
    loading: Loading,
    timings: bool,
) -> anyhow::Result<(&'static Analysis, &'static Analysis)> {
    let load_baseline = || {
        let mut baseline = load_owned(
            base,
            timings,
            Reads::ComparisonBaseline,
            Schedule::SideBySide,
        )?;
        baseline.shed_for_comparison();
        Ok::<_, anyhow::Error>(baseline)
    };
    let (baseline, target) = match loading {
        Loading::BaselineFirst => {
            let baseline = load_baseline()?;
            (
                Ok(Ok(baseline)),
                Ok(load_owned(
                    target,
                    timings,
                    target_reads,
                    Schedule::SideBySide,
                )),
            )
        }
        _ => std::thread::scope(|s| {
            let target_loaded =
                s.spawn(|| load_owned(target, timings, target_reads, Schedule::SideBySide));
            let baseline_loaded = s.spawn(load_baseline);
            let panicked = |path: &Path| anyhow!("the loader of {} panicked", path.display());
            (
                baseline_loaded.join().map_err(|_| panicked(base)),
                target_loaded.join().map_err(|_| panicked(target)),
            )
        }),
    };
    let baseline = baseline??;
    let mut target = target??;
    target.dominators.shed_child_lists();
    Ok((Box::leak(Box::new(baseline)), Box::leak(Box::new(target))))
}

/// A refused Markdown Summary says when its JSON or table would fit (those
/// read only the class rows, and can run one pass at a time).
fn with_lighter_format(cli: &Cli, paths: &[PathBuf], refusal: anyhow::Error) -> anyhow::Error {
    let markdown_summary = matches!(
        &cli.command,
        Some(Command::Summary(a)) if a.format == ReportFormat::Markdown
            && a.allocated_after.is_none() && a.only.is_none()
    );
    let rows_fit = || heaplens::preflight::check(paths, Loading::OnePassAtATime, false).is_ok();
    if markdown_summary && rows_fit() {
        anyhow!("{refusal} (as JSON or a table it would fit)")
    } else {
        refusal
    }
}

/// Every snapshot the command will load, and whether it may load the
/// first alone before the others (for the preflight).
fn snapshot_paths(cli: &Cli) -> (Vec<PathBuf>, Loading) {
    let one = |path: &PathBuf| (vec![path.clone()], Loading::Together);
    let Some(command) = &cli.command else {
        // Without the TUI, one snapshot is summed up as by `summary` and
        // two are compared as by `diff`.
        let loading = match cli.snapshots.len() {
            _ if opens_tui() => Loading::Together,
            1 => Loading::OnePassAtATime,
            2 => Loading::BaselineFirst,
            _ => Loading::Together,
        };
        return (cli.snapshots.clone(), loading);
    };
    match command {
        Command::Summary(a) => {
            let paths = std::iter::once(&a.snapshot).chain(&a.allocated_after);
            let loading = if a.reads_only_rows() {
                Loading::OnePassAtATime
            } else {
                Loading::Together
            };
            (paths.cloned().collect(), loading)
        }
        Command::Diff(a) => (
            vec![a.baseline.clone(), a.target.clone()],
            Loading::BaselineFirst,
        ),
        Command::Leaks(a) => (
            vec![a.s1.clone(), a.s2.clone(), a.s3.clone()],
            Loading::Together,
        ),
        Command::Node(a) => one(&a.snapshot),
        Command::Retainers(a) => one(&a.snapshot),
        Command::Stats(a) => one(&a.snapshot),
        Command::Duplicates(a) => one(&a.snapshot),
        Command::Dominators(a) => one(&a.snapshot),
        Command::Containment(a) => one(&a.snapshot),
    }
}

/// Tree limits from `--depth` and `--fan-out`, with the row budget.
fn tree_limits(depth: usize, fan_out: usize) -> TreeLimits {
    TreeLimits {
        depth,
        fan_out,
        max_rows: MAX_TREE_ROWS,
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

fn diff_order(sort: DiffSort) -> DiffOrder {
    DiffOrder::Column(match sort {
        DiffSort::New => DiffColumn::New,
        DiffSort::Deleted => DiffColumn::Deleted,
        DiffSort::Delta => DiffColumn::Delta,
        DiffSort::AllocSize => DiffColumn::AllocSize,
        DiffSort::FreedSize => DiffColumn::FreedSize,
        DiffSort::SizeDelta => DiffColumn::SizeDelta,
        DiffSort::Name => DiffColumn::Name,
        DiffSort::RetainedDelta => return DiffOrder::RetainedDelta,
    })
}
