//! Shared by journey and render tests: the demo pair loaded once, apps
//! built on it, and keys typed as text.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::keymap::{Key, Keymap};
use super::App;
use crate::loader::LoadEvent;
use crate::snapshot::{self, Analysis};

pub fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/demo")
        .join(name)
}

/// The demo pair, loaded once for all journeys.
pub fn demo_pair() -> &'static (Arc<Analysis>, Arc<Analysis>) {
    static PAIR: OnceLock<(Arc<Analysis>, Arc<Analysis>)> = OnceLock::new();
    PAIR.get_or_init(|| {
        let load = |name: &str| match snapshot::load(&demo(name), &mut |_| true) {
            Ok(a) => Arc::new(a),
            Err(e) => panic!("demo snapshot loads: {e}"),
        };
        (
            load("baseline.heapsnapshot.gz"),
            load("after.heapsnapshot.gz"),
        )
    })
}

pub fn keys(text: &str) -> Vec<Key> {
    text.chars()
        .map(|c| match c {
            '\n' => Key::Enter,
            '\u{1b}' => Key::Esc,
            '\t' => Key::Tab,
            c => Key::Char(c),
        })
        .collect()
}

/// Types `text`, running each key's background jobs as the runtime would
/// (here, on this thread, before the next key).
pub fn press(app: &mut App, text: &str) {
    for key in keys(text) {
        app.on_key(key);
        run_jobs(app);
    }
}

pub fn run_jobs(app: &mut App) {
    for job in app.take_jobs() {
        app.on_job(job.run());
    }
}

/// The demo pair opened, nothing loaded yet.
pub fn pair_app() -> App {
    App::new(
        vec![
            demo("baseline.heapsnapshot.gz"),
            demo("after.heapsnapshot.gz"),
        ],
        Keymap::default_keys(),
    )
}

pub fn comparison_app() -> App {
    let (base, target) = demo_pair();
    let mut app = pair_app();
    app.on_load(1, LoadEvent::Done(Arc::clone(target)));
    app.on_load(0, LoadEvent::Done(Arc::clone(base)));
    app
}

pub fn summary_app() -> App {
    let (_, target) = demo_pair();
    let mut app = App::new(vec![demo("after.heapsnapshot.gz")], Keymap::default_keys());
    app.on_load(0, LoadEvent::Done(Arc::clone(target)));
    app
}

/// The demo target's Summary rows as the loader sends them early: counts
/// and shallow sizes, no retained sizes, no instances.
pub fn early_rows() -> Vec<crate::snapshot::ClassAggregate> {
    let (_, target) = demo_pair();
    target
        .aggregates
        .iter()
        .map(|a| crate::snapshot::ClassAggregate {
            retained_size: 0,
            instances: Vec::new(),
            ..a.clone()
        })
        .collect()
}
