//! The engine's side tasks while the load runs: queue-depth readings ten
//! times a second, the stop control (soft stop at the deadline or on an
//! interrupt, hard stop after a grace period), and the interval ticks that
//! drain the recorder into the store.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::metrics::IntervalStore;
use crate::plan::RunPlan;
use crate::results::QueueStats;
use crate::results::Window;

use super::{Ctx, OwnQueue};

/// Queue figures gathered since the last tick, one per server in layout
/// order, with each server's own-queue reader (embedded servers only).
#[derive(Clone)]
pub struct QueueNow {
    stats: Arc<Mutex<Vec<QueueStats>>>,
    own: Arc<Vec<Option<OwnQueue>>>,
}

impl QueueNow {
    /// Empty figures for the servers of `ctx`.
    pub fn new(ctx: &Ctx) -> Self {
        let layout = ctx.recorder.layout();
        let own: Vec<Option<OwnQueue>> = ctx
            .targets
            .cas
            .iter()
            .chain(ctx.targets.backends.iter())
            .map(|t| t.own_queue.clone())
            // Back ends behind a CAS only (no URL, no target) report no queue of their own.
            .chain(std::iter::repeat(None))
            .take(layout.cas_names.len() + layout.backend_names.len())
            .collect();
        QueueNow {
            stats: Arc::new(Mutex::new(vec![QueueStats::default(); own.len()])),
            own: Arc::new(own),
        }
    }

    /// Takes the figures gathered since the last tick, leaving zeroes.
    pub fn take(&self) -> Vec<QueueStats> {
        let mut q = self.stats.lock().expect("queue stats");
        let n = q.len();
        std::mem::replace(&mut *q, vec![QueueStats::default(); n])
    }
}

/// Queue depth, 10 readings a second, until the hard stop.
pub fn sample_queues(ctx: Arc<Ctx>, queue_now: QueueNow) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(100));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = ctx.hard_stop.cancelled() => return,
            }
            let depths = ctx.queues.read();
            let mut q = queue_now.stats.lock().expect("queue stats");
            for (i, d) in depths.into_iter().enumerate() {
                let own = queue_now.own[i].as_ref().map(|f| (f.0)());
                q[i].add(d, own);
            }
        }
    })
}

/// How the load stopped: interrupted or not, and when (µs since the start).
pub struct Stop {
    /// The run was interrupted (Ctrl-C, SIGTERM, a crossed threshold).
    pub interrupted: Arc<AtomicBool>,
    /// When the load stopped: the deadline unless interrupted earlier.
    pub load_end_us: Arc<AtomicU64>,
}

impl Stop {
    /// Not stopped yet; the load ends at the plan's duration.
    pub fn new(plan: &RunPlan) -> Self {
        Stop {
            interrupted: Arc::new(AtomicBool::new(false)),
            load_end_us: Arc::new(AtomicU64::new(plan.duration.as_micros() as u64)),
        }
    }
}

/// Stop control: soft stop at the deadline or on interrupt, hard stop after a grace period.
pub fn stop_at_the_end(
    ctx: Arc<Ctx>,
    stop: &Stop,
    plan: &RunPlan,
    interrupt: CancellationToken,
    start: Instant,
) -> JoinHandle<()> {
    let (interrupted, load_end_us) = (stop.interrupted.clone(), stop.load_end_us.clone());
    let normal_grace =
        plan.session.command_timeout.min(Duration::from_secs(10)) + Duration::from_millis(500);
    tokio::spawn(async move {
        let grace = tokio::select! {
            _ = tokio::time::sleep_until(ctx.deadline.into()) => normal_grace,
            _ = interrupt.cancelled() => {
                interrupted.store(true, Ordering::Relaxed);
                load_end_us.store(start.elapsed().as_micros() as u64, Ordering::Relaxed);
                Duration::from_secs(2)
            }
        };
        ctx.stop_soft();
        tokio::time::sleep(grace).await;
        ctx.stop_hard();
    })
}

/// What the interval ticks work on.
pub struct Ticks<W: Fn() -> Window + Send + 'static> {
    /// Where intervals go.
    pub store: Arc<Mutex<IntervalStore>>,
    /// Queue figures to close each interval with.
    pub queue_now: QueueNow,
    /// The interval length.
    pub interval: Duration,
    /// The run's start.
    pub start: Instant,
    /// The steady window as known at each tick.
    pub steady: W,
}

/// Interval ticks until the hard stop: drain the recorder, close the interval,
/// show it to `on_tick`.
pub fn tick<W: Fn() -> Window + Send + 'static>(
    ctx: Arc<Ctx>,
    t: Ticks<W>,
    on_tick: impl Fn(&IntervalStore, Duration) + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = Duration::ZERO;
        let mut next = t.start + t.interval;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {}
                _ = ctx.hard_stop.cancelled() => return,
            }
            let now = next.duration_since(t.start);
            let queues = t.queue_now.take();
            let mut s = t.store.lock().expect("store");
            s.set_window((t.steady)());
            let active = ctx.counters.active.load(Ordering::Relaxed);
            s.set_sessions(tally(&ctx.counters));
            s.set_generator(ctx.generator.report());
            s.tick(&ctx.recorder, last, now, active, queues);
            on_tick(&s, now);
            drop(s);
            last = now;
            next += t.interval;
        }
    })
}

/// The session counts now, for the store's `run.json` checkpoints.
pub fn tally(c: &super::SessionCounters) -> crate::results::SessionTally {
    crate::results::SessionTally {
        started: c.started.load(Ordering::Relaxed),
        completed: c.completed.load(Ordering::Relaxed),
        failed: c.failed.load(Ordering::Relaxed),
        aborted: c.aborted.load(Ordering::Relaxed),
    }
}
