//! Gathers what monitors read (samples per server, probe attempts) from
//! interval records, the same way for a live run and for saved results.

use std::time::Duration;

use crate::plan::MonitorPlan;
use crate::results::interval::IntervalRecord;
use crate::results::RowKey;
use crate::results::Window;

use super::evaluate::{HealthInput, ServerRole};
use super::feed::{Feed, SampleTable};
use super::rules::Attempt;
use super::samples::{latency_of, queue_of, table_of};

/// One probe attempt as monitors see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeOutcome {
    /// Probe name (`ImapDeepTestProbe`).
    pub probe: String,
    /// Server probed.
    pub server: String,
    /// Finish time and result.
    pub attempt: Attempt,
}

impl From<&crate::probe::ProbeAttempt> for ProbeOutcome {
    fn from(p: &crate::probe::ProbeAttempt) -> Self {
        ProbeOutcome {
            probe: p.kind.name().to_string(),
            server: p.server.clone(),
            attempt: Attempt { at: p.at, ok: p.ok },
        }
    }
}

/// Builds the monitor input from every interval at once (tests, and
/// anything holding a short series). `cas` then `backends` is the queue
/// order of the records. Latency and queue samples come only from intervals
/// inside `window` (warm-up, cool-down and the drain after the stop are
/// measured but not judged); probe attempts are judged whenever they ran.
#[allow(clippy::too_many_arguments)]
pub fn build(
    intervals: &[IntervalRecord],
    row_keys: &[RowKey],
    cas: &[String],
    backends: &[String],
    probes: &[ProbeOutcome],
    plan: &MonitorPlan,
    end: Duration,
    window: &Window,
) -> HealthInput {
    let t = table_of(
        intervals,
        row_keys,
        (cas, backends),
        plan.sample_period,
        end,
        window,
    );
    input_of(t, cas, backends, probes, plan, end)
}

/// The monitor input from a running feed's sums (a run, `health`, `merge`).
pub fn from_feed(
    feed: &Feed,
    (cas, backends): (&[String], &[String]),
    probes: &[ProbeOutcome],
    plan: &MonitorPlan,
    end: Duration,
    window: &Window,
) -> HealthInput {
    input_of(feed.table(window, end), cas, backends, probes, plan, end)
}

/// The monitor input from the sample sums and the probe attempts.
fn input_of(
    t: SampleTable,
    cas: &[String],
    backends: &[String],
    probes: &[ProbeOutcome],
    plan: &MonitorPlan,
    end: Duration,
) -> HealthInput {
    let mut input = HealthInput {
        servers: cas
            .iter()
            .map(|c| (c.clone(), ServerRole::Cas))
            .chain(backends.iter().map(|b| (b.clone(), ServerRole::Backend)))
            .collect(),
        latency: latency_of(&t),
        queue: queue_of(&t, plan.queue_rule),
        behind: t.behind,
        end,
        ..Default::default()
    };
    for p in probes {
        input
            .probes
            .entry((p.probe.clone(), p.server.clone()))
            .or_default()
            .push(p.attempt);
    }
    for attempts in input.probes.values_mut() {
        attempts.sort_by_key(|a| a.at);
    }
    input
}
