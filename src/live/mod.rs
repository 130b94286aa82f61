//! Live metrics: a Prometheus/OpenMetrics endpoint (`--metrics-listen`)
//! while a run (or `imapload serve`) goes, so operators can watch imapload in
//! Grafana beside their servers' own metrics.
//!
//! The families (prefix `imapload_`) are updated from the interval store's
//! tick ([`sink::LiveSink`]), never from a session's hot path; a scrape
//! encodes what the last tick left. `deploy/grafana/imapload.json` is a
//! dashboard on them.

pub mod buckets;
pub mod families;
pub mod http;
pub mod personas;
pub mod serve;
pub mod sink;

use std::net::SocketAddr;
use std::sync::Arc;

pub use families::Families;

/// The endpoint of one run and the families it exports.
pub struct LiveRun {
    /// The families the store's sink updates.
    pub families: Arc<Families>,
    /// The running endpoint (stops when dropped).
    pub endpoint: http::Endpoint,
    /// `max_sessions`, for the saturation rule.
    cap: usize,
    /// The run's thresholds, judged live every [`THRESHOLDS_EVERY`].
    thresholds: crate::plan::ThresholdPlan,
    /// When they were last judged (run time).
    judged: std::sync::Mutex<Option<std::time::Duration>>,
    /// A population run's persona counters, once the run has made them.
    personas: std::sync::OnceLock<Arc<Vec<crate::engine::persona::Tally>>>,
}

/// How often the thresholds are judged live: each judging adds up the steady window's
/// histograms of every row, too much to do every interval of a big run.
pub const THRESHOLDS_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

impl LiveRun {
    /// Starts the endpoint for a run of `plan` on `addr`.
    pub async fn start(plan: &crate::plan::RunPlan, addr: SocketAddr) -> std::io::Result<LiveRun> {
        let families = Arc::new(Families::default());
        let run = families::RunLabels {
            scenario: plan.name.clone(),
            seed: plan.seed.to_string(),
            shard: plan
                .shard
                .as_ref()
                .map_or("1/1".to_string(), |s| s.shard.to_string()),
        };
        let registry = Arc::new(families.register(Some(run)));
        let endpoint = http::start(addr, registry).await?;
        Ok(LiveRun {
            families,
            endpoint,
            cap: plan.load.max_sessions,
            thresholds: plan.thresholds.clone(),
            judged: std::sync::Mutex::new(None),
            personas: std::sync::OnceLock::new(),
        })
    }

    /// Exports the persona counters of a population run from now on (after each tick).
    pub fn watch_personas(&self, tallies: Arc<Vec<crate::engine::persona::Tally>>) {
        let _ = self.personas.set(tallies);
    }

    /// Updates what the store holds beside its intervals, after each tick, and the
    /// thresholds' status every [`THRESHOLDS_EVERY`].
    pub fn after_tick(&self, store: &crate::metrics::IntervalStore) {
        sink::after_tick(&self.families, store, self.cap);
        if let Some(tallies) = self.personas.get() {
            self.families.personas.update(tallies);
        }
        let Some(now) = store.last_interval().map(|r| r.end) else {
            return;
        };
        let Ok(mut judged) = self.judged.lock() else {
            return;
        };
        if judged.is_some_and(|at| now < at + THRESHOLDS_EVERY) {
            return;
        }
        *judged = Some(now);
        sink::thresholds(&self.families, &self.thresholds, store, now);
    }
}
