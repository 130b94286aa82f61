//! Feeding the exported families from the interval store, once per tick.
//!
//! Nothing here is on the hot path: the recorder's shards are merged on the
//! tick as always, and the store hands this sink each closed interval (its
//! counts, queue figures and row histograms). A scrape only reads what the
//! last tick left, so the endpoint is as fresh as the interval (1 s by
//! default) and costs the sessions nothing.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;

use crate::metrics::sink::IntervalSink;
use crate::metrics::IntervalStore;
use crate::monitor::live::LiveMonitors;
use crate::results::interval::IntervalRecord;
use crate::results::AlertValue;
use crate::results::ErrorReason;
use crate::results::RowHistograms;
use crate::results::RowKey;

use super::families::{ErrorLabels, Families, MonitorLabels, RowLabels, ServerLabels};

/// The labels of a row.
pub fn row_labels(key: &RowKey) -> RowLabels {
    RowLabels {
        path: key.path.label().to_string(),
        server: key.server.clone(),
        backend: key.backend.clone(),
        command: key.command.label().to_string(),
    }
}

/// The labels of a row's errors of one reason.
fn error_labels(row: &RowLabels, reason: ErrorReason) -> ErrorLabels {
    ErrorLabels {
        path: row.path.clone(),
        server: row.server.clone(),
        backend: row.backend.clone(),
        command: row.command.clone(),
        reason: reason.label().to_string(),
    }
}

/// A counter moved up to `total` (counters only grow; a smaller total,
/// which the sources never give, leaves it).
pub(super) fn raise(c: &Counter, total: u64) {
    let now = c.get();
    if total > now {
        c.inc_by(total - now);
    }
}

/// The store's sink that updates the families every interval.
pub struct LiveSink {
    families: Arc<Families>,
    rows: Vec<RowLabels>,
    servers: Vec<String>,
    monitors: Arc<LiveMonitors>,
}

impl LiveSink {
    /// A sink for a store whose rows are `keys` (fixed when the store is
    /// made) and whose queues are of `servers` (CAS then back ends).
    pub fn new(
        families: Arc<Families>,
        keys: &[RowKey],
        servers: Vec<String>,
        monitors: Arc<LiveMonitors>,
    ) -> Self {
        LiveSink {
            families,
            rows: keys.iter().map(row_labels).collect(),
            servers,
            monitors,
        }
    }

    fn server(&self, i: usize) -> ServerLabels {
        ServerLabels {
            server: self.servers.get(i).cloned().unwrap_or_default(),
        }
    }

    fn counts(&self, rec: &IntervalRecord) {
        let f = &self.families;
        for r in &rec.rows {
            let Some(labels) = self.rows.get(r.row) else {
                continue;
            };
            f.commands.get_or_create(labels).inc_by(r.count());
            for reason in ErrorReason::ALL {
                let n = r.errors[reason.index()];
                if n > 0 {
                    f.errors
                        .get_or_create(&error_labels(labels, reason))
                        .inc_by(n);
                }
            }
        }
    }

    fn queues(&self, rec: &IntervalRecord) {
        let f = &self.families;
        for (i, q) in rec.queues.iter().enumerate() {
            let server = self.server(i);
            f.queue.get_or_create(&server).set(q.mean());
            f.queue_max.get_or_create(&server).set(q.max as i64);
            if let (Some(own), Some(busy)) = (q.own_mean(), q.own_busy_sum) {
                f.server_queued.get_or_create(&server).set(own);
                let busy = busy as f64 / f64::from(q.samples.max(1));
                f.server_busy.get_or_create(&server).set(busy);
            }
        }
        f.sessions_active.set(rec.active_sessions as i64);
        f.elapsed.set(rec.end.as_secs_f64());
    }

    fn monitors(&self, now: Duration) {
        let f = &self.families;
        for s in self.monitors.states(now) {
            let labels = MonitorLabels {
                server: s.server,
                monitor: s.monitor,
            };
            let state = match s.state {
                AlertValue::Healthy => 0,
                AlertValue::Degraded => 1,
                AlertValue::Unhealthy => 2,
            };
            f.monitor_state.get_or_create(&labels).set(state);
            f.monitor_threshold.get_or_create(&labels).set(s.threshold);
            if let Some(v) = s.last_value {
                f.monitor_value.get_or_create(&labels).set(v);
            }
            let over = s.last_value.is_some_and(|v| v > s.threshold);
            f.monitor_over.get_or_create(&labels).set(i64::from(over));
        }
    }
}

impl IntervalSink for LiveSink {
    fn interval(&mut self, rec: &IntervalRecord, keys: &[RowKey]) {
        self.counts(rec);
        self.queues(rec);
        if let Ok(mut feed) = self.monitors.feed().lock() {
            feed.add(rec, keys);
        }
        self.monitors(rec.end);
    }

    fn row_histograms(&mut self, row: usize, h: &RowHistograms) {
        let Some(labels) = self.rows.get(row) else {
            return;
        };
        let f = &self.families;
        (f.latency.get_or_create(labels)).add(&h.corrected, Some(h.corrected_sum_us));
        f.service.get_or_create(labels).add(&h.service, None);
    }
}

/// The figures the store holds beside its intervals (session counts, the
/// open-model generator), set after every tick; `cap` is the run's
/// `max_sessions` for the saturation rule.
pub fn after_tick(families: &Families, store: &IntervalStore, cap: usize) {
    let sessions = store.sessions();
    raise(&families.sessions_started, sessions.started);
    raise(&families.sessions_failed, sessions.failed);
    let g = store.generator();
    raise(&families.arrivals, g.arrivals);
    raise(&families.arrivals_not_started, g.not_started);
    families.backlog_max.set(g.max_backlog as i64);
    families.saturated.set(i64::from(g.saturated(cap)));
}

/// Judges the run's thresholds on the steady window up to `now`, as the end of the run
/// will (a threshold with nothing to measure yet shows 0, not passing, as it would fail).
pub fn thresholds(
    families: &Families,
    plan: &crate::plan::ThresholdPlan,
    store: &IntervalStore,
    now: Duration,
) {
    let from = store.window().from;
    let m = crate::verdict::Measured {
        rows: store.steady_rows(),
        sessions: store.sessions(),
        seconds: now.saturating_sub(from).as_secs_f64(),
    };
    for t in &plan.checks {
        let r = crate::verdict::judge_one(t, &m);
        let labels = super::families::ThresholdLabels {
            threshold: r.expression,
        };
        (families.threshold_passing.get_or_create(&labels)).set(i64::from(r.passed));
        if let Some(v) = r.measured {
            families.threshold_measured.get_or_create(&labels).set(v);
        }
    }
}
