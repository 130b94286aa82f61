//! What the engine reports when a run ends, from its counters, and the
//! steady window thresholds and monitors judge.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::plan::{LoadModel, RunPlan};
use crate::results::{SessionTally, Window};

use super::{tasks, Ctx, EngineOutcome};

/// What the engine reports, from the counters at the end.
pub(super) fn outcome(
    plan: &RunPlan,
    ctx: &Ctx,
    stop: &tasks::Stop,
    started_at: SystemTime,
    elapsed: Duration,
) -> EngineOutcome {
    let c = &ctx.counters;
    EngineOutcome {
        started_at,
        ended_at: SystemTime::now(),
        elapsed,
        interrupted: stop.interrupted.load(Ordering::Relaxed),
        sessions: SessionTally {
            started: c.started.load(Ordering::Relaxed),
            completed: c.completed.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            aborted: c.aborted.load(Ordering::Relaxed),
        },
        shared_users: ctx.users.shared.load(Ordering::Relaxed),
        user_waits: ctx.users.waited.load(Ordering::Relaxed),
        generator: (plan.load.model == LoadModel::Open).then(|| ctx.generator.report()),
        saturated: plan.load.model == LoadModel::Open
            && ctx.generator.saturated(plan.load.max_sessions),
        window: steady_window(plan, stop.load_end_us.clone())(),
        personas: Vec::new(),
    }
}

/// The steady window as known now: the load ends at the deadline unless an
/// interrupt (or a crossed threshold) stopped it earlier.
pub(super) fn steady_window(plan: &RunPlan, load_end_us: Arc<AtomicU64>) -> impl Fn() -> Window {
    let (warmup, cooldown, duration) = (plan.load.warmup, plan.load.cooldown, plan.duration);
    move || {
        let end = Duration::from_micros(load_end_us.load(Ordering::Relaxed)).min(duration);
        Window::steady(warmup, cooldown, end)
    }
}
