//! The open-model generator's account of whether it delivered the offered load.

/// The open-model generator's account at the end of a run: whether it could
/// deliver the offered load (a slow generator must never pass for a slow server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GeneratorReport {
    /// Arrivals scheduled.
    pub arrivals: u64,
    /// Most arrivals waiting for a free session at once.
    pub max_backlog: u64,
    /// Arrivals never started.
    pub not_started: u64,
    /// Worst delay between an arrival's due time and its session's start (µs).
    pub max_start_lag_us: u64,
}
impl GeneratorReport {
    /// LoadGen's rule, applied to the concurrency cap: unfinished sessions
    /// (running + due and waiting) above 1.5 x the cap, or arrivals dropped.
    /// The end of a run and the live endpoint both judge by it.
    pub fn saturated(&self, cap: usize) -> bool {
        self.not_started > 0 || self.max_backlog as f64 + cap as f64 > 1.5 * cap as f64
    }
}
