//! The run's overall verdict: thresholds (k6-style expressions over the
//! measured rows) and the default error gates, judged on the steady window.
//!
//! The Exchange monitors keep Exchange's meaning (AlertValue per server and
//! monitor); this is the other question a load test answers: did the run
//! itself pass? A run in which more than 1% of commands or sessions failed,
//! in which every session failed, or in which nothing was measured, never
//! passes, whatever the monitors say.

pub mod expr;
pub mod files;
pub mod live;
pub mod measure;
pub mod select;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::metrics::Window;

pub use expr::{Expr, Metric};
pub use measure::{Measured, SessionTally};

/// Exit code of a run (or `health`, `merge`) whose verdict failed.
pub const EXIT_FAILED: i32 = 5;

/// Where a threshold came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A default error gate (`[thresholds] max_error_rate` /
    /// `max_session_failure_rate`), replaced by a scenario or flag threshold
    /// on the same metric over every row.
    Gate,
    /// The scenario's `[thresholds] checks`.
    Scenario,
    /// `--threshold` on the command line.
    Flag,
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

/// One threshold judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    /// The expression as written.
    pub expression: String,
    /// Where it came from.
    pub origin: Origin,
    /// The measured value in the metric's base unit (fraction, µs, per second,
    /// count); `null` when there was nothing to measure.
    pub measured: Option<f64>,
    /// The measured value as users write it (`0.42%`, `612.3ms`), or `no data`.
    pub shown: String,
    /// Whether it held.
    pub passed: bool,
}

/// The overall verdict of a run, as `run.json` `verdict` records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether the run passed.
    pub passed: bool,
    /// Why it failed, one line each (empty when it passed).
    pub reasons: Vec<String>,
    /// Every threshold judged, gates first.
    pub thresholds: Vec<ThresholdResult>,
    /// The steady window the thresholds were judged on.
    pub window: Window,
    /// When `abort_on_fail` stopped the run: seconds since the start and the
    /// threshold that stopped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aborted: Option<Aborted>,
}

/// A run stopped early by a crossed threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aborted {
    /// Seconds since the start.
    pub at_s: f64,
    /// The threshold that was crossed.
    pub expression: String,
}

/// Judges one threshold.
pub fn judge_one(t: &Threshold, m: &Measured) -> ThresholdResult {
    let measured = m.value(&t.expr);
    ThresholdResult {
        expression: t.expr.text.clone(),
        origin: t.origin,
        measured,
        shown: measured.map_or_else(|| "no data".to_string(), |v| t.expr.metric.show(v)),
        passed: measured.is_some_and(|v| t.expr.op.holds(v, t.expr.limit)),
    }
}

/// Judges every threshold and the rules no threshold can turn off.
pub fn judge(plan: &ThresholdPlan, m: &Measured, window: Window) -> Verdict {
    let thresholds: Vec<ThresholdResult> = plan.checks.iter().map(|t| judge_one(t, m)).collect();
    let mut reasons = Vec::new();
    let s = m.sessions;
    // Sessions that have not ended yet (a directory read while its run is
    // going, or left by a SIGKILL) neither completed nor failed: no ended
    // session at all says nothing either way.
    if s.started > 0 && s.completed == 0 && s.failed + s.aborted > 0 {
        reasons.push(match s.aborted {
            0 if s.failed == s.started => {
                format!("every session failed ({} of {})", s.failed, s.started)
            }
            n => format!(
                "no session completed ({} failed, {n} cut short by the end of the run, of {})",
                s.failed, s.started
            ),
        });
    }
    if m.succeeded() == 0 {
        reasons.push(if m.commands() == 0 {
            "no command was measured in the judged window".to_string()
        } else {
            format!("no command succeeded ({} failed)", m.commands())
        });
    }
    for t in thresholds.iter().filter(|t| !t.passed) {
        reasons.push(format!("{} (measured {})", t.expression, t.shown));
    }
    Verdict {
        passed: reasons.is_empty(),
        reasons,
        thresholds,
        window,
        aborted: None,
    }
}

/// Judges a finished run (or a merge) from its store: the rows of the steady
/// window, the sessions and the window's length; `aborted` is the crossing
/// that stopped it early, which fails it whatever the rest says.
pub fn judge_run(
    plan: &ThresholdPlan,
    store: &crate::metrics::IntervalStore,
    outcome: &crate::engine::EngineOutcome,
    aborted: Option<Aborted>,
) -> Verdict {
    let measured = Measured {
        rows: store.steady_rows(),
        sessions: outcome.sessions,
        seconds: outcome.window.length(outcome.elapsed).as_secs_f64(),
    };
    let mut verdict = judge(plan, &measured, outcome.window);
    if let Some(a) = aborted {
        verdict.stopped_by(a);
    }
    verdict
}

impl Verdict {
    /// Marks the verdict failed by `abort_on_fail`'s crossing, first among the reasons.
    pub fn stopped_by(&mut self, a: Aborted) {
        self.passed = false;
        self.reasons.insert(
            0,
            format!("stopped at {:.1} s: {} was crossed", a.at_s, a.expression),
        );
        self.aborted = Some(a);
    }

    /// The exit code this verdict asks for (0 when it passed).
    pub fn exit_code(&self) -> i32 {
        if self.passed {
            0
        } else {
            EXIT_FAILED
        }
    }

    /// The threshold lines and the verdict line, for the terminal.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let w = self.window;
        let to = if w.to == Duration::MAX {
            "the end".to_string()
        } else {
            format!("{:.1} s", w.to.as_secs_f64())
        };
        let _ = writeln!(
            out,
            "thresholds (judged from {:.1} s to {to}; warm-up and drain left out):",
            w.from.as_secs_f64()
        );
        let width = self
            .thresholds
            .iter()
            .map(|t| t.expression.len())
            .max()
            .unwrap_or(0);
        for t in &self.thresholds {
            let _ = writeln!(
                out,
                "  {} {:width$}  {:>12}{}",
                if t.passed { "✓" } else { "✗" },
                t.expression,
                t.shown,
                if t.origin == Origin::Gate {
                    "  (default gate)"
                } else {
                    ""
                },
            );
        }
        if let Some(a) = &self.aborted {
            let _ = writeln!(
                out,
                "ABORTED at {:.1} s: {} was crossed (abort_on_fail)",
                a.at_s, a.expression
            );
        }
        if self.passed {
            let _ = writeln!(out, "verdict: PASSED");
        } else {
            let _ = writeln!(out, "verdict: FAILED — {}", self.reasons.join("; "));
        }
        out
    }
}

#[cfg(test)]
mod tests;
