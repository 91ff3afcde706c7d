//! The whole-snapshot reports beside the Summary: `leaks` (three
//! snapshots), `stats` and `duplicates`.

use crate::cli::{DuplicatesArgs, Format, LeaksArgs, ReportFormat, StatsArgs};
use crate::report::{self, RowSelection};
use crate::snapshot::views::{compat, duplicates, leaks as leak_view, statistics};

use super::diff::warn_if_meta_differs;
use super::{file_name, LoadPlan, MARKDOWN_TOP};

/// Leak classes and duplicate groups a table shows unless `--top` says.
const LEAKS_TOP: usize = 10;
const DUPLICATES_TOP: usize = 20;

pub(super) fn leaks(args: LeaksArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    let (s1, s2, s3) = plan.load_three()?;
    let paths = [&args.s1, &args.s2, &args.s3];
    if !compat::same_meta(&s1.layout, &s2.layout) {
        warn_if_meta_differs([paths[0], paths[1]], [&s1.layout, &s2.layout]);
    } else {
        warn_if_meta_differs([paths[1], paths[2]], [&s2.layout, &s3.graph.layout]);
    }
    let selection = RowSelection {
        top: None,
        filter: args.filter,
    };
    let include = |n: u32| {
        (args.internals || !leak_view::is_v8_internal(s3, n)) && selection.keeps(s3.class_name(n))
    };
    let found = leak_view::find_leaks(&s1, &s2, s3, &include);
    let files = paths.map(|p| file_name(p));
    let files = [files[0].as_str(), files[1].as_str(), files[2].as_str()];
    Ok(match args.format {
        ReportFormat::Json => report::leaks_json(&found, s3, args.top.unwrap_or(usize::MAX)),
        ReportFormat::Table => {
            report::leaks_table(&found, s3, files, args.top.unwrap_or(LEAKS_TOP))
        }
        ReportFormat::Markdown => {
            report::leaks_markdown(&found, s3, files, args.top.unwrap_or(MARKDOWN_TOP))
        }
    })
}

pub(super) fn stats(args: StatsArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    let analysis = plan.load(0)?;
    let stats = statistics::statistics(analysis);
    Ok(match args.format {
        Format::Json => report::stats_json(&stats),
        Format::Table => format!(
            "Statistics of {}\n{}",
            file_name(&args.snapshot),
            report::stats_table(&stats)
        ),
    })
}

pub(super) fn duplicates(args: DuplicatesArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    let analysis = plan.load(0)?;
    let groups = duplicates::duplicated_strings(analysis);
    Ok(match args.format {
        Format::Json => report::duplicates_json(&groups, args.top.unwrap_or(usize::MAX)),
        Format::Table => report::duplicates_table(&groups, args.top.unwrap_or(DUPLICATES_TOP)),
    })
}
