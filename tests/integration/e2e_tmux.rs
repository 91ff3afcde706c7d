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

    /// An interactive shell (job control: Ctrl-z, `fg`) that prompts
    /// with [`PROMPT`], writes no history and reads no rc file.
    fn shell(name: &str, width: u16, height: u16) -> Tmux {
        let command = format!("env HISTFILE=/dev/null PS1='{PROMPT}' bash --norc --noprofile -i");
        let tmux = Tmux::start(name, width, height, &command);
        tmux.wait_for("the shell's prompt", at_prompt);
        tmux
    }

    /// Types `line` into the pane and presses Enter.
    fn type_line(&self, line: &str) {
        let ok = self
            .cmd(&["send-keys", "-t", "e2e", "-l", line])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "tmux types {line}");
        self.keys(&["Enter"]);
    }

    /// A tmux format for the pane, e.g. `#{alternate_on}`.
    fn pane(&self, format: &str) -> String {
        let out = self.cmd(&["display", "-p", "-t", "e2e", format]).output();
        out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    }

    /// The whole pane, scrolled-off lines included, wrapped lines joined.
    fn history(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-J", "-S", "-", "-t", "e2e"])
            .output()
            .unwrap_or_else(|e| panic!("capture: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The pid of the heaplens the pane's shell runs.
    fn heaplens_pid(&self) -> String {
        let shell = self.pane("#{pane_pid}");
        let out = Command::new("pgrep")
            .args(["-P", &shell, "heaplens"])
            .output()
            .unwrap_or_else(|e| panic!("pgrep: {e}"));
        let pid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(!pid.is_empty(), "heaplens runs under shell {shell}");
        pid
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
        self.pane("#{alternate_on}")
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

/// The prompt of [`Tmux::shell`].
const PROMPT: &str = "heaplens-e2e$ ";

/// Whether the last line with text is the shell's prompt, waiting.
fn at_prompt(screen: &str) -> bool {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l == PROMPT.trim_end())
}

/// `heaplens FILES...; echo HEAPLENS-EXITED-$?` in a non-interactive shell.
fn heaplens_command(files: &[&std::path::Path]) -> String {
    let files: Vec<String> = files.iter().map(|f| format!("'{}'", f.display())).collect();
    format!(
        "{} {}; echo HEAPLENS-EXITED-$?; sleep 30",
        env!("CARGO_BIN_EXE_heaplens"),
        files.join(" ")
    )
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
fn sigterm_sighup_and_sigint_restore_the_terminal_and_exit_128_plus_the_signal() {
    for (signal, number) in [("TERM", 15), ("HUP", 1), ("INT", 2)] {
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
        let status = 128 + number;
        assert!(
            screen.contains(&format!("HEAPLENS-EXITED-{status}\n")),
            "SIG{signal} exits with {status}, as a shell reports it:\n{screen}"
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

#[test]
fn ctrl_z_and_sigtstp_suspend_to_the_shell_and_fg_redraws() {
    let demo = fixture("demo/after.heapsnapshot");
    for how in ["Ctrl-z", "SIGTSTP"] {
        let tmux = Tmux::shell(&format!("suspend-{}", how.replace('-', "")), 120, 40);
        tmux.type_line(&format!(
            "{} '{}'",
            env!("CARGO_BIN_EXE_heaplens"),
            demo.display()
        ));
        tmux.wait_for("the demo to load", |s| {
            s.contains("Summary: after.heapsnapshot") && s.contains(" objects, ")
        });
        let tty = tmux.pane("#{pane_tty}");
        match how {
            "Ctrl-z" => tmux.keys(&["C-z"]),
            _ => {
                let pid = tmux.heaplens_pid();
                let killed = Command::new("kill").args(["-TSTP", &pid]).status();
                assert!(killed.is_ok_and(|s| s.success()), "kill -TSTP {pid}");
            }
        }
        let screen = tmux.wait_for("the shell's prompt after a stop", |s| {
            s.contains("Stopped") && at_prompt(s)
        });
        assert!(
            !screen.contains("Summary: after"),
            "{how}: the TUI is off the screen:\n{screen}"
        );
        assert_eq!(tmux.alternate_screen(), "0", "{how}: the normal screen");
        assert_eq!(
            tmux.pane("#{mouse_any_flag}"),
            "0",
            "{how}: no mouse capture"
        );
        assert_eq!(tmux.pane("#{cursor_flag}"), "1", "{how}: the cursor shows");

        tmux.type_line("fg");
        let screen = tmux.wait_for("the TUI again", |s| {
            s.contains("Summary: after.heapsnapshot") && s.contains(" objects, ")
        });
        assert!(
            screen.contains("┌ Retainers"),
            "{how}: every pane is redrawn:\n{screen}"
        );
        assert_eq!(tmux.alternate_screen(), "1", "{how}: the alternate screen");
        assert_eq!(tmux.pane("#{mouse_any_flag}"), "1", "{how}: mouse capture");
        let stty = Command::new("stty")
            .args(["-F", &tty, "-a"])
            .output()
            .unwrap_or_else(|e| panic!("stty: {e}"));
        let modes = String::from_utf8_lossy(&stty.stdout);
        assert!(
            modes.split_whitespace().any(|m| m == "-icanon"),
            "{how}: raw mode again on {tty}: {modes}"
        );
        // Keys reach it one by one (raw mode), not after Enter.
        tmux.keys(&["?"]);
        tmux.wait_for("the help", |s| s.contains("Show or hide this help"));
        tmux.keys(&["q"]);
        tmux.wait_for("the shell after quitting", at_prompt);
        tmux.type_line("echo HEAPLENS-EXITED-$?");
        let screen = tmux.wait_for("the exit status", |s| s.contains("HEAPLENS-EXITED-"));
        assert!(
            screen.contains("HEAPLENS-EXITED-0"),
            "{how}: q after fg exits 0:\n{screen}"
        );
    }
}

#[test]
fn ctrl_c_quits_with_status_130_even_in_a_prompt() {
    let tiny = fixture("tiny/tiny-dominators.heapsnapshot");
    let cases: [(&str, &[&str], &str); 4] = [
        ("table", &[], "q quit"),
        ("filter", &["/", "Wea"], "Enter keep"),
        ("jump", &["@", "12"], "Enter jump"),
        ("search", &["3", "/", "Wea"], "Enter find"),
    ];
    for (name, keys, shown) in cases {
        let tmux = Tmux::start(
            &format!("ctrlc-{name}"),
            100,
            30,
            &heaplens_command(&[&tiny]),
        );
        tmux.wait_for("the snapshot to load", |s| s.contains("18 objects"));
        tmux.keys(keys);
        tmux.wait_for(shown, |s| s.contains(shown));
        tmux.keys(&["C-c"]);
        let screen = tmux.wait_for("heaplens to exit", |s| s.contains("HEAPLENS-EXITED-"));
        assert!(
            screen.contains("HEAPLENS-EXITED-130\n"),
            "{name}: Ctrl-c exits with 130:\n{screen}"
        );
        assert_eq!(tmux.alternate_screen(), "0", "{name}: the normal screen");
    }
}

#[test]
fn a_load_that_failed_in_the_tui_exits_2_and_repeats_its_error() {
    let good = fixture("tiny/tiny-dominators.heapsnapshot");
    let text = std::fs::read_to_string(&good).unwrap_or_else(|e| panic!("fixture: {e}"));
    // Past the header (the preflight reads it), inside the nodes: only
    // the loader, inside the TUI, finds it truncated.
    let nodes = text
        .find("\"nodes\"")
        .unwrap_or_else(|| panic!("nodes in the fixture"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.path().join("cut.heapsnapshot");
    std::fs::write(&bad, &text[..nodes + 40]).unwrap_or_else(|e| panic!("{e}"));

    let tmux = Tmux::start("failed", 130, 30, &heaplens_command(&[&bad, &good]));
    let screen = tmux.wait_for("the failed load", |s| {
        s.contains("cut.heapsnapshot: failed") && s.contains("18 objects")
    });
    assert!(screen.contains("truncated"), "the TUI shows why:\n{screen}");
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("heaplens to exit", |s| s.contains("HEAPLENS-EXITED-"));
    assert!(
        screen.contains("HEAPLENS-EXITED-2\n"),
        "a failed load is not a success:\n{screen}"
    );
    let repeated: Vec<&str> = screen
        .lines()
        .filter(|l| l.starts_with("heaplens: "))
        .collect();
    assert_eq!(repeated.len(), 1, "one line on stderr:\n{screen}");
    assert!(
        repeated[0].contains("cut.heapsnapshot: truncated"),
        "it names the file and the problem:\n{screen}"
    );
    assert_eq!(
        tmux.alternate_screen(),
        "0",
        "after the terminal is restored"
    );
}

#[test]
fn a_terminal_that_cannot_draw_gets_the_printed_tables() {
    let tiny = fixture("tiny/tiny-dominators.heapsnapshot");
    let base = fixture("tiny/tiny-diff-base.heapsnapshot");
    let target = fixture("tiny/tiny-diff-target.heapsnapshot");
    let cases: [(&str, &str, Vec<&std::path::Path>, &str); 2] = [
        ("dumb", "env TERM=dumb", vec![&tiny], "TERM=dumb"),
        (
            "unset",
            "env -u TERM",
            vec![&base, &target],
            "TERM is not set",
        ),
    ];
    for (name, env, files, why) in cases {
        let tmux = Tmux::start(
            &format!("term-{name}"),
            200,
            40,
            &format!("{env} {}", heaplens_command(&files)),
        );
        tmux.wait_for("heaplens to exit", |s| s.contains("HEAPLENS-EXITED-"));
        let screen = tmux.history();
        assert!(
            screen.lines().any(|l| l.trim_end() == "HEAPLENS-EXITED-0"),
            "{name}: {screen}"
        );
        let view = if files.len() == 1 {
            "Summary"
        } else {
            "Comparison"
        };
        let note = format!(
            "heaplens: {why}: the terminal cannot draw the interface; printing the {view} instead"
        );
        assert_eq!(
            screen.lines().next(),
            Some(note.as_str()),
            "{name}: one line says why, first:\n{screen}"
        );
        let printed = heaplens(&files);
        assert!(printed.status.success(), "{name}: headless");
        let expected: Vec<String> = String::from_utf8_lossy(&printed.stdout)
            .lines()
            .map(|l| l.trim_end().to_owned())
            .collect();
        // `capture-pane -J` keeps trailing spaces.
        let shown: Vec<&str> = screen
            .lines()
            .skip(1)
            .take(expected.len())
            .map(str::trim_end)
            .collect();
        assert_eq!(
            shown, expected,
            "{name}: the same tables as without a terminal:\n{screen}"
        );
    }
}

/// Issue 19: a long headless run on a terminal showed nothing. With stderr
/// a terminal, each load draws a progress line there (the input, bytes
/// read, the stage), cleared when it ends; `--quiet` draws none. The
/// input stalls for two seconds halfway, so the line is surely on screen.
#[test]
fn a_headless_load_on_a_terminal_shows_its_progress_then_clears_it() {
    let tmux = Tmux::shell("progress", 120, 12);
    let demo = fixture("demo/after.heapsnapshot");
    let bin = env!("CARGO_BIN_EXE_heaplens");
    let stalled = |flags: &str| {
        format!(
            "(gzip -dc '{demo}' | head -c 2000000; sleep 2; gzip -dc '{demo}' | tail -c +2000001) | '{bin}' summary - {flags} >/dev/null",
            demo = demo.display()
        )
    };
    tmux.type_line(&stalled(""));
    tmux.wait_for("the progress line", |s| {
        s.contains("reading and parsing") && s.contains("MB")
    });
    let after = tmux.wait_for("the prompt", |s| {
        at_prompt(s) && !s.contains("reading and parsing")
    });
    assert!(!after.contains("█"), "cleared:\n{after}");
    tmux.type_line("clear");
    tmux.wait_for("the prompt", at_prompt);
    tmux.type_line(&stalled("--quiet"));
    sleep(Duration::from_millis(1000));
    let during = tmux.screen();
    assert!(
        !during.contains("reading and parsing"),
        "--quiet draws nothing:\n{during}"
    );
    tmux.wait_for("the prompt again", at_prompt);
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

/// `m` hands the mouse to the terminal (to select an @id with it) and
/// back; `y` copies the selected object's @id to the clipboard (OSC 52:
/// tmux keeps it as a buffer) and it is printed again after the exit.
#[test]
fn m_frees_the_mouse_and_y_copies_an_id_printed_on_exit() {
    let demo = fixture("demo/after.heapsnapshot");
    let tmux = Tmux::start("yank", 120, 40, &heaplens_command(&[&demo]));
    let ok = tmux
        .cmd(&["set-option", "-g", "set-clipboard", "on"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "tmux takes OSC 52 copies as buffers");
    tmux.wait_for("the demo to load", |s| s.contains(" objects, "));
    assert_eq!(tmux.pane("#{mouse_any_flag}"), "1", "the mouse is captured");
    tmux.keys(&["m"]);
    tmux.wait_for("the mouse off", |s| s.contains("mouse off"));
    assert_eq!(tmux.pane("#{mouse_any_flag}"), "0", "m frees the mouse");
    tmux.keys(&["m"]);
    tmux.wait_for("the mouse on", |s| s.contains("mouse on"));
    assert_eq!(tmux.pane("#{mouse_any_flag}"), "1", "m again takes it");

    // Esc: from the tree (where y copies the selected row) to the table.
    tmux.keys(&["@", "71213", "Enter", "Escape", "y"]);
    tmux.wait_for("the copy", |s| s.contains("copied @71213"));
    let buffer = tmux.cmd(&["show-buffer"]).output();
    let buffer = buffer
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    assert_eq!(buffer, "71213", "the id reached the clipboard");
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("heaplens to exit", |s| s.contains("HEAPLENS-EXITED-"));
    assert!(
        screen.contains("copied @71213\nHEAPLENS-EXITED-0"),
        "the id is printed after the terminal is restored:\n{screen}"
    );
}

/// At 80×24: a new sort opens on its first row, the Comparison names the
/// columns it hides, and the panes say where their selection is.
#[test]
fn the_comparison_at_80_by_24_after_a_sort() {
    let tmux = Tmux::start("cockpit80", 80, 24, &demo_command());
    tmux.wait_for("both snapshots to load", |s| s.contains("# Delta ▼"));
    tmux.keys(&["j"; 24]);
    tmux.wait_for("row 25", |s| s.contains(" row 25 of "));
    tmux.keys(&["D"]);
    let screen = tmux.wait_for("the new sort", |s| s.contains("Size Delta ▼"));
    assert!(screen.contains(" row 1 of "), "{screen}");
    let first = screen.lines().nth(4).unwrap_or_default();
    assert!(first.starts_with("│▸ (string) "), "{screen}");
    assert!(
        screen.contains("+3 hidden: # Deleted, Alloc. Size, Freed Size"),
        "{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("heaplens to exit", |s| s.contains("HEAPLENS-EXITED-0"));
}
