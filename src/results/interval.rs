//! One interval's compact figures, and where they go as they are produced.
//!
//! A run's intervals are not kept: each closed interval is handed to the
//! store's sinks (the time series files on disk, the monitors' running sums)
//! and dropped, so memory does not grow with the length of the run.

use std::time::Duration;

use crate::results::ErrorReason;
use crate::results::Quantiles;
use crate::results::QueueStats;

/// One output row's figures over one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalStats {
    /// Index into the row table of whoever produced the record.
    pub row: usize,
    /// Successful commands.
    pub ok: u64,
    /// Failed commands by reason.
    pub errors: [u64; ErrorReason::COUNT],
    /// Sum of corrected latencies (µs), for exact means over any window.
    pub corrected_sum_us: u64,
    /// Corrected latency quantiles (µs).
    pub corrected: Quantiles,
    /// Service time quantiles (µs).
    pub service: Quantiles,
}

impl IntervalStats {
    /// Successful plus failed commands.
    pub fn count(&self) -> u64 {
        self.ok + self.errors.iter().sum::<u64>()
    }
}

/// Everything recorded in one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalRecord {
    /// Interval start, from the run start.
    pub start: Duration,
    /// Interval end, from the run start.
    pub end: Duration,
    /// Sessions open at the end of the interval.
    pub active_sessions: u64,
    /// Rows that saw anything.
    pub rows: Vec<IntervalStats>,
    /// Queue depth per server (sampled at 10 Hz), in layout order: CAS then back ends.
    pub queues: Vec<QueueStats>,
}
