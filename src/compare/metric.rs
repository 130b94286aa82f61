//! The metric `compare` judges (a percentile, the mean or the max of
//! corrected latency): its summary column and its quantile; how many samples
//! a row needs for it is [`super::judge::supports`].

use std::fmt;
use std::str::FromStr;

use crate::results::summary::LatencyStat;
use crate::results::SummaryRow;

/// The latency statistic compared. Its column in `summary.csv` is the corrected
/// latency (from the intended start), so coordinated omission cannot hide a
/// slowdown behind fewer, later commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Median.
    P50,
    /// 90th percentile.
    P90,
    /// 99th percentile: needs 1,000 samples a row, and moves by tens of
    /// percent between two single runs on a busy machine.
    P99,
    /// 99.9th percentile: needs thousands of samples per row to mean much.
    P999,
    /// The single slowest command; very noisy, mostly for curiosity.
    Max,
    /// Arithmetic mean, what AverageCommandProcessingTime uses.
    Mean,
}

impl Metric {
    /// The quantile, for the percentile metrics (`None` for max and mean).
    pub fn quantile(self) -> Option<f64> {
        match self {
            Metric::P50 => Some(0.5),
            Metric::P90 => Some(0.9),
            Metric::P99 => Some(0.99),
            Metric::P999 => Some(0.999),
            Metric::Max | Metric::Mean => None,
        }
    }

    /// The `summary.csv` statistic this metric judges.
    pub fn stat(self) -> LatencyStat {
        match self {
            Metric::P50 => LatencyStat::P50,
            Metric::P90 => LatencyStat::P90,
            Metric::P99 => LatencyStat::P99,
            Metric::P999 => LatencyStat::P99_9,
            Metric::Max => LatencyStat::Max,
            Metric::Mean => LatencyStat::Mean,
        }
    }

    /// The `summary.csv` column holding this statistic in microseconds (its
    /// name comes from the schema, [`LatencyStat::column`]).
    pub fn column(self) -> &'static str {
        self.stat().column()
    }

    /// This statistic of a `summary.csv` row, in microseconds.
    pub fn of(self, row: &SummaryRow) -> u64 {
        self.stat().of(row)
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
