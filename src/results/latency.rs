//! The latency figures the results files keep of a histogram (µs), named:
//! [`Quantiles`] per row and interval (`timeseries.csv`), [`LatencyFigures`]
//! per row over the run (`summary.csv`). The quantile levels are spelt here
//! once.

use hdrhistogram::Histogram;

/// p50, p90, p99 and max of one row in one interval (µs; zeros when empty).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Quantiles {
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Highest value.
    pub max: u64,
}

impl Quantiles {
    /// The quantiles of `h`.
    pub fn of(h: &Histogram<u64>) -> Quantiles {
        if h.is_empty() {
            return Quantiles::default();
        }
        Quantiles {
            p50: h.value_at_quantile(0.5),
            p90: h.value_at_quantile(0.9),
            p99: h.value_at_quantile(0.99),
            max: h.max(),
        }
    }
}

/// Mean, p50, p90, p99, p99.9 and max of a row over the run (µs; zeros when empty).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LatencyFigures {
    /// Mean, rounded.
    pub mean: u64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p99_9: u64,
    /// Highest value.
    pub max: u64,
}

impl LatencyFigures {
    /// The figures of `h`.
    pub fn of(h: &Histogram<u64>) -> LatencyFigures {
        if h.is_empty() {
            return LatencyFigures::default();
        }
        LatencyFigures {
            mean: h.mean().round() as u64,
            p50: h.value_at_quantile(0.5),
            p90: h.value_at_quantile(0.9),
            p99: h.value_at_quantile(0.99),
            p99_9: h.value_at_quantile(0.999),
            max: h.max(),
        }
    }
}
