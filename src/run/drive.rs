//! Driving the load: faults and probes on their own schedules beside the
//! engine; the interval store streaming the time series and interval logs
//! into the results directory; on every tick the progress line,
//! `abort_on_fail`, a `run.json` checkpoint every few seconds, and a stop
//! on the first write error; then everything gathered once the engine has
//! stopped and the embedded servers are down.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::engine::{self, EngineOutcome};
use crate::error::Failure;
use crate::metrics::{IntervalStore, Layout, Recorder};
use crate::monitor::feed::Feed;
use crate::monitor::sinks::SettlingFeed;
use crate::monitor::sinks::SharedFeed;
use crate::plan::RunPlan;
use crate::probe::ProbeAttempt;
use crate::report::progress::Progress;
use crate::results::files;
use crate::results::hlog::write::Hlog;
use crate::results::series_write::SeriesWriter;
use crate::results::Aborted;
use crate::results::ResultsDir;
use crate::sim::faults::{self, FaultEvent};
use crate::verdict::live::LiveJudge;

use super::checkpoint::Checkpoint;
use super::targets::{probe_targets, Started};

/// What the load produced, before it is judged.
pub struct Driven {
    /// The engine's account of the run.
    pub outcome: EngineOutcome,
    /// The run totals and the latest interval (the others are on disk).
    pub store: Arc<Mutex<IntervalStore>>,
    /// The monitors' running sums over the whole run.
    pub feed: Arc<Mutex<Feed>>,
    /// Probe attempts.
    pub probes: Vec<ProbeAttempt>,
    /// Faults applied and reverted.
    pub faults: Vec<FaultEvent>,
    /// The crossing that stopped the run early (`abort_on_fail`).
    pub aborted: Option<Aborted>,
    /// The write error that stopped the run (the file and the OS error).
    pub write_error: Option<String>,
}

/// An interval store streaming the interval logs and the time series into
/// `dir`, and every interval into the monitors' sums over the whole run
/// (returned) and into `live` (the progress line's).
fn store_of(
    plan: &RunPlan,
    layout: &Layout,
    dir: &ResultsDir,
    live: SharedFeed,
    now: std::time::SystemTime,
) -> Result<(IntervalStore, Arc<Mutex<Feed>>), Failure> {
    let cooldown = plan.load.cooldown.unwrap_or_default();
    let (cas, backends) = (&layout.cas_names, &layout.backend_names);
    let feed = Feed::new(cas, backends, plan.monitors.sample_period, cooldown);
    let feed = Arc::new(Mutex::new(feed));
    let mut store = IntervalStore::new(layout.clone());
    store.set_hlog(Hlog::create(&dir.path().join(files::LATENCY_HLOG), now)?);
    let service = dir.path().join(files::SERVICE_HLOG);
    store.set_service_hlog(Hlog::create_of(&service, now, "service time")?);
    let servers = layout.cas_names.iter().chain(&layout.backend_names);
    let series = SeriesWriter::create(dir.path(), plan.interval, servers.cloned().collect(), now)?;
    store.add_sink(Box::new(series));
    let window =
        crate::results::Window::steady(plan.load.warmup, plan.load.cooldown, plan.duration);
    let settling = SettlingFeed {
        feed: feed.clone(),
        window,
    };
    store.add_sink(Box::new(settling));
    // Quiet runs print no progress line, whose sums would then never settle.
    if !plan.output.quiet {
        store.add_sink(Box::new(live));
    }
    store.set_window(window);
    Ok((store, feed))
}

/// The live metrics' sink: the store's rows and queues, and monitors of its own
/// (judged like the progress line's, also when the run is quiet).
fn live_sink(
    plan: &RunPlan,
    layout: &Layout,
    store: &IntervalStore,
    live: &crate::live::LiveRun,
) -> crate::live::sink::LiveSink {
    let servers = layout.cas_names.iter().chain(&layout.backend_names);
    let monitors =
        crate::monitor::live::LiveMonitors::new(plan.load.warmup, plan.monitors.clone(), layout);
    crate::live::sink::LiveSink::new(
        live.families.clone(),
        store.row_keys(),
        servers.cloned().collect(),
        Arc::new(monitors),
    )
}

/// What every tick does besides closing the interval: the progress line,
/// the live endpoint, the abort_on_fail judge, settling the monitors'
/// sums, and checkpoints; a failed write (of an interval or a checkpoint)
/// stops the run.
struct TickHook {
    progress: Option<Progress>,
    live: Option<Arc<crate::live::LiveRun>>,
    judge: Arc<LiveJudge>,
    feed: Arc<Mutex<Feed>>,
    write_error: WriteError,
    stop: CancellationToken,
    checkpoint: Checkpoint,
}

impl TickHook {
    fn into_fn(self) -> impl Fn(&IntervalStore, Duration) + Send + 'static {
        move |s: &IntervalStore, now: Duration| {
            if let Some(p) = &self.progress {
                p.print(s, now);
            }
            if let Some(e) = &self.live {
                e.after_tick(s);
            }
            self.judge.tick(s, now);
            if let Ok(mut f) = self.feed.lock() {
                f.settle(&s.window(), now);
            }
            self.write_error.stop_on(s.write_error(), &self.stop);
            let failed_checkpoint = self.checkpoint.maybe(s, now).err();
            (self.write_error).stop_on(failed_checkpoint.map(|e| format!("{e:#}")), &self.stop);
        }
    }
}

/// The first write error, kept once and stopping the run like an interrupt.
#[derive(Clone, Default)]
struct WriteError(Arc<Mutex<Option<String>>>);

impl WriteError {
    fn stop_on(&self, e: Option<String>, stop: &CancellationToken) {
        let Some(e) = e else { return };
        if let Ok(mut first) = self.0.lock() {
            if first.is_none() {
                *first = Some(e);
                stop.cancel();
            }
        }
    }

    fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut e| e.take())
    }
}

type FaultLog = (tokio::task::JoinHandle<()>, Arc<Mutex<Vec<FaultEvent>>>);
type ProbeLog = (tokio::task::JoinHandle<()>, Arc<Mutex<Vec<ProbeAttempt>>>);

/// Starts the faults and the probes on their own schedules beside the load.
fn side_tasks(
    plan: &RunPlan,
    topology: &Option<crate::sim::Topology>,
    targets: &engine::Targets,
    tls: &crate::imap::tls::TlsClient,
    start: Instant,
    side_stop: &CancellationToken,
) -> (Option<FaultLog>, Option<ProbeLog>) {
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
    (fault_log, probe_run)
}

/// Waits (briefly) for the probes and faults to end and takes their logs.
async fn gather(
    probe_run: Option<ProbeLog>,
    fault_log: Option<FaultLog>,
) -> (Vec<ProbeAttempt>, Vec<FaultEvent>) {
    let mut probes = Vec::new();
    if let Some((handle, log)) = probe_run {
        let _ = tokio::time::timeout(Duration::from_secs(3), handle).await;
        probes = log.lock().map(|l| l.clone()).unwrap_or_default();
    }
    let mut fault_events = Vec::new();
    if let Some((handle, log)) = fault_log {
        let _ = tokio::time::timeout(Duration::from_secs(1), handle).await;
        fault_events = log.lock().map(|l| l.clone()).unwrap_or_default();
    }
    (probes, fault_events)
}

/// Runs the load of `plan` against `started` until its end or `interrupt`.
pub async fn drive(
    plan: &RunPlan,
    started: Started,
    dir: &ResultsDir,
    checkpoint: Checkpoint,
    interrupt: CancellationToken,
    external: Option<engine::scripted::External>,
    live: Option<Arc<crate::live::LiveRun>>,
) -> Result<Driven, Failure> {
    let Started {
        topology,
        targets,
        tls,
        layout,
    } = started;
    let start = Instant::now();
    let side_stop = CancellationToken::new();
    let (fault_log, probe_run) = side_tasks(plan, &topology, &targets, &tls, start, &side_stop);
    let progress = Progress::new(
        plan.duration,
        plan.load.warmup,
        plan.monitors.clone(),
        &layout,
    );
    let clock = engine::RunClock::now();
    let (mut store, feed) = store_of(plan, &layout, dir, progress.sink(), clock.wall)?;
    if let Some(live) = &live {
        store.add_sink(Box::new(live_sink(plan, &layout, &store, live)));
    }
    let checkpoint = checkpoint.with_probes(probe_run.as_ref().map(|(_, log)| log.clone()));
    checkpoint.write(&store, Duration::ZERO)?;
    let store = Arc::new(Mutex::new(store));
    let recorder = Recorder::new(Arc::new(layout));
    // A crossed threshold (abort_on_fail) or a failed write stops the run like an interrupt.
    let stop = interrupt.child_token();
    let judge = Arc::new(LiveJudge::new(&plan.thresholds, stop.clone()));
    let write_error = WriteError::default();
    let personas = plan.population.as_ref().map(engine::persona::tallies);
    if let (Some(live), Some(tallies)) = (&live, &personas) {
        live.watch_personas(tallies.clone());
    }
    let on_tick = TickHook {
        progress: (!plan.output.quiet).then(|| progress.clone()),
        live,
        judge: judge.clone(),
        feed: feed.clone(),
        write_error: write_error.clone(),
        stop: stop.clone(),
        checkpoint,
    }
    .into_fn();
    let parts = engine::RunParts {
        targets,
        tls,
        recorder,
        store: store.clone(),
        interrupt: stop,
        clock,
        personas,
    };
    let outcome = engine::run_with(plan, parts, on_tick, external).await;
    if !plan.output.quiet {
        progress.finish();
    }
    side_stop.cancel();
    let (probes, fault_events) = gather(probe_run, fault_log).await;
    if let Some(t) = topology {
        t.shutdown().await;
    }
    let last_error = store.lock().ok().and_then(|s| s.write_error());
    Ok(Driven {
        outcome,
        store,
        feed,
        probes,
        faults: fault_events,
        aborted: judge.aborted(),
        write_error: write_error.take().or(last_error),
    })
}
