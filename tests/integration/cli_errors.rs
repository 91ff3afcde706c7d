//! Bad input gets one line on stderr naming the file and the problem, and
//! exit status 2; never a panic.

use crate::util::{fixture, heaplens};

#[test]
fn javascriptcore_snapshot_is_named_as_such() {
    let path = fixture("real/bun1.4-jsc-format.json");
    let out = heaplens(["summary".as_ref(), path.as_os_str()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("bun1.4-jsc-format.json.gz"),
        "it names the file: {stderr}"
    );
    assert!(
        stderr.contains("JavaScriptCore"),
        "it names the format: {stderr}"
    );
}

#[test]
fn memory_preflight_refuses_what_cannot_fit_unless_forced() {
    let path = fixture("demo/after.heapsnapshot");
    let run = |force: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_heaplens"));
        cmd.args([
            "summary".as_ref(),
            path.as_os_str(),
            "--top".as_ref(),
            "1".as_ref(),
        ]);
        if force {
            cmd.arg("--force");
        }
        cmd.env("HEAPLENS_MAX_MEMORY", "5MB")
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let refused = run(false);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr.starts_with("heaplens: ") && stderr.contains("after.heapsnapshot.gz: needs about 35.4 MB of memory even for the class rows alone (91,978 nodes, 382,849 edges) but only 5.0 MB is left (HEAPLENS_MAX_MEMORY); use --force to try anyway"),
        "{stderr}"
    );
    assert!(refused.stdout.is_empty(), "nothing is loaded");
    let forced = run(true);
    assert!(
        forced.status.success(),
        "--force loads anyway: {}",
        String::from_utf8_lossy(&forced.stderr)
    );
}

#[test]
fn layout_of_the_json_does_not_change_the_numbers() {
    // V8 writes one node per line; other writers one value per line or all
    // on one line, with any white space. The numbers must not care.
    let original = std::fs::read_to_string(fixture("tiny/tiny-dominators.heapsnapshot"))
        .unwrap_or_else(|e| panic!("fixture: {e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let one_per_line = original.replace(',', ",\n  ");
    let one_line: String = original
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let summary = |text: &str, name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let out = heaplens([
            "summary".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let expected = summary(&original, "original.heapsnapshot");
    assert_eq!(
        summary(&one_per_line, "per-line.heapsnapshot"),
        expected,
        "one value per line"
    );
    assert_eq!(
        summary(&one_line, "one-line.heapsnapshot"),
        expected,
        "everything on one line"
    );
}

#[test]
fn without_a_terminal_opening_snapshots_prints_tables() {
    let after = fixture("demo/after.heapsnapshot");
    let out = heaplens([after.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Constructor"),
        "a piped `heaplens FILE` prints the Summary: {text}"
    );
    let base = fixture("demo/baseline.heapsnapshot");
    let out = heaplens([base.as_os_str(), after.as_os_str()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("# Delta"),
        "and two files the Comparison: {text}"
    );
}

/// Runs `heaplens ARGS` from `sh` after `redirect` (`exec 2>/dev/full`…):
/// a closed descriptor needs the shell, `Stdio::null` is an open one.
fn heaplens_after(redirect: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{redirect}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_heaplens"))
        .args(args)
        .env_remove("HEAPLENS_MAX_MEMORY")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("sh must start: {e}"))
}

#[test]
fn a_closed_or_full_stderr_is_not_a_panic() {
    let missing = std::path::Path::new("no-such-dir/missing.heapsnapshot");
    let base = fixture("tiny/tiny-diff-base.heapsnapshot");
    let target = fixture("tiny/tiny-diff-target.heapsnapshot");
    let tiny = fixture("tiny/tiny-dominators.heapsnapshot");
    // (what, arguments, extra redirection, exit status)
    let cases: [(&str, Vec<&std::ffi::OsStr>, &str, i32); 3] = [
        (
            "an error",
            vec!["summary".as_ref(), missing.as_os_str()],
            "",
            2,
        ),
        (
            "a rule that holds",
            vec![
                "diff".as_ref(),
                base.as_os_str(),
                target.as_os_str(),
                "--fail-if".as_ref(),
                "new > 0".as_ref(),
            ],
            "",
            1,
        ),
        (
            "output that cannot be written",
            vec!["summary".as_ref(), tiny.as_os_str()],
            "exec >/dev/full",
            2,
        ),
    ];
    for stderr in ["exec 2>/dev/full", "exec 2>&-"] {
        for (what, args, extra, status) in &cases {
            let redirect = if extra.is_empty() {
                stderr.to_owned()
            } else {
                format!("{stderr}; {extra}")
            };
            let out = heaplens_after(&redirect, args);
            assert_eq!(
                out.status.code(),
                Some(*status),
                "`{redirect}`, {what}: exit {status}, not a panic (101); stdout: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

/// A `diff` whose baseline turns out cut short fails naming it, and its
/// target is not loaded for nothing (no timings of it).
#[test]
fn a_baseline_cut_short_fails_before_the_target_loads() {
    let base = std::fs::read(fixture("tiny/tiny-diff-base.heapsnapshot")).expect("fixture");
    let dir = tempfile::tempdir().expect("temp dir");
    let cut = dir.path().join("cut.heapsnapshot");
    let nodes = base
        .windows(9)
        .position(|w| w == b"\"nodes\":[")
        .expect("a nodes section");
    std::fs::write(&cut, &base[..nodes + 12]).expect("written");
    let target = fixture("tiny/tiny-diff-target.heapsnapshot");
    let out = heaplens([
        "diff".as_ref(),
        cut.as_os_str(),
        target.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--timings".as_ref(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cut.heapsnapshot: truncated"), "{stderr}");
    assert!(!stderr.contains("timings for"), "{stderr}");
}
