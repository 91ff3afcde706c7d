//! Memory preflight: before loading, estimate the peak memory a snapshot
//! needs from its header counts and file size, and refuse (unless
//! `--force`) when it cannot fit in the memory available to this process,
//! cgroup limits included. Better a clear refusal than an OOM kill that
//! takes the user's SSH session down with it.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::anyhow;

use crate::format;
use crate::snapshot::views::gate::bytes_per_unit;
use crate::snapshot::SnapshotInput;

/// Bytes of peak memory per node and per edge, with some room: node
/// columns, dominator and distance arrays, class indexes (~68 B/node);
/// edge columns, retainer index and essential-edge bits (~13.5 B/edge).
/// Measured peaks: 1.27 GB for a 1.00 GB Node 20 snapshot (10.1 M nodes,
/// 35.5 M edges; estimated 1.49 GB), 2.48 GB for 2.02 GB (2.97 GB), 0.25 GB
/// for 152 MB (0.25 GB).
const BYTES_PER_NODE: u64 = 80;
const BYTES_PER_EDGE: u64 = 15;
/// The same for the Summary's rows alone: edge names and types, strings
/// and node ids go before the retainer index and the dominators' arrays
/// are made. Measured peaks: 0.85–0.87 GB for the 1.00 GB snapshot
/// (estimated 1.21 GB), 0.21 GB for 152 MB (0.21 GB): small files are
/// mostly the fixed part.
const ROWS_BYTES_PER_NODE: u64 = 70;
const ROWS_BYTES_PER_EDGE: u64 = 10;
/// Strings and buffers, as a share of the file size.
const FILE_SHARE_DIVISOR: u64 = 8;
/// What a baseline keeps once shed for a comparison (node columns, class,
/// retained size and instance list per node; measured 0.29 GB for 6.1 M
/// nodes of a 0.6 GB file), with some room.
const SHED_BYTES_PER_NODE: u64 = 36;
/// The program itself, its threads and its read buffer (27 MB for the
/// 1.6 MB demo snapshot).
const FIXED_BYTES: u64 = 24_000_000;

/// What loading a snapshot will take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub nodes: u64,
    pub edges: u64,
    pub bytes: u64,
    /// What is left of it as a shed comparison baseline.
    pub shed_bytes: u64,
    /// The peak when its passes run one at a time for the Summary's rows.
    pub rows_bytes: u64,
}

/// How a command loads its snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// All at once.
    Together,
    /// The first (a `diff` baseline) alone, shed, then the second: 0.6 GB
    /// less at the peak of the 1 GB pair, but ~1.2 s slower on 2 cores.
    BaselineFirst,
    /// The Summary's class rows only (`snapshot::Reads::SummaryRows`): the
    /// load drops each input after its last reader.
    RowsOnly,
    /// At most this many snapshots loading at once, each reduced to what
    /// the command reads before the next starts (a trend keeps only class
    /// rows): the peak is that many loads', not all of them.
    AtMost(usize),
}

/// Plain bytes per value of the `nodes` and `edges` arrays, to size what a
/// gzip or streamed input will hold (Node 20: 5.6 bytes a value, commas,
/// newlines and strings included).
const PLAIN_BYTES_PER_VALUE: u64 = 5;

/// The estimate for an opened input, or None when its header is not first.
/// A gzip file or a stream is estimated from its header's counts alone;
/// a plain file whose size cannot hold those counts has a lying header,
/// which the parser reports better than an estimate would.
pub fn estimate(input: &SnapshotInput) -> Option<Estimate> {
    let header = input.header()?;
    let values = header
        .node_count
        .saturating_mul(header.layout.node_field_count as u64)
        .saturating_add(
            header
                .edge_count
                .saturating_mul(header.layout.edge_field_count as u64),
        );
    let arrays = values.saturating_mul(PLAIN_BYTES_PER_VALUE);
    let plain_bytes = match input.file_bytes() {
        Some(bytes) if !input.is_gzip() => {
            // Each value takes at least 2 bytes.
            if values.saturating_mul(2) > bytes {
                return None;
            }
            bytes
        }
        _ => arrays.max(gzip_size(input, values).unwrap_or(0)),
    };
    let strings = strings_bytes(plain_bytes, arrays);
    let (nodes, edges) = (header.node_count, header.edge_count);
    let per = |node: u64, edge: u64| {
        nodes
            .saturating_mul(node)
            .saturating_add(edges.saturating_mul(edge))
            .saturating_add(strings)
    };
    Some(Estimate {
        nodes,
        edges,
        bytes: per(BYTES_PER_NODE, BYTES_PER_EDGE).saturating_add(FIXED_BYTES),
        shed_bytes: per(SHED_BYTES_PER_NODE, 0),
        rows_bytes: per(ROWS_BYTES_PER_NODE, ROWS_BYTES_PER_EDGE).saturating_add(FIXED_BYTES),
    })
}

/// Bytes the strings and buffers will hold: a share of the file, or when
/// more, twice what the arrays leave of it, less that share. A string
/// longer than the read buffer is held twice while it is read (its JSON
/// text, then the table's copy), and one a class is named by stays: a
/// name of 600 MB was estimated at an eighth of itself. The arrays of V8's
/// snapshots are ~85 % of the file, so theirs are estimated as before.
fn strings_bytes(plain_bytes: u64, arrays: u64) -> u64 {
    let share = plain_bytes / FILE_SHARE_DIVISOR;
    let beyond_arrays = plain_bytes.saturating_sub(arrays);
    share.max(beyond_arrays.saturating_mul(2).saturating_sub(share))
}

/// What a gzip file says it inflates to, when that can be right: at least
/// 2 bytes a value, and at most 1032 times the file (deflate's best).
fn gzip_size(input: &SnapshotInput, values: u64) -> Option<u64> {
    let hint = input.gzip_size_hint()?;
    let most = input.file_bytes()?.saturating_mul(1032);
    (hint >= values.saturating_mul(2) && hint <= most).then_some(hint)
}

/// Memory this process may still use, and where that limit comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Available {
    pub bytes: u64,
    pub source: String,
}

/// The tightest of: `HEAPLENS_MAX_MEMORY`, the remaining memory of the
/// process's cgroups, and the system's MemAvailable. An unreadable
/// `HEAPLENS_MAX_MEMORY` is an error, not a silent default.
pub fn available() -> anyhow::Result<Option<Available>> {
    let mut limits: Vec<Available> = Vec::new();
    if let Some(bytes) = max_memory_from_env()? {
        limits.push(Available {
            bytes,
            source: "HEAPLENS_MAX_MEMORY".into(),
        });
    }
    if let Some(bytes) = cgroup_remaining() {
        limits.push(Available {
            bytes,
            source: "the container's memory limit".into(),
        });
    }
    if let Some(bytes) = mem_available() {
        limits.push(Available {
            bytes,
            source: "available system memory".into(),
        });
    }
    Ok(limits.into_iter().min_by_key(|a| a.bytes))
}

/// `HEAPLENS_MAX_MEMORY`, if set: a positive size.
fn max_memory_from_env() -> anyhow::Result<Option<u64>> {
    let Some(value) = std::env::var_os("HEAPLENS_MAX_MEMORY") else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    match parse_size(&text) {
        Some(bytes) if bytes > 0 => Ok(Some(bytes)),
        _ => Err(anyhow!(
            "HEAPLENS_MAX_MEMORY={}: not a memory size; use a number of bytes or one with a unit, e.g. 800MB, 2GiB, 1.5GB",
            crate::format::visible(&text)
        )),
    }
}

fn read_number(path: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// What the process's own cgroups leave: the least of `limit - usage` over
/// its cgroup and every parent up to the root (a nested cgroup's limit is
/// often the tight one), for cgroup v2 (`memory.max`, `memory.current`)
/// or v1's memory controller. None without a limit.
fn cgroup_remaining() -> Option<u64> {
    let memberships = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let (v1, v2) = cgroup_paths(&memberships);
    let chain = remaining_in_chain;
    let unified = chain("/sys/fs/cgroup", v2, "memory.max", "memory.current");
    let hybrid = chain("/sys/fs/cgroup/unified", v2, "memory.max", "memory.current");
    let legacy = chain(
        "/sys/fs/cgroup/memory",
        v1,
        "memory.limit_in_bytes",
        "memory.usage_in_bytes",
    );
    [unified, hybrid, legacy].into_iter().flatten().min()
}

/// The least `limit - usage` over the cgroup `own` under `mount` and its
/// parents that set a limit.
fn remaining_in_chain(mount: &str, own: Option<&str>, limit: &str, usage: &str) -> Option<u64> {
    ancestors(mount, own.unwrap_or("/"))
        .filter_map(|dir| {
            let limit = read_number(&format!("{dir}/{limit}"))?;
            let usage = read_number(&format!("{dir}/{usage}"))?;
            // v1 reports "no limit" as a number near i64::MAX.
            (limit < 1 << 60).then(|| limit.saturating_sub(usage))
        })
        .min()
}

/// The process's cgroup path for the v1 memory controller and for v2, from
/// `/proc/self/cgroup` (`4:memory:/a/b`, `0::/a/b`).
fn cgroup_paths(memberships: &str) -> (Option<&str>, Option<&str>) {
    let (mut v1, mut v2) = (None, None);
    for line in memberships.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(id), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if id == "0" && controllers.is_empty() {
            v2 = Some(path);
        } else if controllers.split(',').any(|c| c == "memory") {
            v1 = Some(path);
        }
    }
    (v1, v2)
}

/// `mount` + `own` and each parent directory up to `mount` (those that
/// exist: a namespaced mount shows the process's cgroup as its root).
fn ancestors<'a>(mount: &'a str, own: &'a str) -> impl Iterator<Item = String> + 'a {
    let mut path = Some(own.trim_end_matches('/'));
    std::iter::from_fn(move || {
        let at = path?;
        path = at.rfind('/').map(|i| &at[..i]).filter(|_| !at.is_empty());
        Some(format!("{mount}{at}"))
    })
    .filter(|dir| Path::new(dir).is_dir())
}

fn mem_available() -> Option<u64> {
    let text = fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `123`, `500MB`, `2 GiB`, `1.5GB` → bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number: f64 = text[..split].parse().ok()?;
    let unit = match text[split..].trim() {
        "" => 1.0,
        unit => bytes_per_unit(unit)?,
    };
    let bytes = number * unit;
    // `as` would saturate: 1e30 bytes is a typo, not "no limit".
    (bytes.is_finite() && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// How to load `paths`, or a refusal when they cannot fit. `allowed` is
/// `BaselineFirst` when the command can load that way; it does so only
/// when side by side would not fit (forced or not). Without a known limit
/// or estimates, side by side.
pub fn check(inputs: &[SnapshotInput], allowed: Loading, force: bool) -> anyhow::Result<Loading> {
    let Some(limit) = available()? else {
        return Ok(Loading::Together);
    };
    let estimates: Vec<Estimate> = inputs.iter().filter_map(estimate).collect();
    let paths: Vec<PathBuf> = inputs.iter().map(|i| i.path().to_owned()).collect();
    choose(&paths, &estimates, allowed, force, &limit)
}

fn choose(
    paths: &[PathBuf],
    estimates: &[Estimate],
    allowed: Loading,
    force: bool,
    limit: &Available,
) -> anyhow::Result<Loading> {
    if needed(estimates, Loading::Together) <= limit.bytes {
        return Ok(Loading::Together);
    }
    let allowed = widest_fitting(estimates, allowed, limit);
    if force {
        return Ok(allowed);
    }
    let needed = needed(estimates, allowed);
    verdict(paths, estimates, needed, allowed, limit).map(|()| allowed)
}

/// For loads `AtMost` some at a time, the most at a time that fit (at
/// least one, to refuse or force); any other loading as it is.
fn widest_fitting(estimates: &[Estimate], allowed: Loading, limit: &Available) -> Loading {
    let Loading::AtMost(_) = allowed else {
        return allowed;
    };
    (2..estimates.len())
        .rev()
        .map(Loading::AtMost)
        .find(|&loading| needed(estimates, loading) <= limit.bytes)
        .unwrap_or(Loading::AtMost(1))
}

/// The peak of the loads: their sum, for a baseline loaded first the
/// larger of its own peak and its shed rest beside the target's, for loads
/// `AtMost(k)` at a time the sum of the `k` largest.
fn needed(estimates: &[Estimate], loading: Loading) -> u64 {
    match (loading, estimates) {
        (Loading::BaselineFirst, [base, target]) => base.bytes.max(base.shed_bytes + target.bytes),
        (Loading::RowsOnly, _) => estimates.iter().map(|e| e.rows_bytes).sum(),
        (Loading::AtMost(k), _) => {
            let mut largest: Vec<u64> = estimates.iter().map(|e| e.bytes).collect();
            largest.sort_unstable_by(|a, b| b.cmp(a));
            largest.iter().take(k).sum()
        }
        _ => estimates.iter().map(|e| e.bytes).sum(),
    }
}

fn verdict(
    paths: &[PathBuf],
    estimates: &[Estimate],
    needed: u64,
    loading: Loading,
    limit: &Available,
) -> anyhow::Result<()> {
    if needed <= limit.bytes {
        return Ok(());
    }
    let names: Vec<String> = paths.iter().map(|p| format::path(p)).collect();
    let nodes: u64 = estimates.iter().map(|e| e.nodes).sum();
    let edges: u64 = estimates.iter().map(|e| e.edges).sum();
    Err(anyhow!(
        "{}: needs about {} of memory{} ({} nodes, {} edges) but only {} is left ({}); use --force to try anyway",
        names.join(", "),
        format::bytes(needed),
        match loading {
            Loading::Together => "",
            Loading::BaselineFirst | Loading::AtMost(_) => " even loading one snapshot at a time",
            Loading::RowsOnly => " even for the class rows alone",
        },
        format::group(nodes),
        format::group(edges),
        format::bytes(limit.bytes),
        limit.source
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An estimate of `bytes`, `shed_bytes` once shed, and 80 % of
    /// `bytes` for the class rows alone.
    fn estimate(bytes: u64, shed_bytes: u64) -> Estimate {
        Estimate {
            nodes: 0,
            edges: 0,
            bytes,
            shed_bytes,
            rows_bytes: bytes * 4 / 5,
        }
    }

    /// A snapshot whose strings are most of it (here one 8 MB name, in
    /// the issue one of 600 MB) was estimated from an eighth of the file;
    /// it is held twice while read. Gzip files say their inflated size.
    /// A V8 snapshot, whose arrays are most of the file, is estimated as
    /// before.
    #[test]
    fn regression_the_preflight_counts_big_strings() {
        let name_bytes: u64 = 8 << 20;
        let json = crate::snapshot::names::long_names::snapshot(name_bytes as usize, 10, 0);
        let dir = tempfile::tempdir().expect("temp dir");
        let plain = dir.path().join("long.heapsnapshot");
        std::fs::write(&plain, &json).expect("written");
        let gz = dir.path().join("long.heapsnapshot.gz");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, json.as_bytes()).expect("gzip");
        std::fs::write(&gz, encoder.finish().expect("gzip")).expect("written");
        for path in [plain, gz] {
            let input = SnapshotInput::open(&path).expect("opens");
            let estimate = super::estimate(&input).expect("an estimate");
            // Three strings of 8 MB, held twice.
            assert!(
                estimate.bytes > FIXED_BYTES + 5 * name_bytes,
                "{}: {estimate:?}",
                path.display()
            );
        }
        // A 1 GB Node 20 snapshot: 177 M values, 125 MB as before.
        assert_eq!(strings_bytes(1_000_000_000, 885_000_000), 125_000_000);
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("123"), Some(123));
        assert_eq!(parse_size("500MB"), Some(500_000_000));
        assert_eq!(parse_size("2 GiB"), Some(2 << 30));
        assert_eq!(parse_size("1.5GB"), Some(1_500_000_000));
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn refuses_what_does_not_fit_and_says_why() {
        let paths = [PathBuf::from("big.heapsnapshot")];
        let estimate = Estimate {
            nodes: 10_100_000,
            edges: 35_500_000,
            bytes: 1_830_000_000,
            shed_bytes: 500_000_000,
            rows_bytes: 1_500_000_000,
        };
        let limit = Available {
            bytes: 1_000_000_000,
            source: "the container's memory limit".into(),
        };
        let error = verdict(
            &paths,
            &[estimate],
            estimate.bytes,
            Loading::Together,
            &limit,
        )
        .map_err(|e| e.to_string());
        assert_eq!(
            error,
            Err("big.heapsnapshot: needs about 1,830 MB of memory (10,100,000 nodes, 35,500,000 edges) but only 1,000 MB is left (the container's memory limit); use --force to try anyway".to_owned())
        );
        let roomy = Available {
            bytes: 4_000_000_000,
            source: "available system memory".into(),
        };
        assert!(verdict(
            &paths,
            &[estimate],
            estimate.bytes,
            Loading::Together,
            &roomy
        )
        .is_ok());
        let rows = Loading::RowsOnly;
        let error = verdict(&paths, &[estimate], estimate.rows_bytes, rows, &limit);
        assert!(error.map_err(|e| e.to_string()).is_err_and(
            |e| e.contains("needs about 1,500 MB of memory even for the class rows alone")
        ));
    }

    /// A Summary whose full load does not fit loads for its rows alone when
    /// that fits, and only for a command that reads just its rows.
    #[test]
    fn a_summary_loads_for_its_rows_alone_only_when_it_must() {
        let paths = [PathBuf::from("a")];
        let one = [estimate(1_250, 400)];
        assert_eq!(needed(&one, Loading::RowsOnly), 1_000);
        let with_limit = |bytes, allowed| {
            let limit = Available {
                bytes,
                source: "test".into(),
            };
            choose(&paths, &one, allowed, false, &limit).ok()
        };
        let rows = Loading::RowsOnly;
        assert_eq!(with_limit(1_300, rows), Some(Loading::Together));
        assert_eq!(with_limit(1_100, rows), Some(rows));
        assert_eq!(with_limit(1_100, Loading::Together), None);
        assert_eq!(with_limit(900, rows), None);
    }

    /// A diff's baseline is shed before the target loads: the peak is the
    /// larger of its own and its rest beside the target's.
    #[test]
    fn a_baseline_loaded_first_counts_only_its_shed_rest() {
        let (base, target) = (estimate(800, 300), estimate(1_260, 500));
        assert_eq!(needed(&[base, target], Loading::Together), 2_060);
        assert_eq!(needed(&[base, target], Loading::BaselineFirst), 1_560);
        let big_base = estimate(2_000, 300);
        assert_eq!(needed(&[big_base, target], Loading::BaselineFirst), 2_000);
        assert_eq!(
            needed(&[target], Loading::BaselineFirst),
            1_260,
            "one estimate (the other from standard input): its own"
        );
    }

    /// Side by side when both loads fit, else the baseline first when the
    /// command allows it, else a refusal (unless forced).
    #[test]
    fn a_pair_loads_side_by_side_only_when_both_fit() {
        let paths = [PathBuf::from("a"), PathBuf::from("b")];
        let pair = [estimate(800, 300), estimate(1_260, 500)];
        let with_limit = |bytes, allowed, force| {
            let limit = Available {
                bytes,
                source: "test".into(),
            };
            choose(&paths, &pair, allowed, force, &limit).ok()
        };
        let first = Loading::BaselineFirst;
        assert_eq!(with_limit(3_000, first, false), Some(Loading::Together));
        assert_eq!(with_limit(1_700, first, false), Some(first));
        assert_eq!(with_limit(1_700, Loading::Together, false), None);
        assert_eq!(with_limit(1_000, first, false), None);
        assert_eq!(with_limit(1_000, first, true), Some(first), "forced");
    }

    /// A trend loads as many snapshots at once as fit, each dropped before
    /// the next: all together, the widest batch that fits, one at a time,
    /// or a refusal when even the largest alone does not fit.
    #[test]
    fn a_trend_loads_as_many_at_once_as_fit() {
        let paths: Vec<PathBuf> = ["a", "b", "c", "d"].iter().map(PathBuf::from).collect();
        let four = [
            estimate(500, 0),
            estimate(900, 0),
            estimate(700, 0),
            estimate(600, 0),
        ];
        assert_eq!(needed(&four, Loading::AtMost(2)), 1_600, "the two largest");
        assert_eq!(needed(&four, Loading::AtMost(1)), 900);
        let with_limit = |bytes, force| {
            let limit = Available {
                bytes,
                source: "test".into(),
            };
            choose(&paths, &four, Loading::AtMost(1), force, &limit).map_err(|e| e.to_string())
        };
        assert_eq!(with_limit(2_700, false), Ok(Loading::Together));
        assert_eq!(with_limit(2_699, false), Ok(Loading::AtMost(3)));
        assert_eq!(with_limit(1_700, false), Ok(Loading::AtMost(2)));
        assert_eq!(with_limit(1_500, false), Ok(Loading::AtMost(1)));
        assert!(with_limit(800, false).is_err_and(
            |e| e.contains("needs about 900 B of memory even loading one snapshot at a time")
        ));
        assert_eq!(with_limit(800, true), Ok(Loading::AtMost(1)), "forced");
    }

    /// Issue 18: only the root cgroup's limit was read, so a process in a
    /// nested cgroup with 800 MB was OOM-killed. The chain of its own
    /// cgroup and its parents is read; the tightest wins.
    #[test]
    fn regression_a_nested_cgroups_limit_is_read() {
        let memberships = "12:pids:/x\n4:memory,hugetlb:/box/job\n0::/box/job\n";
        assert_eq!(
            cgroup_paths(memberships),
            (Some("/box/job"), Some("/box/job"))
        );
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let mount = dir.path().to_string_lossy().into_owned();
        let write = |sub: &str, limit: &str, usage: &str| {
            let at = dir.path().join(sub.trim_start_matches('/'));
            std::fs::create_dir_all(&at).unwrap_or_else(|e| panic!("mkdir: {e}"));
            std::fs::write(at.join("memory.max"), limit).unwrap_or_else(|e| panic!("write: {e}"));
            std::fs::write(at.join("memory.current"), usage)
                .unwrap_or_else(|e| panic!("write: {e}"));
        };
        write("", "8000000000\n", "1000000000\n");
        write("/box", "max\n", "0\n");
        write("/box/job", "800000000\n", "100000000\n");
        let left = remaining_in_chain(&mount, Some("/box/job"), "memory.max", "memory.current");
        assert_eq!(
            left,
            Some(700_000_000),
            "the job's own limit is the tight one"
        );
        let root_only = remaining_in_chain(&mount, Some("/"), "memory.max", "memory.current");
        assert_eq!(root_only, Some(7_000_000_000));
    }
}
