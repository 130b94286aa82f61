//! The validated health settings of a run: the performance monitors
//! (command time, queued requests) and the four IMAP probes with their
//! monitors. Defaults are Exchange's, so a scenario that says nothing about
//! monitors is judged the way Get-ServerHealth would judge the servers.

use std::time::Duration;

/// How a RequestsQueued sample is reduced from the 10 Hz queue-depth readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueRule {
    /// Time-average of the readings in the sample (the default: a sustained queue, not a spike).
    Mean,
    /// Highest reading in the sample.
    Max,
}

/// A "value over threshold on N consecutive samples" monitor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdMonitor {
    /// Evaluate this monitor at all.
    pub enabled: bool,
    /// Fires above this (milliseconds for command time, commands for queue depth).
    pub threshold: f64,
    /// Consecutive samples over the threshold needed to fire.
    pub consecutive: usize,
}

/// A probe-failure monitor: `failures` consecutive failures, or `failures`
/// within `window` (when `window` is Some).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeMonitor {
    /// Failures needed to fire.
    pub failures: usize,
    /// `None`: consecutive failures; `Some(w)`: failures within `w` (already scaled).
    pub window: Option<Duration>,
}

/// Monitor settings. Defaults are Exchange's (see shared/reference/exchange-monitors.md).
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorPlan {
    /// Sample period (Exchange: 300 s).
    pub sample_period: Duration,
    /// Degraded -> Unhealthy after this long still firing (Exchange: 2 min).
    pub escalation_delay: Duration,
    /// AverageCommandProcessingTimeGt60sMonitor: 60,000 ms, 2 consecutive samples.
    pub command_time: ThresholdMonitor,
    /// RequestsQueuedGt500Monitor (a model): 500 queued commands, 2 consecutive samples.
    pub requests_queued: ThresholdMonitor,
    /// How a RequestsQueued sample is reduced (mean unless set to max).
    pub queue_rule: QueueRule,
}

impl Default for MonitorPlan {
    fn default() -> Self {
        MonitorPlan {
            sample_period: Duration::from_secs(300),
            escalation_delay: Duration::from_secs(120),
            command_time: ThresholdMonitor {
                enabled: true,
                threshold: 60_000.0,
                consecutive: 2,
            },
            requests_queued: ThresholdMonitor {
                enabled: true,
                threshold: 500.0,
                consecutive: 2,
            },
            queue_rule: QueueRule::Mean,
        }
    }
}

/// The four IMAP probes' schedule and monitors.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbePlan {
    /// Run probes during the run.
    pub enabled: bool,
    /// Multiplies Exchange's probe intervals (240 s, 60 s, 180 s, 60 s) and the
    /// monitors' windows, so a 2-minute run can see what takes Exchange an hour.
    pub interval_scale: f64,
    /// Light probe timeout (Exchange: 55 s; not scaled).
    pub timeout_light: Duration,
    /// Full probe timeout (Exchange: 110 s; not scaled).
    pub timeout_full: Duration,
    /// ImapCTPMonitor: 5 consecutive failures.
    pub ctp: ProbeMonitor,
    /// ImapProxyTestMonitor: 4 failures within 240 s (scaled).
    pub proxy_test: ProbeMonitor,
    /// ImapDeepTestMonitor: 5 consecutive failures.
    pub deep_test: ProbeMonitor,
    /// ImapSelfTestMonitor: 4 failures within 240 s (scaled).
    pub self_test: ProbeMonitor,
}

impl Default for ProbePlan {
    fn default() -> Self {
        ProbePlan {
            enabled: true,
            interval_scale: 1.0,
            timeout_light: Duration::from_secs(55),
            timeout_full: Duration::from_secs(110),
            ctp: ProbeMonitor {
                failures: 5,
                window: None,
            },
            proxy_test: ProbeMonitor {
                failures: 4,
                window: Some(Duration::from_secs(240)),
            },
            deep_test: ProbeMonitor {
                failures: 5,
                window: None,
            },
            self_test: ProbeMonitor {
                failures: 4,
                window: Some(Duration::from_secs(240)),
            },
        }
    }
}
