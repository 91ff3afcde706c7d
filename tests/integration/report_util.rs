//! Helpers for the report tests: run heaplens on fixtures, read its JSON
//! and the committed DevTools goldens.

use std::process::Output;

use serde_json::Value;

use crate::util::{fixture, fixtures, heaplens_with_env};

/// A fixture argument (`demo/after.heapsnapshot` → its `.gz`), or the
/// argument itself when it is an option or an id.
fn arg(a: &str) -> String {
    if a.starts_with('-') || a.starts_with('@') || !a.contains('/') {
        a.to_owned()
    } else {
        fixture(a).display().to_string()
    }
}

/// Runs heaplens; fixture paths are relative to `fixtures/`.
pub fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

/// Runs heaplens with the variables `env` set.
pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    heaplens_with_env(args.iter().map(|a| arg(a)), env)
}

/// Runs heaplens, which must succeed, and parses its JSON output.
pub fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "heaplens {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("heaplens {args:?} must print JSON: {e}"))
}

/// Runs heaplens, which must succeed, and returns its stdout.
pub fn text(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "heaplens {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A JSON file under `fixtures/`.
pub fn fixture_json(relative: &str) -> Value {
    let path = fixtures().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} must be readable: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `doc[key]` as an array (empty when absent).
pub fn array<'a>(doc: &'a Value, key: &str) -> &'a [Value] {
    doc.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `value[key]` as an integer.
pub fn int(value: &Value, key: &str) -> i64 {
    value
        .get(key)
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("{key} must be an integer in {value}"))
}
