//! Everything that can go wrong while reading a snapshot, as one enum.
//!
//! Each variant renders as a single line that names the problem and where it
//! sits in the file, so the CLI can print `heaplens: FILE: <error>` and the
//! TUI can show it in the status line. No variant carries snapshot contents
//! beyond short keys: snapshots hold secrets.

use std::io;

/// Why a snapshot could not be read or analysed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The OS refused to read the file (missing, unreadable, a directory...).
    /// Transparent, so `{:#}` chains do not print the OS message twice.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The input has no bytes at all, or only white space.
    #[error(
        "the file is empty (0 bytes of JSON); a failed or interrupted capture leaves such files"
    )]
    Empty,
    /// The gzip stream is corrupt or cut short.
    #[error("corrupt gzip data: {0}")]
    Gzip(String),
    /// The input is not JSON where a heap snapshot must start.
    #[error("not a heap snapshot: not JSON (byte {offset}: {found})")]
    NotJson { offset: u64, found: String },
    /// JavaScriptCore's heap snapshot format (Bun, Safari), which is not V8's.
    #[error("this is a JavaScriptCore heap snapshot (Bun/Safari format), not a V8 .heapsnapshot; heaplens reads V8 snapshots (Node.js, Chrome, Deno)")]
    JavaScriptCore,
    /// Valid JSON, but not shaped like a V8 heap snapshot.
    #[error("not a V8 heap snapshot: {0}")]
    NotHeapSnapshot(String),
    /// The input stops before the JSON is complete (OOM-killed or cut copies).
    /// `place` is `inside "edges"`, `after the "nodes" section`, ...
    #[error("truncated: the file ends {place} at byte {offset}{progress}")]
    Truncated {
        place: String,
        offset: u64,
        progress: String,
    },
    /// Malformed JSON or a value of the wrong kind inside a section.
    #[error("malformed {section} at byte {offset}: {message}")]
    Syntax {
        section: String,
        offset: u64,
        message: String,
    },
    /// The `snapshot` header (its `meta` or counts) lacks a field or is
    /// shaped wrongly.
    #[error("bad \"snapshot\" header: {0}")]
    Meta(String),
    /// A required top-level section is absent.
    #[error("the \"{0}\" section is missing")]
    MissingSection(&'static str),
    /// A top-level section appears twice.
    #[error("the \"{0}\" section appears twice")]
    DuplicateSection(String),
    /// Header counts and array lengths disagree.
    #[error("\"{section}\": the header says {expected} but the array holds {actual}")]
    CountMismatch {
        section: &'static str,
        expected: String,
        actual: String,
    },
    /// The nodes' `edge_count` fields do not add up to the edges array.
    #[error("the nodes' edge_count fields add up to {sum} edges but \"edges\" holds {actual}")]
    EdgeSum { sum: u64, actual: u64 },
    /// A value in the node or edge arrays that cannot be right.
    #[error("{0}")]
    Invalid(String),
    /// The graph is bigger than the 32-bit indices heaplens uses.
    #[error("too large: {0}")]
    TooLarge(String),
    /// An allocation the load needs was refused (`ulimit -v`, a 32-bit
    /// address space): said in one line rather than aborted with a
    /// backtrace. `what` names what the bytes were for.
    #[error("out of memory: needs {needed} more bytes ({what})")]
    OutOfMemory { needed: u64, what: String },
    /// The user cancelled the load.
    #[error("cancelled")]
    Cancelled,
}

impl SnapshotError {
    /// `needed` bytes for `what` could not be had.
    pub fn out_of_memory(needed: usize, what: &str) -> SnapshotError {
        SnapshotError::OutOfMemory {
            needed: needed as u64,
            what: what.to_owned(),
        }
    }
}

/// `len` zeros (default values) for `what`, or the error that says they
/// could not be had: `vec!` would abort the process. Asked for first and
/// given back, then allocated zeroed by the OS as `vec!` does (the pages
/// fault in as they are written, not all at once here).
pub fn try_zeroed<T: Copy + Default>(len: usize, what: &str) -> Result<Vec<T>, SnapshotError> {
    Vec::<T>::new()
        .try_reserve_exact(len)
        .map_err(|_| SnapshotError::out_of_memory(len * std::mem::size_of::<T>(), what))?;
    Ok(vec![T::default(); len])
}
