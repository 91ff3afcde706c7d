//! `heaplens strings`: string values matching a pattern, grouped by value.

use anyhow::anyhow;

use crate::cli::{Format, StringsArgs};
use crate::report;
use crate::snapshot::views::string_search::{search_strings, StringQuery};
use crate::snapshot::Reads;

use super::diff::Steps;
use super::LoadPlan;

/// Values a table shows unless `--top` says.
const TABLE_TOP: usize = 20;

pub(super) fn strings(args: StringsArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    // Checked before the load: a typo should not wait for a 1 GB parse.
    // The message names the problem, not the pattern (it may be a secret
    // pasted from elsewhere; the user has it).
    let query = StringQuery::new(args.pattern.as_deref(), args.min_length)
        .map_err(|e| anyhow!("PATTERN is not a regular expression: {}", first_line(&e)))?;
    let analysis = plan.load_for(0, Reads::AllButDistances)?;
    let mut steps = Steps::new(plan.timings);
    let groups = steps.run("searching the strings", || search_strings(analysis, &query));
    let report = steps.run("writing the report", || match args.format {
        Format::Json => report::strings_json(&groups, analysis, args.top.unwrap_or(usize::MAX)),
        Format::Table => report::strings_table(&groups, analysis, args.top.unwrap_or(TABLE_TOP)),
    });
    steps.print("the string search");
    Ok(report)
}

/// The regex crate's message ends with its one-line summary, after a
/// drawing of the pattern: only the summary fits an error line.
fn first_line(e: &regex::Error) -> String {
    let text = e.to_string();
    let summary = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&text);
    let summary = summary.trim();
    crate::format::visible(summary.strip_prefix("error: ").unwrap_or(summary)).into_owned()
}
