//! A tool a bastion can receive: help with examples, completions and a
//! manual page from the same definitions, and a hint for a mistyped
//! subcommand.

use crate::util::heaplens;

fn stdout_of(args: &[&str]) -> String {
    let out = heaplens(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_shows_examples_and_the_inputs_it_takes() {
    let help = stdout_of(&["--help"]);
    assert!(
        help.contains("Examples:\n  heaplens after.heapsnapshot"),
        "{help}"
    );
    assert!(
        help.contains("gzipped (.gz") && help.contains("standard input (-)"),
        "{help}"
    );
    let summary = stdout_of(&["summary", "--help"]);
    assert!(summary.contains("--only detached-dom"), "{summary}");
    assert!(
        summary.contains("<SNAPSHOT>\n          The snapshot:"),
        "{summary}"
    );
    let diff = stdout_of(&["diff", "--help"]);
    assert!(
        diff.contains("--fail-if 'delta(SessionRecord) > 100'"),
        "{diff}"
    );
    assert!(diff.contains("METRIC  new, deleted, delta"), "{diff}");
}

#[test]
fn completions_and_the_manual_come_from_the_command_line_definition() {
    for (shell, marker) in [
        ("bash", "_heaplens()"),
        ("zsh", "#compdef heaplens"),
        ("fish", "complete -c heaplens"),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("summary") && script.contains("retainers"),
            "{shell}"
        );
    }
    let man = stdout_of(&["man"]);
    assert!(man.contains(".TH heaplens 1"), "{man}");
    assert!(
        man.contains("summary") && man.contains("\\-\\-force"),
        "{man}"
    );
}

#[test]
fn regression_a_mistyped_subcommand_is_named() {
    let out = heaplens(["sumary", "after.heapsnapshot"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "heaplens: sumary: no such file; did you mean the subcommand `heaplens summary`? (see --help)\n"
    );
    let far = heaplens(["nothing-like-it.heapsnapshot"]);
    assert!(
        !String::from_utf8_lossy(&far.stderr).contains("did you mean"),
        "a plain missing file gets no hint"
    );
}
