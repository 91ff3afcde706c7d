//! What ties an index to its snapshot: the file's size, its modification
//! time and a hash of its first bytes (the `snapshot` header of a plain
//! file), checked before anything of the index is used.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::UNIX_EPOCH;

use xxhash_rust::xxh3::xxh3_64;

/// Bytes hashed from the start of the snapshot file.
const HEAD_BYTES: u64 = 64 << 10;

/// A snapshot file as an index remembers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotIdentity {
    pub bytes: u64,
    /// Modification time, in nanoseconds since the epoch.
    pub mtime_ns: u64,
    /// xxh3-64 of the first 64 KiB (the whole file if shorter).
    pub head_hash: u64,
}

/// Why an index does not belong to a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    Size { indexed: u64, now: u64 },
    Modified,
    Header,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Size { indexed, now } => write!(
                f,
                "its size differs (indexed {indexed} bytes, now {now} bytes)"
            ),
            Mismatch::Modified => f.write_str("it was modified since it was indexed (mtime)"),
            Mismatch::Header => f.write_str("its header differs (first 64 KiB)"),
        }
    }
}

impl SnapshotIdentity {
    /// The identity of the regular file at `path`.
    pub fn of(path: &Path) -> std::io::Result<SnapshotIdentity> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file, so it cannot be matched to an index",
            ));
        }
        let mtime_ns = meta
            .modified()?
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        let mut head = Vec::new();
        file.take(HEAD_BYTES).read_to_end(&mut head)?;
        Ok(SnapshotIdentity {
            bytes: meta.len(),
            mtime_ns,
            head_hash: xxh3_64(&head),
        })
    }

    /// Why `self` (the indexed snapshot) is not `now`, if it is not.
    pub fn mismatch(&self, now: &SnapshotIdentity) -> Option<Mismatch> {
        if self.bytes != now.bytes {
            Some(Mismatch::Size {
                indexed: self.bytes,
                now: now.bytes,
            })
        } else if self.head_hash != now.head_hash {
            Some(Mismatch::Header)
        } else if self.mtime_ns != now.mtime_ns {
            Some(Mismatch::Modified)
        } else {
            None
        }
    }
}
