//! What thresholds are judged on: the rows' histograms over the steady
//! window, the sessions, and the window's length. Built from a live run's
//! interval store or from a saved results directory, then judged the same way.

use std::collections::BTreeMap;
use std::sync::Arc;

use hdrhistogram::Histogram;

use crate::results::histograms::SIGFIG;
use crate::results::RowHistograms;
use crate::results::RowKey;
pub use crate::results::SessionTally;

use crate::plan::expr::{Clock, Expr, Metric, Stat};
use crate::plan::select::Selector;

/// The measurements one verdict judges.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// Each row's commands within the steady window, shared with the live
    /// store that holds them (judging copies no histogram).
    pub rows: BTreeMap<RowKey, Arc<RowHistograms>>,
    /// Sessions of the whole run (a session spans intervals, so windows do not cut it).
    pub sessions: SessionTally,
    /// Length of the steady window in seconds (for `commands.rate`).
    pub seconds: f64,
}

/// Sums of the selected rows.
struct Picked {
    count: u64,
    errors: u64,
    ok: u64,
    corrected_sum_us: u64,
    hist: Histogram<u64>,
}

impl Measured {
    /// The selected rows added up; `clock` picks the histogram to add.
    fn pick(&self, selector: Option<&Selector>, clock: Clock) -> Picked {
        let all = Selector::all();
        let mut p = Picked {
            count: 0,
            errors: 0,
            ok: 0,
            corrected_sum_us: 0,
            hist: Histogram::new(SIGFIG).expect("3 significant figures is valid"),
        };
        for (_, r) in selector.unwrap_or(&all).rows(&self.rows) {
            p.count += r.count();
            p.errors += r.error_count();
            p.ok += r.ok();
            p.corrected_sum_us += r.corrected_sum_us;
            let h = match clock {
                Clock::Corrected => &r.corrected,
                Clock::Service => &r.service,
            };
            p.hist.add(h).expect("auto-resizing histograms add");
        }
        p
    }

    /// The expression's measured value; `None` when there is nothing to
    /// measure (no commands, no sessions, an empty window), which fails it.
    pub fn value(&self, e: &Expr) -> Option<f64> {
        let sel = e.selector.as_ref();
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        match e.metric {
            Metric::ErrorRate => {
                let p = self.pick(sel, Clock::Corrected);
                ratio(p.errors, p.count)
            }
            Metric::ErrorCount => Some(self.pick(sel, Clock::Corrected).errors as f64),
            Metric::CommandCount => Some(self.pick(sel, Clock::Corrected).count as f64),
            Metric::CommandRate => {
                let p = self.pick(sel, Clock::Corrected);
                (self.seconds > 0.0).then(|| p.count as f64 / self.seconds)
            }
            Metric::SessionFailRate => ratio(self.sessions.failed, self.sessions.started),
            Metric::SessionFailCount => Some(self.sessions.failed as f64),
            Metric::Latency { clock, stat } => {
                let p = self.pick(sel, clock);
                if p.hist.is_empty() {
                    return None;
                }
                Some(match (stat, clock) {
                    (Stat::Percentile(q), _) => p.hist.value_at_quantile(q / 100.0) as f64,
                    (Stat::Max, _) => p.hist.max() as f64,
                    // The exact sum, not bucket midpoints, where it is kept.
                    (Stat::Mean, Clock::Corrected) => p.corrected_sum_us as f64 / p.ok as f64,
                    (Stat::Mean, Clock::Service) => p.hist.mean(),
                })
            }
        }
    }

    /// Commands in the window, each once.
    pub fn commands(&self) -> u64 {
        self.pick(None, Clock::Corrected).count
    }

    /// Successful commands in the window, each once.
    pub fn succeeded(&self) -> u64 {
        self.pick(None, Clock::Corrected).ok
    }
}
