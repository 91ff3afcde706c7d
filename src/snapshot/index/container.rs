//! The index file's container: a fixed header (magic, format version, the
//! snapshot's identity, the heaplens version), a table of named sections
//! with their offsets, lengths and xxh3-64 checksums, the header's own
//! checksum, then the sections, 8-byte aligned.
//!
//! Numbers are little-endian. Big sections are arrays stored as they lie
//! in memory ([`Column`]), read back with one `read` into their vector;
//! each section's checksum is verified as it is read, so a damaged byte
//! is named by its section.

use std::fs::File;
use std::io::{self, Seek, Write};

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::identity::SnapshotIdentity;
use super::IndexError;
use crate::snapshot::input::read_exact_at;

/// The first bytes of every heaplens index.
pub const MAGIC: [u8; 8] = *b"HLINDEX\x1a";
/// Bumped whenever the layout of the container or a section changes.
pub const FORMAT_VERSION: u32 = 2;

/// Fixed part of the header: magic, format version, section count,
/// identity (3 × u64), heaplens version (16 bytes).
const FIXED_BYTES: usize = 8 + 4 + 4 + 3 * 8 + VERSION_BYTES;
const VERSION_BYTES: usize = 16;
const NAME_BYTES: usize = 16;
/// A table entry: name, offset, length, checksum.
const ENTRY_BYTES: usize = NAME_BYTES + 3 * 8;
/// More sections than any format version writes: a damaged count.
const MAX_SECTIONS: usize = 64;
/// Sections are read in pieces this big, each hashed while it is hot in
/// the cache.
const READ_CHUNK: usize = 8 << 20;

/// One section's place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub offset: u64,
    pub length: u64,
    pub checksum: u64,
}

/// What the header says: who wrote the index, for which snapshot, and
/// where its sections are.
#[derive(Debug, Clone)]
pub struct Header {
    pub identity: SnapshotIdentity,
    pub heaplens_version: String,
    pub sections: Vec<Section>,
}

impl Header {
    /// Bytes of the header with `sections` table entries, checksum included.
    fn size(sections: usize) -> usize {
        FIXED_BYTES + sections * ENTRY_BYTES + 8
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Header::size(self.sections.len()));
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        let id = &self.identity;
        for n in [id.bytes, id.mtime_ns, id.head_hash] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        out.extend_from_slice(&padded::<VERSION_BYTES>(&self.heaplens_version));
        for s in &self.sections {
            out.extend_from_slice(&padded::<NAME_BYTES>(&s.name));
            for n in [s.offset, s.length, s.checksum] {
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        let checksum = xxh3_64(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        out
    }

    /// Reads and checks the header of an index file.
    pub fn read(file: &File) -> Result<Header, IndexError> {
        let mut magic = [0u8; MAGIC.len()];
        match read_exact_at(file, &mut magic, 0) {
            Ok(()) if magic == MAGIC => {}
            Err(e) if e.kind() != io::ErrorKind::UnexpectedEof => return Err(e.into()),
            _ => return Err(IndexError::NotAnIndex),
        }
        let mut fixed = [0u8; FIXED_BYTES];
        read_exact_at(file, &mut fixed, 0).map_err(|e| truncated_or(e, "header"))?;
        let mut fields = Fields(&fixed[8..]);
        let version = fields.u32();
        let count = fields.u32() as usize;
        let identity = SnapshotIdentity {
            bytes: fields.u64(),
            mtime_ns: fields.u64(),
            head_hash: fields.u64(),
        };
        let heaplens_version = fields.text(VERSION_BYTES);
        if version != FORMAT_VERSION {
            return Err(IndexError::OtherFormat {
                found: version,
                writer: heaplens_version,
            });
        }
        if count > MAX_SECTIONS {
            return Err(IndexError::damaged("header", "fails its checksum"));
        }
        let mut whole = vec![0u8; Header::size(count)];
        read_exact_at(file, &mut whole, 0).map_err(|e| truncated_or(e, "header"))?;
        let (body, stored) = whole.split_at(whole.len() - 8);
        if stored != xxh3_64(body).to_le_bytes() {
            return Err(IndexError::damaged("header", "fails its checksum"));
        }
        let mut table = Fields(&body[FIXED_BYTES..]);
        let sections = (0..count)
            .map(|_| Section {
                name: table.text(NAME_BYTES),
                offset: table.u64(),
                length: table.u64(),
                checksum: table.u64(),
            })
            .collect();
        Ok(Header {
            identity,
            heaplens_version,
            sections,
        })
    }

    pub fn section(&self, name: &str) -> Result<&Section, IndexError> {
        self.sections
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| IndexError::damaged(name, "is missing"))
    }
}

/// Little-endian fields read in order from a byte slice the caller sized.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let (head, rest) = self.0.split_at(N.min(self.0.len()));
        out[..head.len()].copy_from_slice(head);
        self.0 = rest;
        out
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }

    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }

    /// A zero-padded UTF-8 field.
    fn text(&mut self, len: usize) -> String {
        let (head, rest) = self.0.split_at(len.min(self.0.len()));
        self.0 = rest;
        let end = head.iter().position(|&b| b == 0).unwrap_or(head.len());
        String::from_utf8_lossy(&head[..end]).into_owned()
    }
}

/// `text` in `N` bytes, zero-padded (cut at a character boundary).
fn padded<const N: usize>(text: &str) -> [u8; N] {
    let mut out = [0u8; N];
    let mut end = text.len().min(N);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out[..end].copy_from_slice(&text.as_bytes()[..end]);
    out
}

/// An array stored as its little-endian bytes.
pub trait Column: bytemuck::Pod + Default + Send {
    /// Between little-endian and this machine's order, either way (the
    /// same swap; a no-op on most machines).
    fn swap_le(self) -> Self;
}

macro_rules! column {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn swap_le(self) -> Self {
                <$t>::from_le(self)
            }
        }
    )*};
}
column!(u8, u32, i32, u64);

/// A section to write: its name and bytes (little-endian).
pub struct Part<'a> {
    pub name: &'static str,
    pub bytes: std::borrow::Cow<'a, [u8]>,
}

impl<'a> Part<'a> {
    /// An array's bytes: borrowed on a little-endian machine.
    pub fn column<T: Column>(name: &'static str, values: &'a [T]) -> Part<'a> {
        let bytes = if cfg!(target_endian = "little") {
            std::borrow::Cow::Borrowed(bytemuck::cast_slice(values))
        } else {
            let swapped: Vec<T> = values.iter().map(|&v| v.swap_le()).collect();
            std::borrow::Cow::Owned(bytemuck::cast_slice(&swapped).to_vec())
        };
        Part { name, bytes }
    }

    pub fn owned(name: &'static str, bytes: Vec<u8>) -> Part<'a> {
        Part {
            name,
            bytes: std::borrow::Cow::Owned(bytes),
        }
    }
}

/// Parts made while others are written: their names, then their bytes
/// in that order (the comparison's passes, which would otherwise hold
/// up the writing of everything else).
pub struct LateParts<F> {
    pub names: &'static [&'static str],
    pub make: F,
}

/// Writes `parts` to `out`, then the `late` parts (made on another thread
/// meanwhile), then the header at the start, once every part's checksum is
/// known: a reader never sees the file before it is renamed into place.
pub fn write<W, F, E>(
    out: &mut W,
    identity: SnapshotIdentity,
    parts: &[Part<'_>],
    late: LateParts<F>,
) -> Result<(), E>
where
    W: Write + Seek,
    F: FnOnce() -> Result<Vec<Vec<u8>>, E> + Send,
    E: From<io::Error> + Send,
{
    let count = parts.len() + late.names.len();
    let mut sections = Sections::after_header(count);
    out.write_all(&vec![0u8; sections.offset as usize])?;
    std::thread::scope(|scope| -> Result<(), E> {
        let made = scope.spawn(late.make);
        for part in parts {
            sections.write(out, part.name, &part.bytes)?;
        }
        let made = made
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        if made.len() != late.names.len() {
            return Err(io::Error::other("a late part is missing").into());
        }
        for (name, bytes) in late.names.iter().zip(&made) {
            sections.write(out, name, bytes)?;
        }
        Ok(())
    })?;
    let header = Header {
        identity,
        heaplens_version: env!("CARGO_PKG_VERSION").to_owned(),
        sections: sections.written,
    };
    out.seek(io::SeekFrom::Start(0))?;
    out.write_all(&header.encode())?;
    Ok(())
}

/// The sections written so far, and where the next one goes.
struct Sections {
    written: Vec<Section>,
    offset: u64,
}

impl Sections {
    /// Before the first section: room for the header of `count` sections.
    fn after_header(count: usize) -> Sections {
        Sections {
            written: Vec::with_capacity(count),
            offset: aligned(Header::size(count) as u64),
        }
    }

    /// Writes a section at the next offset, padded to it, and notes it.
    fn write(&mut self, out: &mut impl Write, name: &str, bytes: &[u8]) -> io::Result<()> {
        out.write_all(bytes)?;
        self.written.push(Section {
            name: name.to_owned(),
            offset: self.offset,
            length: bytes.len() as u64,
            checksum: xxh3_64(bytes),
        });
        let end = self.offset + bytes.len() as u64;
        self.offset = aligned(end);
        out.write_all(&[0u8; 8][..(self.offset - end) as usize])
    }
}

fn aligned(offset: u64) -> u64 {
    offset.div_ceil(8) * 8
}

/// Reads a section of `T`s into a vector, checking its length and checksum.
pub fn read_column<T: Column>(file: &File, section: &Section) -> Result<Vec<T>, IndexError> {
    let width = std::mem::size_of::<T>() as u64;
    if section.length % width != 0 {
        return Err(IndexError::damaged(&section.name, "has a partial value"));
    }
    let count = usize::try_from(section.length / width)
        .map_err(|_| IndexError::damaged(&section.name, "is too long"))?;
    let mut values = super::room_for::<T>(count, &section.name)?;
    read_checked(file, section, bytemuck::cast_slice_mut(&mut values))?;
    if cfg!(target_endian = "big") {
        values.iter_mut().for_each(|v| *v = v.swap_le());
    }
    Ok(values)
}

/// Reads a section's bytes.
pub fn read_bytes(file: &File, section: &Section) -> Result<Vec<u8>, IndexError> {
    read_column::<u8>(file, section)
}

/// Fills `into` with the section's bytes, hashing them chunk by chunk.
fn read_checked(file: &File, section: &Section, into: &mut [u8]) -> Result<(), IndexError> {
    let mut hasher = Xxh3::new();
    let mut offset = section.offset;
    for chunk in into.chunks_mut(READ_CHUNK) {
        read_exact_at(file, chunk, offset).map_err(|e| truncated_or(e, &section.name))?;
        hasher.update(chunk);
        offset += chunk.len() as u64;
    }
    if hasher.digest() != section.checksum {
        return Err(IndexError::damaged(&section.name, "fails its checksum"));
    }
    Ok(())
}

/// A read past the end of the file is a truncated `section`.
fn truncated_or(error: io::Error, section: &str) -> IndexError {
    if error.kind() == io::ErrorKind::UnexpectedEof {
        IndexError::damaged(section, "is truncated")
    } else {
        IndexError::Io(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> SnapshotIdentity {
        SnapshotIdentity {
            bytes: 1234,
            mtime_ns: 5678,
            head_hash: 9,
        }
    }

    /// `parts` written, and a late part `late` of `u64`s if any.
    fn written(parts: &[Part<'_>], late: Option<&[u64]>) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        let late = LateParts {
            names: if late.is_some() { &["late"] } else { &[] },
            make: || {
                let bytes = late.map(|values| Part::column("", values).bytes.into_owned());
                Ok::<_, io::Error>(bytes.into_iter().collect())
            },
        };
        write(file.as_file_mut(), identity(), parts, late).expect("written");
        file
    }

    #[test]
    fn sections_read_back_as_written() {
        let numbers: Vec<u32> = (0..1000).collect();
        let wide: Vec<u64> = vec![u64::MAX, 7];
        let file = written(
            &[
                Part::column("numbers", &numbers),
                Part::owned("text", b"abc".to_vec()),
                Part::column("wide", &wide),
            ],
            Some(&wide),
        );
        let header = Header::read(file.as_file()).expect("header");
        assert_eq!(header.identity, identity());
        assert_eq!(header.heaplens_version, env!("CARGO_PKG_VERSION"));
        let read = |name| header.section(name).expect(name);
        let back: Vec<u32> = read_column(file.as_file(), read("numbers")).expect("numbers");
        assert_eq!(back, numbers);
        let text = read_bytes(file.as_file(), read("text")).expect("text");
        assert_eq!(text, b"abc");
        let back: Vec<u64> = read_column(file.as_file(), read("wide")).expect("wide");
        assert_eq!(back, wide);
        assert!(read("wide").offset % 8 == 0);
        let late: Vec<u64> = read_column(file.as_file(), read("late")).expect("late");
        assert_eq!(late, wide, "made while the others were written");
        assert!(read("late").offset % 8 == 0);
    }

    #[test]
    fn damage_is_named_by_section() {
        let numbers: Vec<u32> = (0..100).collect();
        let file = written(&[Part::column("numbers", &numbers)], None);
        let section = Header::read(file.as_file()).expect("header").sections[0].clone();
        let mut bytes = std::fs::read(file.path()).expect("read");
        bytes[section.offset as usize + 5] ^= 1;
        std::fs::write(file.path(), &bytes).expect("written");
        let err = read_column::<u32>(file.as_file(), &section).expect_err("damaged");
        assert_eq!(
            err.to_string(),
            "damaged: its numbers section fails its checksum"
        );
        bytes.truncate(section.offset as usize + 10);
        std::fs::write(file.path(), &bytes).expect("written");
        let err = read_column::<u32>(file.as_file(), &section).expect_err("is truncated");
        assert_eq!(err.to_string(), "damaged: its numbers section is truncated");
        bytes[20] ^= 1;
        std::fs::write(file.path(), &bytes).expect("written");
        let err = Header::read(file.as_file()).expect_err("header damaged");
        assert_eq!(
            err.to_string(),
            "damaged: its header section fails its checksum"
        );
    }
}
