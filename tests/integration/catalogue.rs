//! Never lose the user: a catalogue of malformed inputs, each with the exact
//! one-line message heaplens prints (`heaplens: PATH: message`), exit
//! status 2, no panic, and a bounded run time.
//!
//! Every input is derived from `VALID`, a small Node-20-shaped snapshot, so
//! each case shows exactly what is wrong with it. Byte offsets in the
//! expected messages are computed from the text, not copied from a run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Three nodes (root, `Window` via a shortcut, `Thing` via a property).
const VALID: &str = concat!(
    r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"#,
    r#""node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"#,
    r#""edge_fields":["type","name_or_index","to_node"],"#,
    r#""edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"#,
    r#""location_fields":["object_index","script_id","line","column"]},"#,
    r#""node_count":3,"edge_count":2,"trace_function_count":0},"#,
    "\n",
    r#""nodes":[9,0,1,0,1,0,0,3,1,3,1234,1,0,0,3,2,5,20,0,0,0],"#,
    "\n",
    r#""edges":[5,3,7,2,4,14],"#,
    "\n",
    r#""locations":[],"#,
    "\n",
    r#""strings":["","Window","Thing","1","secretvalue"]}"#,
);

const EDGES: &str = r#""edges":[5,3,7,2,4,14]"#;

/// Longest a malformed input may take, even in a debug build on a busy CI.
const DEADLINE: Duration = Duration::from_secs(10);

/// Byte offset of `marker` in `VALID`.
fn at(marker: &str) -> usize {
    VALID
        .find(marker)
        .unwrap_or_else(|| panic!("VALID contains {marker:?}"))
}

/// `VALID` up to and including `marker`.
fn cut_after(marker: &str) -> String {
    VALID[..at(marker) + marker.len()].to_owned()
}

/// `text` with `from` (which must occur exactly once) replaced by `to`.
fn replace_in(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} occurs once");
    text.replacen(from, to, 1)
}

pub(crate) fn with(from: &str, to: &str) -> String {
    replace_in(VALID, from, to)
}

/// `VALID` with the `nodes` value 1234 (node 1's self_size) replaced.
fn node_value(to: &str) -> String {
    with("3,1,3,1234,", &format!("3,1,3,{to},"))
}

/// `VALID` with the last edge's to_node (14) replaced.
fn edge_value(to: &str) -> String {
    with(EDGES, &format!(r#""edges":[5,3,7,2,4,{to}]"#))
}

/// Offset of the value node_value/edge_value put in.
fn node_value_at() -> usize {
    at("1234")
}

fn edge_value_at() -> usize {
    at(EDGES) + r#""edges":[5,3,7,2,4,"#.len()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(bytes)
        .unwrap_or_else(|e| panic!("gzip in memory: {e}"));
    encoder
        .finish()
        .unwrap_or_else(|e| panic!("gzip in memory: {e}"))
}

struct Case {
    file: &'static str,
    bytes: Vec<u8>,
    /// The message after `heaplens: PATH: `.
    message: String,
}

fn case(file: &'static str, bytes: impl Into<Vec<u8>>, message: impl Into<String>) -> Case {
    Case {
        file,
        bytes: bytes.into(),
        message: message.into(),
    }
}

fn truncated(place: &str, text: &str, progress: &str) -> String {
    format!(
        "truncated: the file ends {place} at byte {}{progress}",
        text.len()
    )
}

fn catalogue() -> Vec<Case> {
    let empty =
        "the file is empty (0 bytes of JSON); a failed or interrupted capture leaves such files";
    let header_end = cut_after(r#""trace_function_count":0}"#);
    let in_header = VALID[..100].to_owned();
    let nodes_open = cut_after(r#""nodes":["#);
    let mid_number = cut_after(r#""nodes":[9,0,1,0,1,0,0,3,1,3,12"#);
    let between = cut_after("0,0,0],\n");
    let in_edges = cut_after(r#""edges":[5,3,7,2"#);
    let in_string = cut_after(r#""Thing","1","secr"#);
    let before_final = VALID[..VALID.len() - 1].to_owned();
    let duplicated = with(
        "\n\"edges\"",
        "\n\"nodes\":[9,0,1,0,1,0,0,3,1,3,1234,1,0,0,3,2,5,20,0,0,0],\n\"edges\"",
    );
    let mut invalid_utf8 = with("secretvalue", "secret\u{1}value").into_bytes();
    let bad = invalid_utf8
        .iter()
        .position(|&b| b == 1)
        .unwrap_or_else(|| panic!("marker byte"));
    invalid_utf8[bad] = 0xff;
    let string4 = at("secretvalue");
    let gz = gzip(VALID.as_bytes());
    let mut corrupt_gz = gz[..10].to_vec();
    corrupt_gz.extend((128..=255u8).rev());
    vec![
        case("zero-bytes.heapsnapshot", "", empty),
        case("whitespace.heapsnapshot", " \n\t \n", empty),
        case(
            "hello.heapsnapshot",
            "hello",
            "not a heap snapshot: not JSON (byte 0: 'h')",
        ),
        case(
            "array.heapsnapshot",
            "[1,2]",
            "not a V8 heap snapshot: the file holds a JSON array, not an object",
        ),
        case(
            "other-object.heapsnapshot",
            r#"{"a":1}"#,
            r#"not a V8 heap snapshot: no "snapshot" header"#,
        ),
        case(
            "empty-object.heapsnapshot",
            "{}",
            "not a V8 heap snapshot: the JSON object is empty",
        ),
        case(
            "cut-inside-header.heapsnapshot",
            in_header.clone(),
            truncated(r#"inside "snapshot""#, &in_header, ""),
        ),
        case(
            "cut-after-header.heapsnapshot",
            header_end.clone(),
            truncated(r#"after the "snapshot" header"#, &header_end, ""),
        ),
        case(
            "cut-nodes-open.heapsnapshot",
            nodes_open.clone(),
            truncated(r#"inside "nodes""#, &nodes_open, " after 0 values"),
        ),
        case(
            "cut-mid-number.heapsnapshot",
            mid_number.clone(),
            truncated(r#"inside "nodes""#, &mid_number, " after 10 values"),
        ),
        case(
            "cut-between-nodes-and-edges.heapsnapshot",
            between.clone(),
            truncated(r#"after the "nodes" section"#, &between, ""),
        ),
        case(
            "cut-inside-edges.heapsnapshot",
            in_edges.clone(),
            truncated(r#"inside "edges""#, &in_edges, " after 3 values"),
        ),
        case(
            "cut-inside-a-string.heapsnapshot",
            in_string.clone(),
            truncated(r#"inside "strings""#, &in_string, " after 4 strings"),
        ),
        case(
            "cut-before-final-brace.heapsnapshot",
            before_final.clone(),
            truncated(r#"after the "strings" section"#, &before_final, ""),
        ),
        case(
            "trailing-garbage.heapsnapshot",
            format!("{VALID}\nx"),
            format!(
                "unexpected 'x' at byte {} after the end of the snapshot",
                VALID.len() + 1
            ),
        ),
        case(
            "no-meta.heapsnapshot",
            with(r#""meta":"#, r#""mota":"#),
            r#"bad "snapshot" header: "meta" is missing"#,
        ),
        case(
            "no-node-fields.heapsnapshot",
            with(r#""node_fields":"#, r#""node_fieldz":"#),
            r#"bad "snapshot" header: "node_fields" is missing"#,
        ),
        case(
            "no-id-field.heapsnapshot",
            with(r#""name","id","#, r#""name","ident","#),
            r#"bad "snapshot" header: node_fields lacks "id""#,
        ),
        case(
            "no-edge-count-field.heapsnapshot",
            with(r#""edge_count","trace"#, r#""edges","trace"#),
            r#"bad "snapshot" header: node_fields lacks "edge_count""#,
        ),
        case(
            "no-to-node-field.heapsnapshot",
            with(r#""to_node""#, r#""target""#),
            r#"bad "snapshot" header: edge_fields lacks "to_node""#,
        ),
        case(
            "node-count-too-high.heapsnapshot",
            with(r#""node_count":3"#, r#""node_count":4"#),
            r#""nodes": the header says node_count 4 (28 values) but the array holds 21 values"#,
        ),
        case(
            "node-count-too-low.heapsnapshot",
            with(r#""node_count":3"#, r#""node_count":2"#),
            r#""nodes": the header says node_count 2 (14 values) but the array holds more than 14 values"#,
        ),
        case(
            "edge-count-too-high.heapsnapshot",
            with(r#""edge_count":2"#, r#""edge_count":3"#),
            r#""edges": the header says edge_count 3 (9 values) but the array holds 6 values"#,
        ),
        case(
            "edge-count-too-low.heapsnapshot",
            with(r#""edge_count":2"#, r#""edge_count":1"#),
            r#""edges": the header says edge_count 1 (3 values) but the array holds more than 3 values"#,
        ),
        case(
            "edge-count-fields-sum.heapsnapshot",
            with("3,1,3,1234,1,", "3,1,3,1234,2,"),
            r#"the nodes' edge_count fields add up to 3 edges but "edges" holds 2"#,
        ),
        case(
            "to-node-not-multiple.heapsnapshot",
            edge_value("15"),
            "edge 1: to_node 15 is not a multiple of the node field count 7",
        ),
        case(
            "to-node-past-end.heapsnapshot",
            edge_value("21"),
            "edge 1: to_node 21 points past the last node (3 nodes)",
        ),
        case(
            "node-negative.heapsnapshot",
            node_value("-1234"),
            format!(
                r#"malformed "nodes" at byte {}: negative number (after 10 values)"#,
                node_value_at()
            ),
        ),
        case(
            "node-fraction.heapsnapshot",
            node_value("1.5"),
            format!(
                r#"malformed "nodes" at byte {}: fractional number (after 10 values)"#,
                node_value_at()
            ),
        ),
        case(
            "node-exponent.heapsnapshot",
            node_value("1e3"),
            format!(
                r#"malformed "nodes" at byte {}: number in exponent notation (after 10 values)"#,
                node_value_at()
            ),
        ),
        case(
            "node-overflow.heapsnapshot",
            node_value("99999999999999999999999"),
            format!(
                r#"malformed "nodes" at byte {}: number too large for 64 bits (after 10 values)"#,
                node_value_at()
            ),
        ),
        case(
            "node-self-size-over-32-bits.heapsnapshot",
            node_value("4294967296"),
            "node 1: self_size 4294967296 does not fit in 32 bits",
        ),
        case(
            "edge-negative.heapsnapshot",
            edge_value("-14"),
            format!(
                r#"malformed "edges" at byte {}: negative number (after 5 values)"#,
                edge_value_at()
            ),
        ),
        case(
            "edge-fraction.heapsnapshot",
            edge_value("1.5"),
            format!(
                r#"malformed "edges" at byte {}: fractional number (after 5 values)"#,
                edge_value_at()
            ),
        ),
        case(
            "edge-exponent.heapsnapshot",
            edge_value("1e3"),
            format!(
                r#"malformed "edges" at byte {}: number in exponent notation (after 5 values)"#,
                edge_value_at()
            ),
        ),
        case(
            "edge-overflow.heapsnapshot",
            edge_value("99999999999999999999999"),
            format!(
                r#"malformed "edges" at byte {}: number too large for 64 bits (after 5 values)"#,
                edge_value_at()
            ),
        ),
        case(
            "name-past-strings.heapsnapshot",
            with("3,1,3,1234,", "3,77,3,1234,"),
            "node 1: name index 77 is past the end of strings (5 strings)",
        ),
        case(
            "invalid-utf8.heapsnapshot",
            invalid_utf8,
            format!(
                r#"malformed "strings" at byte {}: invalid UTF-8 in string 4"#,
                string4 + "secret".len()
            ),
        ),
        case(
            "bad-escape.heapsnapshot",
            with("secretvalue", r"secret\qvalue"),
            format!(
                r#"malformed "strings" at byte {}: bad escape \q in string 4"#,
                string4 + "secret".len()
            ),
        ),
        case(
            "no-strings.heapsnapshot",
            with(r#",
"strings":["","Window","Thing","1","secretvalue"]"#, ""),
            r#"the "strings" section is missing"#,
        ),
        case(
            "no-edges.heapsnapshot",
            with(&format!("{EDGES},\n"), ""),
            r#"the "edges" section is missing"#,
        ),
        case(
            "duplicate-nodes.heapsnapshot",
            duplicated,
            r#"the "nodes" section appears twice"#,
        ),
        case(
            "bun.heapsnapshot",
            r#"{"version":3,"type":"Inspector","nodes":[0,0,0,0],"nodeClassNames":["Object"],"edges":[],"edgeTypes":["Property"],"edgeNames":[]}"#,
            "this is a JavaScriptCore heap snapshot (Bun/Safari format), not a V8 .heapsnapshot; heaplens reads V8 snapshots (Node.js, Chrome, Deno)",
        ),
        case(
            "corrupt.heapsnapshot.gz",
            corrupt_gz,
            "corrupt gzip data (corrupt deflate stream)",
        ),
        case(
            "truncated.heapsnapshot.gz",
            gz[..gz.len() / 2].to_vec(),
            "the gzip data is cut short (truncated .gz file)",
        ),
    ]
}

/// Runs heaplens with `args` and `stdin`, killing it after `DEADLINE`.
fn run_bounded(args: &[&std::ffi::OsStr], stdin: &[u8]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_heaplens"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("heaplens must start: {e}"));
    let mut pipe = child.stdin.take();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(pipe) = pipe.as_mut() {
            // heaplens may stop reading early (bad input): not an error.
            let _ = pipe.write_all(&input);
        }
    });
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > DEADLINE => {
                let _ = child.kill();
                panic!("heaplens {args:?} ran longer than {DEADLINE:?}");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for heaplens: {e}"),
        }
    }
    let elapsed = started.elapsed();
    let _ = writer.join();
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("heaplens output: {e}"));
    (output, elapsed)
}

/// Runs `heaplens summary PATH` and checks the whole contract; returns a
/// description of what went wrong, if anything.
fn check_failure(path: &Path, stdin: &[u8], message: &str) -> Result<(), String> {
    let (out, _) = run_bounded(&["summary".as_ref(), path.as_os_str()], stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!("heaplens: {}: {message}\n", path.display());
    let mut problems = Vec::new();
    if out.status.code() != Some(2) {
        problems.push(format!("exit status {:?}, not 2", out.status.code()));
    }
    if stderr.contains("panicked") {
        problems.push("it panicked".to_owned());
    }
    if !out.stdout.is_empty() {
        problems.push("it printed a report".to_owned());
    }
    if stderr != expected {
        problems.push(format!(
            "stderr differs\n      expected: {expected:?}\n      actual:   {stderr:?}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn the_valid_base_snapshot_loads() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let path = dir.path().join("valid.heapsnapshot");
    std::fs::write(&path, VALID).unwrap_or_else(|e| panic!("write: {e}"));
    let (out, _) = run_bounded(&["summary".as_ref(), path.as_os_str()], b"");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Window") && stdout.contains("Thing"),
        "{stdout}"
    );
    let gz = dir.path().join("valid.heapsnapshot.gz");
    std::fs::write(&gz, gzip(VALID.as_bytes())).unwrap_or_else(|e| panic!("write: {e}"));
    let (out, _) = run_bounded(&["summary".as_ref(), gz.as_os_str()], b"");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        stdout,
        "gzip reads the same"
    );
}

/// Issue 16: a node id past 32 bits (Julia writes addresses) used to be
/// refused; it loads, and is found and shown as written.
#[test]
fn regression_an_id_past_32_bits_loads_and_shows_as_written() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let path = dir.path().join("wide-id.heapsnapshot");
    std::fs::write(&path, with("3,1,3,1234", "3,1,140234567891,1234"))
        .unwrap_or_else(|e| panic!("write: {e}"));
    let args = ["node".as_ref(), path.as_os_str(), "@140234567891".as_ref()];
    let (out, _) = run_bounded(
        &[&args[..], &["--format".as_ref(), "json".as_ref()]].concat(),
        b"",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(r#""id":140234567891"#), "{stdout}");
    assert!(stdout.contains(r#""name":"Window""#), "{stdout}");
}

#[test]
fn every_malformed_input_gets_its_one_line_message() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let cases = catalogue();
    assert!(cases.len() >= 32, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let path = dir.path().join(case.file);
        std::fs::write(&path, &case.bytes).unwrap_or_else(|e| panic!("write {}: {e}", case.file));
        match check_failure(&path, b"", &case.message) {
            Ok(()) => eprintln!("OK   {:<44} {}", case.file, case.message),
            Err(why) => {
                eprintln!("FAIL {:<44} {why}", case.file);
                failures.push(case.file);
            }
        }
    }
    assert!(failures.is_empty(), "cases failing: {failures:?}");
}

#[test]
fn missing_files_and_directories() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let checks = [
        (
            dir.path().to_path_buf(),
            "is a directory, not a snapshot file",
        ),
        (
            dir.path().join("absent.heapsnapshot"),
            "No such file or directory (os error 2)",
        ),
    ];
    for (path, message) in checks {
        if let Err(why) = check_failure(&path, b"", message) {
            panic!("{}: {why}", path.display());
        }
    }
}

#[test]
fn an_unreadable_file_is_named_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let path = dir.path().join("secret.heapsnapshot");
    std::fs::write(&path, VALID).unwrap_or_else(|e| panic!("write: {e}"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000))
        .unwrap_or_else(|e| panic!("chmod: {e}"));
    if std::fs::read(&path).is_ok() {
        // root (or CAP_DAC_OVERRIDE) reads it anyway: nothing to test.
        eprintln!("skipped: this user can read a mode-000 file (running as root?)");
        return;
    }
    if let Err(why) = check_failure(&path, b"", "Permission denied (os error 13)") {
        panic!("{why}");
    }
}

#[test]
fn standard_input_is_read_and_named() {
    let dash = PathBuf::from("-");
    let (out, _) = run_bounded(&["summary".as_ref(), dash.as_os_str()], VALID.as_bytes());
    assert!(
        out.status.success(),
        "a valid snapshot on stdin loads: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Window"));
    let (out, _) = run_bounded(
        &["summary".as_ref(), dash.as_os_str()],
        &gzip(VALID.as_bytes()),
    );
    assert!(out.status.success(), "gzip on stdin loads too");
    if let Err(why) = check_failure(
        &dash,
        b"garbage\n",
        "not a heap snapshot: not JSON (byte 0: 'g')",
    ) {
        panic!("garbage on stdin: {why}");
    }
    let cut = cut_after(r#""edges":[5,3,7,2"#);
    if let Err(why) = check_failure(
        &dash,
        cut.as_bytes(),
        &truncated(r#"inside "edges""#, &cut, " after 3 values"),
    ) {
        panic!("a cut snapshot on stdin: {why}");
    }
}

/// A header promising 4e9 nodes over a 3-node array must fail at once,
/// without reserving memory for the promise: run under a 256 MB address
/// space limit (the old fixed reservation of 2^24 nodes alone was 350 MB).
#[test]
fn a_lying_header_fails_fast_in_little_memory() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let checks = [
        (
            "lying-nodes.heapsnapshot",
            with(r#""node_count":3"#, r#""node_count":4000000000"#),
            r#""nodes": the header says node_count 4000000000 (28000000000 values) but the array holds 21 values"#,
        ),
        (
            "lying-edges.heapsnapshot",
            with(r#""edge_count":2"#, r#""edge_count":4000000000"#),
            r#""edges": the header says edge_count 4000000000 (12000000000 values) but the array holds 6 values"#,
        ),
        (
            "too-many-nodes.heapsnapshot",
            with(r#""node_count":3"#, r#""node_count":9000000000000"#),
            "too large: 9000000000000 nodes; heaplens indexes nodes with 32 bits",
        ),
    ];
    for (file, text, message) in checks {
        let path = dir.path().join(file);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write: {e}"));
        let script = r#"ulimit -v 262144 && exec "$0" summary "$1""#;
        let bin = std::ffi::OsStr::new(env!("CARGO_BIN_EXE_heaplens"));
        let started = Instant::now();
        let out = Command::new("sh")
            .args(["-c".as_ref(), script.as_ref(), bin, path.as_os_str()])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("sh must start: {e}"));
        let elapsed = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr,
            format!("heaplens: {}: {message}\n", path.display()),
            "{file}"
        );
        assert_eq!(out.status.code(), Some(2), "{file}");
        // It reads 700 bytes; a generous bound for a loaded CI machine.
        assert!(elapsed < Duration::from_secs(2), "{file} took {elapsed:?}");
    }
}

/// `count` copies of one gzip member holding `text`: a gzip stream of
/// `count × text` bytes, made in the time of compressing `text` once.
fn gzip_repeated(text: &[u8], count: usize) -> Vec<u8> {
    gzip(text).repeat(count)
}

/// VALID's header with `node_count` nodes and no edges, then `"nodes":[`.
fn header_promising(node_count: u64) -> String {
    let header = cut_after(r#""trace_function_count":0},"#);
    let header = replace_in(
        &header,
        r#""node_count":3"#,
        &format!(r#""node_count":{node_count}"#),
    );
    let header = replace_in(&header, r#""edge_count":2"#, r#""edge_count":0"#);
    format!("{header}\"nodes\":[")
}

/// Issue "never lose the user, part 2": a `.gz` promising 1 node over
/// 20 GiB of `0,` read all of it (53 s) before saying so. Here 1 GiB of
/// `0,` (a 1 MB file): the parser stops at the 8th value.
#[test]
fn regression_a_gzip_promising_one_node_stops_at_the_first_value_past_it() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let path = dir.path().join("one-node-then-zeros.heapsnapshot.gz");
    let mut stream = gzip(header_promising(1).as_bytes());
    stream.extend(gzip_repeated(&b"0,".repeat(1 << 19), 1 << 10));
    std::fs::write(&path, stream).unwrap_or_else(|e| panic!("write: {e}"));
    let started = Instant::now();
    let message = r#""nodes": the header says node_count 1 (7 values) but the array holds more than 7 values"#;
    if let Err(why) = check_failure(&path, b"", message) {
        panic!("{why}");
    }
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

/// Runs `heaplens summary` on `bytes` written to `file`: (exit code,
/// stdout, stderr).
fn summary_of(dir: &Path, file: &str, bytes: &[u8]) -> (Option<i32>, String, String, PathBuf) {
    let path = dir.join(file);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write: {e}"));
    let (out, _) = run_bounded(&["summary".as_ref(), path.as_os_str()], b"");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr),
        path,
    )
}

/// Bytes after the gzip data are ignored with a warning, as `gzip -d`
/// ignores them: they were called corrupt data, or a cut-short file.
#[test]
fn regression_gzip_trailing_garbage_is_ignored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let (_, expected, _, _) = summary_of(dir.path(), "valid.heapsnapshot", VALID.as_bytes());
    for garbage in [&b"garbage\n"[..], b"\x1f", b"x", &[0, 0, 7]] {
        let mut bytes = gzip(VALID.as_bytes());
        bytes.extend_from_slice(garbage);
        let (code, stdout, stderr, path) =
            summary_of(dir.path(), "garbage.heapsnapshot.gz", &bytes);
        let warning = "warning: decompression OK, trailing garbage ignored";
        let what = format!("{garbage:?}");
        assert_eq!(code, Some(0), "{what}: {stderr}");
        assert_eq!(stdout, expected, "{what}");
        assert_eq!(
            stderr,
            format!("heaplens: {}: {warning}\n", path.display()),
            "{what}"
        );
    }
}

/// Zero padding (a preallocated or block-padded copy) too, however long:
/// 3 bytes were "cut short", more "an invalid gzip header". Members
/// after members still read as one stream.
#[test]
fn regression_gzip_zero_padding_is_ignored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let (_, expected, _, _) = summary_of(dir.path(), "valid.heapsnapshot", VALID.as_bytes());
    for zeros in [1, 3, 10, 100_000] {
        let mut bytes = gzip(VALID.as_bytes());
        bytes.extend(std::iter::repeat_n(0u8, zeros));
        let (code, stdout, stderr, path) = summary_of(dir.path(), "padded.heapsnapshot.gz", &bytes);
        let warning = format!("warning: decompression OK, {zeros} trailing zero bytes ignored");
        assert_eq!(code, Some(0), "{zeros} zeros: {stderr}");
        assert_eq!(stdout, expected, "{zeros} zeros");
        assert_eq!(stderr, format!("heaplens: {}: {warning}\n", path.display()));
    }
    let (head, tail) = VALID.split_at(VALID.len() / 2);
    let members = [gzip(head.as_bytes()), gzip(tail.as_bytes())].concat();
    let (code, stdout, stderr, _) = summary_of(dir.path(), "members.heapsnapshot.gz", &members);
    assert_eq!((code, stdout, stderr), (Some(0), expected, String::new()));
}

/// Under `ulimit -v` an allocation that failed aborted the process (exit
/// 134, "memory allocation of N bytes failed", a backtrace, no file
/// name). 6 M nodes of `0,0,0,0,0,0,0` (84 MB inflated, a 90 kB file)
/// cannot be read in 300 MB of address space: one line, exit 2.
#[test]
fn regression_an_allocation_failure_is_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let path = dir.path().join("six-million-nodes.heapsnapshot.gz");
    let nodes = 6_000_000;
    let mut stream = gzip(header_promising(nodes).as_bytes());
    let chunk = 100_000;
    stream.extend(gzip_repeated(
        &b"0,0,0,0,0,0,0,".repeat(chunk),
        nodes as usize / chunk - 1,
    ));
    let last = format!(
        "{}0,0,0,0,0,0,0],\"edges\":[],\"strings\":[\"\"]}}",
        "0,0,0,0,0,0,0,".repeat(chunk - 1)
    );
    stream.extend(gzip(last.as_bytes()));
    std::fs::write(&path, stream).unwrap_or_else(|e| panic!("write: {e}"));
    let script = r#"ulimit -v 300000 && exec "$0" summary "$1""#;
    let bin = std::ffi::OsStr::new(env!("CARGO_BIN_EXE_heaplens"));
    let out = Command::new("sh")
        .args(["-c".as_ref(), script.as_ref(), bin, path.as_os_str()])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("sh must start: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let prefix = format!("heaplens: {}: out of memory: needs ", path.display());
    assert!(stderr.starts_with(&prefix), "{stderr}");
    assert!(
        stderr.ends_with(" more bytes (the \"nodes\" columns)\n"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
}
