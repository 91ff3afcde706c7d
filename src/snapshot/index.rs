//! Index files (issue 21): the whole analysis of a snapshot written next
//! to a path the user names, so that the next open reads it back in bulk
//! instead of parsing and analysing the snapshot again.
//!
//! An index holds what the snapshot holds (its strings: secrets, personal
//! data), is tied to its snapshot by size, modification time and a hash of
//! its first 64 KiB, and is versioned and checksummed section by section
//! (see `container`). It is read only for a snapshot it belongs to, and a
//! damaged one is refused: never a silent full load instead.

mod checks;
mod comparison;
mod container;
mod contents;
mod identity;
mod record;
mod write;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use comparison::{ComparedIndex, ComparisonHead, Role};
pub use container::FORMAT_VERSION;
pub use contents::Need;
pub use identity::{Mismatch, SnapshotIdentity};
pub use write::{check_output, write_index, WriteError};

use super::class_rows::ClassRows;
use super::{Analysis, SnapshotError};
use container::{Column, Header};

/// Why an index cannot be used. Each is one line, to follow the index
/// file's name.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("not a heaplens index (it does not start with one's signature)")]
    NotAnIndex,
    #[error(
        "made by another heaplens index format version ({found}, by heaplens {writer}; this heaplens reads version {FORMAT_VERSION}): index the snapshot again"
    )]
    OtherFormat { found: u32, writer: String },
    #[error("damaged: its {section} section {what}")]
    Damaged { section: String, what: &'static str },
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    OutOfMemory(SnapshotError),
}

impl IndexError {
    fn damaged(section: &str, what: &'static str) -> IndexError {
        IndexError::Damaged {
            section: section.to_owned(),
            what,
        }
    }
}

/// A vector of `count` zeroed values, or one line when it cannot be had.
fn room_for<T: Column>(count: usize, section: &str) -> Result<Vec<T>, IndexError> {
    let what = format!("the index's {section} section");
    super::error::try_zeroed(count, &what).map_err(IndexError::OutOfMemory)
}

/// An opened index whose header was read and checked.
#[derive(Debug)]
pub struct IndexFile {
    path: PathBuf,
    file: File,
    header: Header,
}

impl IndexFile {
    /// Opens the index at `path` and checks its header (magic, format
    /// version, the header's checksum).
    pub fn open(path: &Path) -> Result<IndexFile, IndexError> {
        let file = File::open(path)?;
        if file.metadata()?.is_dir() {
            return Err(IndexError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a directory, not an index file",
            )));
        }
        let header = Header::read(&file)?;
        Ok(IndexFile {
            path: path.to_owned(),
            file,
            header,
        })
    }

    /// The path it was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The snapshot this index was made from, as it was then.
    pub fn identity(&self) -> SnapshotIdentity {
        self.header.identity
    }

    /// Why this index does not belong to a snapshot of identity `now`.
    pub fn mismatch(&self, now: &SnapshotIdentity) -> Option<Mismatch> {
        self.header.identity.mismatch(now)
    }

    /// The Summary rows and totals alone: two small sections.
    pub fn class_rows(&self) -> Result<ClassRows, IndexError> {
        let record = contents::read_record(&self.file, &self.header)?;
        Ok(record.class_rows())
    }

    /// The small sections a comparison reads first.
    pub fn comparison_head(&self) -> Result<ComparisonHead, IndexError> {
        comparison::head(&self.file, &self.header)
    }

    /// The rest of what a comparison reads of the snapshot as its `role`.
    pub fn compared(&self, head: ComparisonHead, role: Role) -> Result<ComparedIndex, IndexError> {
        comparison::read(&self.file, &self.header, head, role)
    }

    /// The analysis as far as `need` reads it. `snapshot` is the snapshot
    /// file itself, when plain: its long strings are read back from it.
    pub fn load(&self, need: Need, snapshot: Option<Arc<File>>) -> Result<Analysis, IndexError> {
        contents::read_analysis(&self.file, &self.header, need, snapshot)
    }
}

#[cfg(test)]
mod tests;
