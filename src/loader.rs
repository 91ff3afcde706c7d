//! Background loading: one thread per snapshot runs the engine and reports
//! over the UI's single channel.
//!
//! Progress is throttled to one message per ~100 ms (and every stage
//! change), so a fast load cannot flood a slow SSH link with redraws. The
//! class counts go out as soon as they are known, before dominators. A
//! cancel flag is checked at every progress report; dropping the handle
//! cancels, and the thread ends at its next check. The loaders of a
//! baseline and a target meet at a [`Rendezvous`]: the one that finishes
//! second compares the pair, so the UI thread never does.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::snapshot::diff::{compare, ClassDiff};
use crate::snapshot::{self, Analysis, ClassAggregate, Progress, SnapshotError, Stage};

/// What a loader reports.
#[derive(Debug)]
pub enum LoadEvent {
    Progress(Progress),
    /// Class counts and shallow sizes (no retained sizes or distances yet).
    Early(Vec<ClassAggregate>),
    /// The Comparison of the baseline and the target, sent just before
    /// the `Done` of whichever finished second.
    Compared(Vec<ClassDiff>),
    Done(Arc<Analysis>),
    Failed(String),
}

/// Which side of a Comparison a loader loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Baseline,
    Target,
}

/// Where the loaders of a baseline and a target meet.
#[derive(Debug, Default)]
pub struct Rendezvous {
    loaded: Mutex<[Option<Arc<Analysis>>; 2]>,
}

impl Rendezvous {
    /// Records `analysis` as `side`; once both are there, compares them
    /// (on the calling loader's thread).
    fn arrive(&self, side: Side, analysis: &Arc<Analysis>) -> Option<Vec<ClassDiff>> {
        let (base, target) = {
            let mut loaded = self.loaded.lock().ok()?;
            loaded[usize::from(side == Side::Target)] = Some(Arc::clone(analysis));
            (loaded[0].clone()?, loaded[1].clone()?)
        };
        Some(compare(&base, &target))
    }
}

const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// A running load; dropping it cancels the load.
pub struct LoaderHandle {
    cancel: Arc<AtomicBool>,
}

impl Drop for LoaderHandle {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Starts loading `path`; every event is wrapped by `wrap` and sent to `tx`.
/// With a rendezvous, the loader is one side of a Comparison.
pub fn spawn<E: Send + 'static>(
    path: PathBuf,
    tx: Sender<E>,
    wrap: impl Fn(LoadEvent) -> E + Send + 'static,
    pair: Option<(Arc<Rendezvous>, Side)>,
) -> std::io::Result<LoaderHandle> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    thread::Builder::new()
        .name(format!("load {}", path.display()))
        .spawn(move || {
            let send = |event| tx.send(wrap(event)).is_ok();
            // A bug in the engine must show up as a failed load, not as a
            // progress bar that never ends.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                load(&path, &flag, &send)
            }));
            let event = match outcome {
                Ok(Ok(analysis)) => {
                    let analysis = Arc::new(analysis);
                    let compared = pair.and_then(|(meeting, side)| meeting.arrive(side, &analysis));
                    if let Some(diffs) = compared {
                        send(LoadEvent::Compared(diffs));
                    }
                    LoadEvent::Done(analysis)
                }
                Ok(Err(SnapshotError::Cancelled)) => return,
                Ok(Err(e)) => LoadEvent::Failed(format!("{}: {e}", path.display())),
                Err(_) => LoadEvent::Failed(format!(
                    "{}: internal error while loading (a heaplens bug; please report it)",
                    path.display()
                )),
            };
            send(event);
        })?;
    Ok(LoaderHandle { cancel })
}

fn load(
    path: &Path,
    cancel: &AtomicBool,
    send: &dyn Fn(LoadEvent) -> bool,
) -> Result<Analysis, SnapshotError> {
    let mut last: Option<(Stage, Instant)> = None;
    let mut report = |p: Progress| {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        let due = match last {
            Some((stage, at)) => stage != p.stage || at.elapsed() >= PROGRESS_INTERVAL,
            None => true,
        };
        if due {
            last = Some((p.stage, Instant::now()));
            return send(LoadEvent::Progress(p));
        }
        true
    };
    snapshot::load_with_early(path, &mut report, &mut |rows| send(LoadEvent::Early(rows)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::demo_pair;

    #[test]
    fn the_second_side_to_arrive_compares_the_pair() {
        let (base, target) = demo_pair();
        let meeting = Rendezvous::default();
        assert!(meeting.arrive(Side::Target, target).is_none(), "alone");
        let diffs = meeting.arrive(Side::Baseline, base).expect("both there");
        let expected = compare(base, target);
        let keys = |d: &[ClassDiff]| d.iter().map(|c| c.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&diffs), keys(&expected));
        assert!(!diffs.is_empty());
    }
}
