//! The validated load model of a run: how many sessions (or arrivals) over
//! time, and the generator's own limits. The scenario's `[load]` table and
//! its flags are read into it by `load_model.rs`.

use std::time::Duration;

/// The load model. (Closed: a fixed number of concurrent sessions.)
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Concurrent sessions (closed model): each seat starts a new session when
    /// its last one ends.
    pub sessions: usize,
    /// Share of sessions that go via a CAS (0.0..=1.0); the rest go directly to
    /// the user's home back end.
    pub cas_share: f64,
    /// Seats are started evenly over this time, so a run does not open
    /// thousands of connections in one instant.
    pub ramp_up: Duration,
    /// Closed (fixed concurrency) or open (arrival rate).
    pub model: LoadModel,
    /// Open model: session arrivals per second (Poisson) when there are no stages.
    pub rate: f64,
    /// Ramp stages (k6 style): each moves the target (sessions for closed,
    /// arrivals/s for open) linearly from the previous stage's target (0 before
    /// the first) to its own over its duration; after the last stage the last
    /// target holds until the run's duration. Empty: constant load.
    pub stages: Vec<Stage>,
    /// Open model: at most this many sessions at once; arrivals beyond it wait
    /// (counted as backlog, their latency still runs from the arrival) and past
    /// 1.5 x this are not started at all (counted): the generator's own limit,
    /// reported as "generator saturated", never hidden.
    pub max_sessions: usize,
    /// Open model: Poisson arrivals (default) or evenly spaced ones.
    pub arrivals: Arrivals,
    /// Allow two live sessions of one user (default false: a session waits for
    /// a free user only if all are busy, and that is counted).
    pub allow_shared_users: bool,
    /// Local addresses sessions connect from, in turn (empty: the OS picks).
    /// Each address has its own ~28,000 ephemeral ports, so more addresses
    /// mean more concurrent connections from one machine.
    pub source_addresses: Vec<std::net::IpAddr>,
    /// Time from the start that thresholds and monitors leave out (connections
    /// opening, caches filling); measured and written all the same.
    pub warmup: Duration,
    /// Time before the load stops that thresholds and monitors leave out;
    /// `None`: only the drain after the load stops is left out.
    pub cooldown: Option<Duration>,
}

/// How open-model arrivals are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arrivals {
    /// Exponential gaps: independent users.
    #[default]
    Poisson,
    /// Gaps of exactly 1/rate: a constant-rate pacer.
    Uniform,
}

/// The load model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadModel {
    /// N concurrent sessions; each seat starts its next session when the last ends.
    Closed,
    /// Sessions arrive as a Poisson process at a rate, whatever the servers do.
    Open,
}

/// One ramp stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    /// How long the stage lasts.
    pub duration: Duration,
    /// Target at the end of the stage (sessions, or arrivals per second).
    pub target: f64,
}

impl LoadPlan {
    /// The load target at `t` from the run start: sessions (closed) or
    /// arrivals/s (open), following the stages.
    pub fn target_at(&self, t: Duration) -> f64 {
        let constant = match self.model {
            LoadModel::Closed => self.sessions as f64,
            LoadModel::Open => self.rate,
        };
        if self.stages.is_empty() {
            return constant;
        }
        let mut from = 0.0;
        let mut start = Duration::ZERO;
        for s in &self.stages {
            let end = start + s.duration;
            if t < end {
                let f = (t - start).as_secs_f64() / s.duration.as_secs_f64().max(1e-9);
                return from + (s.target - from) * f;
            }
            from = s.target;
            start = end;
        }
        from
    }
}
