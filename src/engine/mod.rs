//! The engine: schedules sessions (closed model: a fixed number of slots, each
//! starting its next session when the last one ends), drives them, and ticks
//! the recorder into the interval store.

pub mod commands;
pub mod mailbox;
pub mod session;
mod steps;
pub mod users;
pub mod validate;
pub mod wire;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use rand::distr::weighted::WeightedIndex;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio_util::sync::CancellationToken;

use crate::command::CommandKind;
use crate::imap::encoder::CommandBuf;
use crate::imap::framer::Limits;
use crate::imap::tls::TlsClient;
use crate::imap::url::{Endpoint, Security};
use crate::metrics::{IntervalStore, QueueGauges, QueueStats, Recorder, Route};
use crate::plan::{RunPlan, SessionPlan};

use session::{Session, SessionEnd, SlotBuffers};
use users::UserPool;

/// Reads a server's own queue: (commands waiting for a worker, commands in service).
/// Only the embedded servers have one.
#[derive(Clone)]
pub struct OwnQueue(pub Arc<dyn Fn() -> (u64, u64) + Send + Sync>);

impl std::fmt::Debug for OwnQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnQueue")
    }
}

/// A server the sessions connect to, resolved once before the run.
#[derive(Debug, Clone)]
pub struct Target {
    /// Server name (`cas1`, `mbx2`).
    pub name: String,
    /// Resolved address.
    pub addr: SocketAddr,
    /// Transport security.
    pub security: Security,
    /// Name checked against the certificate (host from the URL).
    pub server_name: String,
    /// The server's own queue gauge, when it has one (embedded servers).
    pub own_queue: Option<OwnQueue>,
}

impl Target {
    /// Resolves an endpoint (DNS once, before the run, so lookups are not timed).
    pub async fn resolve(name: &str, endpoint: &Endpoint) -> anyhow::Result<Target> {
        let addr = tokio::net::lookup_host(endpoint.authority())
            .await
            .map_err(|e| anyhow::anyhow!("cannot resolve {endpoint} ({name}): {e}"))?
            .next()
            .ok_or_else(|| anyhow::anyhow!("{endpoint} ({name}) resolves to no address"))?;
        Ok(Target {
            name: name.to_string(),
            addr,
            security: endpoint.security,
            server_name: endpoint.host.clone(),
            own_queue: None,
        })
    }
}

/// Where sessions go: CAS proxies and back ends, in layout order.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// CAS proxies (may be empty: then every session is direct).
    pub cas: Vec<Target>,
    /// Back ends, in the order of the layout's back-end names.
    pub backends: Vec<Target>,
}

/// Session counters of a run.
#[derive(Debug, Default)]
pub struct SessionCounters {
    /// Sessions started.
    pub started: AtomicU64,
    /// Sessions that logged out normally.
    pub completed: AtomicU64,
    /// Sessions ended by a failure.
    pub failed: AtomicU64,
    /// Sessions open now.
    pub active: AtomicU64,
}

/// Shared by every session of a run.
pub struct Ctx {
    /// What sessions do.
    pub session: SessionPlan,
    /// Servers.
    pub targets: Targets,
    /// Client TLS configuration, built once.
    pub tls: TlsClient,
    /// Where outcomes go.
    pub recorder: Arc<Recorder>,
    /// The user population.
    pub users: UserPool,
    /// Share of sessions via a CAS.
    pub cas_share: f64,
    /// Mix commands and their sampler.
    pub mix: Vec<CommandKind>,
    /// Weighted index over `mix`.
    pub mix_index: WeightedIndex<u32>,
    /// Framer limits for every connection.
    pub limits: Limits,
    /// No new commands after this.
    pub deadline: Instant,
    /// Cancelled at the deadline or on interrupt: finish the current command, log out.
    pub soft_stop: CancellationToken,
    /// Cancelled when the grace period ends: whatever is in flight is aborted (and counted).
    pub hard_stop: CancellationToken,
    /// Session counters.
    pub counters: SessionCounters,
    /// Queue-depth gauges per server.
    pub queues: QueueGauges,
}

/// What the engine reports when a run ends.
#[derive(Debug, Clone)]
pub struct EngineOutcome {
    /// Wall-clock start.
    pub started_at: SystemTime,
    /// Wall-clock end.
    pub ended_at: SystemTime,
    /// Measured time (start to last tick).
    pub elapsed: Duration,
    /// The run was interrupted before its duration.
    pub interrupted: bool,
    /// Sessions started / completed / failed.
    pub sessions: (u64, u64, u64),
    /// Sessions that shared a user because all users were busy.
    pub shared_users: u64,
}

/// Runs the plan's load against `targets`. Returns when every session ended
/// (or the grace period after the end ran out); `interrupt` ends it early.
/// `on_tick` sees the store after every interval (progress output).
pub async fn run(
    plan: &RunPlan,
    targets: Targets,
    tls: TlsClient,
    recorder: Arc<Recorder>,
    store: Arc<Mutex<IntervalStore>>,
    interrupt: CancellationToken,
    on_tick: impl Fn(&IntervalStore, Duration) + Send + 'static,
) -> EngineOutcome {
    let layout = recorder.layout().clone();
    let users = UserPool::new(plan.users.clone(), |b| {
        layout
            .backend_names
            .iter()
            .position(|n| n == b)
            .map(|i| i as u16)
    });
    let mix: Vec<CommandKind> = plan.session.mix.iter().map(|(k, _)| *k).collect();
    let mix_index = WeightedIndex::new(plan.session.mix.iter().map(|(_, w)| *w))
        .expect("plan validated the mix");
    let started_at = SystemTime::now();
    let start = Instant::now();
    let ctx = Arc::new(Ctx {
        session: plan.session.clone(),
        targets,
        tls,
        recorder: recorder.clone(),
        users,
        cas_share: plan.load.cas_share,
        mix,
        mix_index,
        limits: Limits::default(),
        deadline: start + plan.duration,
        soft_stop: CancellationToken::new(),
        hard_stop: CancellationToken::new(),
        counters: SessionCounters::default(),
        queues: QueueGauges::new(&layout),
    });
    let own_queues: Vec<Option<OwnQueue>> = ctx
        .targets
        .cas
        .iter()
        .chain(ctx.targets.backends.iter())
        .map(|t| t.own_queue.clone())
        .collect();
    let queue_now: Arc<Mutex<Vec<QueueStats>>> =
        Arc::new(Mutex::new(vec![QueueStats::default(); own_queues.len()]));

    // Queue depth, 10 readings a second.
    let sampler = {
        let (ctx, queue_now) = (ctx.clone(), queue_now.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(100));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = every.tick() => {}
                    _ = ctx.hard_stop.cancelled() => return,
                }
                let depths = ctx.queues.read();
                let mut q = queue_now.lock().expect("queue stats");
                for (i, d) in depths.into_iter().enumerate() {
                    let own = own_queues[i].as_ref().map(|f| (f.0)());
                    q[i].add(d, own);
                }
            }
        })
    };

    // Stop control: soft stop at the deadline or on interrupt, hard stop after a grace period.
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopper = {
        let (ctx, interrupted) = (ctx.clone(), interrupted.clone());
        let normal_grace =
            plan.session.command_timeout.min(Duration::from_secs(10)) + Duration::from_millis(500);
        tokio::spawn(async move {
            let grace = tokio::select! {
                _ = tokio::time::sleep_until(ctx.deadline.into()) => normal_grace,
                _ = interrupt.cancelled() => { interrupted.store(true, Ordering::Relaxed); Duration::from_secs(2) }
            };
            ctx.soft_stop.cancel();
            tokio::time::sleep(grace).await;
            ctx.hard_stop.cancel();
        })
    };

    // Interval ticks.
    let ticker = {
        let (ctx, store, queue_now) = (ctx.clone(), store.clone(), queue_now.clone());
        let interval = plan.interval;
        tokio::spawn(async move {
            let mut last = Duration::ZERO;
            let mut next = start + interval;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(next.into()) => {}
                    _ = ctx.hard_stop.cancelled() => return,
                }
                let now = next.duration_since(start);
                let queues = take_queues(&queue_now);
                let mut s = store.lock().expect("store");
                s.tick(
                    &ctx.recorder,
                    last,
                    now,
                    ctx.counters.active.load(Ordering::Relaxed),
                    queues,
                );
                on_tick(&s, now);
                drop(s);
                last = now;
                next += interval;
            }
        })
    };

    let slots = plan.load.sessions;
    let mut handles = Vec::with_capacity(slots);
    for slot_no in 0..slots {
        let offset = plan.load.ramp_up.mul_f64(slot_no as f64 / slots as f64);
        let ctx = ctx.clone();
        let seed = plan.seed ^ (slot_no as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let append_size = plan.session.append_size;
        handles.push(tokio::spawn(async move {
            slot(ctx, seed, start + offset, append_size).await
        }));
    }
    for h in handles {
        let _ = h.await;
    }
    ctx.soft_stop.cancel();
    ctx.hard_stop.cancel();
    let _ = ticker.await;
    let _ = sampler.await;
    stopper.abort();
    let elapsed = start.elapsed();
    {
        let mut s = store.lock().expect("store");
        let last = s.intervals().last().map_or(Duration::ZERO, |r| r.end);
        if elapsed > last {
            s.tick(&ctx.recorder, last, elapsed, 0, take_queues(&queue_now));
        }
    }
    let c = &ctx.counters;
    EngineOutcome {
        started_at,
        ended_at: SystemTime::now(),
        elapsed,
        interrupted: interrupted.load(Ordering::Relaxed),
        sessions: (
            c.started.load(Ordering::Relaxed),
            c.completed.load(Ordering::Relaxed),
            c.failed.load(Ordering::Relaxed),
        ),
        shared_users: ctx.users.shared.load(Ordering::Relaxed),
    }
}

/// Takes the queue figures gathered since the last tick, leaving zeroes.
fn take_queues(q: &Mutex<Vec<QueueStats>>) -> Vec<QueueStats> {
    let mut q = q.lock().expect("queue stats");
    let n = q.len();
    std::mem::replace(&mut *q, vec![QueueStats::default(); n])
}

/// One closed-model slot: back-to-back sessions until the stop.
async fn slot(ctx: Arc<Ctx>, seed: u64, first: Instant, append_size: usize) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut bufs = SlotBuffers {
        cmd: CommandBuf::new(),
        append_msg: commands::synthetic_message(append_size, seed),
        scratch: Vec::new(),
    };
    tokio::select! {
        _ = tokio::time::sleep_until(first.into()) => {}
        _ = ctx.soft_stop.cancelled() => return,
    }
    let mut intended = first;
    while !ctx.soft_stop.is_cancelled() && Instant::now() < ctx.deadline {
        let lease = ctx.users.acquire(&mut rng);
        let backend = ctx.users.home(lease);
        let via_cas = !ctx.targets.cas.is_empty() && rng.random_bool(ctx.cas_share.clamp(0.0, 1.0));
        let cas = via_cas.then(|| rng.random_range(0..ctx.targets.cas.len()) as u16);
        let route = Route { cas, backend };
        let c = &ctx.counters;
        c.started.fetch_add(1, Ordering::Relaxed);
        c.active.fetch_add(1, Ordering::Relaxed);
        let user = ctx.users.user(lease);
        let end = Session::new(&ctx, route, user, &mut bufs, &mut rng)
            .run(intended)
            .await;
        c.active.fetch_sub(1, Ordering::Relaxed);
        ctx.users.release(lease);
        match end {
            SessionEnd::Completed => {
                c.completed.fetch_add(1, Ordering::Relaxed);
                intended = Instant::now();
            }
            SessionEnd::Failed(_) => {
                c.failed.fetch_add(1, Ordering::Relaxed);
                // Back off briefly so a dead server is not hammered in a tight loop;
                // the next session's intended start is after the back-off.
                let pause = Duration::from_millis(rng.random_range(100..500));
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = ctx.soft_stop.cancelled() => return,
                }
                intended = Instant::now();
            }
        }
    }
}
