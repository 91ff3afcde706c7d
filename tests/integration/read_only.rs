//! heaplens never writes next to a snapshot: no cache, index or lock file.
//! The snapshot sits in a read-only directory, and the directory listing
//! (names, sizes, modification times) must be the same afterwards.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::SystemTime;

use crate::util::{fixture, heaplens};

fn listing(dir: &Path) -> Vec<(String, u64, Option<SystemTime>)> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("list {}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.unwrap_or_else(|e| panic!("dir entry: {e}"));
            let meta = entry.metadata().unwrap_or_else(|e| panic!("metadata: {e}"));
            (
                entry.file_name().to_string_lossy().into_owned(),
                meta.len(),
                meta.modified().ok(),
            )
        })
        .collect();
    entries.sort();
    entries
}

/// Makes the directory writable again on drop, so it can be removed.
struct Restore<'a>(&'a Path);

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn nothing_is_written_next_to_the_snapshot() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let plain = dir.path().join("tiny.heapsnapshot");
    let gz = dir.path().join("after.heapsnapshot.gz");
    std::fs::copy(fixture("tiny/tiny-dominators.heapsnapshot"), &plain)
        .unwrap_or_else(|e| panic!("copy: {e}"));
    std::fs::copy(fixture("demo/after.heapsnapshot"), &gz).unwrap_or_else(|e| panic!("copy: {e}"));
    let before = listing(dir.path());
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555))
        .unwrap_or_else(|e| panic!("chmod 555: {e}"));
    let _restore = Restore(dir.path());
    let runs: [&[&std::ffi::OsStr]; 4] = [
        &["summary".as_ref(), plain.as_os_str()],
        &[
            "summary".as_ref(),
            gz.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
        &["node".as_ref(), gz.as_os_str(), "@71213".as_ref()],
        &["diff".as_ref(), plain.as_os_str(), plain.as_os_str()],
    ];
    for args in runs {
        let out = heaplens(args);
        assert!(
            out.status.success(),
            "heaplens {args:?} works in a read-only directory: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "heaplens {args:?} prints a report");
    }
    assert_eq!(
        listing(dir.path()),
        before,
        "the directory holds the same files afterwards"
    );
}
