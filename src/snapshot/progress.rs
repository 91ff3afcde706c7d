//! Load stages and progress reports, for the TUI's progress bar and the
//! CLI's `--timings`.

use std::fmt;
use std::time::Duration;

/// A stage of loading, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Read,
    DomState,
    ShallowSizes,
    ClassNames,
    Aggregates,
    ScriptNames,
    Retainers,
    Dominators,
    Distances,
    ClassRetained,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Read,
        Stage::DomState,
        Stage::ShallowSizes,
        Stage::ClassNames,
        Stage::Aggregates,
        Stage::ScriptNames,
        Stage::Retainers,
        Stage::Dominators,
        Stage::Distances,
        Stage::ClassRetained,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Stage::Read => "reading and parsing",
            Stage::Retainers => "retainers, WeakMaps, essential edges",
            Stage::DomState => "propagating DOM state",
            Stage::ShallowSizes => "attributing shallow sizes",
            Stage::ClassNames => "naming classes",
            Stage::Aggregates => "counting classes",
            Stage::ScriptNames => "naming scripts",
            Stage::Dominators => "computing dominators",
            Stage::Distances => "computing distances",
            Stage::ClassRetained => "class retained sizes",
        }
    }

    /// Rough share of total load time, for a progress bar and an ETA.
    pub fn weight(self) -> f64 {
        match self {
            Stage::Read => 0.45,
            Stage::Dominators => 0.25,
            Stage::Distances | Stage::Retainers => 0.07,
            Stage::ClassNames | Stage::Aggregates => 0.04,
            Stage::ScriptNames => 0.01,
            _ => 0.02,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A progress report: the current stage and, while reading, bytes so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub bytes_read: u64,
}

/// Receives progress; returning false cancels the load.
pub type ProgressSink<'a> = &'a mut dyn FnMut(Progress) -> bool;

/// How long a stage took and the process's peak resident memory when it
/// ended (Linux; None elsewhere).
#[derive(Debug, Clone)]
pub struct StageTiming {
    pub stage: Stage,
    pub took: Duration,
    pub peak_rss: Option<u64>,
    /// Ran beside another thread's longer stage: adds no wall time.
    pub beside: bool,
}

/// The stages of one load, in the order they ended.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub stages: Vec<StageTiming>,
}

impl Timings {
    pub fn record(&mut self, stage: Stage, took: Duration) {
        self.record_as(stage, took, false);
    }

    pub fn record_as(&mut self, stage: Stage, took: Duration, beside: bool) {
        self.stages.push(StageTiming {
            stage,
            took,
            peak_rss: peak_rss_bytes(),
            beside,
        });
    }

    /// The load's wall time: the stages not run beside another.
    pub fn wall(&self) -> Duration {
        self.stages
            .iter()
            .filter(|s| !s.beside)
            .map(|s| s.took)
            .sum()
    }
}

/// `VmHWM` of /proc/self/status: the peak resident set so far.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
