//! `abort_on_fail`: thresholds judged on every tick while the run goes, and
//! the run stopped (results still written) as soon as one is crossed.
//!
//! Only row thresholds are judged live; session counts and the rules no
//! threshold can turn off are judged at the end, on the whole picture.

use std::sync::Mutex;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::metrics::IntervalStore;

use super::{judge_one, Measured};
use crate::plan::expr::Metric;
use crate::plan::ThresholdPlan;
use crate::results::Aborted;

/// Watches the thresholds during a run.
#[derive(Debug)]
pub struct LiveJudge {
    plan: ThresholdPlan,
    stop: CancellationToken,
    aborted: Mutex<Option<Aborted>>,
}

impl LiveJudge {
    /// A judge that cancels `stop` when a threshold of `plan` is crossed.
    pub fn new(plan: &ThresholdPlan, stop: CancellationToken) -> Self {
        let mut plan = plan.clone();
        plan.checks.retain(|t| {
            !matches!(
                t.expr.metric,
                Metric::SessionFailRate | Metric::SessionFailCount
            )
        });
        LiveJudge {
            plan,
            stop,
            aborted: Mutex::new(None),
        }
    }

    /// Judges the window so far after the interval ending at `now`.
    pub fn tick(&self, store: &IntervalStore, now: Duration) {
        let from = store.window().from;
        if !self.plan.abort_on_fail || self.stop.is_cancelled() {
            return;
        }
        if now < from + self.plan.abort_delay {
            return;
        }
        let m = Measured {
            rows: store.steady_rows(),
            seconds: now.saturating_sub(from).as_secs_f64(),
            ..Default::default()
        };
        let crossed = self.plan.checks.iter().map(|t| judge_one(t, &m)).find(|r| {
            // "No data" yet is not a reason to stop.
            !r.passed && r.measured.is_some()
        });
        if let Some(r) = crossed {
            *self.aborted.lock().expect("abort record") = Some(Aborted {
                at_s: now.as_secs_f64(),
                expression: r.expression,
            });
            self.stop.cancel();
        }
    }

    /// The crossing that stopped the run, if one did.
    pub fn aborted(&self) -> Option<Aborted> {
        self.aborted.lock().expect("abort record").clone()
    }
}
