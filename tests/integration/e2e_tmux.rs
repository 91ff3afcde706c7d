//! End to end: the real binary in a real terminal (tmux), driven with keys
//! as a user would, on the demo pair.

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::util::{fixture, heaplens};

/// A private tmux server for one test, killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, width: u16, height: u16, command: &str) -> Tmux {
        let socket = format!("heaplens-e2e-{name}-{}", std::process::id());
        let tmux = Tmux { socket };
        let status = tmux
            .cmd(&[
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                command,
            ])
            .status()
            .unwrap_or_else(|e| {
                panic!("tmux must be installed for the end-to-end test (.ci/run installs it): {e}")
            });
        assert!(status.success(), "tmux starts a session");
        tmux
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]).args(args);
        c
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            let ok = self
                .cmd(&["send-keys", "-t", "e2e", key])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "tmux sends {key}");
            sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "e2e"])
            .output()
            .unwrap_or_else(|e| panic!("capture: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// tmux's `#{alternate_on}` for the pane: "1" while a full-screen
    /// program holds the alternate screen, "0" once it has restored it.
    fn alternate_screen(&self) -> String {
        let mode = self
            .cmd(&["display", "-p", "-t", "e2e", "#{alternate_on}"])
            .output();
        mode.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    }

    /// Waits until the screen satisfies `ready`, or fails with the screen.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

fn demo_command() -> String {
    format!(
        "{} {} {}; echo HEAPLENS-EXITED-$?; sleep 30",
        env!("CARGO_BIN_EXE_heaplens"),
        fixture("demo/baseline.heapsnapshot").display(),
        fixture("demo/after.heapsnapshot").display()
    )
}

/// The class with the largest # Delta, as the headless `diff` reports it.
fn top_delta_class() -> String {
    let out = heaplens([
        "diff".as_ref(),
        fixture("demo/baseline.heapsnapshot").as_os_str(),
        fixture("demo/after.heapsnapshot").as_os_str(),
        "--sort".as_ref(),
        "delta".as_ref(),
        "--top".as_ref(),
        "1".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("diff json: {e}"));
    doc["classes"][0]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn finding_a_leak_with_the_keyboard_and_quitting_cleanly() {
    let tmux = Tmux::start("journey", 130, 60, &demo_command());
    let screen = tmux.wait_for("both snapshots to load", |s| {
        s.matches(" objects, ").count() >= 2 && s.contains("# New")
    });
    let first_row = screen.lines().nth(4).unwrap_or_default();
    assert!(
        first_row.contains(&format!("▸ {} ", top_delta_class())),
        "the class with the largest # Delta comes first:\n{screen}"
    );

    tmux.keys(&["/", "SessionRecord", "Enter"]);
    let screen = tmux.wait_for("the filter", |s| {
        s.contains("filter: SessionRecord (1 row)")
    });
    assert!(
        screen
            .lines()
            .nth(4)
            .unwrap_or_default()
            .contains("▸ SessionRecord"),
        "{screen}"
    );
    assert!(
        screen.lines().nth(5).unwrap_or_default().starts_with("│  "),
        "only that class is left:\n{screen}"
    );

    tmux.keys(&["l", "j"]);
    let screen = tmux.wait_for("the retainer chain", |s| {
        s.contains("Retainers ─ of SessionRecord @")
    });
    assert!(
        screen.contains("table in Map @"),
        "the leak's Map is on the chain:\n{screen}"
    );
    let global = screen
        .lines()
        .find(|l| l.contains(" in global @"))
        .unwrap_or_else(|| panic!("the chain reaches the global object (a GC root):\n{screen}"));
    // `… in global @ID  DISTANCE  SHALLOW  RETAINED`
    let after_id = global.split(" in global @").nth(1).unwrap_or_default();
    let distance = after_id.split_whitespace().nth(1).unwrap_or_default();
    assert_eq!(distance, "1", "the global is at distance 1: {global}");

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("heaplens to exit", |s| s.contains("HEAPLENS-EXITED-"));
    assert!(
        screen.contains("HEAPLENS-EXITED-0"),
        "it exits with status 0:\n{screen}"
    );
    assert!(
        !screen.contains("Retainers"),
        "the alternate screen is gone:\n{screen}"
    );
}

#[test]
fn sigterm_sighup_and_sigint_restore_the_terminal() {
    for signal in ["TERM", "HUP", "INT"] {
        let tmux = Tmux::start(&format!("sig{signal}"), 100, 30, &demo_command());
        tmux.wait_for("the TUI", |s| s.contains("Comparison"));
        // Only this session's heaplens: the child of the pane's shell.
        let shell = tmux
            .cmd(&["display", "-p", "-t", "e2e", "#{pane_pid}"])
            .output();
        let shell = shell
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let status = Command::new("pkill")
            .args([&format!("-{signal}"), "-P", &shell, "heaplens"])
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "pkill finds heaplens under shell {shell}"
        );
        let screen = tmux.wait_for("heaplens to exit", |s| s.contains("HEAPLENS-EXITED-"));
        assert!(
            !screen.contains("Comparison"),
            "SIG{signal}: the alternate screen is gone:\n{screen}"
        );
        let alternate = tmux.alternate_screen();
        assert_eq!(
            alternate, "0",
            "SIG{signal}: tmux reports the normal screen"
        );
    }
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the deliberate panic exists in debug builds only"
)]
fn a_panic_restores_the_terminal_and_shows_its_message() {
    let command = format!("HEAPLENS_DEBUG_PANIC=1 {}", demo_command());
    let tmux = Tmux::start("panic", 100, 30, &command);
    let screen = tmux.wait_for("heaplens to exit", |s| s.contains("HEAPLENS-EXITED-"));
    assert!(
        screen.contains("deliberate panic to test terminal restoration"),
        "the panic message is shown:\n{screen}"
    );
    assert!(
        !screen.contains("HEAPLENS-EXITED-0"),
        "a panic is not a success:\n{screen}"
    );
    let alternate = tmux.alternate_screen();
    assert_eq!(alternate, "0", "the normal screen is back");
}

/// Four snapshots (S3 twice) open on Leaks; `8` shows the Trend of every
/// class over the four, `/` finds one, Enter opens it in the last Summary.
#[test]
fn four_snapshots_show_a_trend_that_opens_the_last_summary() {
    let three: Vec<String> = ["s1", "s2", "s3", "s3"]
        .iter()
        .map(|s| {
            fixture(&format!("three/{s}.heapsnapshot"))
                .display()
                .to_string()
        })
        .collect();
    let command = format!(
        "{} {}; echo HEAPLENS-EXITED-$?; sleep 30",
        env!("CARGO_BIN_EXE_heaplens"),
        three.join(" ")
    );
    let tmux = Tmux::start("trend", 140, 40, &command);
    tmux.wait_for("the leaks once all four load", |s| {
        s.contains("Leaks: allocated between") && s.contains("▸ CachedOrder")
    });
    tmux.keys(&["8", "/", "CachedOrder", "Enter"]);
    let screen = tmux.wait_for("the trend row", |s| {
        s.contains("Trend over 4 snapshots") && s.contains("filter: CachedOrder (1 row)")
    });
    let row = screen
        .lines()
        .find(|l| l.contains("CachedOrder leaky-three.js:53:31"))
        .unwrap_or_else(|| panic!("a located CachedOrder row:\n{screen}"));
    assert!(row.contains("0 → 300 ·███"), "{row}");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the last Summary", |s| {
        s.contains("CachedOrder in the Summary of s3.heapsnapshot.gz")
    });
    assert!(screen.contains("Summary: s3.heapsnapshot.gz"), "{screen}");
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("heaplens to exit", |s| s.contains("HEAPLENS-EXITED-"));
    assert!(screen.contains("HEAPLENS-EXITED-0"), "{screen}");
}
