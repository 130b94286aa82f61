//! Sessions that follow a script made outside the engine (`imapload replay`):
//! each starts at its own due time, as a given user over a given path, and
//! sends the commands it is handed at their due times. The schedule never
//! waits for the servers (open model): a command due while the one before is
//! still out goes when the connection is free, and its corrected latency runs
//! from its due time. Everything else (connect, TLS, login, the commands'
//! encoders, checks, recording, queue gauges, stops) is the engine's own.
//!
//! Steps arrive on a channel while the session runs, so a script is only
//! ever held as far ahead as its producer looks.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::SeedableRng;
use tokio::sync::{mpsc, Semaphore};

use crate::command::CommandKind;
use crate::metrics::Route;
use crate::plan::LoginMethod;
use crate::results::ErrorReason;

use super::guard::SessionStop;
use super::session::{SeatBuffers, Session, SessionEnd};
use super::Ctx;

/// What a scripted command asks instead of the plan's choices.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// STARTTLS on a plain connection as logged (`None`: the plan's share).
    pub starttls: Option<bool>,
    /// The login method (`None`: the plan's).
    pub login: Option<LoginMethod>,
    /// The mailbox SELECT, EXAMINE, STATUS and APPEND name.
    pub mailbox: Option<Arc<str>>,
    /// The message APPEND sends (a replayed APPEND's logged size).
    pub append: Option<Arc<[u8]>>,
    /// How long IDLE holds before DONE.
    pub idle_hold: Option<Duration>,
}

/// One session of a script.
pub struct Script {
    /// When it connects.
    pub due: Instant,
    /// Index of its user in the plan's users.
    pub user: usize,
    /// Through a CAS (else straight to the user's home back end); a path the
    /// run does not have falls back to the other one.
    pub via_cas: bool,
    /// Whether it upgrades a plain connection with STARTTLS.
    pub starttls: Option<bool>,
    /// The label its connect is reported under (`None`: not reported).
    pub connect_label: Option<u32>,
    /// Its commands, in order, as they come.
    pub steps: mpsc::UnboundedReceiver<Step>,
}

/// One command of a script.
#[derive(Debug, Clone)]
pub struct Step {
    /// When it is due.
    pub due: Instant,
    /// The producer's name for it, given back in its result.
    pub label: u32,
    /// What to send.
    pub action: Action,
}

/// What a step sends.
#[derive(Debug, Clone)]
pub enum Action {
    /// LOGIN or AUTHENTICATE with the user's credentials from the users file.
    Login(LoginMethod),
    /// One command of the engine's kinds, with what it asks.
    Command {
        /// The kind.
        kind: CommandKind,
        /// Mailbox name, APPEND message, IDLE hold.
        over: Overrides,
    },
}

/// Why a step was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The server does not advertise the extension it needs.
    NotOffered,
    /// The session had already failed.
    SessionFailed,
    /// The session had logged out already.
    AfterLogout,
    /// The load stopped (deadline or interrupt) first.
    Stopped,
}

/// What became of one step (or of a command the session added).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepOutcome {
    /// Sent; `ok` when it completed OK. Latency from its due time.
    Sent {
        /// Corrected latency.
        latency: Duration,
        /// Completed OK (NO, BAD, timeouts and transport errors are not).
        ok: bool,
    },
    /// Not sent.
    Skipped(Skip),
    /// A command the log did not have, sent first because the step needed
    /// it (a login for a session whose log starts after it, a SELECT).
    Added(CommandKind),
}

/// A step's label and outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepResult {
    /// The step's label.
    pub label: u32,
    /// What became of it.
    pub outcome: StepOutcome,
}

/// Where a scripted session's results go, once, when it ends (one call per
/// session, not per command).
pub trait ScriptSink: Send + Sync {
    /// A session ended with these results.
    fn finished(&self, results: Vec<StepResult>);
}

/// A load made of scripts: the engine calls `start` with the run's start
/// and drives the sessions it sends until the channel closes.
pub struct External {
    /// Starts the producer.
    pub start: Box<dyn FnOnce(Instant) -> mpsc::Receiver<Script> + Send>,
    /// Where results go.
    pub sink: Arc<dyn ScriptSink>,
}

/// Runs every script the producer sends; returns when it closed the channel
/// and every session ended. Sessions beyond `max_sessions` wait (backlog),
/// counted like the open model's arrivals.
pub async fn drive(ctx: Arc<Ctx>, external: External, start: Instant) {
    let mut scripts = (external.start)(start);
    let cap = ctx.load.max_sessions.max(1);
    let permits = Arc::new(Semaphore::new(cap));
    let mut sessions = tokio::task::JoinSet::new();
    let mut n: u64 = 0;
    while let Some(script) = scripts.recv().await {
        while sessions.try_join_next().is_some() {}
        ctx.generator.arrivals.fetch_add(1, Ordering::Relaxed);
        n += 1;
        let (ctx, permits, sink) = (ctx.clone(), permits.clone(), external.sink.clone());
        sessions.spawn(async move { arrive(ctx, permits, script, sink, n).await });
    }
    while sessions.join_next().await.is_some() {}
}

/// One scripted session: wait for its due time and a permit, run it, report.
async fn arrive(
    ctx: Arc<Ctx>,
    permits: Arc<Semaphore>,
    mut script: Script,
    sink: Arc<dyn ScriptSink>,
    n: u64,
) {
    let mut results = Vec::new();
    if super::due::wait_until(script.due, &ctx.soft_stop).await {
        let g = &ctx.generator;
        let now = g.backlog.fetch_add(1, Ordering::Relaxed) + 1;
        g.max_backlog.fetch_max(now, Ordering::Relaxed);
        let permit = tokio::select! {
            p = permits.acquire_owned() => p.ok(),
            _ = ctx.soft_stop.cancelled() => None,
        };
        g.backlog.fetch_sub(1, Ordering::Relaxed);
        match permit {
            Some(_permit) => {
                let lag = script.due.elapsed().as_micros() as u64;
                g.max_start_lag_us.fetch_max(lag, Ordering::Relaxed);
                run_one(&ctx, &mut script, &mut results, n).await;
            }
            None => {
                g.not_started.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    drain(&mut script.steps, Skip::Stopped, &mut results).await;
    sink.finished(results);
}

/// Closes a script's channel and reports what was still in it as skipped.
pub(super) async fn drain(
    steps: &mut mpsc::UnboundedReceiver<Step>,
    why: Skip,
    out: &mut Vec<StepResult>,
) {
    steps.close();
    while let Some(step) = steps.recv().await {
        out.push(StepResult {
            label: step.label,
            outcome: StepOutcome::Skipped(why),
        });
    }
}

/// The route of a script: its path if the run has it, else the other one.
fn route_of(ctx: &Ctx, via_cas: bool, user: usize, home: u16) -> Route {
    let direct_ok = ctx.targets.backends.len() > home as usize;
    let cas_ok = !ctx.targets.cas.is_empty();
    let cas = (cas_ok && (via_cas || !direct_ok)).then(|| (user % ctx.targets.cas.len()) as u16);
    Route { cas, backend: home }
}

/// Runs one script's session and counts it like any other session.
async fn run_one(ctx: &Ctx, script: &mut Script, out: &mut Vec<StepResult>, n: u64) {
    let index = script.user % ctx.users.len().max(1);
    let (user, home) = ctx.users.at(index);
    let route = route_of(ctx, script.via_cas, index, home);
    let c = &ctx.counters;
    c.started.fetch_add(1, Ordering::Relaxed);
    c.active.fetch_add(1, Ordering::Relaxed);
    let mut rng = SmallRng::seed_from_u64(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut bufs = SeatBuffers::default();
    let stop = SessionStop::new(ctx);
    let profile = ctx.profile_of(index);
    let mut session = Session::new(ctx, &stop, route, user, profile, &mut bufs, &mut rng);
    session.over.starttls = script.starttls;
    let end = session.run_script(script, out).await;
    c.active.fetch_sub(1, Ordering::Relaxed);
    match end {
        SessionEnd::Completed | SessionEnd::Stopped => c.completed.fetch_add(1, Ordering::Relaxed),
        SessionEnd::Failed(ErrorReason::Aborted) => c.aborted.fetch_add(1, Ordering::Relaxed),
        SessionEnd::Failed(_) => c.failed.fetch_add(1, Ordering::Relaxed),
    };
}
