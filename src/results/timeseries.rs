//! `timeseries.csv` and `queue.csv` rows: tidy per-interval observations
//! (one per row, units in the column names). Fields are declared in column
//! order; times are written with three decimals as before.

use serde::{Deserialize, Serialize};

use super::cells::{fixed3, fixed3_opt};
use crate::results::ErrorReason;
use crate::results::QueueStats;

/// One row of `timeseries.csv`: a path x server x back end x command in one
/// interval. A column the file lacks reads as 0 so the report draws what an
/// older file has; `health` checks the header first ([`missing_column`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeseriesRow {
    /// Interval start, seconds since the run's start.
    #[serde(with = "fixed3")]
    pub t_start_s: f64,
    /// Interval end.
    #[serde(with = "fixed3")]
    pub t_end_s: f64,
    /// `cas` or `direct`.
    pub path: String,
    /// The server the row counts toward.
    pub server: String,
    /// The home back end.
    pub backend: String,
    /// Command label.
    pub command: String,
    /// Commands, failed ones included.
    pub count: u64,
    /// Successful commands.
    pub ok: u64,
    /// Failed commands.
    pub errors: u64,
    /// Timed-out commands.
    pub timeouts: u64,
    /// Sum of corrected latencies, for exact means over any window.
    pub corrected_sum_us: u64,
    /// Mean corrected latency of the successful commands.
    pub mean_us: u64,
    /// Sessions active in the interval.
    pub active_sessions: u64,
    /// Corrected p50.
    pub p50_us: u64,
    /// Corrected p90.
    pub p90_us: u64,
    /// Corrected p99.
    pub p99_us: u64,
    /// Corrected maximum.
    pub max_us: u64,
    /// Service p50.
    pub service_p50_us: u64,
    /// Service p90.
    pub service_p90_us: u64,
    /// Service p99.
    pub service_p99_us: u64,
    /// Service maximum.
    pub service_max_us: u64,
    /// Failed with NO.
    pub errors_no: u64,
    /// Failed with BAD.
    pub errors_bad: u64,
    /// Timed out.
    pub errors_timeout: u64,
    /// Disconnected.
    pub errors_disconnect: u64,
    /// Protocol violations.
    pub errors_protocol: u64,
    /// TLS failures.
    pub errors_tls: u64,
    /// Connect failures.
    pub errors_connect: u64,
    /// Cut short by the end of the run.
    pub errors_aborted: u64,
    /// Shorter than the run's interval; `None` in files written before the
    /// column existed.
    pub partial: Option<bool>,
    /// Whether the row is the first server on its path (the CAS for `cas`,
    /// the back end for `direct`): a command sent through a CAS has a row
    /// under the CAS and one under its back end, and summing `count` over
    /// the `first_hop` rows counts each command once. `None` in files
    /// written before the column existed (and then left out when such a
    /// file is written back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_hop: Option<bool>,
    /// The interval's wall-clock start, Unix time in milliseconds (UTC).
    /// `None` in files written before the column existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t_start_unix_ms: Option<u64>,
}

/// A row with every column present: the header a run writes.
pub fn every_column() -> TimeseriesRow {
    TimeseriesRow {
        partial: Some(false),
        first_hop: Some(false),
        t_start_unix_ms: Some(0),
        ..TimeseriesRow::default()
    }
}

/// Columns added after the first release: a file may lack them.
const ADDED_COLUMNS: [&str; 3] = ["partial", "first_hop", "t_start_unix_ms"];

/// The first column of [`TimeseriesRow`] that `header` lacks, but the
/// columns files written before them lack ([`ADDED_COLUMNS`]).
pub fn missing_column(header: &csv::StringRecord) -> Option<String> {
    (super::cells::header::<TimeseriesRow>().into_iter())
        .filter(|c| !ADDED_COLUMNS.contains(&c.as_str()))
        .find(|c| !header.iter().any(|h| h == c))
}

impl TimeseriesRow {
    /// The error counts in [`ErrorReason::ALL`] order.
    pub fn errors_by_reason(&self) -> [u64; ErrorReason::COUNT] {
        ErrorReason::ALL.map(|r| match r {
            ErrorReason::No => self.errors_no,
            ErrorReason::Bad => self.errors_bad,
            ErrorReason::Timeout => self.errors_timeout,
            ErrorReason::Disconnect => self.errors_disconnect,
            ErrorReason::Protocol => self.errors_protocol,
            ErrorReason::Tls => self.errors_tls,
            ErrorReason::Connect => self.errors_connect,
            ErrorReason::Aborted => self.errors_aborted,
        })
    }

    /// Sets the error columns from counts in [`ErrorReason::ALL`] order.
    pub fn set_errors_by_reason(&mut self, errors: &[u64; ErrorReason::COUNT]) {
        let at = |r: ErrorReason| errors[r.index()];
        self.errors_no = at(ErrorReason::No);
        self.errors_bad = at(ErrorReason::Bad);
        self.errors_timeout = at(ErrorReason::Timeout);
        self.errors_disconnect = at(ErrorReason::Disconnect);
        self.errors_protocol = at(ErrorReason::Protocol);
        self.errors_tls = at(ErrorReason::Tls);
        self.errors_connect = at(ErrorReason::Connect);
        self.errors_aborted = at(ErrorReason::Aborted);
    }
}

/// One row of `queue.csv`: a server's queue depth in one interval; the
/// embedded servers also report their own queue and busy workers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueRow {
    /// Interval start.
    #[serde(with = "fixed3")]
    pub t_s: f64,
    /// The server.
    pub server: String,
    /// Interval end.
    #[serde(with = "fixed3")]
    pub t_end_s: f64,
    /// Mean modelled depth.
    #[serde(with = "fixed3")]
    pub depth_mean: f64,
    /// Highest modelled depth.
    pub depth_max: u64,
    /// Readings taken.
    pub readings: u32,
    /// Sum of the readings.
    pub depth_sum: u64,
    /// The embedded server's own queue, mean.
    #[serde(with = "fixed3_opt")]
    pub server_queued_mean: Option<f64>,
    /// Its maximum.
    pub server_queued_max: Option<u64>,
    /// Busy workers, mean.
    #[serde(with = "fixed3_opt")]
    pub server_busy_mean: Option<f64>,
}

impl QueueRow {
    /// The row of `server`'s readings `q` over `[t_s, t_end_s]`.
    pub fn of(t_s: f64, t_end_s: f64, server: &str, q: &QueueStats) -> QueueRow {
        let per_reading = |sum: u64| match q.samples {
            0 => 0.0,
            n => sum as f64 / n as f64,
        };
        QueueRow {
            t_s,
            server: server.to_string(),
            t_end_s,
            depth_mean: q.mean(),
            depth_max: q.max,
            readings: q.samples,
            depth_sum: q.sum,
            server_queued_mean: q.own_mean(),
            server_queued_max: q.own_max,
            server_busy_mean: q.own_busy_sum.map(per_reading),
        }
    }

    /// The readings back (the embedded servers' means back to sums).
    pub fn stats(&self) -> QueueStats {
        let n = self.readings as f64;
        QueueStats {
            samples: self.readings,
            sum: self.depth_sum,
            max: self.depth_max,
            own_sum: self.server_queued_mean.map(|m| (m * n).round() as u64),
            own_max: self.server_queued_max,
            own_busy_sum: self.server_busy_mean.map(|m| (m * n).round() as u64),
        }
    }
}
