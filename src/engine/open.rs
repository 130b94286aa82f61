//! The open model: sessions arrive on their own schedule (Poisson or evenly
//! spaced, at a rate that follows the ramp stages), whatever the servers do.
//! A session's latency runs from its arrival, so a generator or server that
//! falls behind shows in the figures. Arrivals past the concurrency cap wait
//! (backlog) and past 1.5 x the cap are not started at all; both are counted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Semaphore;

use crate::plan::{Arrivals, LoadPlan};
use crate::results::GeneratorReport;

use super::due::wait_until;
use super::launch::launch;
use super::session::SeatBuffers;
use super::Ctx;

/// What the open-model scheduler saw of its own ability to deliver the load.
#[derive(Debug, Default)]
pub struct GeneratorStats {
    /// Arrivals due and not yet started now.
    pub backlog: AtomicU64,
    /// Highest backlog seen.
    pub max_backlog: AtomicU64,
    /// Arrivals never started (backlog over 1.5 x the cap, or still waiting at the end).
    pub not_started: AtomicU64,
    /// Arrivals scheduled.
    pub arrivals: AtomicU64,
    /// Largest delay between an arrival's due time and its session's start (µs).
    pub max_start_lag_us: AtomicU64,
}

impl GeneratorStats {
    /// The counters as they stand.
    pub fn report(&self) -> GeneratorReport {
        GeneratorReport {
            arrivals: self.arrivals.load(Ordering::Relaxed),
            max_backlog: self.max_backlog.load(Ordering::Relaxed),
            not_started: self.not_started.load(Ordering::Relaxed),
            max_start_lag_us: self.max_start_lag_us.load(Ordering::Relaxed),
        }
    }

    /// [`GeneratorReport::saturated`] on the counters as they stand.
    pub fn saturated(&self, cap: usize) -> bool {
        self.report().saturated(cap)
    }
}

/// How much expected arrivals must accumulate before the next one: 1 for
/// evenly spaced arrivals, an Exp(1) draw for Poisson ones.
fn need(rng: &mut SmallRng, arrivals: Arrivals) -> f64 {
    match arrivals {
        Arrivals::Uniform => 1.0,
        Arrivals::Poisson => -rng.random_range(f64::EPSILON..1.0f64).ln(),
    }
}

/// The next arrival after `from`: where the integral of the (ramping) rate
/// reaches `need`. Integrating instead of dividing by the current rate keeps a
/// ramp from 0 exact and makes a time-varying Poisson process exact too.
/// `None` when it falls at or after `until`.
fn next_due(
    load: &LoadPlan,
    start: Instant,
    from: Instant,
    mut need: f64,
    until: Instant,
) -> Option<Instant> {
    const STEP: f64 = 0.001;
    let mut t = from;
    while t < until {
        let rate = load.target_at(t.saturating_duration_since(start)).max(0.0);
        let step = if rate > 0.0 {
            STEP.min(need / rate)
        } else {
            STEP
        };
        need -= rate * step;
        t += Duration::from_secs_f64(step);
        if need <= 1e-9 {
            return (t < until).then_some(t);
        }
    }
    None
}

/// Schedules arrivals until the stop; returns when every started session ended.
pub async fn drive(ctx: Arc<Ctx>, seed: u64, start: Instant) {
    let cap = ctx.load.max_sessions.max(1);
    let permits = Arc::new(Semaphore::new(cap));
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut due = start;
    let mut sessions = tokio::task::JoinSet::new();
    let mut n: u64 = 0;
    loop {
        let want = need(&mut rng, ctx.load.arrivals);
        let Some(next) = next_due(&ctx.load, start, due, want, ctx.deadline) else {
            break;
        };
        due = next;
        if !wait_until(due, &ctx.soft_stop).await {
            break;
        }
        while sessions.try_join_next().is_some() {}
        let g = &ctx.generator;
        g.arrivals.fetch_add(1, Ordering::Relaxed);
        let backlog = g.backlog.load(Ordering::Relaxed);
        if permits.available_permits() == 0 && backlog as f64 >= 0.5 * cap as f64 {
            // Unfinished work would pass 1.5 x the cap: this arrival is not started.
            g.not_started.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        n += 1;
        let (ctx, permits) = (ctx.clone(), permits.clone());
        let arrival = due;
        let session_seed = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        sessions.spawn(async move { arrive(ctx, permits, arrival, session_seed).await });
    }
    while sessions.join_next().await.is_some() {}
}

/// One arrival: wait for a permit (counted as backlog), then run its session.
async fn arrive(ctx: Arc<Ctx>, permits: Arc<Semaphore>, arrival: Instant, seed: u64) {
    let g = &ctx.generator;
    let now = g.backlog.fetch_add(1, Ordering::Relaxed) + 1;
    g.max_backlog.fetch_max(now, Ordering::Relaxed);
    let permit = tokio::select! {
        p = permits.acquire_owned() => p.ok(),
        _ = ctx.soft_stop.cancelled() => None,
    };
    g.backlog.fetch_sub(1, Ordering::Relaxed);
    let Some(_permit) = permit else {
        g.not_started.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let lag = arrival.elapsed().as_micros() as u64;
    g.max_start_lag_us.fetch_max(lag, Ordering::Relaxed);
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut bufs = SeatBuffers::default();
    launch(&ctx, &mut rng, &mut bufs, arrival).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{LoadModel, Stage};

    fn ramp() -> LoadPlan {
        LoadPlan {
            sessions: 1,
            cas_share: 0.0,
            ramp_up: Duration::ZERO,
            model: LoadModel::Open,
            rate: 0.0,
            stages: vec![Stage {
                duration: Duration::from_secs(10),
                target: 100.0,
            }],
            max_sessions: 10,
            arrivals: Arrivals::Uniform,
            allow_shared_users: false,
            source_addresses: Vec::new(),
            warmup: Duration::ZERO,
            cooldown: None,
        }
    }

    #[test]
    fn arrivals_integrate_the_ramp() {
        let load = ramp();
        let start = Instant::now();
        let until = start + Duration::from_secs(10);
        let mut rng = SmallRng::seed_from_u64(1);
        for arrivals in [Arrivals::Uniform, Arrivals::Poisson] {
            let (mut t, mut n) = (start, 0);
            while let Some(next) = next_due(&load, start, t, need(&mut rng, arrivals), until) {
                assert!(next < until, "no arrival at or after the deadline");
                t = next;
                n += 1;
            }
            // The integral of 0 -> 100/s over 10 s is 500 arrivals.
            let off = (n as f64 - 500.0).abs() / 500.0;
            assert!(
                off < if arrivals == Arrivals::Uniform {
                    0.01
                } else {
                    0.1
                },
                "{arrivals:?}: {n}"
            );
        }
    }
}
