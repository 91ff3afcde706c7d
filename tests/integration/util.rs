//! Running the real `heaplens` binary on fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixtures folder of this checkout.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A fixture path as cases.tsv names it; the committed file may be gzipped.
pub fn fixture(relative: &str) -> PathBuf {
    let plain = fixtures().join(relative);
    if plain.exists() {
        return plain;
    }
    let mut gz = plain.into_os_string();
    gz.push(".gz");
    PathBuf::from(gz)
}

/// Runs heaplens with `args`, no stdin.
pub fn heaplens<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    heaplens_with_env(args, &[])
}

/// Runs heaplens with `args` and the variables `env` set, no stdin.
pub fn heaplens_with_env<I, S>(args: I, env: &[(&str, &str)]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_heaplens"))
        .args(args)
        // The machine's own budget would change how a pair loads.
        .env_remove("HEAPLENS_MAX_MEMORY")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("heaplens must start: {e}"))
}
