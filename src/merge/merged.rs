//! The shards' time series added interval by interval: rows' counts and
//! latency sums, active sessions, and queue readings (as means, since the
//! shards' 10 Hz readings are not taken at the same instants).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::results::interval::IntervalRecord;
use crate::results::ErrorReason;
use crate::results::QueueStats;
use crate::results::RowKey;

/// A row's counts in one merged interval.
#[derive(Debug, Default, Clone, Copy)]
pub struct RowSum {
    /// Successful commands.
    pub ok: u64,
    /// Failed commands by reason.
    pub errors: [u64; ErrorReason::COUNT],
    /// Sum of corrected latencies, microseconds.
    pub corrected_sum_us: u64,
}

/// One merged interval being added up.
#[derive(Default)]
pub struct MergedInterval {
    /// The earliest shard's start of the interval.
    pub start: Option<Duration>,
    /// The latest shard's end of it.
    pub end: Duration,
    /// Active sessions, summed.
    pub active: u64,
    /// Each row's counts, summed.
    pub rows: BTreeMap<RowKey, RowSum>,
    /// Each server's queue readings, in queue order.
    pub queues: Vec<QueueSum>,
}

/// A server's queue readings over one interval, added over shards as means
/// (the shards' 10 Hz readings are not taken at the same instants).
#[derive(Default, Clone)]
pub struct QueueSum {
    samples: u32,
    mean: f64,
    max: u64,
    own_mean: Option<f64>,
    own_max: Option<u64>,
    busy_mean: Option<f64>,
}

/// Adds two optional figures; a missing one counts as nothing.
fn add_opt<T: std::ops::Add<Output = T>>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x + y),
        (x, None) => x,
        (None, y) => y,
    }
}

impl QueueSum {
    /// Adds one shard's readings of the server.
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

    /// The summed readings as one server's interval figures.
    pub fn stats(&self) -> QueueStats {
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

impl MergedInterval {
    /// Adds one shard's interval `rec` (rows indexing `keys`); `servers` is
    /// how many queues each interval has.
    pub fn add(&mut self, rec: &IntervalRecord, keys: &[RowKey], servers: usize) {
        self.start = Some(self.start.map_or(rec.start, |t| t.min(rec.start)));
        self.end = self.end.max(rec.end);
        self.active += rec.active_sessions;
        for r in &rec.rows {
            let Some(key) = keys.get(r.row) else { continue };
            let e = self.rows.entry(key.clone()).or_default();
            e.ok += r.ok;
            for (a, b) in e.errors.iter_mut().zip(r.errors) {
                *a += b;
            }
            e.corrected_sum_us += r.corrected_sum_us;
        }
        self.queues.resize(servers, QueueSum::default());
        for (acc, q) in self.queues.iter_mut().zip(&rec.queues) {
            acc.add(q);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_readings_add_as_means_and_maxima() {
        let mut a = QueueStats::default();
        a.add(2, Some(crate::results::OwnReading { queued: 1, busy: 3 }));
        a.add(4, Some(crate::results::OwnReading { queued: 3, busy: 3 }));
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
