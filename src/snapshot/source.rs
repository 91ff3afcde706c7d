//! The byte plumbing under [`SnapshotInput`](super::input::SnapshotInput):
//! counting what is taken from the input, naming gzip errors, and
//! inflating ahead of the parser on a thread of its own. Read-only, always.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

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
    let mut chunk = Vec::with_capacity(READ_AHEAD_CHUNK);
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
