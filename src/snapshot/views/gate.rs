//! CI gates on a Comparison (`heaplens diff BASE TARGET --fail-if RULE`)
//! and on a trend (`heaplens trend S1 … SN --fail-if RULE`).
//!
//! A rule compares one number of the view with a threshold, or names a
//! yes/no test of it:
//!
//! ```text
//! rule    := metric [ "(" class ")" ] op amount  |  test [ "(" class ")" ]
//! metric  := new | deleted | delta | alloc_size | freed_size | size_delta | retained_delta
//!          | count_growth | retained_growth          (trend)
//! test    := grew_every_step                         (trend)
//! class   := a class name as the Summary shows it, or a JSON string ("{a, b}")
//! op      := >  >=  <  <=  ==  !=
//! amount  := [+|-] digits [. digits] [unit]
//! unit    := B | kB | MB | GB (powers of 1000, as DevTools) | KiB | MiB | GiB
//! ```
//!
//! `metric(class)` sums the rows with that name (a name can have several
//! rows, split by constructor location; 0 when it has none); `metric` alone
//! sums all rows. `retained_delta` is the class retained size in the target
//! minus the baseline's, and without a class the change of the whole heap
//! (class retained sizes overlap). Units only go with the size metrics.
//! Which metrics and tests a rule may name is the view's
//! ([`GateMetric`]); the grammar, units and operators are shared.

use std::fmt;
use std::str::FromStr;

use super::diff::{ClassDiff, DiffColumn, DiffRow};
use super::growth::class_retained_delta;
use crate::snapshot::classes::ClassAggregate;

/// What rules over one view can name.
pub trait GateMetric: Copy + PartialEq + fmt::Debug + Send + Sync + 'static {
    /// Every metric and test, in the order messages list them.
    fn all() -> Vec<Self>;

    /// The name a rule writes.
    fn key(self) -> &'static str;

    /// Bytes, which take units (as opposed to object counts).
    fn is_size(self) -> bool;

    /// A yes/no test, written alone (`grew_every_step(Job)`): its value
    /// is 1 when it holds, 0 when not.
    fn is_test(self) -> bool {
        false
    }
}

/// A number of the Comparison a rule can test: any column but the name.
pub type Metric = DiffColumn;

impl GateMetric for DiffColumn {
    fn all() -> Vec<Self> {
        DiffColumn::ALL
            .into_iter()
            .filter(|&c| c != DiffColumn::Name)
            .collect()
    }

    fn key(self) -> &'static str {
        DiffColumn::key(self)
    }

    fn is_size(self) -> bool {
        DiffColumn::is_size(self)
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

const OPS: [(Op, &str); 6] = [
    (Op::Gt, ">"),
    (Op::Ge, ">="),
    (Op::Lt, "<"),
    (Op::Le, "<="),
    (Op::Eq, "=="),
    (Op::Ne, "!="),
];

impl Op {
    fn holds(self, actual: f64, threshold: f64) -> bool {
        match self {
            Op::Gt => actual > threshold,
            Op::Ge => actual >= threshold,
            Op::Lt => actual < threshold,
            Op::Le => actual <= threshold,
            Op::Eq => actual == threshold,
            Op::Ne => actual != threshold,
        }
    }
}

/// One `--fail-if` rule over a view with metrics `M` (the Comparison's by
/// default): the gate fails when the comparison holds. A test is a rule
/// `test != 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule<M = Metric> {
    /// The rule as written (trimmed), for messages.
    pub text: String,
    pub metric: M,
    pub class: Option<String>,
    pub op: Op,
    /// In objects or bytes, units applied.
    pub threshold: f64,
}

impl<M> fmt::Display for Rule<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<M: GateMetric> FromStr for Rule<M> {
    type Err = String;

    fn from_str(text: &str) -> Result<Rule<M>, String> {
        let text = text.trim();
        // A test alone first: its class may hold operator characters
        // (`grew_every_step(<div>)`).
        let alone = parse_subject::<M>(text);
        if let Ok((metric, class)) = &alone {
            if metric.is_test() {
                return Ok(Rule {
                    text: text.to_owned(),
                    metric: *metric,
                    class: class.clone(),
                    op: Op::Ne,
                    threshold: 0.0,
                });
            }
        }
        let (subject, op, amount) = match split_operator(text) {
            Ok(parts) => parts,
            // `grew_every_stepp(Job)` is a misspelt test rather than a
            // comparison without its operator.
            Err(no_operator) if !text.contains(is_op_char) => {
                return Err(alone.err().unwrap_or(no_operator))
            }
            Err(bad_operator) => return Err(bad_operator),
        };
        let (metric, class) = parse_subject::<M>(subject.trim())?;
        if metric.is_test() {
            let key = metric.key();
            return Err(format!(
                "{key} is a yes/no test: write it alone, as {key}(CLASS)"
            ));
        }
        let threshold = parse_amount(amount.trim(), metric)?;
        Ok(Rule {
            text: text.to_owned(),
            metric,
            class,
            op,
            threshold,
        })
    }
}

fn is_op_char(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '!')
}

/// The amount has no operator characters, so the operator is the last run
/// of them (class names such as `<div>` may contain some).
fn split_operator(text: &str) -> Result<(&str, Op, &str), String> {
    let end = text
        .rfind(is_op_char)
        .ok_or_else(|| "no comparison operator (one of > >= < <= == !=)".to_owned())?
        + 1;
    let start = text[..end].trim_end_matches(is_op_char).len();
    let written = &text[start..end];
    let op = OPS
        .iter()
        .find(|(_, s)| *s == written)
        .map(|(op, _)| *op)
        .ok_or_else(|| format!("unknown operator {written:?} (one of > >= < <= == !=)"))?;
    Ok((&text[..start], op, &text[end..]))
}

fn parse_subject<M: GateMetric>(subject: &str) -> Result<(M, Option<String>), String> {
    let (name, class) = match subject.find('(') {
        Some(open) => {
            let inner = subject[open + 1..]
                .trim_end()
                .strip_suffix(')')
                .ok_or("missing ')' after the class name")?;
            (subject[..open].trim(), Some(parse_class(inner.trim())?))
        }
        None => (subject, None),
    };
    let metric = M::all()
        .into_iter()
        .find(|m| m.key() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = M::all().into_iter().map(M::key).collect();
            format!("unknown metric {name:?} (one of {})", names.join(", "))
        })?;
    Ok((metric, class))
}

fn parse_class(text: &str) -> Result<String, String> {
    let class = if text.starts_with('"') {
        serde_json::from_str::<String>(text)
            .map_err(|e| format!("bad quoted class name {text}: {e}"))?
    } else {
        text.to_owned()
    };
    if class.is_empty() {
        return Err("empty class name".into());
    }
    Ok(class)
}

fn parse_amount<M: GateMetric>(amount: &str, metric: M) -> Result<f64, String> {
    let number_len = amount
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '+' || c == '-'))))
        .map_or(amount.len(), |(i, _)| i);
    let (number, unit) = amount.split_at(number_len);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("expected a number after the operator, found {amount:?}"))?;
    let unit = unit.trim();
    if unit.is_empty() {
        return Ok(value);
    }
    if !metric.is_size() {
        return Err(format!(
            "{} counts objects: a unit ({unit}) only goes with a size metric",
            metric.key()
        ));
    }
    Ok(value * unit_factor(unit)?)
}

/// Bytes per size unit: decimal units as DevTools prints sizes, binary ones
/// for those who think in them. Case-insensitive; shared with the memory
/// budget (`HEAPLENS_MAX_MEMORY`).
pub fn bytes_per_unit(unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    })
}

fn unit_factor(unit: &str) -> Result<f64, String> {
    bytes_per_unit(unit)
        .ok_or_else(|| format!("unknown unit {unit:?} (B, kB, MB, GB, KiB, MiB, GiB)"))
}

/// Where rules read their numbers from.
pub trait Metrics<M = Metric> {
    /// The metric over the rows named `class`, or over all rows (a test:
    /// 1 when it holds, else 0).
    fn value(&self, metric: M, class: Option<&str>) -> i64;
}

/// The numbers of a Comparison of a baseline → a target.
pub struct DiffMetrics<'a> {
    pub diffs: &'a [ClassDiff],
    /// The baseline's and the target's Summary rows.
    pub rows: [&'a [ClassAggregate]; 2],
    /// The baseline's and the target's total sizes (DevTools' percentage
    /// base): the change of the whole heap, as class retained sizes
    /// overlap and their sum would count nested objects more than once.
    pub total_sizes: [u64; 2],
}

impl Metrics for DiffMetrics<'_> {
    fn value(&self, metric: Metric, class: Option<&str>) -> i64 {
        match (metric, class) {
            (Metric::RetainedDelta, Some(name)) => {
                class_retained_delta(self.rows[0], self.rows[1], name)
            }
            (Metric::RetainedDelta, None) => {
                self.total_sizes[1] as i64 - self.total_sizes[0] as i64
            }
            _ => self
                .diffs
                .iter()
                .filter(|d| class.is_none_or(|name| d.name == name))
                .map(|diff| {
                    // Not retained_delta: that needs both snapshots (above).
                    let row = DiffRow {
                        diff,
                        retained_delta: 0,
                    };
                    row.value(metric)
                })
                .sum(),
        }
    }
}

/// A rule whose comparison holds, with the value that made it hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation<M = Metric> {
    pub rule: Rule<M>,
    pub actual: i64,
}

/// The rules that hold (so the gate fails), in the order given.
pub fn violations<M: GateMetric>(rules: &[Rule<M>], metrics: &dyn Metrics<M>) -> Vec<Violation<M>> {
    rules
        .iter()
        .filter_map(|rule| {
            let actual = metrics.value(rule.metric, rule.class.as_deref());
            rule.op
                .holds(actual as f64, rule.threshold)
                .then(|| Violation {
                    rule: rule.clone(),
                    actual,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> Rule {
        match text.parse() {
            Ok(r) => r,
            Err(e) => panic!("{text:?} must parse: {e}"),
        }
    }

    fn error(text: &str) -> String {
        match text.parse::<Rule>() {
            Ok(r) => panic!("{text:?} must not parse, got {r:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn class_rules_parse() {
        let r = rule("delta(SessionRecord) > 1000");
        assert_eq!(r.metric, Metric::Delta);
        assert_eq!(r.class.as_deref(), Some("SessionRecord"));
        assert_eq!((r.op, r.threshold), (Op::Gt, 1000.0));
    }

    #[test]
    fn totals_and_units_parse() {
        let r = rule("size_delta > 50MB");
        assert_eq!(
            (r.metric, r.class, r.threshold),
            (Metric::SizeDelta, None, 50e6)
        );
        assert_eq!(rule("alloc_size>=1.5 kB").threshold, 1500.0);
        assert_eq!(rule("freed_size < 2KiB").threshold, 2048.0);
        assert_eq!(
            rule("retained_delta != 1 GiB").threshold,
            1024.0 * 1024.0 * 1024.0
        );
        assert_eq!(rule("size_delta <= -3mb").threshold, -3e6);
        assert_eq!(rule("new == 0").op, Op::Eq);
    }

    #[test]
    fn awkward_class_names_parse() {
        assert_eq!(
            rule("new((closure)) > 5").class.as_deref(),
            Some("(closure)")
        );
        assert_eq!(rule("delta(<div>)>=2").class.as_deref(), Some("<div>"));
        assert_eq!(
            rule(r#"delta("{a, b}") > 0"#).class.as_deref(),
            Some("{a, b}")
        );
        assert_eq!(
            rule("deleted(Detached <li>) < 3").class.as_deref(),
            Some("Detached <li>")
        );
    }

    #[test]
    fn mistakes_are_explained() {
        assert!(error("delta(Foo)").contains("no comparison operator"));
        assert!(error("delta(Foo) = 3").contains("unknown operator \"=\""));
        assert!(error("growth(Foo) > 3").contains("unknown metric \"growth\""));
        assert!(error("delta(Foo > 3").contains("missing ')'"));
        assert!(error("delta() > 3").contains("empty class name"));
        assert!(error("delta(Foo) > lots").contains("expected a number"));
        assert!(error("delta(Foo) > 3MB").contains("counts objects"));
        assert!(error("size_delta > 3 parsecs").contains("unknown unit"));
        assert!(error(r#"delta("Foo) > 3"#).contains("bad quoted class name"));
    }

    struct Fixed;

    impl Metrics for Fixed {
        fn value(&self, metric: Metric, class: Option<&str>) -> i64 {
            match (metric, class) {
                (Metric::Delta, Some("Leak")) => 1000,
                (Metric::SizeDelta, None) => 60_000_000,
                _ => 0,
            }
        }
    }

    #[test]
    fn holding_comparisons_are_violations() {
        let rules = [
            rule("delta(Leak) > 999"),
            rule("delta(Leak) > 1000"),
            rule("size_delta > 50MB"),
            rule("delta(Other) >= 0"),
            rule("delta(Other) != 0"),
        ];
        let found: Vec<(String, i64)> = violations(&rules, &Fixed)
            .into_iter()
            .map(|v| (v.rule.text, v.actual))
            .collect();
        assert_eq!(
            found,
            [
                ("delta(Leak) > 999".to_owned(), 1000),
                ("size_delta > 50MB".to_owned(), 60_000_000),
                ("delta(Other) >= 0".to_owned(), 0),
            ]
        );
    }
}
