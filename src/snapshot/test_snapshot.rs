//! Tiny hand-built snapshots for unit tests: a Node-20-shaped file (7 node
//! fields, full type lists) from a compact description, so each test shows
//! its whole graph.

use super::progress::Progress;
use super::{analyze_reader, Analysis};

/// A snapshot under construction. Node 0 is the root (synthetic, id 1).
pub struct TestSnapshot {
    nodes: Vec<(String, String, u64, u32, u8)>,
    edges: Vec<Vec<(String, String, usize)>>,
    locations: Vec<(usize, u32, u32, u32)>,
}

const NODE_TYPES: &str = r#"["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"]"#;
const EDGE_TYPES: &str =
    r#"["context","element","property","internal","hidden","shortcut","weak"]"#;

impl Default for TestSnapshot {
    fn default() -> Self {
        Self::new()
    }
}

impl TestSnapshot {
    pub fn new() -> Self {
        TestSnapshot {
            nodes: vec![("synthetic".into(), String::new(), 1, 0, 0)],
            edges: vec![Vec::new()],
            locations: Vec::new(),
        }
    }

    /// Adds a node and returns its ordinal. Ids are chosen by the test.
    pub fn node(&mut self, node_type: &str, name: &str, id: u64, self_size: u32) -> usize {
        self.nodes
            .push((node_type.into(), name.into(), id, self_size, 0));
        self.edges.push(Vec::new());
        self.nodes.len() - 1
    }

    /// Sets a node's detachedness (1 attached, 2 detached).
    pub fn detachedness(&mut self, node: usize, state: u8) {
        self.nodes[node].4 = state;
    }

    /// Adds an edge; `name` is a string, or the index for element/hidden.
    pub fn edge(&mut self, from: usize, edge_type: &str, name: &str, to: usize) -> &mut Self {
        self.edges[from].push((edge_type.into(), name.into(), to));
        self
    }

    pub fn location(&mut self, node: usize, script: u32, line: u32, column: u32) {
        self.locations.push((node, script, line, column));
    }

    /// The snapshot as `.heapsnapshot` JSON text.
    pub fn json(&self) -> String {
        let node_types: Vec<String> = serde_json::from_str(NODE_TYPES).unwrap_or_default();
        let edge_types: Vec<String> = serde_json::from_str(EDGE_TYPES).unwrap_or_default();
        let mut strings: Vec<String> = Vec::new();
        let mut intern = |s: &str| match strings.iter().position(|x| x == s) {
            Some(i) => i,
            None => {
                strings.push(s.to_owned());
                strings.len() - 1
            }
        };
        let mut nodes = Vec::new();
        for (i, (ty, name, id, size, detached)) in self.nodes.iter().enumerate() {
            let ty = node_types.iter().position(|t| t == ty).unwrap_or(99);
            let name = intern(name);
            nodes.push(format!(
                "{ty},{name},{id},{size},{},0,{detached}",
                self.edges[i].len()
            ));
        }
        let mut edges = Vec::new();
        for list in &self.edges {
            for (ty, name, to) in list {
                let ty_index = edge_types.iter().position(|t| t == ty).unwrap_or(99);
                let name = if ty == "element" || ty == "hidden" {
                    name.parse().unwrap_or(0)
                } else {
                    intern(name)
                };
                edges.push(format!("{ty_index},{name},{}", to * 7));
            }
        }
        let locations: Vec<String> = self
            .locations
            .iter()
            .map(|(n, s, l, c)| format!("{},{s},{l},{c}", n * 7))
            .collect();
        format!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[{NODE_TYPES},"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[{EDGE_TYPES},"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}},"node_count":{},"edge_count":{},"trace_function_count":0}},
"nodes":[{}],
"edges":[{}],
"locations":[{}],
"strings":{}}}"#,
            self.nodes.len(),
            edges.len(),
            nodes.join(",\n"),
            edges.join(",\n"),
            locations.join(","),
            serde_json::to_string(&strings).unwrap_or_default()
        )
    }

    /// Parses and analyses the snapshot.
    pub fn analyze(&self) -> Analysis {
        match analyze_reader(self.json().as_bytes(), &mut |_: Progress| true, None) {
            Ok(a) => a,
            Err(e) => panic!("test snapshot must load: {e}\n{}", self.json()),
        }
    }
}

impl Analysis {
    /// Test helper: the ordinal of the node with id `id`.
    pub fn ordinal(&self, id: u64) -> u32 {
        self.node_by_id(id)
            .unwrap_or_else(|| panic!("no node @{id}"))
    }

    /// Test helper: retained size of node `id`.
    pub fn retained_of(&self, id: u64) -> u64 {
        self.dominators.retained[self.ordinal(id) as usize]
    }

    /// Test helper: id of the immediate dominator of node `id`.
    pub fn idom_of(&self, id: u64) -> u64 {
        let d = self.dominators.idom[self.ordinal(id) as usize];
        self.graph.id(d)
    }

    /// Test helper: distance of node `id`.
    pub fn distance_of(&self, id: u64) -> i32 {
        self.distances[self.ordinal(id) as usize]
    }

    /// Test helper: the Summary row named `name`.
    pub fn class(&self, name: &str) -> &super::ClassAggregate {
        self.aggregates
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no class {name}"))
    }
}
