//! `[thresholds]` and `--threshold` -> [`ThresholdPlan`]: the run's own
//! pass/fail rules beside the Exchange monitors.
//!
//! ```toml
//! [thresholds]
//! checks = ["p99(cas.*.*.LOGIN) < 500ms", "commands.rate > 3000/s"]
//! max_error_rate = "1%"            # default gate: errors.rate <= 1%
//! max_session_failure_rate = "1%"  # default gate: sessions.failed.rate <= 1%
//! abort_on_fail = false            # stop the run when one is crossed
//! abort_delay = "10s"              # ...but not in the first 10 s of the window
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::expr::{Expr, Metric};
use super::fields::Zero;
use super::scenario::Opt;
use super::span::Ctx;
use crate::error::InputError;
use crate::results::{Origin, Verdict};

/// `[thresholds]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThresholds {
    /// Expressions, e.g. `"p99(cas.*.*.LOGIN) < 500ms"`.
    pub checks: Opt<Vec<Spanned<String>>>,
    /// The command error gate (`"1%"`).
    pub max_error_rate: Opt<String>,
    /// The session failure gate (`"1%"`).
    pub max_session_failure_rate: Opt<String>,
    /// Stop the run when a threshold is crossed.
    pub abort_on_fail: Opt<bool>,
    /// How far into the judged window `abort_on_fail` starts looking.
    pub abort_delay: Opt<String>,
}

/// `"1%"` or `"0.01"` -> 0.01.
fn fraction(ctx: &Ctx, v: &Opt<String>, key: &str) -> Result<f64, InputError> {
    let Some(v) = v else { return Ok(0.01) };
    let text = v.get_ref().trim();
    let parsed = match text.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok().map(|x| x / 100.0),
        None => text.parse::<f64>().ok(),
    };
    match parsed {
        Some(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(ctx.at(
            v.span(),
            key,
            format!("`{text}` is not a share; expected a percentage from 0% to 100% (e.g. \"1%\") or a fraction from 0 to 1"),
        )),
    }
}

/// Builds the thresholds from the scenario's table and the `--threshold` flags.
pub fn build(
    ctx: &Ctx,
    raw: &Opt<RawThresholds>,
    flags: &[String],
    abort_flag: bool,
) -> Result<ThresholdPlan, InputError> {
    let default = RawThresholds::default();
    let t = raw.as_ref().map_or(&default, |r| r.get_ref());
    let mut checks = Vec::new();
    for (i, c) in t.checks.iter().flat_map(|v| v.get_ref()).enumerate() {
        let expr = Expr::parse(c.get_ref())
            .map_err(|m| ctx.at(c.span(), format!("thresholds.checks[{i}]"), m))?;
        checks.push(Threshold {
            expr,
            origin: Origin::Scenario,
        });
    }
    for f in flags {
        let expr = Expr::parse(f).map_err(|m| InputError::new("--threshold", m))?;
        checks.push(Threshold {
            expr,
            origin: Origin::Flag,
        });
    }
    let errors = fraction(ctx, &t.max_error_rate, "thresholds.max_error_rate")?;
    let sessions = fraction(
        ctx,
        &t.max_session_failure_rate,
        "thresholds.max_session_failure_rate",
    )?;
    let mut plan = ThresholdPlan::with(checks, errors, sessions);
    plan.abort_on_fail = abort_flag || t.abort_on_fail.as_ref().is_some_and(|b| *b.get_ref());
    plan.abort_delay = ctx.dur(
        &t.abort_delay,
        "thresholds.abort_delay",
        Zero::Allowed,
        Duration::from_secs(10),
    )?;
    Ok(plan)
}

/// One threshold to judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// The parsed expression.
    pub expr: Expr,
    /// Where it came from.
    pub origin: Origin,
}

/// Every threshold of a run, and whether a crossed one stops it early.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdPlan {
    /// Gates first, then the scenario's, then the flags'.
    pub checks: Vec<Threshold>,
    /// Stop the run when a threshold is crossed (results are still written).
    pub abort_on_fail: bool,
    /// Thresholds are judged for `abort_on_fail` only after this much of the
    /// steady window, so a handful of early commands cannot stop a run.
    pub abort_delay: Duration,
}

impl Default for ThresholdPlan {
    fn default() -> Self {
        ThresholdPlan::with(Vec::new(), 0.01, 0.01)
    }
}

impl ThresholdPlan {
    /// The default gates at the given limits (fractions), plus `checks`; a
    /// check on `errors.rate` or `sessions.failed.rate` over every row
    /// replaces that gate.
    pub fn with(checks: Vec<Threshold>, max_errors: f64, max_session_failures: f64) -> Self {
        let gate = |metric: Metric, name: &str, limit: f64| {
            let text = format!("{name} <= {}", metric.show(limit));
            Threshold {
                expr: Expr::parse(&text).expect("gate expressions parse"),
                origin: Origin::Gate,
            }
        };
        let mut all = Vec::new();
        for (metric, name, limit) in [
            (Metric::ErrorRate, "errors.rate", max_errors),
            (
                Metric::SessionFailRate,
                "sessions.failed.rate",
                max_session_failures,
            ),
        ] {
            if !checks.iter().any(|c| c.expr.replaces_gate(metric)) {
                all.push(gate(metric, name, limit));
            }
        }
        all.extend(checks);
        ThresholdPlan {
            checks: all,
            abort_on_fail: false,
            abort_delay: Duration::from_secs(10),
        }
    }
}

impl ThresholdPlan {
    /// The thresholds a saved run was judged with (`run.json` `verdict`),
    /// re-parsed from their text, so `health` and `merge` judge exactly what
    /// the run did; results written before verdicts existed get the default
    /// gates.
    pub fn saved(verdict: Option<&Verdict>) -> Result<ThresholdPlan, String> {
        let Some(verdict) = verdict else {
            return Ok(ThresholdPlan::default());
        };
        let mut checks = Vec::with_capacity(verdict.thresholds.len());
        for t in &verdict.thresholds {
            let expr =
                Expr::parse(&t.expression).map_err(|e| format!("verdict.thresholds: {e}"))?;
            checks.push(Threshold {
                expr,
                origin: t.origin,
            });
        }
        Ok(ThresholdPlan {
            checks,
            ..ThresholdPlan::default()
        })
    }

    /// Adds `--threshold` expressions given to `health` or `merge`; each
    /// replaces the gate on its metric as in a run.
    pub fn add_flags(&mut self, flags: &[String]) -> Result<(), String> {
        for f in flags {
            let expr = Expr::parse(f)?;
            let gate =
                |t: &Threshold| t.origin == Origin::Gate && expr.replaces_gate(t.expr.metric);
            self.checks.retain(|t| !gate(t));
            self.checks.push(Threshold {
                expr,
                origin: Origin::Flag,
            });
        }
        Ok(())
    }
}
