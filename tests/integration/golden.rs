//! Parity with DevTools: every case of `fixtures/expected/cases.tsv` (golden
//! files printed by DevTools' own heap-snapshot code, see fixtures/README.md)
//! is run through the real binary and every expected field must be equal.

use serde_json::Value;

use crate::util::{fixture, fixtures, heaplens};

struct Case {
    expected: String,
    command: String,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixtures().join("expected/cases.tsv"))
        .unwrap_or_else(|e| panic!("cases.tsv must be readable: {e}"));
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut fields = line.split('\t');
            let expected = fields.next().unwrap_or_default().to_owned();
            let command = fields.next().unwrap_or_default().to_owned();
            // Snapshot paths are relative to fixtures/; ids, flags and
            // filter names pass through.
            let args = fields
                .take_while(|f| !f.starts_with('#'))
                .map(|f| {
                    if f.contains('/') {
                        fixture(f).display().to_string()
                    } else {
                        f.to_owned()
                    }
                })
                .collect();
            Case {
                expected,
                command,
                args,
            }
        })
        .collect()
}

/// `actual` reduced to the fields `expected` has, so extra fields pass.
fn project(expected: &Value, actual: &Value) -> Value {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => Value::Object(
            e.iter()
                .map(|(k, ev)| {
                    let av = a.get(k).map_or(Value::String("<absent>".into()), |av| {
                        if k.ends_with("id") {
                            as_devtools_shows_id(av)
                        } else {
                            project(ev, av)
                        }
                    });
                    (k.clone(), av)
                })
                .collect(),
        ),
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            Value::Array(e.iter().zip(a).map(|(ev, av)| project(ev, av)).collect())
        }
        _ => actual.clone(),
    }
}

/// DevTools keeps an id's low 32 bits (its nodes are a `Uint32Array`);
/// heaplens prints ids as written, so an id past 32 bits is compared by those.
fn as_devtools_shows_id(actual: &Value) -> Value {
    match actual.as_u64() {
        Some(id) if id > u64::from(u32::MAX) => Value::from(id & u64::from(u32::MAX)),
        _ => actual.clone(),
    }
}

/// Classes are a set keyed by (name, location): order-insensitive.
fn sorted_classes(doc: &mut Value) -> usize {
    let Some(Value::Array(classes)) = doc.get_mut("classes") else {
        return 0;
    };
    classes.sort_by_key(|c| c.to_string());
    classes.len()
}

/// The heaplens command line of an oracle command: `preset FILE FILTER` is
/// `summary FILE --only NAME` (the oracle prints DevTools' filter name as
/// `"filter"`, heaplens its own as `"only"`), `ignore FILE @ID --ignore @X`
/// is `node FILE @ID --ignore @X`.
fn heaplens_args(case: &Case) -> Vec<String> {
    let mut args = match (case.command.as_str(), case.args.as_slice()) {
        ("preset", [file, filter]) => {
            let only = match filter.as_str() {
                "objectsRetainedByDetachedDomNodes" => "detached-dom",
                "objectsRetainedByConsole" => "console",
                "objectsRetainedByEventHandlers" => "event-handlers",
                "duplicatedStrings" => "duplicated-strings",
                other => panic!("{}: unknown DevTools filter {other}", case.expected),
            };
            vec!["summary".into(), file.clone(), "--only".into(), only.into()]
        }
        ("ignore", args) => std::iter::once("node".to_owned())
            .chain(args.iter().cloned())
            .collect(),
        (command, args) => std::iter::once(command.to_owned())
            .chain(args.iter().cloned())
            .collect(),
    };
    args.extend(["--format".into(), "json".into()]);
    args
}

/// The oracle's `"filter"` (DevTools' name) stands for heaplens' `"only"`.
fn drop_filter_name(expected: &mut Value, actual: &Value) -> Result<(), String> {
    let Some(Value::Object(fields)) = Some(&mut *expected) else {
        return Ok(());
    };
    if fields.remove("filter").is_some() && actual.get("only").is_none() {
        return Err("heaplens did not say which filter (\"only\")".into());
    }
    Ok(())
}

fn run_case(case: &Case) -> Result<String, String> {
    let out = heaplens(heaplens_args(case));
    let error_file = fixtures()
        .join("expected")
        .join(case.expected.replace(".json", ".error.txt"));
    if error_file.exists() {
        return match out.status.code() {
            Some(2) => Ok(format!(
                "fails like DevTools: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            other => Err(format!(
                "DevTools cannot load it, heaplens exited {other:?}"
            )),
        };
    }
    if !out.status.success() {
        return Err(format!(
            "heaplens failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = std::fs::read_to_string(fixtures().join("expected").join(&case.expected))
        .map_err(|e| format!("golden file: {e}"))?;
    let mut expected: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let actual: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    drop_filter_name(&mut expected, &actual)?;
    let mut actual = project(&expected, &actual);
    let total = sorted_classes(&mut expected);
    sorted_classes(&mut actual);
    if expected == actual {
        let retainers = expected
            .get("retainers")
            .and_then(Value::as_array)
            .map(Vec::len);
        return Ok(match retainers {
            Some(r) => format!("node and its {r} retainers match"),
            None => format!("{total}/{total} classes match"),
        });
    }
    let e = expected.get("classes").and_then(Value::as_array);
    let a = actual.get("classes").and_then(Value::as_array);
    let detail = match (e, a) {
        (Some(e), Some(a)) => {
            let missing: Vec<String> = e
                .iter()
                .filter(|c| !a.contains(c))
                .take(5)
                .map(Value::to_string)
                .collect();
            format!(
                "{} of {total} classes differ, e.g. expected {missing:?}",
                missing.len()
            )
        }
        _ => format!("expected {expected}\n  actual {actual}"),
    };
    Err(detail)
}

#[test]
fn every_golden_case_matches_devtools() {
    let cases = cases();
    assert!(
        cases.len() >= 60,
        "cases.tsv lists the fixtures ({} found)",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        match run_case(case) {
            Ok(summary) => eprintln!("OK   {:<48} {summary}", case.expected),
            Err(why) => {
                eprintln!("FAIL {:<48} {why}", case.expected);
                failures.push(case.expected.clone());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "cases differing from DevTools: {failures:?}"
    );
}
