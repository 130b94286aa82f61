//! The engine: schedules sessions (closed model: a fixed number of seats, each
//! starting its next session when the last one ends), drives them, and ticks
//! the recorder into the interval store.

mod closed;
pub mod cmd;
mod due;
pub mod failure;
pub mod guard;
mod launch;
mod login;
pub mod mailbox;
pub mod open;
mod outcome;
pub mod persona;
mod pipeline;
mod profile;
pub mod scripted;
mod scripted_steps;
pub mod session;
mod steps;
mod target;
mod tasks;
pub mod tokens;
pub mod users;
pub mod validate;
pub mod watch;
pub mod wire;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use rand::distr::weighted::WeightedIndex;
use rand::distr::Distribution;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use tokio_util::sync::CancellationToken;

use crate::imap::framer::Limits;
use crate::imap::tls::TlsClient;
use crate::metrics::{IntervalStore, QueueGauges, Recorder};
use crate::plan::{LoadModel, LoadPlan, RunPlan, SessionPlan};
use crate::results::SessionTally;

use outcome::{outcome, steady_window};
use profile::profiles;
pub use profile::ProfileRt;
pub use target::{OwnQueue, Target, Targets};
use users::UserPool;

/// Session counters of a run.
#[derive(Debug, Default)]
pub struct SessionCounters {
    /// Sessions started.
    pub started: AtomicU64,
    /// Sessions that logged out normally.
    pub completed: AtomicU64,
    /// Sessions ended by a failure.
    pub failed: AtomicU64,
    /// Sessions cut short by the end of the grace period.
    pub aborted: AtomicU64,
    /// Sessions open now.
    pub active: AtomicU64,
    /// Connections attempted (turns the source-address rotation).
    pub connects: AtomicU64,
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
    /// The load model (for ramps and the open model's cap).
    pub load: LoadPlan,
    /// User profiles (at least one).
    pub profiles: Vec<ProfileRt>,
    /// Profile index of each user (by pool index).
    pub user_profile: Vec<u16>,
    /// The open-model scheduler's view of its own backlog.
    pub generator: open::GeneratorStats,
    /// Framer limits for every connection.
    pub limits: Limits,
    /// No new commands after this.
    pub deadline: Instant,
    /// Cancelled at the deadline or on interrupt: finish the current command, log out.
    pub soft_stop: CancellationToken,
    /// Cancelled when the grace period ends: whatever is in flight is aborted (and counted).
    pub hard_stop: CancellationToken,
    /// The commands in flight: their deadlines and the stops, without a lock per command.
    pub watch: watch::Watch,
    /// Session counters.
    pub counters: SessionCounters,
    /// Queue-depth gauges per server.
    pub queues: QueueGauges,
    /// `--protocol-log`: picks the sessions whose exchange is written out.
    pub protolog: Option<crate::imap::protolog::ProtoLog>,
    /// OAuth 2 access tokens (XOAUTH2 / OAUTHBEARER logins).
    pub tokens: tokens::Tokens,
    /// The message every APPEND sends, made once for the run and sent from
    /// here by every session (vectored writes; never copied per command).
    pub append_msg: Vec<u8>,
}

impl Ctx {
    /// The local address the next connection binds to, taken in turn from
    /// `load.source_addresses`; `None` lets the OS pick (the usual case).
    pub fn next_source(&self) -> Option<std::net::IpAddr> {
        let list = &self.load.source_addresses;
        if list.is_empty() {
            return None;
        }
        let n = self.counters.connects.fetch_add(1, Ordering::Relaxed);
        Some(list[(n % list.len() as u64) as usize])
    }

    /// Whether the load has stopped (deadline passed or soft stop): from
    /// then on no session starts, whatever the stop task has done yet.
    pub fn load_stopped(&self) -> bool {
        self.watch.soft_stopped() || Instant::now() >= self.deadline
    }

    /// The soft stop: the load finishes its commands in flight, logs out,
    /// and starts nothing new.
    pub fn stop_soft(&self) {
        self.watch.stop_soft();
        self.soft_stop.cancel();
    }

    /// The hard stop: whatever is in flight is aborted (and counted).
    pub fn stop_hard(&self) {
        self.stop_soft();
        self.watch.stop_hard();
        self.hard_stop.cancel();
    }
}

impl Ctx {
    /// The profile of the user at pool index `user`.
    pub fn profile_of(&self, user: usize) -> &ProfileRt {
        &self.profiles[self.user_profile[user] as usize]
    }
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
    /// How the sessions ended.
    pub sessions: SessionTally,
    /// Sessions that shared a user because all users were busy.
    pub shared_users: u64,
    /// Times a session found every user busy and waited for one (its wait is
    /// in its latency; many waits mean the scenario needs more users).
    pub user_waits: u64,
    /// Open model: arrivals scheduled, most waiting at once, never started, worst start lag (µs).
    pub generator: Option<crate::results::GeneratorReport>,
    /// Open model: the generator could not deliver the offered load.
    pub saturated: bool,
    /// The steady-state part that thresholds and monitors judge (warm-up
    /// and cool-down left out; the drain after the load stopped is always out).
    pub window: crate::results::Window,
    /// A population run: what each persona did (empty otherwise).
    pub personas: Vec<crate::results::personas::PersonaRow>,
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
    let parts = RunParts {
        targets,
        tls,
        recorder,
        store,
        interrupt,
        clock: RunClock::now(),
        personas: None,
    };
    run_with(plan, parts, on_tick, None).await
}

/// The instant a run's clock starts, on the wall and monotonic: interval
/// offsets count from `start`, and the results anchor them to `wall`
/// (the interval logs' StartTime, `t_start_unix_ms`), so both must be
/// the same moment, taken once before the results files are opened.
#[derive(Debug, Clone, Copy)]
pub struct RunClock {
    /// Wall-clock time at the start.
    pub wall: SystemTime,
    /// Monotonic time at the start.
    pub start: Instant,
}

impl RunClock {
    /// The clock starting now.
    pub fn now() -> Self {
        RunClock {
            wall: SystemTime::now(),
            start: Instant::now(),
        }
    }
}

/// What [`run_with`] runs on, besides the plan.
pub struct RunParts {
    /// Servers.
    pub targets: Targets,
    /// Client TLS.
    pub tls: TlsClient,
    /// Where outcomes go.
    pub recorder: Arc<Recorder>,
    /// The interval store.
    pub store: Arc<Mutex<IntervalStore>>,
    /// Ends the run early.
    pub interrupt: CancellationToken,
    /// When the run's time 0 is.
    pub clock: RunClock,
    /// A population run's persona counters, when someone else reads them
    /// while the run goes (the live metrics); made by the engine otherwise.
    pub personas: Option<Arc<Vec<persona::Tally>>>,
}

/// [`run`], with the sessions coming from `external` (scripts, e.g. a
/// replayed log) instead of the plan's load model when it is given.
pub async fn run_with(
    plan: &RunPlan,
    parts: RunParts,
    on_tick: impl Fn(&IntervalStore, Duration) + Send + 'static,
    external: Option<scripted::External>,
) -> EngineOutcome {
    let RunParts {
        targets,
        tls,
        recorder,
        store,
        interrupt,
        clock,
        personas: tallies,
    } = parts;
    let (started_at, start) = (clock.wall, clock.start);
    let ctx = context(plan, targets, tls, recorder, start);
    let queue_now = tasks::QueueNow::new(&ctx);
    let sampler = tasks::sample_queues(ctx.clone(), queue_now.clone());
    let stop = tasks::Stop::new(plan);
    let stopper = tasks::stop_at_the_end(ctx.clone(), &stop, plan, interrupt, start);
    let ticks = tasks::Ticks {
        store: store.clone(),
        queue_now: queue_now.clone(),
        interval: plan.interval,
        start,
        steady: steady_window(plan, stop.load_end_us.clone()),
    };
    let ticker = tasks::tick(ctx.clone(), ticks, on_tick);
    let personas = match external {
        Some(external) => {
            scripted::drive(ctx.clone(), external, start).await;
            Vec::new()
        }
        None => drive_load(plan, &ctx, start, tallies).await,
    };
    ctx.stop_hard();
    let _ = ticker.await;
    let _ = sampler.await;
    stopper.abort();
    let elapsed = start.elapsed();
    {
        let mut s = store.lock().expect("store");
        let last = s.last_interval().map_or(Duration::ZERO, |r| r.end);
        s.set_window(steady_window(plan, stop.load_end_us.clone())());
        if elapsed > last {
            s.tick(&ctx.recorder, last, elapsed, 0, queue_now.take());
        }
    }
    EngineOutcome {
        personas,
        ..outcome(plan, &ctx, &stop, started_at, elapsed)
    }
}

/// The context every session of the run shares.
fn context(
    plan: &RunPlan,
    targets: Targets,
    tls: TlsClient,
    recorder: Arc<Recorder>,
    start: Instant,
) -> Arc<Ctx> {
    let layout = recorder.layout().clone();
    let users = UserPool::new(plan.users.clone(), |b| {
        layout
            .backend_names
            .iter()
            .position(|n| n == b)
            .map(|i| i as u16)
    });
    let plan_profiles = profiles(plan);
    let weights =
        WeightedIndex::new(plan_profiles.iter().map(|p| p.weight.max(1))).expect("profile weights");
    let user_profile = (0..plan.users.len())
        .map(|i| {
            let mut rng =
                SmallRng::seed_from_u64(plan.seed ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
            weights.sample(&mut rng) as u16
        })
        .collect();
    let ctx = Arc::new(Ctx {
        append_msg: cmd::synthetic_message(plan.session.append_size, plan.seed),
        session: plan.session.clone(),
        targets,
        tls,
        recorder: recorder.clone(),
        users,
        cas_share: plan.load.cas_share,
        load: plan.load.clone(),
        profiles: plan_profiles.iter().map(ProfileRt::new).collect(),
        user_profile,
        generator: open::GeneratorStats::default(),
        limits: Limits::default(),
        deadline: start + plan.duration,
        soft_stop: CancellationToken::new(),
        hard_stop: CancellationToken::new(),
        watch: watch::Watch::new(plan.session.command_timeout),
        counters: SessionCounters::default(),
        queues: QueueGauges::new(&layout),
        protolog: plan
            .output
            .protocol_log
            .clone()
            .map(crate::imap::protolog::ProtoLog::new),
        tokens: tokens::Tokens::new(
            plan.session.token_command.clone(),
            plan.session.token_ttl,
            plan.session.command_timeout,
        ),
    });
    ctx
}

/// Runs the load model (or the population) until its end.
async fn drive_load(
    plan: &RunPlan,
    ctx: &Arc<Ctx>,
    start: Instant,
    tallies: Option<Arc<Vec<persona::Tally>>>,
) -> Vec<crate::results::personas::PersonaRow> {
    if let Some(population) = &plan.population {
        let users = plan.load.sessions;
        let tallies = tallies.unwrap_or_else(|| persona::tallies(population));
        return persona::drive(ctx.clone(), population, users, plan.seed, start, tallies).await;
    }
    match plan.load.model {
        LoadModel::Closed => {
            let seats = if plan.load.stages.is_empty() {
                plan.load.sessions
            } else {
                plan.load
                    .stages
                    .iter()
                    .map(|s| s.target)
                    .fold(0.0, f64::max)
                    .ceil() as usize
            };
            closed::drive(ctx.clone(), seats, plan.seed, start, plan.load.ramp_up).await;
        }
        LoadModel::Open => open::drive(ctx.clone(), plan.seed, start).await,
    }
    Vec::new()
}
