//! Opening a snapshot: plain files, gzip (by magic bytes, whatever the
//! name), and standard input for `-`. Read-only, always.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::error::SnapshotError;

/// A boxed byte source the parser streams from.
pub type Source = Box<dyn Read + Send>;

/// Opens `path` for streaming, decompressing gzip transparently.
pub fn open(path: &Path) -> Result<Source, SnapshotError> {
    let raw: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(io::stdin())
    } else {
        if path.is_dir() {
            return Err(SnapshotError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is a directory, not a snapshot file",
            )));
        }
        Box::new(File::open(path)?)
    };
    let mut buffered = BufReader::with_capacity(1 << 16, raw);
    let is_gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if is_gzip {
        Box::new(GzipErrors(MultiGzDecoder::new(buffered)))
    } else {
        Box::new(buffered)
    })
}

/// A second handle on `path` when it is a plain (not gzipped) regular
/// file, which can give back any of its bytes later: the string table
/// leaves long strings there. None for gzip, standard input and pipes.
pub fn backing_file(path: &Path) -> Option<File> {
    if path.as_os_str() == "-" || !path.metadata().ok()?.is_file() {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let mut magic = [0u8; 2];
    let gzip = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    (!gzip).then_some(file)
}

/// Says "corrupt gzip data" instead of flate2's bare I/O errors.
struct GzipErrors<R>(R);

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
