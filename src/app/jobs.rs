//! Work the app asks for that takes too long for the UI thread (a search
//! of the whole heap: ~1 s on a 1 GB snapshot). The app queues a [`Job`];
//! the runtime runs it on a thread and hands the [`JobDone`] back through
//! the one event channel, so the app never blocks and never holds a lock.

use std::sync::Arc;

use crate::snapshot::views::named_filters::{named_summary, NamedFilter};
use crate::snapshot::views::retainers::IgnoredRetainers;
use crate::snapshot::{Analysis, ClassAggregate};

/// A request for background work, with everything it reads.
#[derive(Debug, Clone)]
pub enum Job {
    /// The Summary's rows of `slot` under a named filter.
    NamedFilter {
        slot: usize,
        analysis: Arc<Analysis>,
        filter: NamedFilter,
    },
    /// The Retainers view of `slot` with `nodes` ignored.
    IgnoreRetainers {
        slot: usize,
        analysis: Arc<Analysis>,
        nodes: Vec<u32>,
    },
}

/// A finished [`Job`].
#[derive(Debug)]
pub enum JobDone {
    NamedFilter {
        slot: usize,
        filter: NamedFilter,
        rows: Vec<ClassAggregate>,
    },
    IgnoreRetainers {
        slot: usize,
        view: IgnoredRetainers,
    },
}

impl Job {
    /// Does the work (on whichever thread calls it).
    pub fn run(self) -> JobDone {
        match self {
            Job::NamedFilter {
                slot,
                analysis,
                filter,
            } => JobDone::NamedFilter {
                slot,
                filter,
                rows: named_summary(&analysis, filter),
            },
            Job::IgnoreRetainers {
                slot,
                analysis,
                nodes,
            } => JobDone::IgnoreRetainers {
                slot,
                view: IgnoredRetainers::new(&analysis, nodes),
            },
        }
    }
}
