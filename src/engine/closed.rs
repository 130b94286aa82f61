//! The closed model: a fixed number of seats (or a number that follows the
//! ramp stages), each starting its next session when the last one ends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::due::wait_until;
use super::launch::launch;
use super::session::{SeatBuffers, SessionEnd};
use super::Ctx;

/// Drives `seats` seats until the stop; returns when all have ended.
pub async fn drive(ctx: Arc<Ctx>, seats: usize, seed: u64, start: Instant, ramp_up: Duration) {
    let mut handles = Vec::with_capacity(seats);
    for seat_no in 0..seats {
        let offset = ramp_up.mul_f64(seat_no as f64 / seats as f64);
        let ctx = ctx.clone();
        let seed = seed ^ (seat_no as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        handles.push(tokio::spawn(async move {
            seat(ctx, seat_no, seed, start, start + offset).await
        }));
    }
    for h in handles {
        let _ = h.await;
    }
}

/// Whether seat `n` should be running at `now` (stages raise and lower the count).
fn active(ctx: &Ctx, n: usize, start: Instant, now: Instant) -> bool {
    (n as f64)
        < ctx
            .load
            .target_at(now.saturating_duration_since(start))
            .round()
}

/// What a seat does once a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Start the next session now.
    Start,
    /// Start the next one after `reconnect_delay` (the last one failed).
    BackOff,
    /// The seat is done: the load stopped.
    End,
}

/// A session cut by the stop ends its seat: the next session could only log
/// in and out again (the login storm at the end of a run).
fn next_after(end: Option<SessionEnd>) -> Next {
    match end {
        None | Some(SessionEnd::Stopped) => Next::End,
        Some(SessionEnd::Completed) => Next::Start,
        Some(SessionEnd::Failed(_)) => Next::BackOff,
    }
}

/// One seat: back-to-back sessions until the load stops; none starts after.
async fn seat(ctx: Arc<Ctx>, n: usize, seed: u64, start: Instant, first: Instant) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut bufs = SeatBuffers::default();
    if !wait_until(first, &ctx.soft_stop).await {
        return;
    }
    let mut intended = first;
    while !ctx.load_stopped() {
        if !active(&ctx, n, start, Instant::now()) {
            // Parked by the ramp: look again shortly; the next session is due when it wakes.
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                _ = ctx.soft_stop.cancelled() => return,
            }
            intended = Instant::now();
            continue;
        }
        match next_after(launch(&ctx, &mut rng, &mut bufs, intended).await) {
            Next::End => return,
            Next::Start => intended = Instant::now(),
            Next::BackOff => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ErrorReason;

    #[test]
    fn a_session_cut_by_the_stop_ends_its_seat() {
        assert_eq!(next_after(Some(SessionEnd::Stopped)), Next::End);
        assert_eq!(next_after(None), Next::End, "the stop came while it waited");
        assert_eq!(next_after(Some(SessionEnd::Completed)), Next::Start);
        assert_eq!(
            next_after(Some(SessionEnd::Failed(ErrorReason::Disconnect))),
            Next::BackOff
        );
    }
}
