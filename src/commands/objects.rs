//! The commands about one object: `node`, `retainers`, `dominators` and
//! `containment`.

use std::path::Path;

use anyhow::anyhow;

use crate::cli::{ContainmentArgs, DominatorsArgs, Format, NodeArgs, RetainersArgs};
use crate::format;
use crate::report;
use crate::snapshot::views::retainers::IgnoredRetainers;
use crate::snapshot::views::tree::TreeLimits;
use crate::snapshot::Analysis;

use super::LoadPlan;

/// Rows a tree report prints at most, whatever the depth and fan-out.
const MAX_TREE_ROWS: usize = 10_000;

pub(super) fn node(args: NodeArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    let analysis = plan.load(0)?;
    let n = find_node(analysis, &args.id, &args.snapshot)?;
    let ignored = ignored_retainers(analysis, &args.ignore, &args.snapshot)?;
    Ok(match args.format {
        Format::Json => report::node_report_json(analysis, n, &ignored),
        Format::Table => report::node_report_table(analysis, n, &ignored),
    })
}

pub(super) fn retainers(args: RetainersArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    let analysis = plan.load(0)?;
    let n = find_node(analysis, &args.id, &args.snapshot)?;
    let ignored = ignored_retainers(analysis, &args.ignore, &args.snapshot)?;
    let limits = tree_limits(args.depth, args.fan_out);
    let json = args.format == Format::Json;
    Ok(report::retainers_report(
        analysis, n, limits, &ignored, json,
    ))
}

pub(super) fn dominators(args: DominatorsArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    let analysis = plan.load(0)?;
    let n = match &args.id {
        Some(id) => find_node(analysis, id, &args.snapshot)?,
        None => analysis.graph.root,
    };
    let limits = tree_limits(args.depth, args.fan_out);
    let json = args.format == Format::Json;
    Ok(report::dominators_report(analysis, n, limits, json))
}

pub(super) fn containment(args: ContainmentArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    let analysis = plan.load(0)?;
    let n = find_node(analysis, &args.id, &args.snapshot)?;
    let limits = tree_limits(args.depth, args.fan_out);
    let json = args.format == Format::Json;
    Ok(report::containment_report(analysis, n, limits, json))
}

/// The Retainers view with the `--ignore` objects ignored.
fn ignored_retainers(
    analysis: &Analysis,
    ids: &[String],
    path: &Path,
) -> anyhow::Result<IgnoredRetainers> {
    let nodes = ids
        .iter()
        .map(|id| find_node(analysis, id, path))
        .collect::<anyhow::Result<Vec<u32>>>()?;
    Ok(IgnoredRetainers::new(analysis, nodes))
}

/// Tree limits from `--depth` and `--fan-out`, with the row budget.
fn tree_limits(depth: usize, fan_out: usize) -> TreeLimits {
    TreeLimits {
        depth,
        fan_out,
        max_rows: MAX_TREE_ROWS,
    }
}

fn find_node(analysis: &Analysis, id: &str, path: &Path) -> anyhow::Result<u32> {
    let number: u64 = id.trim_start_matches('@').parse().map_err(|_| {
        anyhow!(
            "{:?} is not a node id (expected @123 or 123)",
            format::visible(id)
        )
    })?;
    analysis
        .node_by_id(number)
        .ok_or_else(|| anyhow!("{}: no object with id @{number}", format::path(path)))
}
