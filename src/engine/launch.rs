//! Starting one session: pick a free user, pick its path (via a CAS or
//! direct, in the scenario's proportion), run it, count how it ended.

use std::sync::atomic::Ordering;
use std::time::Instant;

use rand::rngs::SmallRng;
use rand::Rng;

use crate::metrics::Route;
use crate::results::ErrorReason;

use super::guard::SessionStop;
use super::session::{SeatBuffers, Session, SessionEnd};
use super::Ctx;

/// Runs one session whose intended start is `intended` and counts it.
/// Without `allow_shared_users`, a session whose users are all busy waits for
/// one (its intended start stays put, so the wait shows in its latency);
/// `None` when the load stopped first (the deadline passed, or the soft stop
/// came), so no session starts after it.
pub async fn launch(
    ctx: &Ctx,
    rng: &mut SmallRng,
    bufs: &mut SeatBuffers,
    intended: Instant,
) -> Option<SessionEnd> {
    let mut waited = false;
    let lease = loop {
        if ctx.load_stopped() {
            return None; // no session starts after the load stopped
        }
        if let Some(lease) = ctx.users.try_acquire(rng, ctx.load.allow_shared_users) {
            break lease;
        }
        if !waited {
            waited = true; // counted once per session, however long it waits
            ctx.users.waited.fetch_add(1, Ordering::Relaxed);
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
            _ = ctx.soft_stop.cancelled() => return None,
        }
    };
    let backend = ctx.users.home(lease);
    // A back end without a URL (behind a CAS only) is never reached directly.
    let direct_ok = ctx.targets.backends.len() > backend as usize;
    let via_cas = !ctx.targets.cas.is_empty()
        && (!direct_ok || rng.random_bool(ctx.cas_share.clamp(0.0, 1.0)));
    let cas = via_cas.then(|| rng.random_range(0..ctx.targets.cas.len()) as u16);
    let route = Route { cas, backend };
    let c = &ctx.counters;
    c.started.fetch_add(1, Ordering::Relaxed);
    c.active.fetch_add(1, Ordering::Relaxed);
    let user = ctx.users.user(lease);
    let profile = ctx.profile_of(lease.index);
    // Made once per session: its commands wait on these, not on the run's.
    let stop = SessionStop::new(ctx);
    let end = Session::new(ctx, &stop, route, user, profile, bufs, rng)
        .run(intended)
        .await;
    c.active.fetch_sub(1, Ordering::Relaxed);
    ctx.users.release(lease);
    match end {
        SessionEnd::Completed | SessionEnd::Stopped => c.completed.fetch_add(1, Ordering::Relaxed),
        SessionEnd::Failed(ErrorReason::Aborted) => c.aborted.fetch_add(1, Ordering::Relaxed),
        SessionEnd::Failed(_) => c.failed.fetch_add(1, Ordering::Relaxed),
    };
    Some(end)
}
