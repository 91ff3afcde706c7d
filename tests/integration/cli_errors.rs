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
