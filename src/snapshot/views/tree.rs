//! Trees of objects expanded a few levels deep for the headless commands
//! (retainers, containment, dominator tree): one walk, with DevTools' cycle
//! rule (§7.5: a node already on the path is marked, not expanded), a
//! fan-out cap per node and a budget of rows in all.

use crate::snapshot::Analysis;

/// Limits of an expanded tree: levels below the start, children per node,
/// rows in all.
#[derive(Debug, Clone, Copy)]
pub struct TreeLimits {
    pub depth: usize,
    pub fan_out: usize,
    pub max_rows: usize,
}

/// One row of an expanded tree.
#[derive(Debug, Clone)]
pub struct TreeRow {
    /// The edge ordinal leading here (containment only).
    pub edge: Option<usize>,
    pub node: u32,
    /// The node already appears above this row (not expanded, §7.5).
    pub cycle: bool,
    pub children: Vec<TreeRow>,
    /// Children left out by the fan-out or row limits.
    pub more: usize,
}

/// Expands the tree below `n`: `children(node)` lists a node's children as
/// (edge leading there, child), in display order.
pub type Children<'a> = dyn Fn(u32) -> Vec<(Option<usize>, u32)> + 'a;

pub fn expand_tree(
    analysis: &Analysis,
    n: u32,
    limits: TreeLimits,
    children: &Children<'_>,
) -> (Vec<TreeRow>, usize) {
    let mut walk = Walk {
        analysis,
        limits,
        children,
        path: vec![analysis.graph.id(n)],
        budget: limits.max_rows,
    };
    walk.expand(n, limits.depth)
}

struct Walk<'a, 'c> {
    analysis: &'a Analysis,
    limits: TreeLimits,
    children: &'c Children<'c>,
    /// Ids on the path from the start: a repeat is a cycle.
    path: Vec<u64>,
    budget: usize,
}

impl Walk<'_, '_> {
    fn expand(&mut self, n: u32, depth: usize) -> (Vec<TreeRow>, usize) {
        if depth == 0 {
            return (Vec::new(), 0);
        }
        let all = (self.children)(n);
        let mut rows = Vec::new();
        for (edge, node) in all.iter().copied().take(self.limits.fan_out) {
            if self.budget == 0 {
                break;
            }
            self.budget -= 1;
            let id = self.analysis.graph.id(node);
            let cycle = self.path.contains(&id);
            let (children, more) = if cycle {
                (Vec::new(), 0)
            } else {
                self.path.push(id);
                let below = self.expand(node, depth - 1);
                self.path.pop();
                below
            };
            rows.push(TreeRow {
                edge,
                node,
                cycle,
                children,
                more,
            });
        }
        let more = all.len() - rows.len();
        (rows, more)
    }
}
