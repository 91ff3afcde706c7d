//! Background loading: one thread per snapshot runs the engine and reports
//! over the UI's single channel.
//!
//! Progress is throttled to one message per ~100 ms (and every stage
//! change), so a fast load cannot flood a slow SSH link with redraws. The
//! class counts go out as soon as they are known, before dominators. A
//! cancel flag is checked at every progress report; dropping the handle
//! cancels, and the thread ends at its next check.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::snapshot::{self, Analysis, ClassAggregate, Progress, SnapshotError, Stage};

/// What a loader reports.
#[derive(Debug)]
pub enum LoadEvent {
    Progress(Progress),
    /// Class counts and shallow sizes (no retained sizes or distances yet).
    Early(Vec<ClassAggregate>),
    Done(Arc<Analysis>),
    Failed(String),
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
pub fn spawn<E: Send + 'static>(
    path: PathBuf,
    tx: Sender<E>,
    wrap: impl Fn(LoadEvent) -> E + Send + 'static,
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
                Ok(Ok(analysis)) => LoadEvent::Done(Arc::new(analysis)),
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
