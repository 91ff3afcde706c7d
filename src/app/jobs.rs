//! Work the app asks for that takes too long for the UI thread (a search
//! of the whole heap: ~1 s on a 1 GB snapshot). The app queues a [`Job`];
//! the runtime runs it on a thread and hands the [`JobDone`] back through
//! the one event channel, so the app never blocks and never holds a lock.

use std::sync::Arc;

use crate::snapshot::views::collections::{growing_collections, Census, GrowingCollection};
use crate::snapshot::views::duplicates::DuplicateGroup;
use crate::snapshot::views::named_filters::{named_summary, NamedFilter};
use crate::snapshot::views::retainers::IgnoredRetainers;
use crate::snapshot::views::string_search::{search_strings, StringQuery};
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
    /// The string values of `analysis` matching `pattern` (typed text:
    /// a regex, or plain text when it is none).
    SearchStrings {
        analysis: Arc<Analysis>,
        pattern: String,
    },
    /// The collections of `target` that gained entries since `base`.
    GrowingCollections {
        base: Arc<Analysis>,
        target: Arc<Analysis>,
    },
}

/// A growing collection and the edge name it is held by (its first
/// retainer's, `sessionCache`), for one line of Details.
#[derive(Debug, Clone)]
pub struct NamedCollection {
    pub collection: GrowingCollection,
    pub held_as: Option<String>,
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
    SearchStrings {
        analysis: Arc<Analysis>,
        pattern: String,
        groups: Vec<DuplicateGroup>,
    },
    GrowingCollections(Vec<NamedCollection>),
    /// The job panicked (a heaplens bug): what it said.
    Failed(String),
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
            Job::SearchStrings { analysis, pattern } => JobDone::SearchStrings {
                groups: search_strings(&analysis, &StringQuery::lenient(&pattern)),
                analysis,
                pattern,
            },
            Job::GrowingCollections { base, target } => {
                JobDone::GrowingCollections(named_collections(&base, &target))
            }
        }
    }
}

/// The growing collections of `target`, each with the edge it is held by.
fn named_collections(base: &Analysis, target: &Analysis) -> Vec<NamedCollection> {
    growing_collections(&Census::of(base), target)
        .into_iter()
        .map(|collection| NamedCollection {
            held_as: target
                .retainers(collection.node)
                .first()
                .map(|r| target.edge_label(r.edge)),
            collection,
        })
        .collect()
}
