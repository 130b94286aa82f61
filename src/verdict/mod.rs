//! The run's overall verdict: thresholds (k6-style expressions over the
//! measured rows) and the default error gates, judged on the steady window.
//!
//! The Exchange monitors keep Exchange's meaning (AlertValue per server and
//! monitor); this is the other question a load test answers: did the run
//! itself pass? A run in which more than 1% of commands or sessions failed,
//! in which every session failed, or in which nothing was measured, never
//! passes, whatever the monitors say.

pub mod files;
pub mod live;
pub mod measure;

use std::time::Duration;

use crate::results::Window;

use crate::plan::{Threshold, ThresholdPlan};
use crate::results::{Aborted, Origin, ThresholdResult, Verdict};
pub use measure::Measured;

/// Exit code of a run (or `health`, `merge`) whose verdict failed.
pub const EXIT_FAILED: i32 = 5;

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
