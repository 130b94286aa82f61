//! The closed model: a fixed number of slots (or a number that follows the
//! ramp stages), each starting its next session when the last one ends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::launch::launch;
use super::session::{SessionEnd, SlotBuffers};
use super::Ctx;

/// Drives `slots` slots until the stop; returns when all have ended.
pub async fn drive(ctx: Arc<Ctx>, slots: usize, seed: u64, start: Instant, ramp_up: Duration) {
    let mut handles = Vec::with_capacity(slots);
    for slot_no in 0..slots {
        let offset = ramp_up.mul_f64(slot_no as f64 / slots as f64);
        let ctx = ctx.clone();
        let seed = seed ^ (slot_no as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        handles.push(tokio::spawn(async move {
            slot(ctx, slot_no, seed, start, start + offset).await
        }));
    }
    for h in handles {
        let _ = h.await;
    }
}

/// Whether slot `n` should be running at `now` (stages raise and lower the count).
fn active(ctx: &Ctx, n: usize, start: Instant, now: Instant) -> bool {
    (n as f64)
        < ctx
            .load
            .target_at(now.saturating_duration_since(start))
            .round()
}

/// One slot: back-to-back sessions until the stop.
async fn slot(ctx: Arc<Ctx>, n: usize, seed: u64, start: Instant, first: Instant) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut bufs = SlotBuffers::new(ctx.session.append_size, seed);
    tokio::select! {
        _ = tokio::time::sleep_until(first.into()) => {}
        _ = ctx.soft_stop.cancelled() => return,
    }
    let mut intended = first;
    while !ctx.soft_stop.is_cancelled() && Instant::now() < ctx.deadline {
        if !active(&ctx, n, start, Instant::now()) {
            // Parked by the ramp: look again shortly; the next session is due when it wakes.
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                _ = ctx.soft_stop.cancelled() => return,
            }
            intended = Instant::now();
            continue;
        }
        match launch(&ctx, &mut rng, &mut bufs, intended).await {
            None => return,
            Some(SessionEnd::Completed) => intended = Instant::now(),
            Some(SessionEnd::Failed(_)) => {
                // Back off so a dead server is not hammered in a tight loop
                // (`reconnect_delay`, jittered); the next session's intended
                // start is after the back-off.
                let pause = ctx
                    .session
                    .reconnect_delay
                    .mul_f64(rng.random_range(0.5..1.5));
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = ctx.soft_stop.cancelled() => return,
                }
                intended = Instant::now();
            }
        }
    }
}
