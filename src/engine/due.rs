//! Waiting for a due time. A command (or a session, or an arrival) whose
//! intended time has already passed goes at once: no sleep is registered,
//! because tokio's timer rounds every sleep up to its next millisecond tick,
//! which would cap a session without think time near 1,000 commands/s and
//! put the generator's own timer into corrected latency.

use std::time::Instant;

use tokio_util::sync::CancellationToken;

/// Waits until `at` unless `stop` is cancelled first. Returns `true` when
/// `at` has come (at once when it already has), `false` on the stop.
pub async fn wait_until(at: Instant, stop: &CancellationToken) -> bool {
    if stop.is_cancelled() {
        return false;
    }
    if at <= Instant::now() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep_until(at.into()) => true,
        _ = stop.cancelled() => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_past_due_time_returns_without_the_timer() {
        let stop = CancellationToken::new();
        // 1,000 past-due waits: each one through the timer would take ~1 ms.
        let t = Instant::now();
        for _ in 0..1000 {
            assert!(wait_until(Instant::now(), &stop).await);
        }
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "{:?}",
            t.elapsed()
        );
    }

    #[tokio::test]
    async fn a_stop_ends_the_wait() {
        let stop = CancellationToken::new();
        stop.cancel();
        let later = Instant::now() + Duration::from_secs(60);
        assert!(!wait_until(later, &stop).await);
        assert!(!wait_until(Instant::now(), &stop).await, "stopped wins");
    }
}
