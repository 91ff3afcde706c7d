//! Shallow-size owner attribution (spec §2.1, DevTools
//! `JSHeapSnapshot.calculateShallowSizes`).
//!
//! DevTools moves the size of internal `hidden`/`array` nodes (and
//! `system / ExternalStringData`) owned by exactly one object onto that
//! object, so a JS `Array`'s shallow size includes its backing store. Every
//! displayed shallow and retained size uses the adjusted values.

use super::flags::is_user_root;
use super::graph::HeapGraph;

const UNVISITED: u32 = u32::MAX;
const MULTIPLE_OWNERS: u32 = u32::MAX - 1;

/// The owner of each node (itself, `UNVISITED` or `MULTIPLE_OWNERS` when
/// none), for [`move_sizes`]; None for snapshots without user roots
/// ("expose internals" captures), whose sizes DevTools leaves alone. Reads
/// the graph only.
///
/// # Complexity
/// O(nodes + edges); each node enters the worklist at most twice.
pub fn owners(graph: &HeapGraph) -> Option<Vec<u32>> {
    if !graph
        .edges(graph.root)
        .any(|e| is_user_root(graph, graph.edge_to[e]))
    {
        return None;
    }
    let t = &graph.layout.types;
    let mut owners: Vec<u32> = (0..graph.node_count() as u32)
        .map(|n| {
            let ownable = graph.is_type(n, t.hidden)
                || graph.is_type(n, t.array)
                || (graph.is_type(n, t.native) && graph.name(n) == "system / ExternalStringData");
            if ownable {
                UNVISITED
            } else {
                n
            }
        })
        .collect();
    // Each owner is flooded from in turn rather than all queued first: the
    // result is the same fixed point (an owner only ever moves from
    // unvisited to one owner to several), and the worklist stays short
    // instead of holding every owner (32 MB of a 1 GB snapshot).
    let mut worklist: Vec<u32> = Vec::new();
    for seed in 0..graph.node_count() as u32 {
        if owners[seed as usize] != seed {
            continue;
        }
        worklist.push(seed);
        while let Some(n) = worklist.pop() {
            let owner = owners[n as usize];
            for e in graph.edges(n) {
                if graph.edge_type[e] == t.edge_weak {
                    continue;
                }
                let target = graph.edge_to[e];
                let current = owners[target as usize];
                if current == UNVISITED {
                    owners[target as usize] = owner;
                    worklist.push(target);
                } else if current != target && current != owner && current != MULTIPLE_OWNERS {
                    owners[target as usize] = MULTIPLE_OWNERS;
                    worklist.push(target);
                }
            }
        }
    }
    Some(owners)
}

/// Moves each owned node's size onto its single owner.
pub fn move_sizes(graph: &mut HeapGraph, owners: &[u32]) {
    let t = &graph.layout.types;
    for (n, &owner) in owners.iter().enumerate() {
        if owner == UNVISITED || owner == MULTIPLE_OWNERS || owner as usize == n {
            continue;
        }
        if graph.is_type(owner, t.synthetic) || owner == graph.root {
            continue;
        }
        let size = std::mem::take(&mut graph.self_size[n]);
        // DevTools keeps sizes in a Uint32Array, so the sum wraps there too.
        graph.self_size[owner as usize] = graph.self_size[owner as usize].wrapping_add(size);
    }
}
