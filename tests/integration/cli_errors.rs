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
        stderr.starts_with("heaplens: ") && stderr.contains("after.heapsnapshot.gz: needs about 16.7 MB of memory (91,978 nodes, 382,849 edges) but only 5.0 MB is left (HEAPLENS_MAX_MEMORY); use --force to try anyway"),
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
