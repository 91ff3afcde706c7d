//! Background loading: one thread per snapshot runs the engine and reports
//! over the UI's single channel.
//!
//! Progress is throttled to one message per ~100 ms (and every stage
//! change), so a fast load cannot flood a slow SSH link with redraws. The
//! class counts go out as soon as they are known, before dominators. A
//! cancel flag is checked at every progress report; dropping the handle
//! cancels, and the thread ends at its next check. The loaders of a
//! session meet at a [`Rendezvous`]: the one that completes a pair compares
//! it, the one that completes three or more snapshots finds their leaks and
//! their trend, so the UI thread never does any of it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::format;
use crate::snapshot::class_rows::ClassRows;
use crate::snapshot::index::{IndexError, IndexFile, Need};
use crate::snapshot::views::diff::{compare, ClassDiff};
use crate::snapshot::views::leaks::{self, LeakReport};
use crate::snapshot::views::trend::{trend_of, Trend};
use crate::snapshot::{
    self, Analysis, ClassAggregate, Progress, SnapshotError, SnapshotInput, Stage,
};

/// What a loader reports.
#[derive(Debug)]
pub enum LoadEvent {
    Progress(Progress),
    /// Class counts and shallow sizes (no retained sizes or distances yet).
    Early(Vec<ClassAggregate>),
    /// The Summary's finished rows, read from an index before the rest of
    /// the analysis: retained sizes, distances and script names too.
    Rows(Box<ClassRows>),
    /// The Comparison of the baseline (first) and the target (last), sent
    /// just before the `Done` that completes the pair.
    Compared(Vec<ClassDiff>),
    /// The leaks of three or more snapshots (allocated between the first
    /// and the second, alive in the last), sent just before the last `Done`.
    Leaks(LeakReport),
    /// The trend of three or more snapshots, sent just before the last `Done`.
    Trend(Trend),
    Done(Arc<Analysis>),
    Failed(String),
    /// Something the load noticed but read past (gzip trailing bytes),
    /// sent before `Done`.
    Warning(String),
}

/// Where the loaders of one session meet, by slot (oldest snapshot first).
#[derive(Debug)]
pub struct Rendezvous {
    loaded: Mutex<Vec<Option<Arc<Analysis>>>>,
}

impl Rendezvous {
    pub fn new(slots: usize) -> Rendezvous {
        Rendezvous {
            loaded: Mutex::new(vec![None; slots]),
        }
    }

    /// Records `analysis` in `slot`, then computes (on the calling loader's
    /// thread) what this arrival completes: the Comparison of the first and
    /// the last snapshot; with three or more, all loaded, their leaks and
    /// their trend.
    fn arrive(&self, slot: usize, analysis: &Arc<Analysis>) -> Vec<LoadEvent> {
        let loaded: Vec<Option<Arc<Analysis>>> = match self.loaded.lock() {
            Ok(mut loaded) => {
                if let Some(place) = loaded.get_mut(slot) {
                    *place = Some(Arc::clone(analysis));
                }
                loaded.clone()
            }
            Err(_) => return Vec::new(),
        };
        let last = loaded.len().saturating_sub(1);
        let mut events = Vec::new();
        if last > 0 && (slot == 0 || slot == last) {
            if let (Some(base), Some(target)) = (&loaded[0], &loaded[last]) {
                events.push(LoadEvent::Compared(compare(base, target)));
            }
        }
        let all: Option<Vec<&Arc<Analysis>>> = loaded.iter().map(Option::as_ref).collect();
        if let Some(all) = all.filter(|all| all.len() >= 3) {
            let (s1, s2, last) = (all[0], all[1], all[all.len() - 1]);
            let include = |n| !leaks::is_v8_internal(last, n);
            events.push(LoadEvent::Leaks(leaks::find_leaks(
                &s1.graph, &s2.graph, last, &include,
            )));
            events.push(LoadEvent::Trend(trend_of(
                all.iter().map(|a| Arc::as_ref(a)),
            )));
        }
        events
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

/// Starts loading `input` (from `index`, when given), the snapshot in
/// `slot` of the session's `meeting`; every event is wrapped by `wrap` and
/// sent to `tx`.
pub fn spawn<E: Send + 'static>(
    (input, index): (SnapshotInput, Option<Arc<IndexFile>>),
    (meeting, slot): (Arc<Rendezvous>, usize),
    tx: Sender<E>,
    wrap: impl Fn(LoadEvent) -> E + Send + 'static,
) -> std::io::Result<LoaderHandle> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let name = format::path(input.path());
    let warnings = input.warnings();
    thread::Builder::new()
        .name(format!("load {name}"))
        .spawn(move || {
            let send = |event| tx.send(wrap(event)).is_ok();
            // A bug in the engine must show up as a failed load, not as a
            // progress bar that never ends.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &index {
                Some(index) => load_from_index(index, input, &send),
                None => load(input, &flag, &send).map_err(|e| failure(&name, e)),
            }));
            let event = match outcome {
                Ok(Ok(analysis)) => {
                    for warning in warnings.take() {
                        send(LoadEvent::Warning(format!("{name}: {warning}")));
                    }
                    let analysis = Arc::new(analysis);
                    for event in meeting.arrive(slot, &analysis) {
                        send(event);
                    }
                    LoadEvent::Done(analysis)
                }
                Ok(Err(None)) => return,
                Ok(Err(Some(message))) => LoadEvent::Failed(message),
                Err(panic) => LoadEvent::Failed(format!(
                    "{name}: internal error while loading (a heaplens bug; please report it): {}",
                    format::visible(panic_text(panic.as_ref()))
                )),
            };
            send(event);
        })?;
    Ok(LoaderHandle { cancel })
}

/// What a panic said (the hook does not print a loader's: see `runtime`).
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    let text = payload.downcast_ref::<&str>().copied();
    let owned = payload.downcast_ref::<String>().map(String::as_str);
    text.or(owned).unwrap_or("no message")
}

/// The line a failed load shows; None when it was cancelled.
fn failure(name: &str, error: SnapshotError) -> Option<String> {
    match error {
        SnapshotError::Cancelled => None,
        e => Some(format!("{name}: {e}")),
    }
}

/// The Summary's rows from the index's small sections at once, then the
/// whole analysis from the rest. A failure names the index file.
fn load_from_index(
    index: &IndexFile,
    input: SnapshotInput,
    send: &dyn Fn(LoadEvent) -> bool,
) -> Result<Analysis, Option<String>> {
    let failed = |e: IndexError| Some(format!("{}: {e}", format::path(index.path())));
    let rows = index.class_rows().map_err(failed)?;
    if !send(LoadEvent::Rows(Box::new(rows))) {
        return Err(None);
    }
    // A plain file's long strings are read back from it, as after a load.
    let name = format::path(input.path());
    let snapshot = match input.is_gzip() {
        true => None,
        false => input.into_parts().map_err(|e| failure(&name, e))?.2,
    };
    index.load(Need::Everything, snapshot).map_err(failed)
}

fn load(
    input: SnapshotInput,
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
    snapshot::load_with_early(input, &mut report, &mut |rows| send(LoadEvent::Early(rows)))
}

#[cfg(test)]
mod tests {
    /// A loader's failure names what its panic said: the hook prints
    /// nothing over the UI.
    #[test]
    fn a_panic_is_told_by_its_message() {
        let said = |f: fn()| {
            let payload = std::panic::catch_unwind(f).expect_err("it panics");
            super::panic_text(payload.as_ref()).to_owned()
        };
        assert_eq!(
            said(|| panic!("index {} out of bounds", 7)),
            "index 7 out of bounds"
        );
        assert_eq!(said(|| panic!("plain")), "plain");
        assert_eq!(said(|| std::panic::panic_any(42)), "no message");
    }

    use super::*;
    use crate::app::testing::demo_pair;

    #[test]
    fn the_arrival_that_completes_a_pair_compares_it() {
        let (base, target) = demo_pair();
        let meeting = Rendezvous::new(2);
        assert!(meeting.arrive(1, target).is_empty(), "alone");
        let events = meeting.arrive(0, base);
        let [LoadEvent::Compared(diffs)] = events.as_slice() else {
            panic!("one Comparison: {events:?}");
        };
        let expected = compare(base, target);
        let keys = |d: &[ClassDiff]| d.iter().map(|c| c.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(diffs), keys(&expected));
        assert!(!diffs.is_empty());
    }

    #[test]
    fn three_snapshots_are_compared_first_to_last_then_searched_for_leaks() {
        let (base, target) = demo_pair();
        let meeting = Rendezvous::new(3);
        assert!(meeting.arrive(1, base).is_empty(), "the middle alone");
        assert!(meeting.arrive(0, base).is_empty(), "no last yet");
        let events = meeting.arrive(2, target);
        assert!(
            matches!(
                events.as_slice(),
                [
                    LoadEvent::Compared(_),
                    LoadEvent::Leaks(_),
                    LoadEvent::Trend(_)
                ]
            ),
            "{events:?}"
        );
    }

    /// From an index, the Summary's rows come first, then the analysis,
    /// equal to a load's.
    #[test]
    fn an_index_sends_its_rows_then_the_analysis() {
        let demo = crate::app::testing::demo("after.heapsnapshot.gz");
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp: {e}"));
        let loaded = crate::snapshot::load(&demo, &mut |_| true).unwrap_or_else(|e| panic!("{e}"));
        let output = dir.path().join("after.hlx");
        let identity = crate::snapshot::index::SnapshotIdentity::of(&demo)
            .unwrap_or_else(|e| panic!("identity: {e}"));
        crate::snapshot::index::write_index(&loaded, identity, &demo, &output)
            .unwrap_or_else(|e| panic!("written: {e}"));
        let index = IndexFile::open(&output).unwrap_or_else(|e| panic!("opens: {e}"));
        let input = SnapshotInput::open(&demo).unwrap_or_else(|e| panic!("{e}"));
        let (tx, rx) = std::sync::mpsc::channel();
        let place = (Arc::new(Rendezvous::new(1)), 0);
        let _handle = spawn((input, Some(Arc::new(index))), place, tx, |e| e);
        let rows = |a: &[ClassAggregate]| -> Vec<(String, u64, u64)> {
            a.iter()
                .map(|c| (c.key.clone(), c.count, c.retained_size))
                .collect()
        };
        let mut early = None;
        for event in rx.iter() {
            match event {
                LoadEvent::Rows(first) => early = Some(rows(&first.aggregates)),
                LoadEvent::Done(analysis) => {
                    assert_eq!(early, Some(rows(&loaded.aggregates)), "rows first");
                    assert_eq!(rows(&analysis.aggregates), rows(&loaded.aggregates));
                    assert_eq!(analysis.dominators.retained, loaded.dominators.retained);
                    return;
                }
                LoadEvent::Failed(why) => panic!("it loads: {why}"),
                _ => {}
            }
        }
        panic!("no Done");
    }

    /// A gzip file with bytes after its last member loads, and the TUI is
    /// told (the headless commands print the same line on stderr).
    #[test]
    fn regression_gzip_trailing_garbage_reaches_the_tui_as_a_warning() {
        use std::io::Write;
        let demo = crate::app::testing::demo("after.heapsnapshot.gz");
        let mut bytes = std::fs::read(&demo).unwrap_or_default();
        bytes.extend_from_slice(b"garbage after the last member");
        let mut file = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("temp: {e}"));
        file.write_all(&bytes)
            .unwrap_or_else(|e| panic!("write: {e}"));
        let input =
            crate::snapshot::SnapshotInput::open(file.path()).unwrap_or_else(|e| panic!("{e}"));
        let (tx, rx) = std::sync::mpsc::channel();
        let _handle = spawn((input, None), (Arc::new(Rendezvous::new(1)), 0), tx, |e| e);
        let mut warned = false;
        for event in rx.iter() {
            match event {
                LoadEvent::Warning(w) => warned |= w.contains("trailing garbage ignored"),
                LoadEvent::Done(_) => break,
                LoadEvent::Failed(why) => panic!("it loads: {why}"),
                _ => {}
            }
        }
        assert!(warned, "the warning comes before Done");
    }
}
