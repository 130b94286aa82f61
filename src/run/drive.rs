//! Driving the load: faults and probes on their own schedules beside the
//! engine, the interval store streaming the interval logs, the progress line
//! and `abort_on_fail` on every tick; then everything gathered once the
//! engine has stopped and the embedded servers are down.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::engine::{self, EngineOutcome};
use crate::error::Failure;
use crate::metrics::hlog::Hlog;
use crate::metrics::{IntervalStore, Layout, Recorder};
use crate::plan::RunPlan;
use crate::probe::ProbeAttempt;
use crate::report::progress::Progress;
use crate::report::ResultsDir;
use crate::results::files;
use crate::sim::faults::{self, FaultEvent};
use crate::verdict::live::LiveJudge;
use crate::verdict::Aborted;

use super::targets::{probe_targets, Started};

/// What the load produced, before it is judged.
pub struct Driven {
    /// The engine's account of the run.
    pub outcome: EngineOutcome,
    /// Every interval and the run totals.
    pub store: Arc<Mutex<IntervalStore>>,
    /// Probe attempts.
    pub probes: Vec<ProbeAttempt>,
    /// Faults applied and reverted.
    pub faults: Vec<FaultEvent>,
    /// The crossing that stopped the run early (`abort_on_fail`).
    pub aborted: Option<Aborted>,
}

impl Driven {
    /// The store, checked: an interval log that failed to write fails the run.
    pub fn store(&self) -> Result<MutexGuard<'_, IntervalStore>, Failure> {
        let store = self.store.lock().expect("store");
        if let Some(e) = store.hlog_error() {
            return Err(Failure::Run(anyhow::anyhow!(
                "writing latency.hlog failed: {e}"
            )));
        }
        Ok(store)
    }
}

/// An interval store streaming both interval logs into `dir`.
fn store_of(layout: &Layout, dir: &ResultsDir) -> Result<IntervalStore, Failure> {
    let mut store = IntervalStore::new(layout.clone());
    let now = std::time::SystemTime::now();
    store.set_hlog(Hlog::create(&dir.path().join(files::LATENCY_HLOG), now)?);
    let service = dir.path().join(files::SERVICE_HLOG);
    store.set_service_hlog(Hlog::create_of(&service, now, "service time")?);
    Ok(store)
}

/// Runs the load of `plan` against `started` until its end or `interrupt`.
pub async fn drive(
    plan: &RunPlan,
    started: Started,
    dir: &ResultsDir,
    interrupt: CancellationToken,
) -> Result<Driven, Failure> {
    let Started {
        topology,
        targets,
        tls,
        layout,
    } = started;
    let start = Instant::now();
    let side_stop = CancellationToken::new();
    let fault_log = topology
        .as_ref()
        .filter(|_| !plan.faults.is_empty())
        .map(|t| faults::schedule(t, &plan.faults, start, side_stop.clone()));
    let probe_run = plan.probes.enabled.then(|| {
        crate::probe::schedule(
            &plan.probes,
            probe_targets(&targets.cas, &plan.users, false),
            probe_targets(&targets.backends, &plan.users, true),
            tls.clone(),
            start,
            plan.seed,
            side_stop.clone(),
        )
    });
    let store = Arc::new(Mutex::new(store_of(&layout, dir)?));
    let recorder = Recorder::new(Arc::new(layout));
    let quiet = plan.output.quiet;
    let progress = Progress::new(plan.duration, plan.load.warmup, plan.monitors.clone());
    let live = progress.clone();
    // A crossed threshold (abort_on_fail) stops the run like an interrupt.
    let stop = interrupt.child_token();
    let judge = Arc::new(LiveJudge::new(&plan.thresholds, stop.clone()));
    let ticked = judge.clone();
    let on_tick = move |s: &IntervalStore, now: Duration| {
        if !quiet {
            live.print(s, now);
        }
        ticked.tick(s, now);
    };
    let outcome = engine::run(plan, targets, tls, recorder, store.clone(), stop, on_tick).await;
    if !quiet {
        progress.finish();
    }
    side_stop.cancel();
    let mut probes = Vec::new();
    if let Some((handle, log)) = probe_run {
        let _ = tokio::time::timeout(Duration::from_secs(3), handle).await;
        probes = log.lock().expect("probe log").clone();
    }
    let mut fault_events = Vec::new();
    if let Some((handle, log)) = fault_log {
        let _ = tokio::time::timeout(Duration::from_secs(1), handle).await;
        fault_events = log.lock().expect("fault log").clone();
    }
    if let Some(t) = topology {
        t.shutdown().await;
    }
    Ok(Driven {
        outcome,
        store,
        probes,
        faults: fault_events,
        aborted: judge.aborted(),
    })
}
