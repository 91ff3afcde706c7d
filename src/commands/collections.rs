//! `heaplens collections`: the collections that gained entries between a
//! baseline and a target.

use std::time::Instant;

use crate::cli::{CollectionsArgs, ReportFormat};
use crate::report;
use crate::snapshot::views::collections::{growing_collections, Census};

use super::diff::{warn_if_meta_differs, Steps};
use super::{file_name, LoadPlan, MARKDOWN_TOP};

/// Collections a table shows unless `--top` says.
const TABLE_TOP: usize = 20;

pub(super) fn collections(args: CollectionsArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    // The baseline is needed only for its collections' entries and sizes
    // (and its meta, for the warning): it is freed once they are counted.
    let ((census, counted_in, base_layout), target) = plan.load_summed_baseline(|base| {
        let started = Instant::now();
        let census = Census::of(&base);
        (census, started.elapsed(), base.graph.layout.clone())
    })?;
    warn_if_meta_differs(
        [&args.baseline, &args.target],
        [&base_layout, &target.graph.layout],
    );
    let mut steps = Steps::new(plan.timings);
    steps.record("counting the baseline's collections", counted_in);
    let found = steps.run("finding growing collections", || {
        growing_collections(&census, target)
    });
    let files = [file_name(&args.baseline), file_name(&args.target)];
    let files = [files[0].as_str(), files[1].as_str()];
    let report = steps.run("writing the report", || match args.format {
        ReportFormat::Json => report::collections_json(&found, target, args.top),
        ReportFormat::Table => {
            report::collections_table(&found, target, files, args.top.unwrap_or(TABLE_TOP))
        }
        ReportFormat::Markdown => {
            report::collections_markdown(&found, target, files, args.top.unwrap_or(MARKDOWN_TOP))
        }
    });
    steps.print("the growing collections");
    Ok(report)
}
