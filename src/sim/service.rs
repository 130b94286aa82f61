//! Service-time model, worker pool, fault knobs and queue gauges of one
//! embedded server.
//!
//! A real mailbox server has a bounded number of threads; when every one is
//! busy, commands queue. That queue is what the RequestsQueued monitor
//! watches, so the simulator reproduces it: every command takes a worker
//! permit (waiting, and counted in `queued`, when none is free), holds it for
//! a log-normal service time, does its work and releases it.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal};
use tokio::sync::{Notify, Semaphore};

use crate::command::CommandKind;
use crate::plan::{ServiceTime, ServiceTimes};

/// z-score of the 99th percentile of a standard normal: p99 = median * e^(2.326 sigma).
const Z99: f64 = 2.326;

/// Per-command log-normal service-time distributions of one back end.
#[derive(Debug, Clone)]
pub struct ServiceModel {
    dists: [Option<LogNormal<f64>>; CommandKind::COUNT],
}

impl ServiceModel {
    /// Builds the table from the plan's median/p99 per command.
    /// A zero median means "no added time".
    pub fn new(times: &ServiceTimes) -> ServiceModel {
        let dists = CommandKind::ALL.map(|k| Self::dist(times.of(k)));
        ServiceModel { dists }
    }

    fn dist(t: ServiceTime) -> Option<LogNormal<f64>> {
        let median = t.median.as_secs_f64();
        if median <= 0.0 {
            return None;
        }
        let p99 = t.p99.as_secs_f64().max(median);
        LogNormal::new(median.ln(), (p99 / median).ln() / Z99).ok()
    }

    /// Draws one service time for `kind`.
    pub fn sample(&self, kind: CommandKind, rng: &mut SmallRng) -> Duration {
        match &self.dists[kind.index()] {
            Some(d) => Duration::from_secs_f64(d.sample(rng).min(3600.0)),
            None => Duration::ZERO,
        }
    }
}

/// A small fast RNG for one connection, derived from (seed, connection number)
/// so no connection contends on a shared generator.
pub fn connection_rng(seed: u64, conn: u64) -> SmallRng {
    SmallRng::seed_from_u64(crate::sim::message::mix(
        seed ^ crate::sim::message::mix(conn),
    ))
}

/// Per-server runtime knobs (faults) and gauges. All atomics, so the hot path
/// takes no lock; fault schedules and the metrics sampler read and write them
/// from other tasks while the server runs.
#[derive(Debug)]
pub struct ServerControl {
    slow_factor_milli: AtomicU64,
    added_delay_us: AtomicU64,
    stalled: AtomicBool,
    refuse_logins: AtomicBool,
    drop_connections: AtomicBool,
    /// Killed: listeners closed and connections dropped until it is cleared.
    down: AtomicBool,
    /// Woken whenever a knob changes, so stalled commands and open
    /// connections react at once instead of polling.
    changed: Notify,
    workers: Semaphore,
    /// Permits in existence (available + held).
    worker_capacity: AtomicUsize,
    /// The limit asked for; capacity shrinks towards it as permits are released.
    worker_target: AtomicUsize,
    queued: AtomicUsize,
    busy: AtomicUsize,
    connections: AtomicUsize,
    commands_total: AtomicU64,
    logins_total: AtomicU64,
    logins_failed: AtomicU64,
    backend_connections: AtomicU64,
}

impl ServerControl {
    /// A server with `workers` concurrent commands and no faults.
    pub fn new(workers: usize) -> Arc<ServerControl> {
        let workers = workers.max(1);
        Arc::new(ServerControl {
            slow_factor_milli: AtomicU64::new(1000),
            added_delay_us: AtomicU64::new(0),
            stalled: AtomicBool::new(false),
            refuse_logins: AtomicBool::new(false),
            drop_connections: AtomicBool::new(false),
            down: AtomicBool::new(false),
            changed: Notify::new(),
            workers: Semaphore::new(workers),
            worker_capacity: AtomicUsize::new(workers),
            worker_target: AtomicUsize::new(workers),
            queued: AtomicUsize::new(0),
            busy: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            commands_total: AtomicU64::new(0),
            logins_total: AtomicU64::new(0),
            logins_failed: AtomicU64::new(0),
            backend_connections: AtomicU64::new(0),
        })
    }

    /// Multiplies every service time (1.0 = normal, 10.0 = ten times slower);
    /// the "slow back end" fault. Negative values count as 0.
    pub fn set_slow_factor(&self, factor: f64) {
        self.slow_factor_milli
            .store((factor.max(0.0) * 1000.0) as u64, Relaxed);
    }
    /// Current service-time multiplier.
    pub fn slow_factor(&self) -> f64 {
        self.slow_factor_milli.load(Relaxed) as f64 / 1000.0
    }
    /// A fixed delay added to every command (and to the CAS login step).
    pub fn set_added_delay(&self, d: Duration) {
        self.added_delay_us.store(d.as_micros() as u64, Relaxed);
    }
    /// Current added delay.
    pub fn added_delay(&self) -> Duration {
        Duration::from_micros(self.added_delay_us.load(Relaxed))
    }
    /// Stall: commands wait (holding nothing) until this is cleared.
    pub fn set_stalled(&self, on: bool) {
        self.stalled.store(on, Relaxed);
        self.changed.notify_waiters();
    }
    /// Whether commands are stalled now.
    pub fn stalled(&self) -> bool {
        self.stalled.load(Relaxed)
    }
    /// Refuse logins: LOGIN / AUTHENTICATE answer `NO [UNAVAILABLE]`.
    pub fn set_refuse_logins(&self, on: bool) {
        self.refuse_logins.store(on, Relaxed);
    }
    /// Whether logins are refused now.
    pub fn refuse_logins(&self) -> bool {
        self.refuse_logins.load(Relaxed)
    }
    /// Drop connections: close existing connections and every new one at once.
    pub fn set_drop_connections(&self, on: bool) {
        self.drop_connections.store(on, Relaxed);
        self.changed.notify_waiters();
    }
    /// Whether connections are being dropped now.
    pub fn drop_connections(&self) -> bool {
        self.drop_connections.load(Relaxed)
    }
    /// Kills the server (`true`): its listeners close, so connects are refused,
    /// and every connection drops; `false` restarts it on the same ports. The
    /// mail store survives, like a real server's disk.
    pub fn set_down(&self, on: bool) {
        self.down.store(on, Relaxed);
        self.changed.notify_waiters();
    }
    /// Whether the server is killed now.
    pub fn down(&self) -> bool {
        self.down.load(Relaxed)
    }
    /// Resolves once the server is up (`true`) or killed (`false`); at once
    /// when it already is.
    pub async fn wait_down(&self, down: bool) {
        loop {
            let notified = self.changed.notified();
            if self.down() == down {
                return;
            }
            notified.await;
        }
    }
    /// Changes the worker limit. Growing is immediate; shrinking removes free
    /// permits now and the rest as running commands finish.
    pub fn set_workers(&self, n: usize) {
        let n = n.max(1);
        self.worker_target.store(n, Relaxed);
        let cap = self.worker_capacity.load(Relaxed);
        if n > cap {
            self.worker_capacity.fetch_add(n - cap, Relaxed);
            self.workers.add_permits(n - cap);
        } else if n < cap {
            let gone = self.workers.forget_permits(cap - n);
            self.worker_capacity.fetch_sub(gone, Relaxed);
        }
    }
    /// The current worker limit (what was asked for).
    pub fn workers(&self) -> usize {
        self.worker_target.load(Relaxed)
    }
    /// Commands waiting for a worker now: the server-side queue depth.
    pub fn queued(&self) -> usize {
        self.queued.load(Relaxed)
    }
    /// Commands being served (holding a worker) now.
    pub fn busy(&self) -> usize {
        self.busy.load(Relaxed)
    }
    /// Client connections open now.
    pub fn connections(&self) -> usize {
        self.connections.load(Relaxed)
    }
    /// Commands started since the server started.
    pub fn commands_total(&self) -> u64 {
        self.commands_total.load(Relaxed)
    }
    /// LOGIN / AUTHENTICATE attempts.
    pub fn logins_total(&self) -> u64 {
        self.logins_total.load(Relaxed)
    }
    /// Failed LOGIN / AUTHENTICATE attempts (bad credentials, refused, unavailable).
    pub fn logins_failed(&self) -> u64 {
        self.logins_failed.load(Relaxed)
    }
    /// Back-end connections a CAS opened (0 on back ends); lets tests prove
    /// the CAS never connects for an unauthenticated client.
    pub fn backend_connections(&self) -> u64 {
        self.backend_connections.load(Relaxed)
    }

    pub(crate) fn count_login(&self, ok: bool) {
        self.logins_total.fetch_add(1, Relaxed);
        if !ok {
            self.logins_failed.fetch_add(1, Relaxed);
        }
    }
    pub(crate) fn count_command(&self) {
        self.commands_total.fetch_add(1, Relaxed);
    }
    pub(crate) fn count_backend_connection(&self) {
        self.backend_connections.fetch_add(1, Relaxed);
    }
    pub(crate) fn connection_opened(self: &Arc<Self>) -> ConnectionGuard {
        self.connections.fetch_add(1, Relaxed);
        ConnectionGuard(self.clone())
    }

    /// Resolves once `drop_connections` is set or the server is killed;
    /// sessions race it against their reads so existing connections close promptly.
    pub async fn dropped(&self) {
        loop {
            let notified = self.changed.notified();
            if self.drop_connections() || self.down() {
                return;
            }
            notified.await;
        }
    }

    /// Waits while the server is stalled.
    pub async fn wait_unstalled(&self) {
        loop {
            let notified = self.changed.notified();
            if !self.stalled() {
                return;
            }
            notified.await;
        }
    }

    /// Scales a drawn service time by the slow factor and adds the added delay.
    pub fn effective(&self, base: Duration) -> Duration {
        base.mul_f64(self.slow_factor()) + self.added_delay()
    }

    /// Admits one command: waits out a stall, takes a worker (counted in
    /// `queued` while waiting), then spends the service time. The returned
    /// guard holds the worker until dropped, so the caller does its work
    /// inside the worker like a real server thread would.
    pub async fn admit(self: &Arc<Self>, base: Duration) -> WorkerGuard {
        self.commands_total.fetch_add(1, Relaxed);
        self.wait_unstalled().await;
        let permit = match self.workers.try_acquire() {
            Ok(p) => p,
            Err(_) => {
                self.queued.fetch_add(1, Relaxed);
                let p = self.workers.acquire().await;
                self.queued.fetch_sub(1, Relaxed);
                p.expect("worker semaphore is never closed")
            }
        };
        permit.forget();
        self.busy.fetch_add(1, Relaxed);
        let guard = WorkerGuard(self.clone());
        pause(self.effective(base)).await;
        guard
    }

    fn release_worker(&self) {
        self.busy.fetch_sub(1, Relaxed);
        // Shrinking: retire this permit instead of returning it.
        let retire = self
            .worker_capacity
            .fetch_update(Relaxed, Relaxed, |cap| {
                (cap > self.worker_target.load(Relaxed)).then(|| cap - 1)
            })
            .is_ok();
        if !retire {
            self.workers.add_permits(1);
        }
    }
}

/// Sleeps for `d`. Tokio timers have 1 ms resolution (a 200 µs sleep would
/// really take ~1 ms and distort sub-millisecond medians), so anything
/// shorter only yields to the scheduler.
pub async fn pause(d: Duration) {
    if d < Duration::from_millis(1) {
        tokio::task::yield_now().await;
    } else {
        tokio::time::sleep(d).await;
    }
}

/// Holds one worker of a server; releases it on drop.
#[derive(Debug)]
pub struct WorkerGuard(Arc<ServerControl>);

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        self.0.release_worker();
    }
}

/// Counts one open connection; decrements the gauge on drop.
#[derive(Debug)]
pub struct ConnectionGuard(Arc<ServerControl>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn lognormal_matches_median_and_p99() {
        let t = ServiceTime {
            median: Duration::from_millis(10),
            p99: Duration::from_millis(50),
        };
        let model = ServiceModel::new(&ServiceTimes {
            default: t,
            per_command: HashMap::new(),
        });
        let mut rng = connection_rng(1, 2);
        let mut v: Vec<f64> = (0..20_000)
            .map(|_| model.sample(CommandKind::Noop, &mut rng).as_secs_f64())
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = v[v.len() / 2];
        let p99 = v[v.len() * 99 / 100];
        assert!((0.009..0.011).contains(&median), "median {median}");
        assert!((0.042..0.058).contains(&p99), "p99 {p99}");
    }

    #[tokio::test]
    async fn workers_shrink_and_grow() {
        let c = ServerControl::new(2);
        let a = c.admit(Duration::ZERO).await;
        let b = c.admit(Duration::ZERO).await;
        c.set_workers(1);
        drop(a);
        assert!(
            c.workers.try_acquire().is_err(),
            "one retired, one still held"
        );
        drop(b);
        assert_eq!(c.workers.available_permits(), 1);
        c.set_workers(3);
        assert_eq!(c.workers.available_permits(), 3);
        assert_eq!(c.busy(), 0);
    }
}
