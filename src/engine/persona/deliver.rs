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
use crate::results::ErrorReason;

use super::super::guard::SessionStop;
use super::super::session::{SeatBuffers, Session};
use super::wire::Known;
use super::Runtime;

/// Runs until the load stops.
pub async fn run(rt: Arc<Runtime>, lmtp: Option<String>, users: usize, seed: u64) {
    let ctx = rt.ctx.clone();
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x0de1_17e4);
    let lines: Vec<Line> = [
        "LOGIN {user} {password}",
        "APPEND \"INBOX\" {message}",
        "LOGOUT",
    ]
    .iter()
    .map(|l| parse_line(l).expect("built-in delivery lines"))
    .collect();
    let mailset = Arc::new(crate::mailset::MailSet::default());
    let mut n: u32 = 0;
    let mut in_flight = tokio::task::JoinSet::new();
    loop {
        let online = rt.online_users.load(Relaxed).min(users as u64);
        let per_sec =
            online as f64 * rt.day.received / 86_400.0 * rt.day.activity(rt.clock()) * rt.scale;
        // Poisson arrivals; a gap over a second is drawn again after a
        // second (memoryless, so the rate stays right while the curve moves).
        let gap = match per_sec > 0.0 {
            true => Duration::from_secs_f64(-(1.0 - rng.random::<f64>()).ln() / per_sec),
            false => Duration::from_secs(1),
        };
        let capped = gap.min(Duration::from_secs(1));
        let due = Instant::now() + capped;
        if !super::super::due::wait_until(due, &ctx.soft_stop).await || ctx.load_stopped() {
            break;
        }
        if capped < gap || online == 0 || per_sec <= 0.0 {
            continue;
        }
        let rank = rng.random_range(0..online as usize);
        let (rt, lines) = (rt.clone(), lines.clone());
        let r = SmallRng::seed_from_u64(rng.random());
        n += 1;
        let message = mailset.message(&rt.ctx.users.at(rank).0.name, 0, 1_000_000 + n);
        match lmtp
            .clone()
            .or_else(|| rt.ctx.targets.lmtp_of(rt.ctx.users.at(rank).1))
        {
            Some(addr) => {
                in_flight.spawn(async move { by_lmtp(&rt, &addr, rank, message, due).await })
            }
            None => in_flight.spawn(async move { append(&rt, rank, &lines, due, r).await }),
        };
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
    let tally = &rt.tallies[rt.devices[rank][0].persona];
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
            for p in rt.personas_of(rank) {
                rt.tallies[p].deliveries.fetch_add(1, Relaxed);
            }
        }
        Err(f) => {
            let f: super::super::failure::FailedCommand = f;
            s.fail(CommandKind::Deliver, f.error);
        }
    }
}

/// One message into user `rank`'s INBOX by an LMTP transaction of its own.
async fn by_lmtp(rt: &Runtime, addr: &str, rank: usize, message: Vec<u8>, due: Instant) {
    let ctx = &*rt.ctx;
    let (user, home) = ctx.users.at(rank);
    let route = crate::metrics::Route {
        cas: None,
        backend: home,
    };
    let rcpt = match user.name.contains('@') {
        true => user.name.clone(),
        false => format!("{}@localhost", user.name),
    };
    let sent = Instant::now();
    let rcpts = [rcpt.as_str()];
    let work = crate::mailset::lmtp::deliver(addr, "mailer@imapload.test", &rcpts, &message);
    let r = tokio::time::timeout(ctx.session.command_timeout, work).await;
    let error = match r {
        Ok(Ok(replies)) => match replies.first() {
            Some(Ok(_)) => None,
            Some(Err(reply)) => Some((ErrorReason::No, format!("LMTP refused {rcpt}: {reply:?}"))),
            None => Some((
                ErrorReason::Protocol,
                "LMTP gave no reply for the recipient".to_string(),
            )),
        },
        Ok(Err(e)) => Some((ErrorReason::Disconnect, format!("LMTP {addr}: {e}"))),
        Err(_) => Some((
            ErrorReason::Timeout,
            format!(
                "LMTP {addr}: no answer within {:?}",
                ctx.session.command_timeout
            ),
        )),
    };
    match error {
        None => {
            let now = Instant::now();
            ctx.recorder.record_ok(
                route,
                CommandKind::Deliver,
                now.saturating_duration_since(due),
                now.saturating_duration_since(sent),
            );
            for p in rt.personas_of(rank) {
                rt.tallies[p].deliveries.fetch_add(1, Relaxed);
            }
        }
        Some((reason, message)) => {
            ctx.recorder
                .record_error(route, CommandKind::Deliver, reason, &message)
        }
    }
}

/// The users' own mail: at the user-day profile's send rate, one online
/// user writes a message; the device of theirs that sends (the first whose
/// persona has `send` lines) APPENDs it to Sent on its primary connection.
pub async fn sends(rt: Arc<Runtime>, users: usize, seed: u64) {
    let ctx = rt.ctx.clone();
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x5e4d);
    loop {
        let online = rt.online_users.load(Relaxed).min(users as u64);
        let per_sec =
            online as f64 * rt.day.sent / 86_400.0 * rt.day.activity(rt.clock()) * rt.scale;
        let gap = match per_sec > 0.0 {
            true => Duration::from_secs_f64(-(1.0 - rng.random::<f64>()).ln() / per_sec),
            false => Duration::from_secs(1),
        };
        let capped = gap.min(Duration::from_secs(1));
        if !super::super::due::wait_until(Instant::now() + capped, &ctx.soft_stop).await
            || ctx.load_stopped()
        {
            return;
        }
        if capped < gap || online == 0 || per_sec <= 0.0 {
            continue; // the curve may have moved: draw again
        }
        let rank = rng.random_range(0..online as usize);
        let sender = rt.devices[rank]
            .iter()
            .find(|d| !rt.personas[d.persona].send.is_empty());
        if let Some(dev) = sender {
            dev.sends.fetch_add(1, Relaxed);
            dev.send_wake.notify_one();
        }
    }
}
