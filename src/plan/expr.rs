//! Threshold expressions, k6-style: `METRIC[(SELECTOR)] OP VALUE`, e.g.
//! `errors.rate < 0.1%`, `p99(cas.*.*.LOGIN) < 500ms`,
//! `service.p99.9(*) < 100ms`, `commands.rate > 3000/s`.
//!
//! Parsing checks every part against what the metric can be compared with
//! (a latency needs a time unit, a rate a fraction or a percentage), so a
//! typo is one clear message at start and never a threshold that can't fail.

use serde::{Deserialize, Serialize};

use super::select::Selector;

/// What a threshold measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Metric {
    /// Failed commands / all commands of the selected rows.
    ErrorRate,
    /// Failed commands of the selected rows.
    ErrorCount,
    /// Commands per second of the judged window (throughput achieved).
    CommandRate,
    /// Commands of the selected rows.
    CommandCount,
    /// Failed sessions / sessions started.
    SessionFailRate,
    /// Failed sessions.
    SessionFailCount,
    /// A latency statistic of the selected rows.
    Latency {
        /// Corrected (from the intended start) or service (from the last byte sent).
        clock: Clock,
        /// Which statistic.
        stat: Stat,
    },
}

/// Which latency a latency threshold reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// From the command's intended start (what users wait; monitors use it too).
    Corrected,
    /// From the command's last byte written (what the server took).
    Service,
}

/// A latency statistic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    /// A percentile, 0 < p <= 100.
    Percentile(f64),
    /// The exact mean.
    Mean,
    /// The largest value.
    Max,
}

/// How the measured value must compare with the limit to pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
}

impl Op {
    /// Whether `value OP limit` holds.
    pub fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Op::Lt => value < limit,
            Op::Le => value <= limit,
            Op::Gt => value > limit,
            Op::Ge => value >= limit,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// One parsed threshold. The limit is in the metric's base unit: a fraction
/// for rates of errors, microseconds for latencies, per second for
/// `commands.rate`, a count for counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    /// The expression as written (what every output shows).
    pub text: String,
    /// What is measured.
    pub metric: Metric,
    /// Which rows (`None`: every row, each command once).
    pub selector: Option<Selector>,
    /// The comparison that passes.
    pub op: Op,
    /// The limit, in the metric's base unit.
    pub limit: f64,
}

const METRICS: &str = "errors.rate, errors.count, commands.rate, commands.count, \
sessions.failed.rate, sessions.failed.count, pNN / mean / max and service.pNN / service.mean / service.max \
(e.g. p99, p99.9)";

impl Metric {
    fn parse(name: &str) -> Result<Metric, String> {
        let lower = name.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "errors.rate" => Metric::ErrorRate,
            "errors.count" => Metric::ErrorCount,
            "commands.rate" => Metric::CommandRate,
            "commands.count" => Metric::CommandCount,
            "sessions.failed.rate" => Metric::SessionFailRate,
            "sessions.failed.count" => Metric::SessionFailCount,
            other => {
                let (clock, stat) = match other.strip_prefix("service.") {
                    Some(s) => (Clock::Service, s),
                    None => (Clock::Corrected, other),
                };
                let stat = match stat {
                    "mean" | "avg" => Stat::Mean,
                    "max" => Stat::Max,
                    p => Stat::Percentile(
                        percentile(p)
                            .ok_or_else(|| format!("unknown metric `{name}`; one of {METRICS}"))?,
                    ),
                };
                Metric::Latency { clock, stat }
            }
        })
    }

    /// Whether a row selector applies (sessions are not per row).
    fn takes_selector(self) -> bool {
        !matches!(self, Metric::SessionFailRate | Metric::SessionFailCount)
    }

    /// Renders a value of this metric the way users write limits.
    pub fn show(self, v: f64) -> String {
        match self {
            Metric::ErrorRate | Metric::SessionFailRate => format!("{}%", round3(v * 100.0)),
            Metric::ErrorCount | Metric::CommandCount | Metric::SessionFailCount => {
                format!("{}", v.round() as u64)
            }
            Metric::CommandRate => format!("{:.1}/s", v),
            Metric::Latency { .. } if v >= 1_000_000.0 => format!("{}s", round3(v / 1e6)),
            Metric::Latency { .. } => format!("{}ms", round3(v / 1e3)),
        }
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// `p99`, `p99.9`, `p(95)` -> the percentile.
fn percentile(s: &str) -> Option<f64> {
    let n = s.strip_prefix('p')?;
    let n = n
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(n);
    let p: f64 = n.parse().ok()?;
    (p > 0.0 && p <= 100.0).then_some(p)
}

/// Splits `1.5ms` into the number and its unit.
fn number_unit(s: &str) -> Option<(f64, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(s.len());
    let n: f64 = s[..end].replace('_', "").parse().ok()?;
    n.is_finite().then_some((n, s[end..].trim()))
}

fn limit(metric: Metric, value: &str) -> Result<f64, String> {
    let bad = |allowed: &str| format!("`{value}` is not a limit for this metric; {allowed}");
    let (n, unit) = number_unit(value).ok_or_else(|| bad("give a number with its unit"))?;
    match metric {
        Metric::ErrorRate | Metric::SessionFailRate => match unit {
            "%" if n <= 100.0 => Ok(n / 100.0),
            "" if n <= 1.0 => Ok(n),
            _ => Err(bad("a percentage (1%) or a fraction from 0 to 1 (0.01)")),
        },
        Metric::ErrorCount | Metric::CommandCount | Metric::SessionFailCount => match unit {
            "" => Ok(n),
            _ => Err(bad("a plain count (e.g. 10)")),
        },
        Metric::CommandRate => match unit {
            "" | "/s" => Ok(n),
            _ => Err(bad("commands per second (e.g. 3000/s)")),
        },
        Metric::Latency { .. } => match unit {
            "us" | "µs" => Ok(n),
            "ms" => Ok(n * 1e3),
            "s" => Ok(n * 1e6),
            "m" => Ok(n * 60e6),
            "h" => Ok(n * 3600e6),
            _ => Err(bad("a time with its unit: us, ms, s, m or h (e.g. 500ms)")),
        },
    }
}

fn split_op(s: &str) -> Option<(&str, Op, &str)> {
    let at = s.find(['<', '>'])?;
    let (op, len) = match &s[at..] {
        x if x.starts_with("<=") => (Op::Le, 2),
        x if x.starts_with(">=") => (Op::Ge, 2),
        x if x.starts_with('<') => (Op::Lt, 1),
        _ => (Op::Gt, 1),
    };
    Some((s[..at].trim(), op, s[at + len..].trim()))
}

impl Expr {
    /// Parses one expression; the error says what is wrong and what is allowed.
    pub fn parse(text: &str) -> Result<Expr, String> {
        let text = text.trim();
        let (lhs, op, rhs) = split_op(text).ok_or_else(|| {
            format!("`{text}` has no comparison; write METRIC[(ROWS)] < LIMIT, e.g. `p99(cas.*.*.LOGIN) < 500ms`")
        })?;
        let (name, selector) = match lhs.find('(').filter(|_| lhs.ends_with(')')) {
            // `p(99)` is a percentile, not a selector.
            Some(open) if !lhs[..open].eq_ignore_ascii_case("p") => {
                let inner = &lhs[open + 1..lhs.len() - 1];
                let sel = Selector::parse(inner).map_err(|e| format!("in `{text}`: {e}"))?;
                (lhs[..open].trim(), Some(sel))
            }
            _ => (lhs, None),
        };
        let metric = Metric::parse(name).map_err(|e| format!("in `{text}`: {e}"))?;
        if selector.is_some() && !metric.takes_selector() {
            return Err(format!(
                "in `{text}`: sessions are not per row; write `{name} {} {rhs}` without rows",
                op.symbol()
            ));
        }
        let limit = limit(metric, rhs).map_err(|e| format!("in `{text}`: {e}"))?;
        Ok(Expr {
            text: text.to_string(),
            metric,
            selector,
            op,
            limit,
        })
    }

    /// Whether this expression judges the same thing as a default gate
    /// (the metric over every row), which it then replaces.
    pub fn replaces_gate(&self, gate: Metric) -> bool {
        self.metric == gate && self.selector.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let e = Expr::parse("errors.rate < 0.1%").unwrap();
        assert_eq!((e.metric, e.op), (Metric::ErrorRate, Op::Lt));
        assert!((e.limit - 0.001).abs() < 1e-12);
        let e = Expr::parse("p99(cas.*.*.LOGIN) < 500ms").unwrap();
        assert_eq!(
            e.metric,
            Metric::Latency {
                clock: Clock::Corrected,
                stat: Stat::Percentile(99.0)
            }
        );
        assert_eq!(e.limit, 500_000.0);
        assert!(e.selector.is_some());
        let e = Expr::parse("p99.9(direct.mbx2.*.FETCH_BODY) < 2s").unwrap();
        assert_eq!(e.limit, 2_000_000.0);
        let e = Expr::parse("service.p99(*) < 100ms").unwrap();
        assert!(matches!(
            e.metric,
            Metric::Latency {
                clock: Clock::Service,
                ..
            }
        ));
        let e = Expr::parse("commands.rate > 3000/s").unwrap();
        assert_eq!(
            (e.metric, e.op, e.limit),
            (Metric::CommandRate, Op::Gt, 3000.0)
        );
        let e = Expr::parse("sessions.failed.rate <= 0.01").unwrap();
        assert_eq!((e.op, e.limit), (Op::Le, 0.01));
        let e = Expr::parse("p(95) < 1.5s").unwrap();
        assert_eq!(e.limit, 1_500_000.0);
        assert!(e.selector.is_none());
    }

    #[test]
    fn refuses_what_could_never_be_judged() {
        for (bad, says) in [
            ("errors.rate", "no comparison"),
            ("p99(*) < 500", "unit"),
            ("errors.rate < 5", "percentage"),
            ("errors.rate < 150%", "percentage"),
            ("latency < 1s", "unknown metric"),
            ("p0(*) < 1s", "unknown metric"),
            ("p101 < 1s", "unknown metric"),
            ("sessions.failed.rate(cas.*) < 1%", "not per row"),
            ("p99(cas.*.*.FETCH_BODDY) < 1s", "FETCH_BODDY"),
            ("p99(tunnel.*) < 1s", "cas or direct"),
            ("commands.rate > 3000/m", "per second"),
            ("errors.count < 1.5%", "plain count"),
        ] {
            let e = Expr::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn shows_values_in_the_units_users_write() {
        let rate = Metric::ErrorRate;
        assert_eq!(rate.show(0.0123), "1.23%");
        let p = Metric::Latency {
            clock: Clock::Corrected,
            stat: Stat::Max,
        };
        assert_eq!(p.show(5_763_000.0), "5.763s");
        assert_eq!(p.show(1_500.0), "1.5ms");
    }
}
