//! Detached-DOM state propagation and `Detached <tag>` renaming (spec §5.4,
//! DevTools `initDetachednessAndClassIndex` + `propagateDOMState`).
//!
//! Runs before class names are computed, so detached elements group as
//! `Detached <div>`. Only native (embedder) nodes carry state; JavaScript
//! objects stop the propagation.

// Keys here are hashed millions of times per load and come from the
// snapshot, not from an attacker with a live connection: FxHash (~3× the
// speed of SipHash on these keys) instead of std's DoS-resistant default.
use rustc_hash::FxHashMap as HashMap;

use super::graph::HeapGraph;

pub const ATTACHED: u8 = 1;
pub const DETACHED: u8 = 2;

/// Seeds, propagates and renames in place.
///
/// # Complexity
/// O(nodes + edges).
pub fn propagate_dom_state(graph: &mut HeapGraph) {
    let native = graph.layout.types.native;
    if graph.layout.node_detachedness.is_none() {
        // Old snapshots: the name already says it.
        for n in 0..graph.node_count() as u32 {
            if graph.is_type(n, native) && graph.name(n).starts_with("Detached ") {
                graph.detachedness[n as usize] = DETACHED;
            }
        }
        return;
    }
    let mut walk = Propagation {
        visited: vec![false; graph.node_count()],
        attached: Vec::new(),
        detached: Vec::new(),
        renamed: HashMap::default(),
    };
    for n in 0..graph.node_count() as u32 {
        let state = graph.detachedness[n as usize];
        if state == ATTACHED || state == DETACHED {
            walk.process(graph, n, state);
        }
    }
    while let Some(n) = walk.attached.pop() {
        walk.propagate(graph, n, ATTACHED);
    }
    while let Some(n) = walk.detached.pop() {
        if graph.detachedness[n as usize] != ATTACHED {
            walk.propagate(graph, n, DETACHED);
        }
    }
}

struct Propagation {
    visited: Vec<bool>,
    attached: Vec<u32>,
    detached: Vec<u32>,
    /// Original name index → index of "Detached " + name.
    renamed: HashMap<u32, u32>,
}

impl Propagation {
    fn process(&mut self, graph: &mut HeapGraph, n: u32, state: u8) {
        let i = n as usize;
        if self.visited[i] {
            return;
        }
        self.visited[i] = true;
        if !graph.is_type(n, graph.layout.types.native) {
            return;
        }
        graph.detachedness[i] = state;
        if state == ATTACHED {
            self.attached.push(n);
        } else {
            let old = graph.node_name[i];
            let new = match self.renamed.get(&old) {
                Some(&s) => s,
                None => {
                    let renamed = format!("Detached {}", graph.strings.get(old));
                    let s = graph.strings.push(&renamed);
                    self.renamed.insert(old, s);
                    s
                }
            };
            graph.node_name[i] = new;
            self.detached.push(n);
        }
    }

    fn propagate(&mut self, graph: &mut HeapGraph, n: u32, state: u8) {
        let t = &graph.layout.types;
        let (hidden, weak) = (t.edge_hidden, t.edge_weak);
        for e in graph.edges(n) {
            let edge_type = graph.edge_type[e];
            if edge_type != hidden && edge_type != weak {
                self.process(graph, graph.edge_to[e], state);
            }
        }
    }
}
