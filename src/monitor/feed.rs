//! Monitor samples added up one interval at a time: what the monitors read
//! (per server and sample period, the corrected latency sum and count of the
//! commands it processed, the queue readings, and per CAS the back ends behind
//! it), kept per sample period, never per interval, so a tick costs the same
//! however long the run and a long run holds a few numbers per sample.
//!
//! Which intervals are judged depends on the steady window, whose end moves
//! when a run is interrupted (to the stop, minus the cool-down). An interval
//! waits in a short queue until no later stop can change its fate (its
//! midpoint is more than the cool-down before now), so the sums match what a
//! pass over every interval with the final window gives.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use crate::results::interval::IntervalRecord;
use crate::results::RowKey;
use crate::results::Window;

use super::samples::is_processed_command;

/// A server's queue readings over a sample period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueueAcc {
    /// Sum of the readings.
    pub sum: u64,
    /// Readings taken.
    pub readings: u64,
    /// Highest reading.
    pub max: u64,
}

/// What one sample period (or one interval) adds up to.
#[derive(Debug, Clone, Default)]
struct Sums {
    /// Per server: corrected latency sum (µs) and successful commands.
    latency: Vec<(u64, u64)>,
    /// Per server: queue readings.
    queue: Vec<QueueAcc>,
    /// Per (CAS, back end behind it): latency sum and successful commands.
    behind: BTreeMap<(String, String), (u64, u64)>,
}

impl Sums {
    fn new(servers: usize) -> Sums {
        Sums {
            latency: vec![(0, 0); servers],
            queue: vec![QueueAcc::default(); servers],
            behind: BTreeMap::new(),
        }
    }

    fn add(&mut self, other: &Sums) {
        for (a, b) in self.latency.iter_mut().zip(&other.latency) {
            a.0 += b.0;
            a.1 += b.1;
        }
        for (a, b) in self.queue.iter_mut().zip(&other.queue) {
            a.sum += b.sum;
            a.readings += b.readings;
            a.max = a.max.max(b.max);
        }
        for (k, v) in &other.behind {
            let e = self.behind.entry(k.clone()).or_default();
            e.0 += v.0;
            e.1 += v.1;
        }
    }
}

/// One interval's contribution, waiting until its place in the window is settled.
#[derive(Debug)]
struct Part {
    start: Duration,
    end: Duration,
    sample: usize,
    sums: Sums,
}

/// The monitors' running sums.
#[derive(Debug)]
pub struct Feed {
    period: Duration,
    servers: Vec<String>,
    cas: usize,
    cooldown: Duration,
    /// Per row index: the server index it counts toward (processed commands only).
    row_server: Vec<Option<usize>>,
    pending: VecDeque<Part>,
    samples: Vec<Sums>,
}

/// The sums of every complete sample period, as the monitors read them.
#[derive(Debug, Clone, Default)]
pub struct SampleTable {
    /// Sample periods `[k*period, (k+1)*period)`.
    pub periods: Vec<(Duration, Duration)>,
    /// Per server name: latency (sum µs, ok) per sample.
    pub latency: BTreeMap<String, Vec<(u64, u64)>>,
    /// Per server name: queue readings per sample.
    pub queue: BTreeMap<String, Vec<QueueAcc>>,
    /// Per CAS, per back end behind it: latency (sum µs, ok) per sample.
    pub behind: BTreeMap<String, BTreeMap<String, Vec<(u64, u64)>>>,
}

/// How many sample periods are complete at `end` (1% slack for the last
/// tick's jitter), as [`super::samples::periods`] counts them.
pub fn complete_samples(period: Duration, end: Duration) -> usize {
    let p = period.as_nanos();
    if p == 0 {
        return 0;
    }
    ((end.as_nanos() + p / 100) / p).min(usize::MAX as u128) as usize
}

impl Feed {
    /// Empty sums for `cas` then `backends` (the queue order of the records),
    /// with samples of `period`; `cooldown` is how long before the stop the
    /// window may end (`[load] cooldown`, zero without one).
    pub fn new(cas: &[String], backends: &[String], period: Duration, cooldown: Duration) -> Feed {
        Feed {
            period,
            servers: cas.iter().chain(backends).cloned().collect(),
            cas: cas.len(),
            cooldown,
            row_server: Vec::new(),
            pending: VecDeque::new(),
            samples: Vec::new(),
        }
    }

    /// The sample period.
    pub fn period(&self) -> Duration {
        self.period
    }

    fn sample_of(&self, start: Duration) -> usize {
        let p = self.period.as_nanos().max(1);
        (start.as_nanos() / p).min(usize::MAX as u128) as usize
    }

    /// Adds one interval (rows indexing `keys`); it is judged once settled.
    pub fn add(&mut self, rec: &IntervalRecord, keys: &[RowKey]) {
        while self.row_server.len() < keys.len() {
            let key = &keys[self.row_server.len()];
            let server = (is_processed_command(key.command))
                .then(|| self.servers.iter().position(|s| s == &key.server))
                .flatten();
            self.row_server.push(server);
        }
        let mut sums = Sums::new(self.servers.len());
        for row in &rec.rows {
            let Some(i) = self.row_server.get(row.row).copied().flatten() else {
                continue;
            };
            sums.latency[i].0 += row.corrected_sum_us;
            sums.latency[i].1 += row.ok;
            if i < self.cas {
                let pair = (self.servers[i].clone(), keys[row.row].backend.clone());
                let e = sums.behind.entry(pair).or_default();
                e.0 += row.corrected_sum_us;
                e.1 += row.ok;
            }
        }
        for (acc, q) in sums.queue.iter_mut().zip(&rec.queues) {
            acc.sum = q.sum;
            acc.readings = q.samples as u64;
            acc.max = q.max;
        }
        self.pending.push_back(Part {
            start: rec.start,
            end: rec.end,
            sample: self.sample_of(rec.start),
            sums,
        });
    }

    /// Intervals fed but not yet judged (waiting for the cool-down to pass).
    pub fn waiting(&self) -> usize {
        self.pending.len()
    }

    /// Judges the intervals whose place in `window` no later stop can change
    /// (their midpoint more than the cool-down before `now`); pass
    /// `Duration::MAX` once the window is final.
    pub fn settle(&mut self, window: &Window, now: Duration) {
        while let Some(part) = self.pending.front() {
            let mid = part.start + part.end.saturating_sub(part.start) / 2;
            if now != Duration::MAX && mid.saturating_add(self.cooldown) >= now {
                return;
            }
            let Some(part) = self.pending.pop_front() else {
                return;
            };
            if window.contains(part.start, part.end) {
                self.commit(&part);
            }
        }
    }

    fn commit(&mut self, part: &Part) {
        let n = self.servers.len();
        if self.samples.len() <= part.sample {
            self.samples.resize_with(part.sample + 1, || Sums::new(n));
        }
        self.samples[part.sample].add(&part.sums);
    }

    /// Every complete sample at `end`: the settled sums, plus the intervals
    /// still waiting that `window` holds.
    pub fn table(&self, window: &Window, end: Duration) -> SampleTable {
        let count = complete_samples(self.period, end);
        let mut sums: Vec<Sums> = (self.samples.iter().take(count)).cloned().collect();
        let n = self.servers.len();
        for part in
            (self.pending.iter()).filter(|p| p.sample < count && window.contains(p.start, p.end))
        {
            if sums.len() <= part.sample {
                sums.resize_with(part.sample + 1, || Sums::new(n));
            }
            sums[part.sample].add(&part.sums);
        }
        sums.resize_with(count, || Sums::new(n));
        self.tabulate(sums)
    }

    /// Sums per sample into per-server series.
    fn tabulate(&self, sums: Vec<Sums>) -> SampleTable {
        let periods: Vec<(Duration, Duration)> = (0..sums.len() as u32)
            .map(|k| (self.period * k, self.period * (k + 1)))
            .collect();
        let mut t = SampleTable {
            periods,
            ..Default::default()
        };
        for (i, name) in self.servers.iter().enumerate() {
            t.latency
                .insert(name.clone(), sums.iter().map(|s| s.latency[i]).collect());
            t.queue
                .insert(name.clone(), sums.iter().map(|s| s.queue[i]).collect());
        }
        for (k, s) in sums.iter().enumerate() {
            for ((cas, backend), v) in &s.behind {
                let series = (t.behind.entry(cas.clone()).or_default())
                    .entry(backend.clone())
                    .or_insert_with(|| vec![(0, 0); sums.len()]);
                series[k] = *v;
            }
        }
        t
    }
}
