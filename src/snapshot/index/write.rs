//! Writing an index: never over the snapshot or over a file that is not
//! an index, atomically (a temporary file beside it, renamed over it), and
//! readable by its owner only, since it holds what the snapshot holds.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::container::{self, LateParts, MAGIC};
use super::contents;
use super::identity::SnapshotIdentity;
use crate::snapshot::Analysis;

/// Why an index was not written. One line each, after the output's name.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("is the snapshot itself: name another file for the index")]
    IsTheSnapshot,
    #[error("exists and is not a heaplens index: not overwritten")]
    NotAnIndex,
    #[error("is a directory: name a file for the index")]
    IsADirectory,
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("encoding the index")]
    Encode(#[from] serde_json::Error),
}

/// Refuses an `output` that is the snapshot, a directory, or an existing
/// file that is not a heaplens index (checked before the long load, and
/// again before writing).
pub fn check_output(snapshot: &Path, output: &Path) -> Result<(), WriteError> {
    let existing = match std::fs::metadata(output) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if existing.is_dir() {
        return Err(WriteError::IsADirectory);
    }
    if same_file(snapshot, &existing) {
        return Err(WriteError::IsTheSnapshot);
    }
    let mut start = [0u8; MAGIC.len()];
    let read = File::open(output).and_then(|mut f| f.read_exact(&mut start));
    match read {
        Ok(()) if start == MAGIC => Ok(()),
        _ => Err(WriteError::NotAnIndex),
    }
}

#[cfg(unix)]
fn same_file(snapshot: &Path, output: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(snapshot).is_ok_and(|s| s.dev() == output.dev() && s.ino() == output.ino())
}

#[cfg(not(unix))]
fn same_file(snapshot: &Path, _: &std::fs::Metadata) -> bool {
    false
}

/// Writes the index of `analysis` (the snapshot at `snapshot`, of
/// `identity`) to `output`; its size in bytes.
pub fn write_index(
    analysis: &Analysis,
    identity: SnapshotIdentity,
    snapshot: &Path,
    output: &Path,
) -> Result<u64, WriteError> {
    check_output(snapshot, output)?;
    let parts = contents::parts(analysis)?;
    let temporary = temporary_beside(output);
    let late = LateParts {
        names: &contents::COMPARISON_PARTS,
        make: || contents::comparison_parts(analysis).map_err(WriteError::Encode),
    };
    let written = write_private(&temporary, |out| {
        container::write(out, identity, &parts, late)
    })
    .and_then(|bytes| Ok(std::fs::rename(&temporary, output).map(|()| bytes)?));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// `.NAME.heaplens-PID` in `output`'s directory: renamed over it once
/// written, so a reader never sees half an index.
fn temporary_beside(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "index".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.heaplens-{}", std::process::id()))
}

/// Creates `path` (mode 0600 on Unix), fills it with `fill` and flushes it
/// to disk; the bytes written.
fn write_private<E: From<std::io::Error>>(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> Result<(), E>,
) -> Result<u64, E> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    let mut out = BufWriter::with_capacity(8 << 20, file);
    fill(&mut out)?;
    out.flush()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(file.metadata()?.len())
}
