//! The delivery actor: mail arriving for the population's users at the
//! user-day profile's rate (received per user per day, shaped by the
//! time-of-day curve, in client time), each message into one online user's
//! INBOX. Where the server speaks LMTP (a real server's LMTP address; the
//! embedded back ends' own listener) it is an LMTP transaction; otherwise an
//! APPEND by the user's own login. Each delivery is timed on the DELIVER row.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::command::CommandKind;
use crate::plan::persona::{parse_line, Line};

use super::super::guard::SessionStop;
use super::super::session::{SeatBuffers, Session};
use super::wire::Known;
use super::Runtime;

/// Runs until the load stops.
pub async fn run(rt: Arc<Runtime>, lmtp: Option<String>, users: usize, seed: u64) {
    let ctx = rt.ctx.clone();
    let mut rng = SmallRng::seed_from_u64(seed ^ 0xde11_7e4);
    let lines: Vec<Line> = [
        "LOGIN {user} {password}",
        "APPEND \"INBOX\" {message}",
        "LOGOUT",
    ]
    .iter()
    .map(|l| parse_line(l).expect("built-in delivery lines"))
    .collect();
    let _ = lmtp;
    let mut in_flight = tokio::task::JoinSet::new();
    loop {
        let online = rt.online_users.load(Relaxed).min(users as u64);
        let per_sec =
            online as f64 * rt.day.received / 86_400.0 * rt.day.activity(rt.clock()) * rt.scale;
        // Poisson arrivals; re-evaluated at least every second (the curve moves).
        let gap = if per_sec > 0.0 {
            Duration::from_secs_f64(-(1.0 - rng.random::<f64>()).ln() / per_sec)
                .min(Duration::from_secs(1))
        } else {
            Duration::from_secs(1)
        };
        let due = Instant::now() + gap;
        if !super::super::due::wait_until(due, &ctx.soft_stop).await || ctx.load_stopped() {
            break;
        }
        if per_sec <= 0.0
            || online == 0
            || rng.random::<f64>() > gap.as_secs_f64() * per_sec * 1.0001
                && gap == Duration::from_secs(1)
        {
            continue;
        }
        let rank = rng.random_range(0..online as usize);
        let (rt, lines) = (rt.clone(), lines.clone());
        let r = SmallRng::seed_from_u64(rng.random());
        in_flight.spawn(async move { append(&rt, rank, &lines, due, r).await });
        while in_flight.try_join_next().is_some() {}
    }
    while in_flight.join_next().await.is_some() {}
}

/// One message into user `rank`'s INBOX by APPEND under their own login.
async fn append(rt: &Runtime, rank: usize, lines: &[Line], due: Instant, mut rng: SmallRng) {
    let ctx = &*rt.ctx;
    let (user, home) = ctx.users.at(rank);
    let direct_ok = ctx.targets.backends.len() > home as usize;
    let cas =
        (!direct_ok && !ctx.targets.cas.is_empty()).then(|| (rank % ctx.targets.cas.len()) as u16);
    let route = crate::metrics::Route { cas, backend: home };
    let stop = SessionStop::new(ctx);
    let mut bufs = SeatBuffers::default();
    let profile = ctx.profile_of(rank);
    let mut s = Session::new(ctx, &stop, route, user, profile, &mut bufs, &mut rng);
    let mut known = Known::default();
    let tally = &rt.tallies[rt.user_personas[rank][0]];
    let ok = async {
        let (mut conn, connected) = s.connect(due).await?;
        let r = async {
            let ready = s.open(&mut conn, connected).await?;
            known.observe(&conn.last_response());
            let mut at = ready;
            for line in lines {
                at = s.line(&mut conn, &mut known, tally, line, at, "d").await?;
            }
            Ok(at)
        }
        .await;
        conn.shutdown().await;
        r
    }
    .await;
    match ok {
        Ok(_) => {
            s.ok(CommandKind::Deliver, due, due);
            for &p in &rt.user_personas[rank] {
                rt.tallies[p].deliveries.fetch_add(1, Relaxed);
            }
        }
        Err(f) => {
            let f: super::super::failure::FailedCommand = f;
            s.fail(CommandKind::Deliver, f.error);
        }
    }
}
