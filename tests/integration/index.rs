//! `heaplens index` and `--index` (issue 21): every command's output with
//! an index is its output without; an index is refused in one line for
//! another snapshot (size, mtime, header) or when damaged; the index is
//! written only where asked, never over the snapshot or a file that is not
//! an index, readable by its owner only, with a warning that it holds the
//! snapshot's secrets.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{fixture, heaplens};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Indexes `snapshot` into `dir`; the index's path.
fn index_of(snapshot: &Path, dir: &Path) -> PathBuf {
    let name = snapshot
        .file_name()
        .map_or_else(OsString::new, |n| n.to_owned());
    let mut output = dir.join(name);
    output.set_extension("hlx");
    let run = heaplens([
        "index".as_ref(),
        snapshot.as_os_str(),
        "--output".as_ref(),
        output.as_os_str(),
    ]);
    assert!(run.status.success(), "index: {}", text(&run.stderr));
    output
}

/// `args` with `--index INDEX` for each index.
fn with_indexes(args: &[OsString], indexes: &[&PathBuf]) -> Vec<OsString> {
    let mut all = args.to_vec();
    for index in indexes {
        all.push("--index".into());
        all.push(index.as_os_str().to_owned());
    }
    all
}

/// The command's stdout, asserting it succeeded.
fn report(args: &[OsString]) -> String {
    let run = heaplens(args);
    assert!(run.status.success(), "{args:?}: {}", text(&run.stderr));
    text(&run.stdout)
}

/// The command prints the same with the indexes as without.
fn same_with(args: &[&str], snapshots: &[&Path], indexes: &[&PathBuf]) {
    let mut plain: Vec<OsString> = vec![args[0].into()];
    plain.extend(snapshots.iter().map(|s| s.as_os_str().to_owned()));
    plain.extend(args[1..].iter().map(OsString::from));
    let expected = report(&plain);
    assert!(!expected.is_empty(), "{plain:?} printed nothing");
    let indexed = report(&with_indexes(&plain, indexes));
    assert!(expected == indexed, "{plain:?}: differs with --index");
}

/// An object's id deep in the dominator tree: the first child, four
/// levels down.
fn some_object(snapshot: &Path) -> String {
    let json = report(&[
        "dominators".into(),
        snapshot.as_os_str().to_owned(),
        "--depth".into(),
        "4".into(),
        "--fan-out".into(),
        "1".into(),
        "--format".into(),
        "json".into(),
    ]);
    let mut node: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    while let Some(child) = node["children"].get(0).cloned() {
        node = child;
    }
    format!("@{}", node["id"])
}

/// Tests run from a copy of the fixtures in a temporary directory, where
/// their indexes go too. A file named `….gz` is copied inflated (a plain
/// file's long strings stay in it, and come back from it with an index).
fn workspace(files: &[&str]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let copies = files
        .iter()
        .map(|file| {
            let plain = file.strip_suffix(".gz");
            let from = fixture(plain.unwrap_or(file));
            let to = dir
                .path()
                .join(Path::new(file).file_name().expect("a name"));
            let to = match plain {
                Some(_) => to.with_extension(""),
                None => to,
            };
            let mut reader = std::fs::File::open(&from).expect("fixture");
            let mut writer = std::fs::File::create(&to).expect("copy");
            let copied = match plain.is_some() && from.extension().is_some_and(|e| e == "gz") {
                true => std::io::copy(&mut flate2::read::MultiGzDecoder::new(reader), &mut writer),
                false => std::io::copy(&mut reader, &mut writer),
            };
            copied.expect("copied");
            to
        })
        .collect();
    (dir, copies)
}

#[test]
fn one_snapshot_reports_are_the_same_with_its_index() {
    for file in [
        "demo/after.heapsnapshot",
        "demo/after.heapsnapshot.gz",
        "real/chromium156-chat-after.heapsnapshot",
        "real/deno2.9.heapsnapshot.gz",
        "tiny/tiny-detached-dom.heapsnapshot",
    ] {
        let (dir, snapshots) = workspace(&[file]);
        let snapshot = &snapshots[0];
        let index = index_of(snapshot, dir.path());
        let object = some_object(snapshot);
        let one = [snapshot.as_path()];
        for args in [
            &["summary", "--format", "json"][..],
            &["summary"],
            &["summary", "--format", "markdown"],
            &["summary", "--only", "detached-dom", "--format", "json"],
            &["stats", "--format", "json"],
            &["duplicates", "--format", "json"],
            &["dominators", "--format", "json"],
            &["strings", "--format", "json"],
        ] {
            same_with(args, &one, &[&index]);
        }
        for command in ["node", "retainers", "containment"] {
            same_with(&[command, &object, "--format", "json"], &one, &[&index]);
        }
    }
}

#[test]
fn pair_reports_are_the_same_with_their_indexes() {
    for pair in [
        [
            "demo/baseline.heapsnapshot.gz",
            "demo/after.heapsnapshot.gz",
        ],
        [
            "real/chromium156-chat-before.heapsnapshot",
            "real/chromium156-chat-after.heapsnapshot",
        ],
        // Of the same `{a, b}` interfaces: compared from the comparison
        // sections alone.
        ["three/s1.heapsnapshot", "three/s2.heapsnapshot"],
    ] {
        let (dir, snapshots) = workspace(&pair);
        let indexes: Vec<PathBuf> = snapshots.iter().map(|s| index_of(s, dir.path())).collect();
        let both = [snapshots[0].as_path(), snapshots[1].as_path()];
        let (base, target) = (&indexes[0], &indexes[1]);
        for args in [
            &["diff", "--format", "json"][..],
            &["diff"],
            &["diff", "--format", "markdown"],
            &["collections", "--format", "json"],
        ] {
            // Given in either order, or for one snapshot only.
            same_with(args, &both, &[base, target]);
            same_with(args, &both, &[target, base]);
            same_with(args, &both, &[target]);
        }
        let after = [snapshots[1].as_path()];
        let mut allocated = vec!["summary", "--allocated-after"];
        let base_path = snapshots[0].to_string_lossy().into_owned();
        allocated.extend([base_path.as_str(), "--format", "json"]);
        same_with(&allocated, &after, &[base, target]);
    }
}

#[test]
fn three_snapshot_reports_are_the_same_with_their_indexes() {
    let (dir, snapshots) = workspace(&[
        "three/s1.heapsnapshot",
        "three/s2.heapsnapshot",
        "three/s3.heapsnapshot",
    ]);
    let indexes: Vec<PathBuf> = snapshots.iter().map(|s| index_of(s, dir.path())).collect();
    let all: Vec<&Path> = snapshots.iter().map(PathBuf::as_path).collect();
    let every: Vec<&PathBuf> = indexes.iter().collect();
    same_with(&["leaks", "--format", "json"], &all, &every);
    same_with(&["trend", "--format", "json"], &all, &every);
    same_with(&["trend", "--format", "json"], &all, &every[1..]);
}

/// The command failed with exit status 2 and one line on stderr holding
/// every one of `parts`.
fn refused(run: &Output, parts: &[&str]) {
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    for part in parts {
        assert!(stderr.contains(part), "{part:?} in {stderr}");
    }
}

fn summary_with(snapshot: &Path, index: &Path) -> Output {
    heaplens([
        "stats".as_ref(),
        snapshot.as_os_str(),
        "--index".as_ref(),
        index.as_os_str(),
    ])
}

#[test]
fn an_index_of_another_snapshot_is_refused_naming_what_differs() {
    let (dir, snapshots) = workspace(&[
        "tiny/tiny-dominators.heapsnapshot",
        "tiny/tiny-distances.heapsnapshot",
    ]);
    let (snapshot, other) = (&snapshots[0], &snapshots[1]);
    let index = index_of(snapshot, dir.path());
    let name = index.to_string_lossy().into_owned();
    refused(
        &summary_with(other, &index),
        &[&name, "does not belong to", "size differs"],
    );

    // The same file touched: modified since (mtime).
    let bytes = std::fs::read(snapshot).expect("read");
    let file = std::fs::File::options()
        .write(true)
        .open(snapshot)
        .expect("open");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    file.set_modified(later).expect("touched");
    refused(
        &summary_with(snapshot, &index),
        &[&name, "modified since", "mtime"],
    );

    // Another file of the same size: its header differs.
    let mut changed = bytes.clone();
    let at = changed.iter().position(|&b| b == b'1').expect("a digit");
    changed[at] = b'2';
    std::fs::write(snapshot, &changed).expect("rewritten");
    refused(&summary_with(snapshot, &index), &[&name, "header differs"]);

    // Given with two snapshots, it names both.
    let run = heaplens([
        "diff".as_ref(),
        other.as_os_str(),
        snapshot.as_os_str(),
        "--index".as_ref(),
        index.as_os_str(),
    ]);
    refused(
        &run,
        &[
            &name,
            "belongs to none of the snapshots",
            "size differs",
            "header differs",
        ],
    );
}

/// The index's bytes, and where its section `name` lies in them.
fn section(index: &Path, name: &str) -> (Vec<u8>, usize, usize) {
    let bytes = std::fs::read(index).expect("read");
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let count = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
    let entry = (0..count)
        .map(|i| 56 + 40 * i)
        .find(|&at| bytes[at..at + 16].starts_with(name.as_bytes()) && bytes[at + name.len()] == 0)
        .expect("the section");
    let (offset, length) = (word(entry + 16) as usize, word(entry + 24) as usize);
    (bytes, offset, length)
}

#[test]
fn a_damaged_index_is_refused_naming_the_section() {
    let (dir, snapshots) = workspace(&["demo/after.heapsnapshot"]);
    let snapshot = &snapshots[0];
    let index = index_of(snapshot, dir.path());
    let name = index.to_string_lossy().into_owned();
    let pristine = std::fs::read(&index).expect("read");

    let (mut bytes, offset, length) = section(&index, "edge_to");
    bytes[offset + length / 2] ^= 0x10;
    std::fs::write(&index, &bytes).expect("written");
    refused(
        &summary_with(snapshot, &index),
        &[&name, "damaged: its edge_to section fails its checksum"],
    );

    let (mut bytes, offset, _) = section(&index, "record");
    bytes[offset + 3] ^= 0x01;
    std::fs::write(&index, &bytes).expect("written");
    let summary = heaplens([
        "summary".as_ref(),
        snapshot.as_os_str(),
        "--index".as_ref(),
        index.as_os_str(),
    ]);
    refused(
        &summary,
        &[&name, "damaged: its record section fails its checksum"],
    );

    std::fs::write(&index, &pristine[..pristine.len() / 2]).expect("truncated");
    refused(
        &summary_with(snapshot, &index),
        &[&name, "section is truncated"],
    );

    let mut bytes = pristine.clone();
    bytes[30] ^= 0x01;
    std::fs::write(&index, &bytes).expect("written");
    refused(
        &summary_with(snapshot, &index),
        &[&name, "damaged: its header section fails its checksum"],
    );

    let mut bytes = pristine.clone();
    bytes[8..12].copy_from_slice(&99u32.to_le_bytes());
    std::fs::write(&index, &bytes).expect("written");
    refused(
        &summary_with(snapshot, &index),
        &[&name, "another heaplens index format version (99"],
    );

    std::fs::write(&index, b"{\"snapshot\": {}}").expect("written");
    refused(
        &summary_with(snapshot, &index),
        &[&name, "not a heaplens index"],
    );
}

#[test]
fn the_index_is_written_only_where_asked_private_and_with_a_warning() {
    let (dir, snapshots) = workspace(&["tiny/tiny-dominators.heapsnapshot"]);
    let snapshot = &snapshots[0];
    let output = dir.path().join("private").join("tiny.hlx");
    std::fs::create_dir(dir.path().join("private")).expect("dir");
    let run = heaplens([
        "index".as_ref(),
        snapshot.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(run.stdout.is_empty());
    let stderr = text(&run.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    let warning = stderr
        .lines()
        .find(|l| l.contains("holds everything"))
        .expect("warned");
    assert!(warning.contains(&*output.to_string_lossy()), "{warning}");
    assert!(
        warning.contains("secrets") && warning.contains("private"),
        "{warning}"
    );
    let mode = std::fs::metadata(&output)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let listing = |d: &Path| std::fs::read_dir(d).expect("list").count();
    assert_eq!(
        listing(dir.path()),
        2,
        "nothing beside the snapshot but the folder"
    );
    assert_eq!(listing(&dir.path().join("private")), 1, "no temporary left");

    // An existing index is replaced; anything else, and the snapshot, never.
    let again = heaplens([
        "index".as_ref(),
        snapshot.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "keep me").expect("written");
    let over_notes = heaplens([
        "index".as_ref(),
        snapshot.as_os_str(),
        "-o".as_ref(),
        notes.as_os_str(),
    ]);
    refused(
        &over_notes,
        &["notes.txt", "is not a heaplens index: not overwritten"],
    );
    assert_eq!(std::fs::read_to_string(&notes).expect("kept"), "keep me");
    let before = std::fs::read(snapshot).expect("read");
    let over_itself = heaplens([
        "index".as_ref(),
        snapshot.as_os_str(),
        "-o".as_ref(),
        snapshot.as_os_str(),
    ]);
    refused(&over_itself, &["is the snapshot itself"]);
    assert_eq!(std::fs::read(snapshot).expect("read"), before);

    // Standard input has no file to match an index to.
    refused(
        &heaplens(["index", "-", "-o", "x.hlx"]),
        &["standard input cannot be indexed"],
    );
    let stdin = heaplens([
        "summary".as_ref(),
        "-".as_ref(),
        "--index".as_ref(),
        output.as_os_str(),
    ]);
    refused(&stdin, &["standard input cannot be matched to an index"]);
    let twice = heaplens([
        "summary".as_ref(),
        snapshot.as_os_str(),
        "--index".as_ref(),
        output.as_os_str(),
        "--index".as_ref(),
        output.as_os_str(),
    ]);
    refused(&twice, &["already has an index"]);
}

/// A comparison of two indexed snapshots reads their comparison sections
/// (its `--timings` say so), and a damaged one is refused by name.
#[test]
fn a_comparison_reads_the_comparison_sections_and_checks_them() {
    // Of the same `{a, b}` interfaces (unlike the demo pair's).
    let (dir, snapshots) = workspace(&["three/s1.heapsnapshot", "three/s2.heapsnapshot"]);
    let indexes: Vec<PathBuf> = snapshots.iter().map(|s| index_of(s, dir.path())).collect();
    let mut args: Vec<OsString> = vec!["diff".into()];
    args.extend(snapshots.iter().map(|s| s.clone().into_os_string()));
    let args = with_indexes(&args, &[&indexes[0], &indexes[1]]);
    let timed = [&args[..], &["--timings".into()]].concat();
    let run = heaplens(&timed);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("the comparison (from the indexes' comparison sections)"),
        "{stderr}"
    );
    let name = indexes[1].to_string_lossy().into_owned();
    for section_name in ["instances_by_id", "comparison"] {
        let (mut bytes, offset, length) = section(&indexes[1], section_name);
        let pristine = bytes.clone();
        bytes[offset + length / 2] ^= 0x10;
        std::fs::write(&indexes[1], &bytes).expect("written");
        let failure = format!("damaged: its {section_name} section fails its checksum");
        refused(&heaplens(&args), &[&name, &failure]);
        std::fs::write(&indexes[1], &pristine).expect("restored");
    }
}
