//! Snapshot text is attacker-controlled (request data ends up in the heap)
//! and so are file names: no byte of either may drive the terminal. Every
//! human-readable output shows controls, DEL and bidi overrides as escapes;
//! JSON escapes them itself. Also the front door: pipes, FIFOs, `<(…)`,
//! standard input once, and the preflight on every kind of input.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::util::{fixture, heaplens, heaplens_with_env};

/// Clears the screen, colours, sets the window title, writes the clipboard
/// (OSC 52), breaks the row, reverses the text.
const EVIL: &str =
    "\u{1b}[2J\u{1b}[31mPWNED\u{1b}]0;title\u{7}\u{1b}]52;c;ZGF0YQ==\u{7}\nrow\u{202e}rev\u{9b}31m";

/// The catalogue's small snapshot with its class `Thing` and its edge
/// `secretvalue` both named `EVIL`.
fn evil_snapshot() -> String {
    let name = serde_json::to_string(EVIL).unwrap_or_default();
    let renamed = crate::catalogue::with(r#""Thing""#, &name);
    renamed.replacen(r#""secretvalue""#, &name, 1)
}

/// [`evil_snapshot`] with its object a string (type 2) whose value is `EVIL`.
fn evil_string_snapshot() -> String {
    evil_snapshot().replacen(",3,2,5,20,", ",2,2,5,20,", 1)
}

/// Nothing in `text` that a terminal acts on: no C0 but newline, no DEL,
/// no C1, no bidi override.
fn assert_inert(text: &str, what: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
        .collect();
    assert!(bad.is_empty(), "{what} prints {bad:?}:\n{text}");
}

#[test]
fn regression_snapshot_text_never_drives_the_terminal() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let path = dir.path().join("evil.heapsnapshot");
    std::fs::write(&path, evil_snapshot()).unwrap_or_else(|e| panic!("write: {e}"));
    let file = path.to_string_lossy().into_owned();
    let runs: [&[&str]; 8] = [
        &["summary", &file],
        &["summary", &file, "--format", "markdown"],
        &["node", &file, "@5"],
        &["retainers", &file, "@5"],
        &["containment", &file, "@3"],
        &["duplicates", &file],
        &["strings", &file],
        &["collections", &file, &file, "--format", "markdown"],
    ];
    for args in runs {
        let out = heaplens(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_inert(&stdout, &format!("{args:?}"));
    }
    let table = String::from_utf8_lossy(&heaplens(["summary", &file]).stdout).into_owned();
    assert!(
        table.contains(r"\e[2J\e[31mPWNED\e]0;title\u{7}"),
        "the escapes are shown, visibly:\n{table}"
    );
    assert!(table.contains(r"\nrow\u{202e}rev\u{9b}31m"), "{table}");
    let strings_file = dir.path().join("evil-string.heapsnapshot");
    std::fs::write(&strings_file, evil_string_snapshot()).unwrap_or_else(|e| panic!("write: {e}"));
    let strings_file = strings_file.to_string_lossy().into_owned();
    let strings = heaplens(["strings", &strings_file, "PWNED"]);
    let strings = String::from_utf8_lossy(&strings.stdout).into_owned();
    assert_inert(&strings, "strings");
    assert!(
        strings.contains(r#""\e[2J\e[31mPWNED\e]0;title\u{7}"#),
        "a string value shows its escapes: {strings}"
    );
    let json = heaplens(["summary", &file, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap_or_default();
    let names: Vec<&str> = doc["classes"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        names.contains(&EVIL),
        "JSON keeps the exact text: {names:?}"
    );
}

/// A snapshot whose one script is named `EVIL`: a closure reaches it
/// (closure → `shared` → `script`) and a `Session` object is located in it.
fn evil_script_snapshot() -> String {
    let name = serde_json::to_string(EVIL).unwrap_or_default();
    format!(
        concat!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"#,
            r#""node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"#,
            r#""edge_fields":["type","name_or_index","to_node"],"#,
            r#""edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"#,
            r#""location_fields":["object_index","script_id","line","column"]}},"#,
            r#""node_count":5,"edge_count":4,"trace_function_count":0}},"#,
            "\n",
            r#""nodes":[9,0,1,0,2,0,0,5,1,3,32,1,0,0,4,2,5,40,1,0,0,4,3,7,60,0,0,0,3,4,9,16,0,0,0],"#,
            "\n",
            r#""edges":[1,1,7,1,2,28,3,5,14,3,6,21],"#,
            "\n",
            r#""locations":[7,7,0,0,28,7,10,4],"#,
            "\n",
            r#""strings":["","f","(shared function info)",{name},"Session","shared","script"]}}"#
        ),
        name = name
    )
}

/// A script's name is snapshot text too: beside a class location it is
/// shown escaped in every human view, and JSON carries it as it is.
#[test]
fn regression_a_script_name_never_drives_the_terminal() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let path = dir.path().join("evil-script.heapsnapshot");
    std::fs::write(&path, evil_script_snapshot()).unwrap_or_else(|e| panic!("write: {e}"));
    let file = path.to_string_lossy().into_owned();
    // A baseline without the class: the Comparison lists it as new.
    let before = dir.path().join("before.heapsnapshot");
    std::fs::write(&before, evil_snapshot()).unwrap_or_else(|e| panic!("write: {e}"));
    let before = before.to_string_lossy().into_owned();
    let runs: [&[&str]; 5] = [
        &["summary", &file],
        &["summary", &file, "--format", "markdown"],
        &["diff", &before, &file],
        &["trend", &before, &file],
        &["trend", &before, &file, "--format", "markdown"],
    ];
    for args in runs {
        let out = heaplens(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_inert(&stdout, &format!("{args:?}"));
        assert!(stdout.contains("rev\\u{9b}31m:10:4"), "{args:?}: {stdout}");
    }
    let out = heaplens(["summary", &file, "--format", "json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON: {e}"));
    let session = json["classes"]
        .as_array()
        .and_then(|classes| classes.iter().find(|c| c["name"] == "Session"))
        .map(|c| (c["location"].clone(), c["script"].clone()));
    assert_eq!(
        session,
        Some(("7:10:4".into(), EVIL.into())),
        "the JSON's script is the name itself"
    );
}

#[test]
fn regression_a_file_name_with_escapes_is_one_visible_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let path = dir.path().join("evil\u{1b}[2J\nname.heapsnapshot");
    std::fs::write(&path, "garbage").unwrap_or_else(|e| panic!("write: {e}"));
    let out = heaplens([path.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert_inert(&stderr, "the error line");
    assert!(stderr.contains(r"evil\e[2J\nname.heapsnapshot"), "{stderr}");
}

#[test]
fn regression_standard_input_given_twice_is_one_line() {
    let out = heaplens(["diff", "-", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "heaplens: -: standard input is given 2 times, but it can be read only once\n"
    );
}

/// `<(zcat f)`, `/dev/stdin` and a FIFO are read once, in order, and give
/// the same report as the file.
#[test]
fn regression_pipes_fifos_and_process_substitution_load() {
    let demo = fixture("demo/after.heapsnapshot");
    let demo = demo.to_string_lossy();
    let bin = env!("CARGO_BIN_EXE_heaplens");
    let expected = heaplens(["summary", &demo, "--top", "5"]);
    assert!(expected.status.success());
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let fifo = dir.path().join("pipe");
    let fifo = fifo.to_string_lossy();
    let scripts = [
        format!(r#""{bin}" summary <(zcat "{demo}") --top 5"#),
        format!(r#"zcat "{demo}" | "{bin}" summary /dev/stdin --top 5"#),
        format!(
            r#"mkfifo "{fifo}" && (zcat "{demo}" > "{fifo}" &) && "{bin}" summary "{fifo}" --top 5"#
        ),
    ];
    for script in scripts {
        let out = Command::new("bash")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("bash: {e}"));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{script}");
        assert_eq!(out.stdout, expected.stdout, "{script}");
    }
}

/// Standard input is estimated from its header like a file.
#[test]
fn regression_standard_input_gets_the_memory_preflight() {
    let demo = std::fs::read(fixture("demo/after.heapsnapshot")).unwrap_or_default();
    let mut child = Command::new(env!("CARGO_BIN_EXE_heaplens"))
        .args(["summary", "-"])
        .env("HEAPLENS_MAX_MEMORY", "5MB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("heaplens: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        // It may stop reading once refused: a broken pipe is fine.
        let _ = stdin.write_all(&demo);
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("heaplens: -: needs about ") && stderr.contains("(HEAPLENS_MAX_MEMORY)"),
        "{stderr}"
    );
}

/// A gzip file whose header honestly promises more than memory allows is
/// refused before reading, whatever its compression.
#[test]
fn regression_a_gzip_header_promising_too_much_is_refused_up_front() {
    let header = concat!(
        r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"#,
        r#""node_types":[["hidden"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"#,
        r#""edge_types":[["element"],"string_or_number","node"]},"node_count":1500000000,"edge_count":0},"nodes":[0,0,1,0,0"#
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let path = dir.path().join("promise.heapsnapshot.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let written = gz.write_all(header.as_bytes()).and_then(|()| gz.finish());
    std::fs::write(&path, written.unwrap_or_default()).unwrap_or_else(|e| panic!("write: {e}"));
    let out = heaplens_with_env(
        ["summary".as_ref(), path.as_os_str()],
        &[("HEAPLENS_MAX_MEMORY", "2GB")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("needs about") && stderr.contains("1,500,000,000 nodes"),
        "{stderr}"
    );
}

#[test]
fn regression_heaplens_max_memory_garbage_is_refused() {
    let demo = fixture("demo/after.heapsnapshot");
    for value in ["abc", "-1", "1e99", "", "0.5", "12XB"] {
        let out = heaplens_with_env(
            ["summary".as_ref(), demo.as_os_str()],
            &[("HEAPLENS_MAX_MEMORY", value)],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{value:?}: {stderr}");
        assert_eq!(
            stderr,
            format!("heaplens: HEAPLENS_MAX_MEMORY={value}: not a memory size; use a number of bytes or one with a unit, e.g. 800MB, 2GiB, 1.5GB\n"),
            "{value:?}"
        );
    }
}
