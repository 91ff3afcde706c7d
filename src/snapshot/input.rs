//! One snapshot input, opened once: a file, standard input (`-`), a FIFO
//! or a process substitution (`<(zcat f)`). Gzip is recognised once, by its
//! magic bytes whatever the name, and the `snapshot` header is read once,
//! from the first bytes, which are kept and handed to the parser in front
//! of the rest: so the memory preflight can estimate any input, even one
//! that cannot be read twice.
//!
//! A plain regular file is also what long strings are read back from
//! later (see `strings`), through the same open file; an input that cannot
//! seek keeps them in memory instead, and loses nothing else.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::SnapshotError;
use super::meta::Header;
use super::parse;
use super::source::{read_ahead, Counted, FileBytes, GzipErrors, GzipMembers, Source, Warnings};

/// The most of an input read to find its header: V8 writes it first, in a
/// few kilobytes; a file that puts megabytes before it gets no estimate.
const HEADER_PEEK_BYTES: u64 = 1 << 20;

/// An opened snapshot input, its header already read.
pub struct SnapshotInput {
    path: PathBuf,
    /// The regular file behind the input, if it is one.
    file: Option<Arc<File>>,
    file_bytes: Option<u64>,
    gzip: bool,
    header: Option<Header>,
    /// The first bytes (inflated), read for the header.
    peeked: Vec<u8>,
    /// The rest, inflated.
    rest: Box<dyn Read + Send>,
    /// Bytes taken from the input itself (compressed ones of a gzip file).
    taken: FileBytes,
    warnings: Warnings,
}

impl SnapshotInput {
    /// Opens `path` (`-` is standard input) and reads its header.
    pub fn open(path: &Path) -> Result<SnapshotInput, SnapshotError> {
        let (raw, file, file_bytes): (Box<dyn Read + Send>, _, _) = if is_stdin(path) {
            (Box::new(io::stdin()), None, None)
        } else {
            let opened = File::open(path)?;
            let meta = opened.metadata()?;
            if meta.is_dir() {
                return Err(SnapshotError::Io(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "is a directory, not a snapshot file",
                )));
            }
            if meta.is_file() {
                let file = Arc::new(opened);
                let reader = SharedFile(Arc::clone(&file));
                (Box::new(reader), Some(file), Some(meta.len()))
            } else {
                // A FIFO, a character device, `<(…)`: read once, in order.
                (Box::new(opened), None, None)
            }
        };
        let taken = FileBytes::default();
        let mut buffered = BufReader::with_capacity(1 << 16, Counted::new(raw, taken.clone()));
        let gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let warnings = Warnings::default();
        let inflated: Box<dyn Read + Send> = if gzip {
            let members = GzipMembers::new(buffered, warnings.clone());
            Box::new(GzipErrors(members))
        } else {
            Box::new(buffered)
        };
        let (header, peeked, rest) = peek_header(inflated);
        Ok(SnapshotInput {
            path: path.to_owned(),
            file,
            file_bytes,
            gzip,
            header,
            peeked,
            rest,
            taken,
            warnings,
        })
    }

    /// What is worth telling about this input though it loads (bytes after
    /// its gzip data), as reading finds it: complete once it is loaded.
    pub fn warnings(&self) -> Warnings {
        self.warnings.clone()
    }

    /// The path as given (`-` for standard input).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `snapshot` header, when the input starts with it.
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The size of a regular file (None for standard input and pipes).
    pub fn file_bytes(&self) -> Option<u64> {
        self.file_bytes
    }

    /// What a regular gzip file says it inflates to: its last 4 bytes, the
    /// size of its last member modulo 4 GiB. Only a hint (a file of many
    /// members, over 4 GiB or with bytes after its gzip data says less, or
    /// anything), for the memory preflight; None for other inputs.
    pub fn gzip_size_hint(&self) -> Option<u64> {
        let (file, bytes) = (self.file.as_ref()?, self.file_bytes?);
        if !self.gzip || bytes < 18 {
            return None;
        }
        let mut size = [0u8; 4];
        read_exact_at(file, &mut size, bytes - 4).ok()?;
        Some(u64::from(u32::from_le_bytes(size)))
    }

    /// Whether this is standard input.
    pub fn is_stdin(&self) -> bool {
        is_stdin(&self.path)
    }

    /// The bytes to parse (a gzip input inflated on a thread of its own,
    /// ahead of the parser), the count of bytes taken from the input, and
    /// the file long strings can be read back from (a plain regular file).
    pub fn into_parts(self) -> Result<(Source, FileBytes, Option<Arc<File>>), SnapshotError> {
        let whole = Cursor::new(self.peeked).chain(self.rest);
        let source: Source = if self.gzip {
            read_ahead(whole)?
        } else {
            Box::new(whole)
        };
        // Strings are read back at offsets (`read_exact_at`, Unix).
        let backing = self.file.filter(|_| !self.gzip && cfg!(unix));
        Ok((source, self.taken, backing))
    }
}

impl std::fmt::Debug for SnapshotInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotInput")
            .field("path", &self.path)
            .field("gzip", &self.gzip)
            .field("file_bytes", &self.file_bytes)
            .finish_non_exhaustive()
    }
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads the header through a recorder, so that every byte read for it is
/// kept for the parser. A read error is not reported here: the parser meets
/// it again, right after the bytes before it, and names it in its place.
fn peek_header(inflated: Box<dyn Read + Send>) -> (Option<Header>, Vec<u8>, Box<dyn Read + Send>) {
    let mut recorder = Recorder {
        inner: inflated.take(HEADER_PEEK_BYTES),
        seen: Vec::new(),
        failed: None,
    };
    let header = parse::read_header(&mut recorder).ok().flatten();
    let Recorder {
        inner,
        seen,
        failed,
    } = recorder;
    let rest: Box<dyn Read + Send> = match failed {
        Some(error) => Box::new(Failed(Some(error))),
        None => Box::new(inner.into_inner()),
    };
    (header, seen, rest)
}

/// Keeps what passes through it, and the first error.
struct Recorder<R> {
    inner: R,
    seen: Vec<u8>,
    failed: Option<io::Error>,
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.failed.is_some() {
            return Err(io::Error::other("read failed"));
        }
        match self.inner.read(buf) {
            Ok(n) => {
                self.seen.extend_from_slice(&buf[..n]);
                Ok(n)
            }
            Err(e) => {
                let kind = e.kind();
                self.failed = Some(e);
                Err(kind.into())
            }
        }
    }
}

/// An input that failed while its header was read: the error, once.
struct Failed(Option<io::Error>);

impl Read for Failed {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        self.0.take().map_or(Ok(0), Err)
    }
}

/// Streams a file shared with the string table, which reads back at
/// offsets (`read_at`) without moving this reader.
struct SharedFile(Arc<File>);

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }
}

/// A backing file read on from an offset, without moving its handle.
pub(crate) struct FileFrom {
    file: Arc<File>,
    offset: u64,
}

impl FileFrom {
    pub(crate) fn new(file: Arc<File>, offset: u64) -> FileFrom {
        FileFrom { file, offset }
    }
}

impl Read for FileFrom {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = read_at(&self.file, buf, self.offset)?;
        self.offset += read as u64;
        Ok(read)
    }
}

/// Reads into `buf` from `offset` of a backing file, without moving its
/// handle (the parser may still be streaming the same open file).
#[cfg(unix)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

/// Fills `buf` from `offset` of a backing file.
#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Elsewhere no input is a backing file (see `SnapshotInput::into_parts`).
#[cfg(not(unix))]
pub(crate) fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<usize> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(unix))]
pub(crate) fn read_exact_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name)
    }

    fn read_all(input: SnapshotInput) -> Vec<u8> {
        let (mut source, _, _) = input.into_parts().expect("parts");
        let mut all = Vec::new();
        source.read_to_end(&mut all).expect("read");
        all
    }

    #[test]
    fn the_header_is_read_once_and_the_parser_gets_every_byte() {
        let path = fixture("tiny/tiny-dominators.heapsnapshot");
        let input = SnapshotInput::open(&path).expect("opens");
        assert!(!input.is_gzip());
        let header = input.header().expect("a header");
        assert_eq!(header.node_count, 18);
        assert_eq!(read_all(input), std::fs::read(&path).expect("read"));
    }

    #[test]
    fn a_gzip_file_is_inflated_and_estimated_from_its_header() {
        let input = SnapshotInput::open(&fixture("demo/after.heapsnapshot.gz")).expect("opens");
        assert!(input.is_gzip());
        assert_eq!(input.header().map(|h| h.node_count), Some(91_978));
        let (_, _, backing) = input.into_parts().expect("parts");
        assert!(backing.is_none(), "a gzip file cannot give strings back");
    }

    #[test]
    fn a_fifo_is_read_once_with_its_header() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let text = std::fs::read(fixture("tiny/tiny-dominators.heapsnapshot")).expect("read");
        let writer = {
            let (fifo, text) = (fifo.clone(), text.clone());
            std::thread::spawn(move || {
                let mut pipe = std::fs::OpenOptions::new().write(true).open(fifo)?;
                pipe.write_all(&text)
            })
        };
        let input = SnapshotInput::open(&fifo).expect("opens");
        assert_eq!(input.file_bytes(), None, "a pipe has no size");
        assert!(input.header().is_some(), "its header is read all the same");
        assert_eq!(read_all(input), text);
        assert!(writer.join().is_ok_and(|w| w.is_ok()));
    }
}
