//! The metric `compare` judges (a percentile, the mean or the max of
//! corrected latency): its summary column, its sampling-noise quantile and
//! how many commands it needs before a row is judged.

use std::fmt;
use std::str::FromStr;

use crate::results::SummaryRow;

/// slowdown behind fewer, later commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Median.
    P50,
    /// 90th percentile.
    P90,
    /// 99th percentile: the usual CI gate, stable enough on ~100+ samples.
    P99,
    /// 99.9th percentile: needs thousands of samples per row to mean much.
    P999,
    /// The single slowest command; very noisy, mostly for curiosity.
    Max,
    /// Arithmetic mean, what AverageCommandProcessingTime uses.
    Mean,
}

impl Metric {
    /// Commands a row needs before this metric is judged: 10 beyond the
    /// percentile (100 for max and mean).
    pub fn default_min_samples(self) -> u64 {
        match self.quantile() {
            Some(q) => (10.0 / (1.0 - q)).round() as u64,
            None => 100,
        }
    }

    /// The quantile, for the percentile metrics (their noise band is known).
    pub fn quantile(self) -> Option<f64> {
        match self {
            Metric::P50 => Some(0.5),
            Metric::P90 => Some(0.9),
            Metric::P99 => Some(0.99),
            Metric::P999 => Some(0.999),
            Metric::Max | Metric::Mean => None,
        }
    }

    /// The `summary.csv` column holding this statistic in microseconds.
    pub fn column(self) -> &'static str {
        match self {
            Metric::P50 => "p50_us",
            Metric::P90 => "p90_us",
            Metric::P99 => "p99_us",
            Metric::P999 => "p99_9_us",
            Metric::Max => "max_us",
            Metric::Mean => "mean_us",
        }
    }

    /// This statistic of a `summary.csv` row, in microseconds.
    pub fn of(self, row: &SummaryRow) -> u64 {
        match self {
            Metric::P50 => row.p50_us,
            Metric::P90 => row.p90_us,
            Metric::P99 => row.p99_us,
            Metric::P999 => row.p99_9_us,
            Metric::Max => row.max_us,
            Metric::Mean => row.mean_us,
        }
    }

    /// The short name users type and tables print (`p99.9`).
    pub fn label(self) -> &'static str {
        match self {
            Metric::P50 => "p50",
            Metric::P90 => "p90",
            Metric::P99 => "p99",
            Metric::P999 => "p99.9",
            Metric::Max => "max",
            Metric::Mean => "mean",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Parses `--metric`; the error string lists what is allowed so clap can show it.
impl FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "p50" => Metric::P50,
            "p90" => Metric::P90,
            "p99" => Metric::P99,
            "p99.9" | "p999" => Metric::P999,
            "max" => Metric::Max,
            "mean" => Metric::Mean,
            other => {
                return Err(format!(
                    "unknown metric '{other}'; allowed: p50, p90, p99, p99.9 (or p999), max, mean"
                ))
            }
        })
    }
}
