//! `heaplens index SNAPSHOT --output PATH`, and `--index PATH` for every
//! command that loads snapshots: each index matched to the snapshot it was
//! made from, loaded for what the command reads, refused in one line when
//! it belongs to none of them or is damaged (never a silent full load).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, Context};

use crate::cli::IndexArgs;
use crate::format;
use crate::snapshot::index::{self, IndexFile, Need, SnapshotIdentity};
use crate::snapshot::{Analysis, Reads, SnapshotInput};

use super::LoadPlan;

/// What `heaplens index` says on stderr of the file it wrote.
pub(super) fn secrets_warning(output: &Path, snapshot: &Path) -> String {
    format!(
        "{} holds everything {} holds (its strings: secrets, personal data): keep it as private as the snapshot",
        format::path(output),
        format::path(snapshot)
    )
}

/// `heaplens index`: loads the snapshot whole (as the TUI does) and writes
/// its analysis to `--output`.
pub(super) fn index(args: IndexArgs, plan: &mut LoadPlan) -> anyhow::Result<String> {
    let (snapshot, output) = (&args.snapshot, &args.output);
    if snapshot.as_os_str() == "-" {
        return Err(anyhow!(
            "-: standard input cannot be indexed (an index is matched to its snapshot file): save it to a file first"
        ));
    }
    if plan.has_indexes() {
        return Err(anyhow!(
            "--index reads an index; `heaplens index` writes one, to --output"
        ));
    }
    let refused = |e| anyhow::Error::new(e).context(format::path(output));
    index::check_output(snapshot, output).map_err(refused)?;
    let identity = identity_of(snapshot)?;
    let started = Instant::now();
    let analysis = plan.load(0)?;
    if identity_of(snapshot)? != identity {
        return Err(anyhow!(
            "{}: changed while it was loaded: not indexed",
            format::path(snapshot)
        ));
    }
    let bytes = index::write_index(analysis, identity, snapshot, output).map_err(refused)?;
    let took = started.elapsed().as_secs_f64();
    super::tell(format_args!(
        "wrote {} in {took:.1} s: {}",
        format::bytes(bytes),
        secrets_warning(output, snapshot)
    ));
    Ok(String::new())
}

fn identity_of(snapshot: &Path) -> anyhow::Result<SnapshotIdentity> {
    SnapshotIdentity::of(snapshot).with_context(|| format::path(snapshot))
}

/// The index of each snapshot in `snapshots` (None where none was given):
/// every index must belong to at least one of them, and no snapshot gets
/// two.
pub(super) fn match_indexes(
    indexes: &[PathBuf],
    snapshots: &[PathBuf],
) -> anyhow::Result<Vec<Option<Arc<IndexFile>>>> {
    let mut matched: Vec<Option<Arc<IndexFile>>> = vec![None; snapshots.len()];
    if indexes.is_empty() {
        return Ok(matched);
    }
    let identities: Vec<Option<SnapshotIdentity>> = snapshots
        .iter()
        .map(|path| match path.as_os_str() == "-" {
            true => Ok(None),
            false => identity_of(path).map(Some),
        })
        .collect::<anyhow::Result<_>>()?;
    for path in indexes {
        let opened = IndexFile::open(path).with_context(|| format::path(path))?;
        let index = Arc::new(opened);
        let belongs: Vec<usize> = (0..snapshots.len())
            .filter(|&i| identities[i].is_some_and(|now| index.mismatch(&now).is_none()))
            .collect();
        if belongs.is_empty() {
            return Err(anyhow!(
                "{}: {}",
                format::path(path),
                why_none(&index, snapshots, &identities)
            ));
        }
        for i in belongs {
            if let Some(other) = &matched[i] {
                return Err(anyhow!(
                    "{}: {} already has an index ({})",
                    format::path(path),
                    format::path(&snapshots[i]),
                    format::path(other.path())
                ));
            }
            matched[i] = Some(Arc::clone(&index));
        }
    }
    Ok(matched)
}

/// Why an index belongs to none of the snapshots, each named.
fn why_none(
    index: &IndexFile,
    snapshots: &[PathBuf],
    identities: &[Option<SnapshotIdentity>],
) -> String {
    let reasons: Vec<String> = snapshots
        .iter()
        .zip(identities)
        .map(|(path, identity)| {
            let why = match identity.and_then(|now| index.mismatch(&now)) {
                Some(mismatch) => mismatch.to_string(),
                None => "standard input cannot be matched to an index".to_owned(),
            };
            format!("{}: {why}", format::path(path))
        })
        .collect();
    match reasons.as_slice() {
        [one] => format!("does not belong to {one}"),
        all => format!("belongs to none of the snapshots ({})", all.join("; ")),
    }
}

/// What an index load reads for a load of `reads`.
pub(super) fn need_for(reads: Reads) -> Need {
    match reads {
        Reads::Everything | Reads::SummaryRows => Need::Everything,
        Reads::AllButDistances => Need::AllButDistances,
        Reads::ComparisonBaseline => Need::ComparisonBaseline,
        Reads::ComparisonTarget => Need::ComparisonTarget,
    }
}

/// The analysis of `input` from its index, as far as `need` reads it.
pub(super) fn load_indexed(
    index: &IndexFile,
    input: SnapshotInput,
    need: Need,
) -> anyhow::Result<Analysis> {
    // A plain file's long strings stay in it: read back from it as after a
    // load of it.
    let snapshot = match input.is_gzip() {
        true => None,
        false => input.into_parts()?.2,
    };
    index
        .load(need, snapshot)
        .with_context(|| format::path(index.path()))
}
