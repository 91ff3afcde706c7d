//! The front door: the command line resolved once into what to load and
//! how. Every input is opened once ([`SnapshotInput`]: gzip recognised and
//! the header read there), then the memory preflight picks the loading,
//! and the commands take their snapshots from the plan by position.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use std::io::IsTerminal;

use anyhow::{anyhow, Context};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::cli::{Cli, Command};
use crate::format;
use crate::preflight::{self, Loading};
use crate::report;
use crate::snapshot::class_rows::ClassRows;
use crate::snapshot::graph::HeapGraph;
use crate::snapshot::index::{ComparisonHead, IndexFile, Need, Role};
use crate::snapshot::source::Warnings;
use crate::snapshot::{self, parse, Analysis, Progress, Reads, SnapshotInput, Stage};

use super::diff::Compared;
use super::indexes;

/// What a command will load, from its arguments alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demand {
    /// In the order the command takes them.
    pub paths: Vec<PathBuf>,
    /// The lightest loading the command can run with.
    pub allowed: Loading,
    /// A Markdown Summary: refused for memory, it says whether its JSON or
    /// table (the class rows only) would fit.
    pub markdown_summary: bool,
    /// `--index` files, each to be matched to one of `paths`.
    pub indexes: Vec<PathBuf>,
}

impl Demand {
    pub fn of(cli: &Cli, opens_tui: bool) -> Demand {
        let (paths, allowed) = match &cli.command {
            // Without the TUI, one snapshot is summed up as by `summary` and
            // two are compared as by `diff`.
            None => {
                let allowed = match cli.snapshots.len() {
                    _ if opens_tui => Loading::Together,
                    1 => Loading::RowsOnly,
                    2 => Loading::BaselineFirst,
                    _ => Loading::Together,
                };
                (cli.snapshots.clone(), allowed)
            }
            Some(command) => {
                let allowed = match command {
                    Command::Summary(a) if a.reads_only_rows() => Loading::RowsOnly,
                    Command::Diff(_) | Command::Collections(_) => Loading::BaselineFirst,
                    // Each snapshot is reduced to its class rows once loaded.
                    Command::Trend(_) => Loading::AtMost(1),
                    _ => Loading::Together,
                };
                let paths = command.snapshots().into_iter().map(Path::to_owned);
                (paths.collect(), allowed)
            }
        };
        let markdown_summary = matches!(
            &cli.command,
            Some(Command::Summary(a)) if a.format == crate::cli::ReportFormat::Markdown
                && a.allocated_after.is_none() && a.only.is_none()
        );
        Demand {
            paths,
            allowed,
            markdown_summary,
            indexes: cli.indexes.clone(),
        }
    }
}

/// The opened inputs and how to load them.
pub struct LoadPlan {
    inputs: Vec<Option<SnapshotInput>>,
    /// The index of each input, where `--index` gave one.
    indexes: Vec<Option<Arc<IndexFile>>>,
    paths: Vec<PathBuf>,
    pub loading: Loading,
    pub timings: bool,
    /// A progress line per load on stderr, when it is a terminal.
    bars: Option<MultiProgress>,
}

impl LoadPlan {
    /// Opens every input once (standard input at most once), then asks the
    /// preflight whether and how they fit.
    pub fn new(
        demand: Demand,
        force: bool,
        timings: bool,
        quiet: bool,
    ) -> anyhow::Result<LoadPlan> {
        let stdin_uses = demand.paths.iter().filter(|p| p.as_os_str() == "-").count();
        if stdin_uses > 1 {
            return Err(anyhow!(
                "-: standard input is given {stdin_uses} times, but it can be read only once"
            ));
        }
        let inputs = demand
            .paths
            .iter()
            .map(|path| SnapshotInput::open(path).with_context(|| format::path(path)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let indexes = indexes::match_indexes(&demand.indexes, &demand.paths)?;
        // An index load needs no estimate; with a snapshot still to
        // analyse, all are counted (an upper bound).
        let preflight = match indexes.iter().all(Option::is_some) && !indexes.is_empty() {
            true => Ok(Loading::Together),
            false => preflight::check(&inputs, demand.allowed, force),
        };
        let loading = match preflight {
            Ok(loading) => loading,
            Err(refusal) if demand.markdown_summary => {
                let rows_fit = preflight::check(&inputs, Loading::RowsOnly, false).is_ok();
                return Err(if rows_fit {
                    anyhow!("{refusal} (as JSON or a table it would fit)")
                } else {
                    refusal
                });
            }
            Err(refusal) => return Err(refusal),
        };
        Ok(LoadPlan {
            inputs: inputs.into_iter().map(Some).collect(),
            indexes,
            paths: demand.paths,
            loading,
            timings,
            bars: (!quiet && std::io::stderr().is_terminal()).then(MultiProgress::new),
        })
    }

    fn reporting(&self) -> Reporting {
        Reporting {
            timings: self.timings,
            bars: self.bars.clone(),
        }
    }

    /// The path of input `i`, as given.
    pub fn path(&self, i: usize) -> &Path {
        &self.paths[i]
    }

    /// The opened inputs with their indexes, for the TUI's loaders.
    pub fn into_loads(self) -> Vec<(SnapshotInput, Option<Arc<IndexFile>>)> {
        let inputs = self.inputs.into_iter().flatten();
        inputs.zip(self.indexes).collect()
    }

    /// Whether `--index` gave an index of some input.
    pub fn has_indexes(&self) -> bool {
        self.indexes.iter().any(Option::is_some)
    }

    /// Input `i` and its index, if any, as a load for `need` reads it.
    fn take_load(&mut self, i: usize, need: Need) -> anyhow::Result<Load> {
        let input = self.take(i)?;
        let index = self.indexes.get(i).cloned().flatten();
        Ok(Load {
            input,
            index: index.map(|index| (index, need)),
        })
    }

    /// The Summary's rows and totals of input `i`: from its index's two
    /// small sections, else loaded for them.
    pub fn class_rows(&mut self, i: usize) -> anyhow::Result<ClassRows> {
        if let Some(index) = self.indexes.get(i).cloned().flatten() {
            let rows = index.class_rows();
            return rows.with_context(|| format::path(index.path()));
        }
        let analysis = self.load_for(i, Reads::SummaryRows)?;
        Ok(ClassRows::of(analysis))
    }

    fn take(&mut self, i: usize) -> anyhow::Result<SnapshotInput> {
        self.inputs
            .get_mut(i)
            .and_then(Option::take)
            .ok_or_else(|| {
                anyhow!(
                    "{}: loaded twice (a heaplens bug)",
                    format::path(&self.paths[i])
                )
            })
    }

    /// Loads and analyses input `i` for the rest of the process. A headless
    /// command exits right after its report, and the OS takes the memory
    /// back at once: freeing the analysis of a 1 GB snapshot array by array
    /// took 0.18 s, so it is never freed.
    pub fn load(&mut self, i: usize) -> anyhow::Result<&'static Analysis> {
        self.load_for(i, Reads::Everything)
    }

    /// [`LoadPlan::load`] for a command that `reads` only some of it.
    pub fn load_for(&mut self, i: usize, reads: Reads) -> anyhow::Result<&'static Analysis> {
        let load = self.take_load(i, indexes::need_for(reads))?;
        let analysis = load_owned(load, &self.reporting(), reads)?;
        Ok(Box::leak(Box::new(analysis)))
    }

    /// Input `parsed` only parsed (its ids and meta), beside the load of
    /// `loaded`: loads are mostly sequential.
    pub fn load_with_graph(
        &mut self,
        parsed: usize,
        loaded: usize,
    ) -> anyhow::Result<(HeapGraph, &'static Analysis)> {
        let other = self.take_load(parsed, Need::Nodes)?;
        let input = self.take_load(loaded, Need::Everything)?;
        let reporting = self.reporting();
        let (graph, analysis) = std::thread::scope(|s| {
            let path = other.input.path().to_owned();
            let graph = s.spawn(move || parse_only(other));
            let analysis = load_owned(input, &reporting, Reads::Everything);
            (graph.join().map_err(|_| panicked(&path)), analysis)
        });
        Ok((graph??, Box::leak(Box::new(analysis?))))
    }

    /// Every input loaded for `reads` and turned by `reduce` into what the
    /// command keeps, the analysis dropped at once: as many loads at a time
    /// as the preflight allows (all of them when they fit together, `k`
    /// for [`Loading::AtMost`]`(k)`), at most one per core. In input order;
    /// after a failure no further load starts.
    /// An indexed input gives its rows from its index.
    pub fn load_each_rows<T: Send>(
        &mut self,
        reduce: impl Fn(ClassRows) -> T + Sync,
    ) -> anyhow::Result<Vec<T>> {
        let reads = Reads::SummaryRows;
        let inputs: Vec<Mutex<Option<Load>>> = (0..self.paths.len())
            .map(|i| {
                self.take_load(i, Need::Everything)
                    .map(|l| Mutex::new(Some(l)))
            })
            .collect::<anyhow::Result<_>>()?;
        let results: Vec<Mutex<Option<anyhow::Result<T>>>> =
            inputs.iter().map(|_| Mutex::new(None)).collect();
        let (next, failed) = (AtomicUsize::new(0), AtomicBool::new(false));
        let reporting = self.reporting();
        let worker = || {
            while !failed.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(load) = inputs.get(i).and_then(|slot| lock(slot).take()) else {
                    return;
                };
                let reduced = match &load.index {
                    Some((index, _)) => index
                        .class_rows()
                        .with_context(|| format::path(index.path())),
                    None => {
                        load_owned(load, &reporting, reads).map(|analysis| ClassRows::of(&analysis))
                    }
                }
                .map(&reduce);
                failed.fetch_or(reduced.is_err(), Ordering::Relaxed);
                *lock(&results[i]) = Some(reduced);
            }
        };
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..self.loads_at_once()).map(|_| s.spawn(worker)).collect();
            workers.into_iter().try_for_each(|w| {
                w.join()
                    .map_err(|_| anyhow!("a snapshot loader panicked (a heaplens bug)"))
            })
        })?;
        results
            .into_iter()
            .zip(&self.paths)
            .map(|(result, path)| {
                let result = result
                    .into_inner()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                result.unwrap_or_else(|| Err(anyhow!("{}: not loaded", format::path(path))))
            })
            .collect()
    }

    /// Loads [`LoadPlan::load_each_rows`] runs at once.
    fn loads_at_once(&self) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let allowed = match self.loading {
            Loading::AtMost(k) => k,
            _ => self.paths.len(),
        };
        allowed.min(cores).max(1)
    }

    /// Three inputs: the first two only parsed (their ids and meta are all
    /// `leaks` needs), the third loaded.
    pub fn load_three(&mut self) -> anyhow::Result<(HeapGraph, HeapGraph, &'static Analysis)> {
        let first = self.take_load(0, Need::Nodes)?;
        let path = first.input.path().to_owned();
        let (g1, rest) = std::thread::scope(|s| {
            let g1 = s.spawn(move || parse_only(first));
            let rest = self.load_with_graph(1, 2);
            (g1.join().map_err(|_| panicked(&path)), rest)
        });
        let (g2, a3) = rest?;
        Ok((g1??, g2, a3))
    }

    /// The baseline (input 0), shed to what a comparison reads once loaded,
    /// and the target (input 1), `target_reads` of it. A target for the
    /// JSON and table ([`Reads::ComparisonTarget`]) starts once the
    /// baseline is read, and is shed to what they read: the baseline's
    /// dominators then meet the target's reading, and the target's
    /// dominators only the baseline's shed rest (0.6 + 1.0 GB pair:
    /// 3.4–3.6 s and 1.37–1.38 GiB peak RSS, where both side by side took
    /// 3.3 s and 1.42–1.54 GiB, and the whole target before the baseline
    /// 3.9–4.3 s and 1.12 GiB). A whole target loads side by side. Either
    /// waits for the whole baseline when the preflight found too little
    /// memory.
    pub fn load_for_comparison(
        &mut self,
        target_reads: Reads,
    ) -> anyhow::Result<(&'static Analysis, &'static Analysis)> {
        let lean = target_reads == Reads::ComparisonTarget;
        let start = match lean {
            true => TargetStart::BaselineRead,
            false => TargetStart::WithBaseline,
        };
        let (baseline, target) = self.load_pair(
            |mut baseline| {
                baseline.shed_for_comparison();
                baseline
            },
            Reads::ComparisonBaseline,
            (target_reads, indexes::need_for(target_reads)),
            (start, |mut target: Analysis| {
                match lean {
                    true => target.shed_for_holders(),
                    false => target.dominators.shed_child_lists(),
                }
                target
            }),
        )?;
        Ok((Box::leak(Box::new(baseline)), Box::leak(Box::new(target))))
    }

    /// Both snapshots of a comparison from their indexes, when both have
    /// one: the target from its comparison sections, the baseline too when
    /// they serve (see [`ComparisonHead::serves_as_baseline_of`]), else
    /// from its analysis as a comparison's baseline reads it, side by side.
    /// None without two indexes: the inputs are still to load.
    pub(super) fn indexed_comparison(
        &mut self,
        holders: usize,
    ) -> anyhow::Result<Option<[Compared; 2]>> {
        let [Some(base), Some(target)] = [0, 1].map(|i| self.indexes.get(i).cloned().flatten())
        else {
            return Ok(None);
        };
        let head = |index: &IndexFile| {
            let head = index.comparison_head();
            head.with_context(|| format::path(index.path()))
        };
        let (base_head, target_head) = (head(&base)?, head(&target)?);
        let timings = self.timings;
        let serves = base_head.serves_as_baseline_of(&target_head, holders);
        let read_target = || read_compared(&target, target_head, Role::Target, timings);
        if serves {
            let read_base = || read_compared(&base, base_head, Role::Baseline, timings);
            let (base, target) = rayon::join(read_base, read_target);
            return Ok(Some([base?, target?]));
        }
        // Classified again under the target's interfaces, from its analysis.
        let load = self.take_load(0, Need::ComparisonBaseline)?;
        let reporting = self.reporting();
        let load_base = || {
            let reads = Reads::ComparisonBaseline;
            let mut base = load_owned(load, &reporting, reads)?;
            base.shed_for_comparison();
            Ok::<_, anyhow::Error>(Compared::Analysed(Box::leak(Box::new(base))))
        };
        let (base, target) = rayon::join(load_base, read_target);
        Ok(Some([base?, target?]))
    }

    /// What `sum_up` keeps of the baseline (input 0), which is freed then,
    /// and the target (input 1), loaded whole: side by side, or the
    /// baseline first when the preflight found too little memory for both
    /// (then the peak is the larger load's).
    pub fn load_summed_baseline<T: Send>(
        &mut self,
        sum_up: impl FnOnce(Analysis) -> T + Send,
    ) -> anyhow::Result<(T, &'static Analysis)> {
        let target = (Reads::Everything, Need::Everything);
        let whole = (TargetStart::WithBaseline, |target| target);
        let (summed, target) = self.load_pair(sum_up, Reads::AllButDistances, target, whole)?;
        Ok((summed, Box::leak(Box::new(target))))
    }

    /// The baseline (input 0) loaded for `base_reads` and handed to `keep`,
    /// and the target (input 1) for `target_reads` (from an index: for
    /// what its `Need` says), started as `start` says (under
    /// [`Loading::BaselineFirst`]: once the whole baseline is loaded) and
    /// handed to `keep_target`. A baseline that fails spares the target's
    /// load, unless both had started.
    fn load_pair<T: Send>(
        &mut self,
        keep: impl FnOnce(Analysis) -> T + Send,
        base_reads: Reads,
        (target_reads, target_need): (Reads, Need),
        (start, keep_target): (TargetStart, impl FnOnce(Analysis) -> Analysis + Send),
    ) -> anyhow::Result<(T, Analysis)> {
        let base = self.take_load(0, indexes::need_for(base_reads))?;
        let target = self.take_load(1, target_need)?;
        let reporting = self.reporting();
        let whole_baseline_first = self.loading == Loading::BaselineFirst;
        let (loaded, baseline_done) = mpsc::channel();
        let read =
            (start == TargetStart::BaselineRead && !whole_baseline_first).then(|| loaded.clone());
        let waits = start == TargetStart::BaselineRead || whole_baseline_first;
        let paths = &self.paths;
        std::thread::scope(|s| {
            let reporting = &reporting;
            let baseline = s.spawn(move || {
                // Dropped when the baseline has ended: a wait ends then.
                let _loaded = loaded;
                let baseline = load_telling_read(base, reporting, base_reads, read)?;
                Ok::<_, anyhow::Error>(keep(baseline))
            });
            let load_target = move || load_owned(target, reporting, target_reads).map(keep_target);
            if !waits {
                let target = s.spawn(load_target);
                return Ok((joined(baseline, &paths[0])?, joined(target, &paths[1])?));
            }
            // The senders are gone once the baseline has ended: loaded, or
            // failed, which spares the target's load. The target loads on
            // this thread: on one of its own (a malloc arena of its own)
            // the 1 GB pair peaked 40 MiB higher.
            if baseline_done.recv().is_err() {
                let baseline = joined(baseline, &paths[0])?;
                return Ok((baseline, load_target()?));
            }
            let target = load_target();
            Ok((joined(baseline, &paths[0])?, target?))
        })
    }
}

/// When the target of a pair starts loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetStart {
    /// With the baseline, side by side.
    WithBaseline,
    /// Once the baseline's file is read (its passes then run beside the
    /// target's reading).
    BaselineRead,
}

/// What a comparison reads of `index` (whose `head` was read) as its
/// `role`, with its `--timings`.
fn read_compared(
    index: &IndexFile,
    head: ComparisonHead,
    role: Role,
    timings: bool,
) -> anyhow::Result<Compared> {
    let started = std::time::Instant::now();
    let compared = index.compared(head, role);
    let compared = compared.with_context(|| format::path(index.path()))?;
    if timings {
        let mut took = snapshot::Timings::default();
        took.record(Stage::Read, started.elapsed());
        super::to_stderr(&report::timings(index.path(), &took));
    }
    Ok(Compared::Indexed {
        index: Box::new(compared),
        path: index.path().to_owned(),
    })
}

/// A mutex's value, also after a panic elsewhere poisoned it (the value
/// is a whole input or result either way).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn panicked(path: &Path) -> anyhow::Error {
    anyhow!("the loader of {} panicked", format::path(path))
}

/// The result of the loader of `path`, which ran on `thread`.
fn joined<T>(
    thread: std::thread::ScopedJoinHandle<'_, anyhow::Result<T>>,
    path: &Path,
) -> anyhow::Result<T> {
    thread.join().map_err(|_| panicked(path))?
}

/// How a load reports: `--timings` after it, a progress line during it.
#[derive(Clone)]
struct Reporting {
    timings: bool,
    bars: Option<MultiProgress>,
}

/// An input to load, from its index when it has one (and what of the
/// index the load reads).
struct Load {
    input: SnapshotInput,
    index: Option<(Arc<IndexFile>, Need)>,
}

fn load_owned(load: Load, reporting: &Reporting, reads: Reads) -> anyhow::Result<Analysis> {
    load_telling_read(load, reporting, reads, None)
}

/// [`load_owned`], sending on `read` once the file is read (a load from
/// an index reads none, and drops `read` unsent).
fn load_telling_read(
    Load { input, index }: Load,
    reporting: &Reporting,
    reads: Reads,
    mut read: Option<mpsc::Sender<()>>,
) -> anyhow::Result<Analysis> {
    let timings = reporting.timings;
    let path = input.path().to_owned();
    if let Some((index, need)) = index {
        let analysis = indexes::load_indexed(&index, input, need)?;
        if timings {
            super::to_stderr(&report::timings(index.path(), &analysis.timings));
        }
        return Ok(analysis);
    }
    let line = reporting
        .bars
        .as_ref()
        .map(|bars| progress_line(bars, &path, input.file_bytes()));
    let total = input.file_bytes();
    let mut report = |p: Progress| {
        if p.stage != Stage::Read {
            // A receiver gone is no matter: nobody waits any more.
            read.take().map(|read| read.send(()));
        }
        if let Some(line) = &line {
            if p.stage == Stage::Read {
                line.set_position(p.bytes_read);
            }
            line.set_message(progress_text(p, total));
        }
        true
    };
    let warnings = input.warnings();
    let loaded = snapshot::load_for(input, &mut report, reads);
    if let Some(line) = line {
        line.finish_and_clear();
    }
    let analysis = loaded.with_context(|| format::path(&path))?;
    print_warnings(&path, &warnings);
    if timings {
        super::to_stderr(&report::timings(&path, &analysis.timings));
    }
    Ok(analysis)
}

/// One load's line: the file's name, a bar of the bytes read, then the
/// bytes and the stage in DevTools' units.
fn progress_line(bars: &MultiProgress, path: &Path, bytes: Option<u64>) -> ProgressBar {
    let line = bars.add(ProgressBar::new(bytes.unwrap_or(0)));
    let template = match bytes {
        Some(_) => "{prefix} {bar:20} {msg} {elapsed}",
        None => "{prefix} {msg} {elapsed}",
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        line.set_style(style.progress_chars("█▌ "));
    }
    let name = path.file_name().unwrap_or(path.as_os_str());
    line.set_prefix(format::visible(&name.to_string_lossy()).into_owned());
    // Redrawn while the input stalls (a slow pipe), so the clock moves.
    line.enable_steady_tick(std::time::Duration::from_millis(200));
    line
}

/// `38.1 MB / 152 MB reading and parsing`, or the stage once read.
fn progress_text(p: Progress, total: Option<u64>) -> String {
    match (p.stage, total) {
        (Stage::Read, Some(total)) => format!(
            "{} / {} {}",
            format::bytes(p.bytes_read),
            format::bytes(total),
            p.stage.label()
        ),
        (Stage::Read, None) => format!("{} {}", format::bytes(p.bytes_read), p.stage.label()),
        (stage, _) => stage.label().to_owned(),
    }
}

/// Parses a snapshot without analysing it: enough for ids and the meta
/// (from an index: its node columns).
fn parse_only(Load { input, index }: Load) -> anyhow::Result<HeapGraph> {
    if let Some((index, need)) = index {
        return indexes::load_indexed(&index, input, need).map(|analysis| analysis.graph);
    }
    let path = input.path().to_owned();
    let warnings = input.warnings();
    let parsed = input
        .into_parts()
        .and_then(|(source, _, _)| parse::parse_snapshot(source, &mut |_| true));
    let graph = parsed.with_context(|| format::path(&path))?;
    print_warnings(&path, &warnings);
    Ok(graph)
}

/// An input's warnings, a line each, once it loaded: a failed load says
/// only why it failed.
fn print_warnings(path: &Path, warnings: &Warnings) {
    for warning in warnings.take() {
        super::tell(format_args!("{}: {warning}", format::path(path)));
    }
}
