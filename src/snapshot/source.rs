//! The byte plumbing under [`SnapshotInput`](super::input::SnapshotInput):
//! counting what is taken from the input, naming gzip errors, and
//! inflating ahead of the parser on a thread of its own. Read-only, always.

use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex, PoisonError};

use flate2::bufread::GzDecoder;

/// A boxed byte source the parser streams from.
pub type Source = Box<dyn Read + Send>;

/// Bytes read from a file so far, shared with the thread reading it.
#[derive(Debug, Clone, Default)]
pub struct FileBytes(Arc<AtomicU64>);

impl FileBytes {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// `inner`, counting what it gives into `read`.
pub(super) struct Counted<R> {
    inner: R,
    read: FileBytes,
}

impl<R> Counted<R> {
    pub(super) fn new(inner: R, read: FileBytes) -> Counted<R> {
        Counted { inner, read }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Things worth telling about an input that still loads (trailing bytes
/// after its gzip data), shared with the thread that reads it: the engine
/// prints nothing, its caller does.
#[derive(Debug, Clone, Default)]
pub struct Warnings(Arc<Mutex<Vec<String>>>);

impl Warnings {
    fn push(&self, warning: String) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(warning);
    }

    /// The warnings so far, each once.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The gzip magic bytes, which start every member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The members of a gzip stream, one after the other, as `gzip -d` reads
/// them: what follows the last member without the gzip magic is not an
/// error but a warning, zero padding (tape blocks, preallocated files)
/// and garbage alike (flate2's `MultiGzDecoder` called both corrupt, and
/// a few zero bytes a cut-short file).
pub(super) struct GzipMembers<R> {
    member: Option<GzDecoder<PutBack<R>>>,
    warnings: Warnings,
}

impl<R: BufRead> GzipMembers<R> {
    pub(super) fn new(compressed: R, warnings: Warnings) -> GzipMembers<R> {
        let compressed = PutBack {
            byte: None,
            inner: compressed,
        };
        GzipMembers {
            member: Some(GzDecoder::new(compressed)),
            warnings,
        }
    }

    /// After a member: the next one, or None at the end (warning of what
    /// trails the gzip data, if anything).
    fn next_member(&mut self) -> io::Result<Option<GzDecoder<PutBack<R>>>> {
        let Some(member) = self.member.take() else {
            return Ok(None);
        };
        let mut rest = member.into_inner();
        if rest.fill_buf()?.is_empty() {
            return Ok(None);
        }
        if starts_member(&mut rest)? {
            return Ok(Some(GzDecoder::new(rest)));
        }
        // gzip's own words (it says nothing of zeros unless asked).
        let warning = match trailing_zeros(&mut rest)? {
            Some(zeros) => {
                format!("warning: decompression OK, {zeros} trailing zero bytes ignored")
            }
            None => "warning: decompression OK, trailing garbage ignored".to_owned(),
        };
        self.warnings.push(warning);
        Ok(None)
    }
}

impl<R: BufRead> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while let Some(member) = &mut self.member {
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            self.member = self.next_member()?;
        }
        Ok(0)
    }
}

/// Whether the gzip magic comes next; its first byte may end a buffer.
fn starts_member<R: BufRead>(rest: &mut PutBack<R>) -> io::Result<bool> {
    let next = rest.fill_buf()?;
    if next.len() >= GZIP_MAGIC.len() || next != [GZIP_MAGIC[0]] {
        return Ok(next.starts_with(&GZIP_MAGIC));
    }
    rest.consume(1);
    let second = rest.fill_buf()?.first().copied();
    rest.byte = Some(GZIP_MAGIC[0]);
    Ok(second == Some(GZIP_MAGIC[1]))
}

/// `inner` with one byte put back in front of it (the first magic byte,
/// read to see the second).
pub(super) struct PutBack<R> {
    byte: Option<u8>,
    inner: R,
}

impl<R: BufRead> Read for PutBack<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for PutBack<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &self.byte {
            Some(byte) => Ok(std::slice::from_ref(byte)),
            None => self.inner.fill_buf(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self.byte {
            Some(_) if n > 0 => self.byte = None,
            Some(_) => {}
            None => self.inner.consume(n),
        }
    }
}

/// How many bytes are left when all of them are zeros; None at the first
/// other byte.
fn trailing_zeros(rest: &mut impl BufRead) -> io::Result<Option<u64>> {
    let mut zeros = 0u64;
    loop {
        let chunk = rest.fill_buf()?;
        if chunk.is_empty() {
            return Ok(Some(zeros));
        }
        if chunk.iter().any(|&b| b != 0) {
            return Ok(None);
        }
        let n = chunk.len();
        zeros += n as u64;
        rest.consume(n);
    }
}

/// Says "corrupt gzip data" instead of flate2's bare I/O errors.
pub(super) struct GzipErrors<R>(pub(super) R);

impl<R: Read> Read for GzipErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            let message = if e.kind() == io::ErrorKind::UnexpectedEof {
                "the gzip data is cut short (truncated .gz file)".to_owned()
            } else {
                format!("corrupt gzip data ({e})")
            };
            io::Error::new(io::ErrorKind::InvalidData, message)
        })
    }
}

/// Bytes handed from the read-ahead thread to the parser at a time.
const READ_AHEAD_CHUNK: usize = 4 << 20;

/// `inner` read on its own thread, up to two chunks ahead of the parser:
/// otherwise both parsing threads wait while a gzip file is inflated.
pub(super) fn read_ahead(mut inner: impl Read + Send + 'static) -> io::Result<Source> {
    let (chunks, received) = sync_channel(2);
    std::thread::Builder::new()
        .name("heaplens-read-ahead".into())
        .spawn(move || loop {
            let (bytes, error) = read_chunk(&mut inner);
            let ended = error.is_some() || bytes.len() < READ_AHEAD_CHUNK;
            // The parser dropped its end when it stopped early.
            if !bytes.is_empty() && chunks.send(Ok(bytes)).is_err() {
                return;
            }
            if let Some(error) = error {
                let _ = chunks.send(Err(error));
            }
            if ended {
                return;
            }
        })?;
    Ok(Box::new(ReadAhead {
        received,
        chunk: Vec::new(),
        at: 0,
    }))
}

/// Up to a whole chunk from `reader`, and the error that cut it short, if
/// any; a chunk short of whole without one is the end of the input.
fn read_chunk(reader: &mut impl Read) -> (Vec<u8>, Option<io::Error>) {
    let mut chunk = Vec::new();
    if chunk.try_reserve_exact(READ_AHEAD_CHUNK).is_err() {
        let message = format!("out of memory: needs {READ_AHEAD_CHUNK} more bytes (reading ahead)");
        return (
            chunk,
            Some(io::Error::new(io::ErrorKind::OutOfMemory, message)),
        );
    }
    let limit = READ_AHEAD_CHUNK as u64;
    let error = reader.take(limit).read_to_end(&mut chunk).err();
    (chunk, error)
}

/// The parser's end of [`read_ahead`].
struct ReadAhead {
    received: Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    /// Bytes of `chunk` already handed out.
    at: usize,
}

impl Read for ReadAhead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.received.recv() {
                Ok(chunk) => (self.chunk, self.at) = (chunk?, 0),
                // The thread ended after the last chunk (or an error).
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives `data` in reads of at most 1000 bytes, then `error` if any.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        error: Option<io::ErrorKind>,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1000).min(self.data.len() - self.at);
            if n == 0 {
                return self.error.map_or(Ok(0), |kind| Err(kind.into()));
            }
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn trickle(len: usize, error: Option<io::ErrorKind>) -> (Vec<u8>, Trickle) {
        let data: Vec<u8> = (0..len).map(|i| (i * 7919 % 251) as u8).collect();
        let source = Trickle {
            data: data.clone(),
            at: 0,
            error,
        };
        (data, source)
    }

    #[test]
    fn a_gzip_file_counts_its_compressed_bytes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/demo/baseline.heapsnapshot.gz");
        let input = super::super::input::SnapshotInput::open(&path).expect("opened");
        let (mut source, read, _) = input.into_parts().expect("parts");
        let mut inflated = Vec::new();
        source.read_to_end(&mut inflated).expect("read");
        let size = std::fs::metadata(&path).expect("metadata").len();
        assert_eq!(read.get(), size);
        assert!(inflated.len() as u64 > 3 * size);
    }

    #[test]
    fn reading_ahead_hands_over_every_byte_in_order() {
        let (data, source) = trickle(2 * READ_AHEAD_CHUNK + 12_345, None);
        let mut read = Vec::new();
        let mut ahead = read_ahead(source).expect("a thread");
        ahead.read_to_end(&mut read).expect("read");
        assert_eq!(read.len(), data.len());
        assert!(read == data);
        assert_eq!(ahead.read(&mut [0; 8]).expect("at the end"), 0);
    }

    #[test]
    fn reading_ahead_passes_an_error_on_after_the_bytes_before_it() {
        let (data, source) = trickle(READ_AHEAD_CHUNK + 10, Some(io::ErrorKind::InvalidData));
        let mut ahead = read_ahead(source).expect("a thread");
        let mut read = vec![0; data.len()];
        ahead
            .read_exact(&mut read)
            .expect("the bytes before the error");
        assert!(read == data);
        let error = ahead.read(&mut [0; 8]).expect_err("the error");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }
}
