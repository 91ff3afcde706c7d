//! Command-line interface (clap derive): the TUI by default, headless
//! subcommands for scripts, CI and incident notes.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::snapshot::classes::SummaryColumn;
use crate::snapshot::views::diff::DiffColumn;
use crate::snapshot::views::gate::Rule;
use crate::snapshot::views::named_filters::NamedFilter;
use crate::snapshot::views::trend::{TrendColumn, TrendMetric};

/// Read V8 heap snapshots (.heapsnapshot, .heapsnapshot.gz) with the numbers
/// Chrome DevTools shows.
#[derive(Debug, Parser)]
#[command(
    name = "heaplens",
    version,
    about,
    args_conflicts_with_subcommands = true,
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// One snapshot, BASELINE TARGET (older first, like `diff OLD NEW`), or
    /// S1 S2 S3 [S4…] (oldest first) for the leak and trend views.
    #[arg(value_name = "SNAPSHOT")]
    pub snapshots: Vec<PathBuf>,
    /// Print per-stage load times (and the steps of `diff` and `trend`
    /// after their loads) to stderr.
    #[arg(long, global = true)]
    pub timings: bool,
    /// Load even when the memory estimate exceeds the memory available
    /// (the limit is the tightest of free memory, the cgroup limit and
    /// HEAPLENS_MAX_MEMORY).
    #[arg(long, global = true)]
    pub force: bool,
    /// Fit tables in N columns (0: no limit) [default: the terminal's
    /// width, else $COLUMNS, else 160]. Names are shortened in the middle;
    /// numbers and @ids never.
    #[arg(long, global = true, value_name = "N")]
    pub width: Option<usize>,
    /// No progress line on stderr (it shows only when stderr is a terminal).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Read the analysis from INDEX (written by `heaplens index`) instead
    /// of analysing the snapshot again. Give it once per snapshot: each is
    /// matched to the snapshot it was made from, and refused in one line
    /// when it belongs to none (size, mtime or header differ) or is damaged.
    #[arg(long = "index", global = true, value_name = "INDEX")]
    pub indexes: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Class Summary: count, shallow size, retained size, distance.
    #[command(after_help = SUMMARY_EXAMPLES)]
    Summary(SummaryArgs),
    /// Comparison of BASELINE → TARGET: new, deleted and delta per class,
    /// and the change of each class's retained size.
    #[command(after_help = DIFF_HELP)]
    Diff(DiffArgs),
    /// Leaks by the three-snapshot technique: objects allocated between S1
    /// and S2 still alive in S3, by class and merged shortest retainer path.
    #[command(
        after_help = "Example:\n  heaplens leaks s1.heapsnapshot s2.heapsnapshot s3.heapsnapshot --format markdown"
    )]
    Leaks(LeaksArgs),
    /// Trend over N snapshots (oldest first): each class's count and
    /// retained size in every snapshot, and whether it grew at every step.
    #[command(after_help = TREND_GATE_HELP)]
    Trend(TrendArgs),
    /// One object and its retainers, as DevTools' Retainers grid lists them.
    #[command(
        after_help = "Examples:\n  heaplens node after.heapsnapshot @71213\n  heaplens node after.heapsnapshot @71211 --ignore @135927 --format json"
    )]
    Node(NodeArgs),
    /// The retainer tree of an object toward the GC roots.
    #[command(after_help = "Example:\n  heaplens retainers after.heapsnapshot @71213 --depth 6")]
    Retainers(RetainersArgs),
    /// DevTools' Statistics: code, strings, JS arrays, typed arrays, system,
    /// other JS and other non-JS objects.
    Stats(StatsArgs),
    /// Duplicated strings: equal texts stored more than once, by bytes wasted.
    Duplicates(DuplicatesArgs),
    /// The dominator tree: what an object (default: the root) keeps alive
    /// on its own, children by retained size.
    Dominators(DominatorsArgs),
    /// Containment: an object's outgoing edges (weak ones too), by retained
    /// size, as DevTools' Containment view.
    Containment(ContainmentArgs),
    /// Growing collections of BASELINE → TARGET: Maps, Sets, WeakMaps,
    /// WeakSets, arrays and dictionary-like objects that gained entries,
    /// with their retained sizes and paths to the roots.
    Collections(CollectionsArgs),
    /// String search: string values matching PATTERN, grouped by value,
    /// with copies, bytes and retained size.
    Strings(StringsArgs),
    /// Write the analysis of SNAPSHOT to OUTPUT, so that `--index OUTPUT`
    /// opens it again at once. OUTPUT holds everything the snapshot holds
    /// (its strings: secrets, personal data): keep it as private as the
    /// snapshot.
    #[command(after_help = INDEX_HELP)]
    Index(IndexArgs),
    /// Shell completions: `heaplens completions bash > /etc/bash_completion.d/heaplens`.
    Completions(CompletionsArgs),
    /// The manual page, from the same definitions: `heaplens man > heaplens.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The snapshot to index: a .heapsnapshot file, gzipped or not (not
    /// standard input: an index is matched to its file).
    pub snapshot: PathBuf,
    /// Where to write the index (required: nothing is written unasked).
    /// Created readable by you only; an existing file is replaced only if
    /// it is a heaplens index.
    #[arg(long, short, value_name = "PATH")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The snapshot: a .heapsnapshot file, gzipped or not, or - for
    /// standard input.
    pub snapshot: PathBuf,
    #[arg(long, value_enum, default_value_t = SummaryColumn::Retained)]
    pub sort: SummaryColumn,
    /// Show only the first N classes [default: all; markdown: 10].
    #[arg(long)]
    pub top: Option<usize>,
    /// Keep classes whose name contains TEXT (case-insensitive).
    #[arg(long)]
    pub filter: Option<String>,
    /// Only objects allocated since BASE was taken: DevTools' "Objects
    /// allocated between BASE and SNAPSHOT" (class retained sizes too).
    #[arg(long, value_name = "BASE")]
    pub allocated_after: Option<PathBuf>,
    /// Only the objects one of DevTools' named Summary filters keeps.
    #[arg(
        long,
        value_enum,
        value_name = "FILTER",
        conflicts_with = "allocated_after"
    )]
    pub only: Option<NamedFilter>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

impl Command {
    /// The snapshots a command reads, in order.
    pub fn snapshots(&self) -> Vec<&std::path::Path> {
        match self {
            Command::Summary(a) => std::iter::once(&a.snapshot)
                .chain(&a.allocated_after)
                .map(PathBuf::as_path)
                .collect(),
            Command::Diff(a) => vec![&a.baseline, &a.target],
            Command::Collections(a) => vec![&a.baseline, &a.target],
            Command::Leaks(a) => vec![&a.s1, &a.s2, &a.s3],
            Command::Trend(a) => a.snapshots.iter().map(PathBuf::as_path).collect(),
            Command::Completions(_) | Command::Man => Vec::new(),
            one => vec![one.snapshot()],
        }
    }

    /// The snapshot a command reads first (its only one, but for `diff`
    /// and `leaks`).
    fn snapshot(&self) -> &std::path::Path {
        match self {
            Command::Summary(a) => &a.snapshot,
            Command::Diff(a) => &a.baseline,
            Command::Leaks(a) => &a.s1,
            Command::Trend(a) => a.snapshots.first().map_or(std::path::Path::new(""), |p| p),
            Command::Node(a) => &a.snapshot,
            Command::Retainers(a) => &a.snapshot,
            Command::Stats(a) => &a.snapshot,
            Command::Duplicates(a) => &a.snapshot,
            Command::Dominators(a) => &a.snapshot,
            Command::Containment(a) => &a.snapshot,
            Command::Completions(_) | Command::Man => std::path::Path::new(""),
            Command::Collections(a) => &a.baseline,
            Command::Strings(a) => &a.snapshot,
            Command::Index(a) => &a.snapshot,
        }
    }
}

impl SummaryArgs {
    /// Whether the Summary reads only the class rows: a Markdown report, an
    /// allocation range and a named filter read more.
    pub fn reads_only_rows(&self) -> bool {
        self.format != ReportFormat::Markdown
            && self.allocated_after.is_none()
            && self.only.is_none()
    }
}

/// `summary --sort` takes a Summary column's key.
impl ValueEnum for SummaryColumn {
    fn value_variants<'a>() -> &'a [Self] {
        &SummaryColumn::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.key()).help(self.title()))
    }
}

/// `trend --sort` takes a trend column's key.
impl ValueEnum for TrendColumn {
    fn value_variants<'a>() -> &'a [Self] {
        &TrendColumn::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.key()).help(self.title()))
    }
}

/// `--sort` takes a Comparison column's key, with dashes (`alloc-size`).
impl ValueEnum for DiffColumn {
    fn value_variants<'a>() -> &'a [Self] {
        &DiffColumn::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.key().replace('_', "-")).help(self.title()))
    }
}

impl ValueEnum for NamedFilter {
    fn value_variants<'a>() -> &'a [Self] {
        &NamedFilter::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.cli_name()).help(self.title()))
    }
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older snapshot (.heapsnapshot or .gz; - for standard input).
    pub baseline: PathBuf,
    /// The newer snapshot, compared with BASELINE.
    pub target: PathBuf,
    /// Row order [default: alloc-size; markdown: delta].
    #[arg(long, value_enum)]
    pub sort: Option<DiffColumn>,
    /// Show only the first N classes [default: all; markdown: 10].
    #[arg(long)]
    pub top: Option<usize>,
    /// Keep classes whose name contains TEXT (case-insensitive).
    #[arg(long)]
    pub filter: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Exit with status 1 when RULE holds, e.g. 'delta(SessionRecord) >
    /// 1000' or 'size_delta > 50MB' (repeatable; see below).
    #[arg(long = "fail-if", value_name = "RULE")]
    pub fail_if: Vec<Rule>,
    /// Markdown: let V8's own classes (`(string)`, `(system)`, compiled
    /// code, shapes…) be the worst offender too.
    #[arg(long)]
    pub internals: bool,
}

#[derive(Debug, Args)]
pub struct LeaksArgs {
    /// The first snapshot, taken before the suspected leak.
    pub s1: PathBuf,
    /// The second, after the action that leaks.
    pub s2: PathBuf,
    /// The third, after more of it: what S1→S2 allocated and S3 still holds leaks.
    pub s3: PathBuf,
    /// Show only the first N classes [default: 10; json: all].
    #[arg(long)]
    pub top: Option<usize>,
    /// Keep classes whose name contains TEXT (case-insensitive).
    #[arg(long)]
    pub filter: Option<String>,
    /// Include V8's own objects (compiled code, object shapes, internal
    /// arrays, system objects), left out by default: new ones are mostly
    /// lazily compiled code and caches, not leaks.
    #[arg(long)]
    pub internals: bool,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct TrendArgs {
    /// Two or more snapshots of one program, oldest first.
    #[arg(value_name = "SNAPSHOT", num_args = 2.., required = true)]
    pub snapshots: Vec<PathBuf>,
    /// Row order.
    #[arg(long, value_enum, default_value_t = TrendColumn::RetainedGrowth)]
    pub sort: TrendColumn,
    /// Show only the first N classes [default: all; markdown: 10].
    #[arg(long)]
    pub top: Option<usize>,
    /// Keep classes whose name contains TEXT (case-insensitive).
    #[arg(long)]
    pub filter: Option<String>,
    /// Keep only the classes with more objects at every step.
    #[arg(long)]
    pub only_growing: bool,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Exit with status 1 when RULE holds, e.g. 'grew_every_step(Job)' or
    /// 'retained_growth(SessionRecord) > 1MB' (repeatable; see below).
    #[arg(long = "fail-if", value_name = "RULE")]
    pub fail_if: Vec<Rule<TrendMetric>>,
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The snapshot: a .heapsnapshot file, gzipped or not, or - for
    /// standard input.
    pub snapshot: PathBuf,
    /// The object's id, as `@123` or `123`.
    pub id: String,
    /// Ignore this retainer, as DevTools' "Ignore this retainer" does: the
    /// retainers' distances are recomputed without it (repeatable).
    #[arg(long, value_name = "@ID")]
    pub ignore: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RetainersArgs {
    /// The snapshot: a .heapsnapshot file, gzipped or not, or - for
    /// standard input.
    pub snapshot: PathBuf,
    /// The object's id, as `@123` or `123`.
    pub id: String,
    /// Levels to expand.
    #[arg(long, default_value_t = 8)]
    pub depth: usize,
    /// Retainers shown per object.
    #[arg(long, default_value_t = 5)]
    pub fan_out: usize,
    /// Ignore this retainer, as DevTools' "Ignore this retainer" does: the
    /// tree's distances are recomputed without it (repeatable).
    #[arg(long, value_name = "@ID")]
    pub ignore: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The snapshot: a .heapsnapshot file, gzipped or not, or - for
    /// standard input.
    pub snapshot: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// The snapshot: a .heapsnapshot file, gzipped or not, or - for
    /// standard input.
    pub snapshot: PathBuf,
    /// Show only the first N groups [default: 20; json: all].
    #[arg(long)]
    pub top: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DominatorsArgs {
    /// The snapshot: a .heapsnapshot file, gzipped or not, or - for
    /// standard input.
    pub snapshot: PathBuf,
    /// The object's id, as `@123` or `123` [default: the root].
    pub id: Option<String>,
    /// Levels to expand.
    #[arg(long, default_value_t = 2)]
    pub depth: usize,
    /// Children shown per object.
    #[arg(long, default_value_t = 10)]
    pub fan_out: usize,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ContainmentArgs {
    /// The snapshot: a .heapsnapshot file, gzipped or not, or - for
    /// standard input.
    pub snapshot: PathBuf,
    /// The object's id, as `@123` or `123`.
    pub id: String,
    /// Levels to expand.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Edges shown per object.
    #[arg(long, default_value_t = 20)]
    pub fan_out: usize,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CollectionsArgs {
    pub baseline: PathBuf,
    pub target: PathBuf,
    /// Show only the first N collections [default: 20; markdown: 10; json: all].
    #[arg(long)]
    pub top: Option<usize>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct StringsArgs {
    pub snapshot: PathBuf,
    /// A regular expression (Rust `regex` syntax), matched anywhere in a
    /// value; case-sensitive unless it starts with (?i) [default: every
    /// value].
    pub pattern: Option<String>,
    /// Leave out values shorter than N characters.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_length: usize,
    /// Show only the first N values [default: 20; json: all].
    #[arg(long)]
    pub top: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The README's headless block, for `heaplens --help`.
const EXAMPLES: &str = "\
Examples:
  heaplens after.heapsnapshot                       # the terminal UI on one snapshot
  heaplens baseline.heapsnapshot after.heapsnapshot # the Comparison, older first
  heaplens summary after.heapsnapshot --top 20
  heaplens diff baseline.heapsnapshot after.heapsnapshot --sort delta
  heaplens node after.heapsnapshot @71213           # one object and its retainers
  heaplens retainers after.heapsnapshot @71213 --depth 6
  heaplens leaks s1.heapsnapshot s2.heapsnapshot s3.heapsnapshot
  heaplens summary after.heapsnapshot.gz --format json
  kubectl exec pod -- cat /tmp/x.heapsnapshot | heaplens summary -
Snapshots may be gzipped (.gz, by their bytes) or read from standard input (-).
Errors are one line on stderr with exit status 2.";

const SUMMARY_EXAMPLES: &str = "\
Examples:
  heaplens summary after.heapsnapshot --sort shallow --top 20 --filter Session
  heaplens summary after.heapsnapshot --allocated-after baseline.heapsnapshot
  heaplens summary page.heapsnapshot --only detached-dom
  heaplens summary after.heapsnapshot.gz --format markdown > incident.md";

/// `heaplens index --help`.
const INDEX_HELP: &str = "\
Examples:
  heaplens index after.heapsnapshot --output ~/private/after.hlx
  heaplens summary after.heapsnapshot --index ~/private/after.hlx
  heaplens diff base.heapsnapshot after.heapsnapshot --index ~/private/base.hlx --index ~/private/after.hlx
  heaplens after.heapsnapshot --index ~/private/after.hlx   # the terminal UI
An index is used only with the snapshot it was made from (same size,
modification time and first 64 KiB) and is refused in one line otherwise,
or when damaged: index the snapshot again.";

/// What the `--fail-if` help of `diff` and `trend` share: operators, units
/// and exit statuses.
macro_rules! gate_help_tail {
    () => {
        "  OP      >  >=  <  <=  ==  !=
  UNIT    B kB MB GB (powers of 1000, as DevTools) or KiB MiB GiB; sizes only
Every violated rule is printed on stderr after the report; the exit status
is 1 if any rule is violated, 0 if none, 2 for errors (a bad rule included)."
    };
}

/// `heaplens diff --help`: examples and the rule language of `--fail-if`.
const DIFF_HELP: &str = concat!(
    "Examples:
  heaplens diff baseline.heapsnapshot after.heapsnapshot --sort retained-delta --top 10
  heaplens diff baseline.heapsnapshot after.heapsnapshot --fail-if 'delta(SessionRecord) > 100'

--fail-if RULE, RULE := METRIC[(CLASS)] OP NUMBER[UNIT]
  METRIC  new, deleted, delta, alloc_size, freed_size, size_delta, retained_delta
  CLASS   a class name as the Summary shows it, as is or quoted as a JSON
          string: \"{a, b}\". Without a class, the total over all classes
          (for retained_delta: the change of the whole heap)
",
    gate_help_tail!()
);

/// `heaplens trend --help`: its `--fail-if` rules, a yes/no test among them.
const TREND_GATE_HELP: &str = concat!(
    "--fail-if RULE, RULE := METRIC[(CLASS)] OP NUMBER[UNIT] | grew_every_step[(CLASS)]
  METRIC  count_growth (objects), retained_growth (bytes): the last
          snapshot's minus the first's
  grew_every_step  holds when the class has more objects at every step
  CLASS   a class name as the Summary shows it, as is or quoted as a JSON
          string: \"{a, b}\"; the rows of a name (split by constructor
          location) are summed. Without a class, every class (for
          retained_growth: the change of the whole heap)
",
    gate_help_tail!()
);

/// Output formats of the reports that can also be pasted into a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}
