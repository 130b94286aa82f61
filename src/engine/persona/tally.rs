//! What each persona did, counted while the run goes: plain atomic counters
//! and one latency histogram per persona. A persona's commands are few (its
//! connections mostly idle), so the histogram sits behind a mutex taken once
//! per command; the session mix's hot path never comes here.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::results::personas::PersonaRow;
use crate::results::Quantiles;

/// One persona's counters.
#[derive(Debug)]
pub struct Tally {
    /// The persona's name.
    pub name: String,
    /// Its pool.
    pub pool: u32,
    /// Users with a device of it.
    pub users: AtomicU64,
    /// Its devices.
    pub devices: AtomicU64,
    /// Connections opened.
    pub connections: AtomicU64,
    /// Connections open now (the live metrics' gauge).
    pub open: AtomicU64,
    /// Most connections one device held at once.
    pub max_per_device: AtomicU64,
    /// Most connections one user held at once.
    pub max_per_user: AtomicU64,
    /// Commands sent.
    pub commands: AtomicU64,
    /// Failures.
    pub errors: AtomicU64,
    /// EXISTS pushed during IDLE.
    pub exists_pushed: AtomicU64,
    /// New-mail fetches after a pushed EXISTS.
    pub idle_fetches: AtomicU64,
    /// New-mail fetches after a poll found mail.
    pub poll_fetches: AtomicU64,
    /// Messages opened.
    pub reads: AtomicU64,
    /// Messages sent.
    pub sends: AtomicU64,
    /// Messages delivered to its users.
    pub deliveries: AtomicU64,
    latency: Mutex<Histogram<u64>>,
}

impl Tally {
    /// Empty counters for `name` with `pool` connections per device.
    pub fn new(name: &str, pool: u32) -> Tally {
        Tally {
            name: name.to_string(),
            pool,
            users: AtomicU64::new(0),
            devices: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            open: AtomicU64::new(0),
            max_per_device: AtomicU64::new(0),
            max_per_user: AtomicU64::new(0),
            commands: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            exists_pushed: AtomicU64::new(0),
            idle_fetches: AtomicU64::new(0),
            poll_fetches: AtomicU64::new(0),
            reads: AtomicU64::new(0),
            sends: AtomicU64::new(0),
            deliveries: AtomicU64::new(0),
            latency: Mutex::new(Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("bounds")),
        }
    }

    /// One command done in `latency` (corrected).
    pub fn command(&self, latency: Duration) {
        self.commands.fetch_add(1, Relaxed);
        let us = (latency.as_micros() as u64).clamp(1, 3_600_000_000);
        if let Ok(mut h) = self.latency.lock() {
            let _ = h.record(us);
        }
    }

    /// A copy of the latency histogram so far (µs, corrected), for the live metrics.
    pub fn latency(&self) -> Histogram<u64> {
        match self.latency.lock() {
            Ok(h) => h.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// The figures for the results.
    pub fn row(&self) -> PersonaRow {
        let latency_us = match self.latency.lock() {
            Ok(h) => Quantiles::of(&h),
            Err(_) => Quantiles::default(),
        };
        PersonaRow {
            persona: self.name.clone(),
            users: self.users.load(Relaxed),
            devices: self.devices.load(Relaxed),
            pool: self.pool,
            connections: self.connections.load(Relaxed),
            max_connections_per_device: self.max_per_device.load(Relaxed),
            max_connections_per_user: self.max_per_user.load(Relaxed),
            commands: self.commands.load(Relaxed),
            errors: self.errors.load(Relaxed),
            latency_us,
            exists_pushed: self.exists_pushed.load(Relaxed),
            idle_fetches: self.idle_fetches.load(Relaxed),
            poll_fetches: self.poll_fetches.load(Relaxed),
            reads: self.reads.load(Relaxed),
            sends: self.sends.load(Relaxed),
            deliveries: self.deliveries.load(Relaxed),
        }
    }
}
