//! A Prometheus histogram filled from HDR histograms, an interval at a time.
//!
//! prometheus-client's own histogram takes one observation per call; a busy
//! row sees tens of thousands of commands a second, and the recorder already
//! holds them as an HDR histogram per interval. So the exporter keeps its own
//! cumulative bucket counts and adds each interval's HDR histogram into them
//! on the tick (one step per distinct recorded value, not per command), and
//! encodes them through prometheus-client's histogram encoder on a scrape.

use std::sync::Mutex;

use hdrhistogram::Histogram;
use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::{MetricType, TypedMetric};

/// Smallest bucket bound: 100 µs.
pub const LOWEST_S: f64 = 0.000_1;
/// Largest finite bucket bound: 120 s (a stalled server's commands still land in a bucket).
pub const HIGHEST_S: f64 = 120.0;
/// Finite buckets between the two, spaced by a constant factor (about 2.01).
pub const BUCKETS: usize = 21;

/// The finite upper bounds, in seconds: `LOWEST_S * f^k`, `f` chosen so the last is `HIGHEST_S`.
pub fn bounds() -> Vec<f64> {
    let factor = (HIGHEST_S / LOWEST_S).powf(1.0 / (BUCKETS - 1) as f64);
    (0..BUCKETS)
        .map(|k| match k {
            k if k == BUCKETS - 1 => HIGHEST_S,
            k => LOWEST_S * factor.powi(k as i32),
        })
        .collect()
}

/// Bucket counts (not cumulative: the encoder adds them up), sum and count.
#[derive(Debug, Clone)]
struct State {
    /// One per finite bound, plus the `+Inf` bucket last.
    counts: Vec<u64>,
    sum_s: f64,
    count: u64,
}

/// One row's latency histogram as exported.
#[derive(Debug)]
pub struct HdrBuckets {
    /// Bounds in µs, to place HDR values without converting each.
    bounds_us: Vec<u64>,
    state: Mutex<State>,
}

impl Default for HdrBuckets {
    fn default() -> Self {
        let bounds_us: Vec<u64> = bounds().iter().map(|b| (b * 1e6).round() as u64).collect();
        HdrBuckets {
            state: Mutex::new(State {
                counts: vec![0; bounds_us.len() + 1],
                sum_s: 0.0,
                count: 0,
            }),
            bounds_us,
        }
    }
}

impl HdrBuckets {
    /// Adds an interval's histogram (µs). `sum_us` is the exact sum when
    /// known (corrected latency keeps one); otherwise the histogram's mean
    /// times its count stands in for it.
    pub fn add(&self, h: &Histogram<u64>, sum_us: Option<u64>) {
        self.merge(h, sum_us, false);
    }

    /// Replaces the counts with those of `h`, a histogram (µs) that already
    /// holds every value so far (a persona's, kept over the whole run).
    pub fn set(&self, h: &Histogram<u64>) {
        self.merge(h, None, true);
    }

    fn merge(&self, h: &Histogram<u64>, sum_us: Option<u64>, replace: bool) {
        if h.is_empty() {
            return;
        }
        let mut add = vec![0u64; self.bounds_us.len() + 1];
        for v in h.iter_recorded() {
            // An HDR bucket is placed by its highest equivalent value, so a
            // value is never counted below its true bucket.
            let value = h.highest_equivalent(v.value_iterated_to());
            let at = self.bounds_us.partition_point(|&b| b < value);
            add[at] += v.count_at_value();
        }
        let sum = sum_us.map_or(h.mean() * h.len() as f64, |s| s as f64);
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if replace {
            s.counts.iter_mut().for_each(|c| *c = 0);
            (s.sum_s, s.count) = (0.0, 0);
        }
        for (c, a) in s.counts.iter_mut().zip(&add) {
            *c += a;
        }
        s.sum_s += sum / 1e6;
        s.count += h.len();
    }
}

impl TypedMetric for HdrBuckets {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for HdrBuckets {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let upper = self.bounds_us.iter().map(|&b| b as f64 / 1e6);
        let buckets: Vec<(f64, u64)> = upper
            .chain(std::iter::once(f64::INFINITY))
            .zip(s.counts.iter().copied())
            .collect();
        encoder.encode_histogram::<NoLabelSet>(s.sum_s, s.count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_run_from_100us_to_120s() {
        let b = bounds();
        assert_eq!(b.len(), BUCKETS);
        assert_eq!((b[0], b[BUCKETS - 1]), (LOWEST_S, HIGHEST_S));
        assert!(b.windows(2).all(|w| w[1] > w[0] * 1.9 && w[1] < w[0] * 2.1));
    }

    #[test]
    fn hdr_values_land_in_their_buckets_and_add_up_over_intervals() {
        let b = HdrBuckets::default();
        let mut h = Histogram::<u64>::new(3).unwrap();
        h.record_n(50, 10).unwrap(); // below 100 µs: first bucket
        h.record_n(1_000, 5).unwrap(); // 1 ms
        h.record(300_000_000).unwrap(); // 300 s: +Inf
        b.add(&h, Some(50 * 10 + 5_000 + 300_000_000));
        b.add(&h, None);
        let s = b.state.lock().unwrap().clone();
        assert_eq!(s.count, 32);
        assert_eq!(s.counts[0], 20);
        assert_eq!(*s.counts.last().unwrap(), 2);
        let at_1ms = b.bounds_us.partition_point(|&x| x < 1_000);
        assert_eq!(s.counts[at_1ms], 10, "{:?}", b.bounds_us);
        assert!((s.sum_s - 2.0 * 300.0055).abs() < 0.5, "{}", s.sum_s);
    }

    #[test]
    fn a_histogram_of_the_whole_run_replaces_the_counts() {
        let b = HdrBuckets::default();
        let mut h = Histogram::<u64>::new(3).unwrap();
        h.record_n(1_000, 5).unwrap();
        b.set(&h);
        h.record_n(1_000, 5).unwrap();
        b.set(&h);
        let s = b.state.lock().unwrap().clone();
        assert_eq!((s.count, s.counts.iter().sum::<u64>()), (10, 10));
        assert!((s.sum_s - 0.01).abs() < 1e-4, "{}", s.sum_s);
    }
}
