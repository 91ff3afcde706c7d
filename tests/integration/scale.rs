//! Scale: a strings section past 4 GiB (DevTools cannot load past 512 MB).
//! Ignored by default: it writes a 4.4 GB file and needs ~5 GB of memory;
//! run with `cargo test --release -- --ignored strings_past`.

use std::process::Command;

use crate::util::heaplens;

#[test]
#[ignore = "writes a 4.4 GB snapshot; run on demand"]
fn strings_past_4_gib_load_and_add_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("strings-heavy.heapsnapshot");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/strings-heavy.mjs");
    let made = Command::new("node")
        .args([script, "--out"])
        .arg(&file)
        .args(["--strings-mb", "4400"])
        .status()
        .expect("node runs the generator");
    assert!(made.success());
    let out = heaplens([
        "summary".as_ref(),
        file.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let strings = json["classes"]
        .as_array()
        .and_then(|classes| classes.iter().find(|c| c["name"] == "(string)"))
        .expect("a (string) row");
    // 4197 strings of 1 MiB: 4,400,857,088 bytes, past u32 and 4 GiB.
    assert_eq!(strings["count"], 4197);
    assert_eq!(strings["self_size"], 4197u64 * 1_048_576);
}
