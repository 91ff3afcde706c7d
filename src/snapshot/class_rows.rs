//! The Summary's class rows and the totals printed beside them: all that
//! `summary` (table and JSON) and `trend` read of a snapshot, which an
//! index gives without the rest of the analysis.

use serde::{Deserialize, Serialize};

use super::meta::Layout;
use super::{classes, Analysis, ClassAggregate, ScriptNames};

/// What the Summary prints besides its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub node_count: usize,
    pub edge_count: usize,
    /// Σ self sizes (the root's retained size).
    pub total_self_size: u64,
    pub extra_native_bytes: u64,
    /// DevTools' percentage base: root retained + `extra_native_bytes`.
    pub total_size: u64,
}

impl Totals {
    pub fn of(analysis: &Analysis) -> Totals {
        Totals {
            node_count: analysis.graph.node_count(),
            edge_count: analysis.graph.edge_count(),
            total_self_size: analysis.total_self_size(),
            extra_native_bytes: analysis.graph.extra_native_bytes,
            total_size: analysis.total_size(),
        }
    }
}

/// The Summary rows (without their instances) and their totals.
#[derive(Debug, Clone)]
pub struct ClassRows {
    pub aggregates: Vec<ClassAggregate>,
    pub scripts: ScriptNames,
    pub layout: Layout,
    pub totals: Totals,
}

impl ClassRows {
    pub fn of(analysis: &Analysis) -> ClassRows {
        let aggregates = classes::without_instances(&analysis.aggregates);
        ClassRows {
            aggregates,
            scripts: analysis.scripts.clone(),
            layout: analysis.graph.layout.clone(),
            totals: Totals::of(analysis),
        }
    }
}
