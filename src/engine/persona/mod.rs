//! A population run: each user runs the devices of its group, each device
//! its persona's connections (`plan::persona`), for the whole run; a
//! delivery actor drops mail into the users' INBOXes at the user-day
//! profile's rate, so idling clients see `EXISTS` and react as their persona
//! does. Client time runs `time_scale` times faster than the wall clock.

mod burst;
mod deliver;
mod idle;
mod life;
mod tally;
mod wire;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::distr::weighted::WeightedIndex;
use rand::distr::Distribution;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::metrics::Route;
use crate::plan::persona::Persona;
use crate::plan::population::{PopulationPlan, UserDay};
use crate::results::personas::PersonaRow;

use super::Ctx;
pub use tally::Tally;

/// What every device of a population run shares.
pub struct Runtime {
    /// The run's context.
    pub ctx: Arc<Ctx>,
    /// The personas, by index.
    pub personas: Vec<Persona>,
    /// Their counters, by the same index (shared with the live metrics).
    pub tallies: Arc<Vec<Tally>>,
    /// Client time per wall time.
    pub scale: f64,
    /// The user-day profile.
    pub day: UserDay,
    /// When the run started.
    pub start: Instant,
    /// How long after the start a device's connections may first connect (wall).
    pub stagger: Duration,
    /// Connections open now, per user (by rank).
    pub user_active: Vec<AtomicU64>,
    /// How many users (by rank) are online now.
    pub online_users: AtomicU64,
    /// Each user's devices (by rank).
    pub devices: Vec<Vec<Arc<Device>>>,
}

impl Runtime {
    /// The wall time a client duration takes.
    pub fn wall(&self, client: Duration) -> Duration {
        client.div_f64(self.scale)
    }

    /// `every` drawn within ±`jitter`, in wall time.
    pub fn jittered(&self, every: Duration, jitter: f64, rng: &mut SmallRng) -> Duration {
        let f = 1.0 + jitter * (2.0 * rng.random::<f64>() - 1.0);
        self.wall(every.mul_f64(f.max(0.0)))
    }

    /// The client time of day now.
    pub fn clock(&self) -> Duration {
        self.day.start + self.start.elapsed().mul_f64(self.scale)
    }

    /// The distinct personas of user `rank`'s devices.
    pub fn personas_of(&self, rank: usize) -> Vec<usize> {
        let mut v: Vec<usize> = Vec::new();
        for d in &self.devices[rank] {
            if !v.contains(&d.persona) {
                v.push(d.persona);
            }
        }
        v
    }

    /// Whether the user of rank `rank` is online now (the curve).
    pub fn online(&self, rank: usize) -> bool {
        (rank as u64) < self.online_users.load(Relaxed)
    }
}

/// One device of one user.
pub struct Device {
    /// Index of its persona.
    pub persona: usize,
    /// Its user's index in the run's users.
    pub user: usize,
    /// Its user's rank (who comes online first).
    pub user_rank: usize,
    /// How its connections reach the servers.
    pub route: Route,
    /// Its folders have been discovered (once per device).
    pub discovered: AtomicBool,
    /// Its connections open now.
    pub active: AtomicU64,
    /// Messages the user wrote on it, not sent yet.
    pub sends: AtomicU64,
    /// Wakes its primary connection for a send.
    pub send_wake: tokio::sync::Notify,
}

impl Device {
    /// The folders a connection walks: the spec's list for this mailbox's
    /// connection, or the mailbox alone.
    pub fn folders_of(&self, persona: &Persona, mailbox: &str) -> Vec<String> {
        persona
            .connections
            .iter()
            .find(|c| c.mailbox == mailbox || c.folders.iter().any(|f| f == mailbox))
            .map(|c| c.folders.clone())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| vec![mailbox.to_string()])
    }
}

/// Empty counters for each persona of `population`, by its index: made
/// before the run so that the live metrics can read them while it goes.
pub fn tallies(population: &PopulationPlan) -> Arc<Vec<Tally>> {
    let tallies = (population.personas.iter()).map(|p| Tally::new(&p.name, p.pool()));
    Arc::new(tallies.collect())
}

/// Runs the population until the load stops, counting into `tallies` (from
/// [`tallies`]); returns each persona's figures.
pub async fn drive(
    ctx: Arc<Ctx>,
    population: &PopulationPlan,
    users: usize,
    seed: u64,
    start: Instant,
    tallies: Arc<Vec<Tally>>,
) -> Vec<PersonaRow> {
    let users = users.min(ctx.users.len()).max(1);
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x5eed_9e75);
    let devices = devices(&ctx, population, users, &mut rng);
    for user_devices in &devices {
        let mut seen = Vec::new();
        for d in user_devices {
            tallies[d.persona].devices.fetch_add(1, Relaxed);
            if !seen.contains(&d.persona) {
                tallies[d.persona].users.fetch_add(1, Relaxed);
                seen.push(d.persona);
            }
        }
    }
    let rt = Arc::new(Runtime {
        personas: population.personas.clone(),
        tallies,
        scale: population.time_scale,
        day: population.day.clone(),
        start,
        stagger: (ctx.load.ramp_up.max(Duration::from_secs(1))).mul_f64(population.time_scale),
        user_active: (0..users).map(|_| AtomicU64::new(0)).collect(),
        online_users: AtomicU64::new(0),
        devices,
        ctx: ctx.clone(),
    });
    set_online(&rt, users);
    let mut tasks = tokio::task::JoinSet::new();
    for dev in rt.devices.iter().flatten() {
        for (ci, spec) in rt.personas[dev.persona].connections.iter().enumerate() {
            for k in 0..spec.count {
                let (rt, dev) = (rt.clone(), dev.clone());
                let r = SmallRng::seed_from_u64(rng.random());
                let primary = ci == 0 && k == 0;
                tasks.spawn(async move {
                    let spec = &rt.personas[dev.persona].connections[ci];
                    life::connection(&rt, &dev, spec, k, primary, r).await;
                });
            }
        }
    }
    let online = tokio::spawn(follow_curve(rt.clone(), users));
    let lmtp = population.lmtp.clone();
    let delivery = tokio::spawn(deliver::run(rt.clone(), lmtp, users, seed));
    let sends = tokio::spawn(deliver::sends(rt.clone(), users, seed));
    while tasks.join_next().await.is_some() {}
    online.abort();
    let _ = delivery.await;
    let _ = sends.await;
    rt.tallies.iter().map(Tally::row).collect()
}

/// Each user's devices (by rank): the group drawn by its share, the route
/// (a CAS by the run's share, else the home back end) shared by its devices.
fn devices(
    ctx: &Ctx,
    population: &PopulationPlan,
    users: usize,
    rng: &mut SmallRng,
) -> Vec<Vec<Arc<Device>>> {
    let weights = WeightedIndex::new(population.groups.iter().map(|g| g.share))
        .expect("validated shares > 0");
    (0..users)
        .map(|rank| {
            let group = &population.groups[weights.sample(rng)];
            let (_, home) = ctx.users.at(rank);
            let direct_ok = ctx.targets.backends.len() > home as usize;
            let via_cas = !ctx.targets.cas.is_empty()
                && (!direct_ok || rng.random_bool(ctx.cas_share.clamp(0.0, 1.0)));
            let cas = via_cas.then(|| (rank % ctx.targets.cas.len()) as u16);
            (group.devices.iter())
                .map(|&persona| {
                    Arc::new(Device {
                        persona,
                        user: rank,
                        user_rank: rank,
                        route: Route { cas, backend: home },
                        discovered: AtomicBool::new(false),
                        active: AtomicU64::new(0),
                        sends: AtomicU64::new(0),
                        send_wake: tokio::sync::Notify::new(),
                    })
                })
                .collect()
        })
        .collect()
}

fn set_online(rt: &Runtime, users: usize) {
    let share = rt.day.online(rt.clock());
    rt.online_users
        .store((users as f64 * share).ceil() as u64, Relaxed);
}

/// Keeps the number of users online on the time-of-day curve.
async fn follow_curve(rt: Arc<Runtime>, users: usize) {
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        set_online(&rt, users);
    }
}
