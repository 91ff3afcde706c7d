//! Edge names left in a plain snapshot file and read back by window.
//!
//! The names are the largest column the TUI's views read only now and then
//! (142 MB of a 1 GB snapshot: a label per retainer row, a plain object's
//! property names). A plain file can be read again at any offset, so once
//! the load passes have read them they go, and a view asks the file: the
//! byte offset of every [`WINDOW`]-th edge record (4.4 MB) finds a name's
//! record in one read of about a kilobyte. Each record read back is checked
//! against the type and target the graph holds, so a file rewritten since
//! the load gives [`UNREADABLE`], not another edge's name.

use std::fs::File;
use std::sync::{Arc, Mutex, PoisonError};

use super::error::SnapshotError;
use super::input::{read_at, read_exact_at};
use super::meta::Layout;
use super::parse::changed_since;
use super::parse::count_commas;

/// Edge records a checkpoint stands for: a read parses at most this many.
pub const WINDOW: usize = 64;

/// What a name read back from a changed file gives (no string has it).
pub const UNREADABLE: u32 = u32::MAX;

/// The most bytes a window's records are read back from.
const MAX_WINDOW_BYTES: usize = 1 << 20;

/// Bytes read at a time while the checkpoints are found.
const SCAN_BYTES: usize = 4 << 20;

/// Where the edge records of a plain file lie, to read names back.
#[derive(Debug)]
pub struct EdgeNamesOnDisk {
    file: Arc<File>,
    /// Offset of record `k * WINDOW` for each window, then of the `]`.
    checkpoints: Vec<u64>,
    fields: Fields,
    /// Windows read lately, decoded, each in the slot of its number modulo
    /// [`CACHED_WINDOWS`]: a view reads a node's edges in turn, and the
    /// duplicated strings view the parts of cons strings elsewhere (on a
    /// 1 GB snapshot 1.55–1.61 s, against 1.66 s with only the last window
    /// kept and 0.94 s with the names in memory).
    cached: Vec<Mutex<Option<Window>>>,
}

/// A window's number and its names.
type Window = (usize, Arc<[u32]>);

/// Windows kept decoded (64 names each).
const CACHED_WINDOWS: usize = 256;

/// Positions of the fields an edge record is checked and named by.
#[derive(Debug, Clone, Copy)]
struct Fields {
    width: usize,
    kind: usize,
    name: usize,
    to: usize,
    node_width: u64,
}

/// The graph columns a record read back must agree with.
pub struct Expected<'a> {
    pub edge_type: &'a [u8],
    pub edge_to: &'a [u32],
}

impl EdgeNamesOnDisk {
    /// Finds the checkpoints of the `edges` array whose key ends at `at`;
    /// fails when the file no longer holds `edge_count` records there.
    pub fn index(
        file: Arc<File>,
        at: u64,
        layout: &Layout,
        edge_count: usize,
    ) -> Result<EdgeNamesOnDisk, SnapshotError> {
        let fields = Fields {
            width: layout.edge_field_count,
            kind: layout.edge_type,
            name: layout.edge_name,
            to: layout.edge_to_node,
            node_width: layout.node_field_count as u64,
        };
        let checkpoints = find_checkpoints(&file, at, fields.width, edge_count)?;
        Ok(EdgeNamesOnDisk {
            file,
            checkpoints,
            fields,
            cached: (0..CACHED_WINDOWS).map(|_| Mutex::new(None)).collect(),
        })
    }

    /// The name of edge `e`, or [`UNREADABLE`] if the file changed.
    pub fn name(&self, e: usize, expected: &Expected<'_>) -> u32 {
        let window = e / WINDOW;
        let names = self.window(window, expected);
        names.map_or(UNREADABLE, |names| names[e % WINDOW])
    }

    fn window(&self, window: usize, expected: &Expected<'_>) -> Option<Arc<[u32]>> {
        let slot = &self.cached[window % CACHED_WINDOWS];
        let mut cached = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, names)) = cached.as_ref().filter(|(at, _)| *at == window) {
            return Some(Arc::clone(names));
        }
        let names: Arc<[u32]> = self.read_window(window, expected)?.into();
        *cached = Some((window, Arc::clone(&names)));
        Some(names)
    }

    fn read_window(&self, window: usize, expected: &Expected<'_>) -> Option<Vec<u32>> {
        let (&start, &end) = (
            self.checkpoints.get(window)?,
            self.checkpoints.get(window + 1)?,
        );
        // A window is about a kilobyte; one padded with white space
        // past this (a crafted file) is read as unreadable, not allocated.
        let len = usize::try_from(end.checked_sub(start)?).ok()?;
        if len > MAX_WINDOW_BYTES {
            return None;
        }
        let mut text = vec![0; len];
        read_exact_at(&self.file, &mut text, start).ok()?;
        let first = window * WINDOW;
        let records = WINDOW.min(expected.edge_to.len().checked_sub(first)?);
        let values = decimals(&text, records * self.fields.width)?;
        let f = self.fields;
        let mut names = Vec::with_capacity(records);
        for (i, record) in values.chunks_exact(f.width).enumerate() {
            let e = first + i;
            let to = u64::from(expected.edge_to[e]) * f.node_width;
            if record[f.to] != to || record[f.kind] != u64::from(expected.edge_type[e]) {
                return None;
            }
            names.push(u32::try_from(record[f.name]).ok()?);
        }
        Some(names)
    }
}

/// Exactly `count` unsigned decimals separated by commas and white space
/// (a trailing comma allowed); None otherwise.
fn decimals(text: &[u8], count: usize) -> Option<Vec<u64>> {
    let mut values = Vec::with_capacity(count);
    let mut value: Option<u64> = None;
    for &b in text {
        match b {
            b'0'..=b'9' => {
                let v = value.unwrap_or(0);
                value = Some(v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?);
            }
            b',' => values.push(value.take()?),
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => return None,
        }
    }
    values.extend(value);
    (values.len() == count).then_some(values)
}

/// The checkpoints of an array of `edge_count` records of `width` values
/// that opens after the key ending at `at`.
fn find_checkpoints(
    file: &File,
    at: u64,
    width: usize,
    edge_count: usize,
) -> Result<Vec<u64>, SnapshotError> {
    let mut chunk = vec![0u8; SCAN_BYTES];
    let mut offset = at;
    let mut filled = read_some(file, &mut chunk, offset)?;
    let open = chunk[..filled]
        .iter()
        .position(|&b| b == b'[')
        .filter(|&p| {
            chunk[..p]
                .iter()
                .all(|&b| b == b':' || b.is_ascii_whitespace())
        })
        .ok_or_else(changed_since)?;
    let mut checkpoints = Vec::with_capacity(edge_count.div_ceil(WINDOW) + 1);
    checkpoints.push(offset + open as u64 + 1);
    let commas_per_window = (WINDOW * width) as u64;
    let mut commas = 0u64;
    let mut from = open + 1;
    loop {
        let bytes = &chunk[from..filled];
        let close = memchr::memchr(b']', bytes);
        let body = &bytes[..close.unwrap_or(bytes.len())];
        let base = offset + from as u64;
        commas = mark_windows(body, base, commas, commas_per_window, &mut checkpoints);
        if let Some(close) = close {
            checkpoints.push(base + close as u64);
            break;
        }
        offset += filled as u64;
        filled = read_some(file, &mut chunk, offset)?;
        from = 0;
        if filled == 0 {
            return Err(changed_since());
        }
    }
    let expected = (edge_count * width).saturating_sub(1) as u64;
    // An array of no edges still has its start and its end.
    let windows = edge_count.div_ceil(WINDOW).max(1) + 1;
    if commas != expected || checkpoints.len() != windows {
        return Err(changed_since());
    }
    Ok(checkpoints)
}

/// Counts the commas of `body` (at file offset `base`) on from `commas`,
/// marking the offset after every `per_window`-th one.
fn mark_windows(
    body: &[u8],
    base: u64,
    mut commas: u64,
    per_window: u64,
    checkpoints: &mut Vec<u64>,
) -> u64 {
    // Counted a run at a time (the runs' counts vectorise); only a run that
    // holds a checkpoint is walked byte by byte.
    let mut run_start = 0;
    for run in body.chunks(255) {
        let in_run = count_commas(run) as u64;
        let next = (commas / per_window + 1) * per_window;
        if commas + in_run >= next {
            for (i, _) in run.iter().enumerate().filter(|&(_, &b)| b == b',') {
                commas += 1;
                if commas % per_window == 0 {
                    checkpoints.push(base + (run_start + i + 1) as u64);
                }
            }
        } else {
            commas += in_run;
        }
        run_start += run.len();
    }
    commas
}

/// Fills `buf` from `offset` as far as the file goes; the bytes read.
fn read_some(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match read_at(file, &mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::snapshot::strings::CHANGED_ON_DISK;
    use crate::snapshot::test_snapshot::TestSnapshot;
    use crate::snapshot::{analyze_reader, load_with_early, Analysis, SnapshotInput};

    /// More edges than a few windows, of every kind of name: elements,
    /// properties, internal ones, a WeakMap entry's.
    fn many_edges() -> TestSnapshot {
        let mut s = TestSnapshot::new();
        let holder = s.node("object", "Holder", 3, 16);
        s.edge(0, "element", "1", holder);
        for i in 0..3 * WINDOW + 5 {
            let n = s.node("object", &format!("Item{}", i % 7), 5 + 2 * i as u64, 16);
            match i % 3 {
                0 => s.edge(holder, "element", &i.to_string(), n),
                1 => s.edge(holder, "property", &format!("p{i}"), n),
                _ => s.edge(holder, "internal", "map", n),
            };
        }
        s
    }

    fn written(json: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(json.as_bytes()).expect("written");
        file
    }

    /// The TUI's load of a plain file, its edge names left there.
    fn load_leaving_names(path: &std::path::Path) -> Analysis {
        let input = SnapshotInput::open(path).expect("opens");
        let loaded = load_with_early(input, &mut |_| true, &mut |_| true).expect("loads");
        assert!(loaded.graph.edge_name.is_empty(), "the names are shed");
        assert!(loaded.graph.names_on_disk.is_some(), "and read back");
        loaded
    }

    /// The snapshot of [`many_edges`], its file, the TUI's load of it and
    /// a load that keeps the names in memory.
    fn loaded_both_ways() -> (String, tempfile::NamedTempFile, Analysis, Analysis) {
        let json = many_edges().json();
        let file = written(&json);
        let on_disk = load_leaving_names(file.path());
        let in_memory = analyze_reader(json.as_bytes(), &mut |_| true, None).expect("loads");
        (json, file, on_disk, in_memory)
    }

    fn names(a: &Analysis) -> Vec<String> {
        (0..a.graph.edge_count())
            .map(|e| a.graph.edge_name_text(e))
            .collect()
    }

    #[test]
    fn names_read_back_are_the_loaded_ones() {
        let (_, _file, on_disk, in_memory) = loaded_both_ways();
        assert!(!in_memory.graph.edge_name.is_empty());
        assert_eq!(names(&on_disk), names(&in_memory));
        // Backwards too: each window is read again, not only the last one.
        for e in (0..in_memory.graph.edge_count()).rev() {
            assert_eq!(on_disk.graph.edge_name(e), in_memory.graph.edge_name(e));
        }
    }

    /// A file rewritten after the load gives no other edge's name.
    #[test]
    fn a_file_changed_since_gives_no_wrong_name() {
        let (json, file, loaded, in_memory) = loaded_both_ways();
        let before = names(&in_memory);
        // Same length, every edge's target moved one node on.
        let field_count = loaded.graph.layout.node_field_count;
        let edges_at = json.find("\"edges\"").expect("edges");
        let rewritten = json[..edges_at].to_owned()
            + &json[edges_at..].replacen(&format!(",{field_count},"), ",0,", 1);
        assert_eq!(
            rewritten.len(),
            json.len() - field_count.to_string().len() + 1
        );
        std::fs::write(file.path(), rewritten).expect("rewritten");
        let after = names(&loaded);
        assert!(after.contains(&CHANGED_ON_DISK.to_owned()), "{after:?}");
        for (was, now) in before.iter().zip(&after) {
            assert!(now == was || now == CHANGED_ON_DISK, "{was} became {now}");
        }
    }

    /// Checkpoints after every window's last comma, white space anywhere,
    /// and the array's end; an edge count that is not the file's fails.
    #[test]
    fn checkpoints_mark_each_window_of_records() {
        let records: Vec<String> = (0..2 * WINDOW).map(|i| format!("1, {i},\n 0")).collect();
        let text = format!("{{\"edges\" :\n [ {} ] }}", records.join(" ,"));
        let file = written(&text);
        let handle = File::open(file.path()).expect("opens");
        let at = "{\"edges\"".len() as u64;
        let checkpoints = find_checkpoints(&handle, at, 3, 2 * WINDOW).expect("found");
        assert_eq!(checkpoints.len(), 3);
        let window =
            |k: usize| &text.as_bytes()[checkpoints[k] as usize..checkpoints[k + 1] as usize];
        for k in 0..2 {
            let values = decimals(window(k), WINDOW * 3).expect("whole records");
            let names: Vec<u64> = values.chunks(3).map(|r| r[1]).collect();
            let expected: Vec<u64> = (k * WINDOW..(k + 1) * WINDOW).map(|i| i as u64).collect();
            assert_eq!(names, expected);
        }
        assert_eq!(text.as_bytes()[checkpoints[2] as usize], b']');
        assert!(find_checkpoints(&handle, at, 3, 2 * WINDOW + 1).is_err());
        assert!(find_checkpoints(&handle, at, 3, 2 * WINDOW - 1).is_err());
    }

    #[test]
    fn no_edges_is_one_empty_window() {
        let file = written("{\"edges\":[]}");
        let handle = File::open(file.path()).expect("opens");
        let checkpoints = find_checkpoints(&handle, 8, 3, 0).expect("found");
        assert_eq!(checkpoints, [10, 10]);
    }
}
