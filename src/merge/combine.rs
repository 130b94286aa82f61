//! Adding the shards up: time series on the shared clock (time since each
//! shard's start, the clock the scenario's ramps, faults and probes run on),
//! histograms added interval by interval and in total (never percentiles
//! averaged), queue readings added (the model counts commands in flight per
//! server, and the shards' commands are all in flight at once), sessions and
//! generator counts added.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::hlog;
use super::input::ShardDir;
use crate::engine::open::GeneratorReport;
use crate::engine::{EngineOutcome, SessionTally};
use crate::error::{Failure, InputError};
use crate::metrics::store::{quantiles, IntervalRecord, IntervalStats};
use crate::metrics::{
    ErrorReason, IntervalStore, Layout, QueueStats, RowHistograms, RowKey, Window,
};
use crate::probe::ProbeAttempt;
use crate::results::run::{GeneratorDoc, Outcome, SessionsDoc};
use crate::results::shards::{ShardPart, ShardsDoc};

/// One merged interval being added up.
#[derive(Default)]
struct Slot {
    start: Option<Duration>,
    end: Duration,
    active: u64,
    rows: BTreeMap<RowKey, (u64, [u64; ErrorReason::COUNT], u64)>,
    queues: Vec<QueueSum>,
}

/// A server's queue readings over one interval, added over shards as means
/// (the shards' 10 Hz readings are not taken at the same instants).
#[derive(Default, Clone)]
struct QueueSum {
    samples: u32,
    mean: f64,
    max: u64,
    own_mean: Option<f64>,
    own_max: Option<u64>,
    busy_mean: Option<f64>,
}

fn add_opt<T: std::ops::Add<Output = T>>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x + y),
        (x, None) => x,
        (None, y) => y,
    }
}

impl QueueSum {
    fn add(&mut self, q: &QueueStats) {
        let n = q.samples.max(1) as f64;
        self.samples = self.samples.max(q.samples);
        self.mean += q.mean();
        // The maximum of a sum is at most the sum of the maxima: an upper bound.
        self.max += q.max;
        self.own_mean = add_opt(self.own_mean, q.own_mean());
        self.own_max = add_opt(self.own_max, q.own_max);
        self.busy_mean = add_opt(self.busy_mean, q.own_busy_sum.map(|b| b as f64 / n));
    }

    fn stats(&self) -> QueueStats {
        let n = self.samples as f64;
        QueueStats {
            samples: self.samples,
            sum: (self.mean * n).round() as u64,
            max: self.max,
            own_sum: self.own_mean.map(|m| (m * n).round() as u64),
            own_max: self.own_max,
            own_busy_sum: self.busy_mean.map(|m| (m * n).round() as u64),
        }
    }
}

/// Adds the shards' time series, queues and histograms into a store ready
/// for the results writer, and writes the merged `latency.hlog` and
/// `service.hlog` into `out` (logs start at `start`, the earliest shard's).
/// The logs are streamed interval by interval, never held whole.
pub fn measurements(
    shards: &[ShardDir],
    out: &Path,
    start: SystemTime,
) -> Result<IntervalStore, Failure> {
    let first = &shards[0];
    let interval = first.interval;
    let servers = first.cas.len() + first.backends.len();
    let mut slots: BTreeMap<u64, Slot> = BTreeMap::new();
    for s in shards {
        for rec in &s.intervals {
            let slot = slots.entry(hlog::slot_of(rec.start, interval)).or_default();
            slot.start = Some(slot.start.map_or(rec.start, |t| t.min(rec.start)));
            slot.end = slot.end.max(rec.end);
            slot.active += rec.active_sessions;
            for r in &rec.rows {
                let e = slot.rows.entry(s.row_keys[r.row].clone()).or_default();
                e.0 += r.ok;
                for (a, b) in e.1.iter_mut().zip(r.errors) {
                    *a += b;
                }
                e.2 += r.corrected_sum_us;
            }
            slot.queues.resize(servers, QueueSum::default());
            for (acc, q) in slot.queues.iter_mut().zip(&rec.queues) {
                acc.add(q);
            }
        }
    }
    let open = |name: &str| -> Result<Vec<hlog::Reader>, InputError> {
        shards
            .iter()
            .map(|s| hlog::Reader::open(&s.dir.join(name), interval))
            .collect()
    };
    let (mut lat_in, mut svc_in) = (
        open(crate::results::files::LATENCY_HLOG)?,
        open(crate::results::files::SERVICE_HLOG)?,
    );
    let mut lat_out = hlog::Writer::create(
        &out.join(crate::results::files::LATENCY_HLOG),
        "corrected latency",
        start,
    )?;
    let mut svc_out = hlog::Writer::create(
        &out.join(crate::results::files::SERVICE_HLOG),
        "service time",
        start,
    )?;
    let layout = Layout::new(first.cas.clone(), first.backends.clone());
    let mut store = IntervalStore::new(layout);
    store.set_window(window(shards));
    let index: BTreeMap<RowKey, usize> = store
        .row_keys()
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    let mut totals: BTreeMap<RowKey, RowHistograms> = BTreeMap::new();
    let mut records = Vec::new();
    for (k, slot) in slots {
        let (mut lat, mut svc) = (hlog::Tagged::new(), hlog::Tagged::new());
        for r in &mut lat_in {
            r.take(k, &mut lat)?;
        }
        for r in &mut svc_in {
            r.take(k, &mut svc)?;
        }
        let begin = slot.start.unwrap_or(interval * k as u32);
        lat_out.write(&lat, begin, slot.end.saturating_sub(begin));
        svc_out.write(&svc, begin, slot.end.saturating_sub(begin));
        let mut rows = Vec::new();
        for (key, (ok, errors, sum)) in slot.rows {
            let row = *index.get(&key).ok_or_else(|| {
                InputError::new(
                    "SHARD",
                    format!("row {} is not one of the run's servers", key.tag()),
                )
            })?;
            let tag = key.tag();
            let corrected = lat.remove(&tag).unwrap_or_else(hlog::empty);
            let service = svc.remove(&tag).unwrap_or_else(hlog::empty);
            if corrected.len() != ok || service.len() != ok {
                let msg = format!(
                    "row {tag} at {:.3} s: the time series has {ok} successful commands, latency.hlog {} \
                     and service.hlog {}; the shards' results are incomplete",
                    begin.as_secs_f64(),
                    corrected.len(),
                    service.len()
                );
                return Err(InputError::new("SHARD", msg).into());
            }
            rows.push(IntervalStats {
                row,
                ok,
                errors,
                corrected_sum_us: sum,
                corrected: quantiles(&corrected),
                service: quantiles(&service),
            });
            let measured = RowHistograms {
                corrected,
                service,
                errors,
                corrected_sum_us: sum,
            };
            store.add_steady(begin, slot.end, row, &measured);
            totals.entry(key).or_default().add(&measured);
        }
        if let Some(tag) = lat.keys().chain(svc.keys()).next() {
            let msg = format!(
                "row {tag} at {:.3} s is in an interval log but not in timeseries.csv",
                begin.as_secs_f64()
            );
            return Err(InputError::new("SHARD", msg).into());
        }
        rows.sort_by_key(|r| r.row);
        records.push(IntervalRecord {
            start: begin,
            end: slot.end,
            active_sessions: slot.active,
            rows,
            queues: slot.queues.iter().map(QueueSum::stats).collect(),
        });
    }
    for r in lat_in.iter_mut().chain(svc_in.iter_mut()) {
        r.finish()?;
    }
    lat_out.finish()?;
    svc_out.finish()?;
    store
        .restore(totals, records)
        .map_err(|m| InputError::new("SHARD", m))?;
    Ok(store)
}

/// The shards' engine outcomes added: the earliest start, the latest end,
/// the longest measured time, sessions and generator counts summed (the
/// worst start lag is the largest), partial if any shard was.
pub fn outcome(shards: &[ShardDir]) -> EngineOutcome {
    let sum = |f: &dyn Fn(&SessionsDoc) -> u64| shards.iter().map(|s| f(&s.run.sessions)).sum();
    let generators: Vec<&GeneratorDoc> = shards
        .iter()
        .filter_map(|s| s.run.generator.as_ref())
        .collect();
    let gsum = |f: &dyn Fn(&GeneratorDoc) -> u64| generators.iter().map(|g| f(g)).sum::<u64>();
    let lag_us = (generators.iter())
        .map(|g| (g.max_start_lag_ms * 1000.0) as u64)
        .max()
        .unwrap_or(0);
    EngineOutcome {
        started_at: (shards.iter().map(|s| s.started_at).min()).unwrap_or(SystemTime::UNIX_EPOCH),
        ended_at: (shards.iter().map(|s| s.ended_at).max()).unwrap_or(SystemTime::UNIX_EPOCH),
        elapsed: shards.iter().map(|s| s.elapsed).max().unwrap_or_default(),
        interrupted: shards
            .iter()
            .any(|s| s.run.outcome != Some(Outcome::Completed)),
        sessions: SessionTally {
            started: sum(&|r| r.tally.started),
            completed: sum(&|r| r.tally.completed),
            failed: sum(&|r| r.tally.failed),
            aborted: sum(&|r| r.tally.aborted),
        },
        shared_users: sum(&|r| r.shared_users),
        user_waits: sum(&|r| r.user_waits),
        generator: (!generators.is_empty()).then(|| GeneratorReport {
            arrivals: gsum(&|g| g.arrivals),
            max_backlog: gsum(&|g| g.max_backlog),
            not_started: gsum(&|g| g.not_started),
            max_start_lag_us: lag_us,
        }),
        saturated: generators.iter().any(|g| g.saturated),
        window: window(shards),
    }
}

/// The merged steady window: every shard ran the same plan on the same
/// clock, so the warm-up is the same; the earliest end of the load (an
/// interrupted shard) bounds it. Shards written before windows existed judge
/// every interval.
pub fn window(shards: &[ShardDir]) -> Window {
    let windows: Vec<Window> = shards.iter().filter_map(|s| s.run.window).collect();
    match windows.first() {
        None => Window::WHOLE,
        Some(first) => Window {
            from: first.from,
            to: windows.iter().map(|w| w.to).min().unwrap_or(first.to),
        },
    }
}

/// Every shard's probe attempts (normally only shard 1 runs probes).
pub fn probes(shards: &[ShardDir]) -> Vec<ProbeAttempt> {
    let mut all: Vec<ProbeAttempt> = shards.iter().flat_map(|s| s.probes.clone()).collect();
    all.sort_by_key(|a| a.at);
    all
}

/// `run.json`'s `shards` object: the split, the parts merged and missing,
/// each part's wall-clock start and how far it lagged the earliest.
pub fn shards_doc(shards: &[ShardDir], missing: &[u32]) -> (ShardsDoc, Duration) {
    let t0 = (shards.iter().map(|s| s.started_at).min()).unwrap_or(SystemTime::UNIX_EPOCH);
    let skew = |s: &ShardDir| s.started_at.duration_since(t0).unwrap_or_default();
    let max_skew = shards.iter().map(skew).max().unwrap_or_default();
    let parts = (shards.iter())
        .map(|s| ShardPart {
            commands: s.run.totals.commands,
            dir: s.dir.display().to_string(),
            elapsed_s: s.run.elapsed_s,
            index: s.index,
            outcome: s.run.outcome,
            seed: s.run.seed.unwrap_or(s.run.plan.seed),
            start_skew_s: skew(s).as_secs_f64(),
            started_at: s.run.started_at.clone(),
        })
        .collect();
    let doc = ShardsDoc {
        clock: "time since each shard's start".into(),
        count: shards[0].count,
        max_start_skew_s: max_skew.as_secs_f64(),
        merged: shards.len(),
        missing: missing.to_vec(),
        parts,
    };
    (doc, max_skew)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_readings_add_as_means_and_maxima() {
        let mut a = QueueStats::default();
        a.add(
            2,
            Some(crate::metrics::queue::OwnReading { queued: 1, busy: 3 }),
        );
        a.add(
            4,
            Some(crate::metrics::queue::OwnReading { queued: 3, busy: 3 }),
        );
        let mut b = QueueStats::default();
        for _ in 0..5 {
            b.add(10, None);
        }
        let mut sum = QueueSum::default();
        sum.add(&a);
        sum.add(&b);
        let q = sum.stats();
        assert_eq!(q.samples, 5);
        assert!((q.mean() - 13.0).abs() < 1e-9, "3 + 10: {}", q.mean());
        assert_eq!(q.max, 14);
        assert_eq!((q.own_mean(), q.own_max), (Some(2.0), Some(3)));
    }
}
