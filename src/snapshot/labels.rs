//! The labels a TUI's load sheds while the dominators take the memory.
//!
//! The edge names stay in the plain file, read back by window when a view
//! shows them (see `edge_names`); the node names and ids, the strings and
//! the locations are read from it again once the dominators' arrays are
//! gone: 0.35 GB less at the peak of a 1 GB snapshot. A file that cannot
//! be read back (gzip, standard input) keeps them all.

use super::edge_names::EdgeNamesOnDisk;
use super::error::SnapshotError;
use super::graph::HeapGraph;
use super::parse::{read_labels_again, KeptStrings, Labels, SectionOffsets};

/// What it takes to put the shed labels back as they were.
pub struct ShedLabels {
    at: SectionOffsets,
    /// The strings the load added after the file's (class names,
    /// `Detached <tag>` names), in order.
    added: Vec<String>,
    /// The nodes the load renamed (`Detached <tag>`), with their names.
    renamed: Vec<(u32, u32)>,
    /// How the first read kept the strings.
    kept: KeptStrings,
}

/// The arrays shed, to be freed where a core has time for it.
pub type Shed = Box<dyn std::any::Any + Send>;

impl ShedLabels {
    /// Takes the labels out of `graph` when its plain file can give them
    /// back: how to restore them, and the arrays taken.
    pub fn shed(graph: &mut HeapGraph) -> Option<(ShedLabels, Shed)> {
        let at = graph.sections_at.clone()?;
        let first_added = u32::try_from(at.strings_read).ok()?;
        let strings = &graph.strings;
        let added = (first_added..strings.len() as u32)
            .map(|i| strings.get(i).to_owned())
            .collect();
        let renamed = (graph.node_name.iter().enumerate())
            .filter(|&(_, &name)| name >= first_added)
            .map(|(n, &name)| (n as u32, name))
            .collect();
        let kept = KeptStrings {
            in_memory: strings.kept_in_memory(),
            sizes: strings.sizes(),
        };
        let arrays: Shed = Box::new((
            std::mem::take(&mut graph.edge_name),
            std::mem::take(&mut graph.node_name),
            std::mem::take(&mut graph.node_id),
            std::mem::take(&mut graph.strings),
            std::mem::take(&mut graph.locations),
        ));
        let labels = ShedLabels {
            at,
            added,
            renamed,
            kept,
        };
        Some((labels, arrays))
    }

    /// Where the edge names lie in the file, for the views to read them
    /// back (a pass over the `edges` section, beside the dominators).
    pub fn edge_names_on_disk(&self, graph: &HeapGraph) -> Result<EdgeNamesOnDisk, SnapshotError> {
        let file = std::sync::Arc::clone(&self.at.file);
        EdgeNamesOnDisk::index(file, self.at.edges, &graph.layout, graph.edge_count())
    }

    /// Reads the labels back from the file (beside other passes over
    /// `graph`).
    pub fn read_back(&self, graph: &HeapGraph) -> Result<Labels, SnapshotError> {
        read_labels_again(&self.at, &graph.layout, &graph.node_type, &self.kept)
    }

    /// Puts what [`ShedLabels::read_back`] read into `graph`, as the load
    /// left it.
    pub fn put_back(self, labels: Labels, graph: &mut HeapGraph) {
        graph.node_name = labels.node_name;
        for (n, name) in self.renamed {
            graph.node_name[n as usize] = name;
        }
        graph.node_id = labels.node_id;
        graph.strings = labels.strings;
        for text in &self.added {
            graph.strings.push(text);
        }
        graph.locations = labels.locations;
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;

    use super::*;
    use crate::snapshot::parse::parse_snapshot_with;
    use crate::snapshot::test_snapshot::TestSnapshot;

    /// A plain file's graph, parsed as a load reads it.
    fn parsed(json: &str) -> (tempfile::NamedTempFile, HeapGraph) {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(json.as_bytes()).expect("written");
        let backing = Arc::new(std::fs::File::open(file.path()).expect("opens"));
        let reader = std::fs::File::open(file.path()).expect("opens");
        let graph = parse_snapshot_with(reader, Some(backing), &mut |_| true, &mut |_, _| {});
        (file, graph.expect("parses"))
    }

    fn snapshot() -> TestSnapshot {
        let mut s = TestSnapshot::new();
        let holder = s.node("object", "Holder", 3, 16);
        s.edge(0, "element", "1", holder);
        for i in 0..5 {
            let text = format!("a long string value {i} {}", "x".repeat(80));
            let n = s.node("string", &text, 5 + 2 * i, 100);
            s.edge(holder, "property", &format!("p{i}"), n);
        }
        s
    }

    /// Shed, read back and put back: the graph's labels are the ones it
    /// had, the names the load added too.
    #[test]
    fn labels_read_back_are_the_ones_shed() {
        let (_file, mut graph) = parsed(&snapshot().json());
        let added = graph.strings.push("Detached <div>");
        graph.node_name[1] = added;
        let before = format!("{:?}", (&graph.node_name, &graph.node_id, &graph.locations));
        let strings = |g: &HeapGraph| {
            (0..g.strings.len() as u32)
                .map(|i| g.strings.get(i).to_owned())
                .collect::<Vec<_>>()
        };
        let texts = strings(&graph);
        let (labels, _arrays) = ShedLabels::shed(&mut graph).expect("a plain file");
        assert!(graph.node_name.is_empty() && graph.strings.is_empty());
        let read = labels.read_back(&graph).expect("read back");
        labels.put_back(read, &mut graph);
        let after = format!("{:?}", (&graph.node_name, &graph.node_id, &graph.locations));
        assert_eq!(before, after);
        assert_eq!(texts, strings(&graph));
    }

    /// A file rewritten between the two reads fails the second.
    #[test]
    fn a_file_changed_between_the_reads_fails() {
        let json = snapshot().json();
        let (file, mut graph) = parsed(&json);
        let (labels, _arrays) = ShedLabels::shed(&mut graph).expect("a plain file");
        let other_types = json.replacen("[9,", "[1,", 1);
        assert_ne!(other_types, json, "the root's type changed");
        std::fs::write(file.path(), other_types).expect("rewritten");
        assert!(labels.read_back(&graph).is_err());
    }

    /// What cannot be read again keeps its labels.
    #[test]
    fn an_input_read_once_sheds_nothing() {
        let json = snapshot().json();
        let mut graph = parse_snapshot_with(json.as_bytes(), None, &mut |_| true, &mut |_, _| {})
            .expect("parses");
        assert!(ShedLabels::shed(&mut graph).is_none());
        assert!(!graph.node_name.is_empty());
    }
}
