//! `run.json`'s `monitor_settings` and `monitors`: the settings the monitors
//! were judged with (so `imapload health` re-judges with the run's own) and
//! each monitor's verdict. A key that files written before it existed lack
//! reads as what those runs did (Exchange's defaults of the time), stated
//! here once: what an old file means cannot change when the plan's defaults
//! do.

use serde::{Deserialize, Serialize};

use super::AlertValue;

/// The monitor and probe settings (durations in seconds, the command-time
/// threshold in ms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorSettings {
    /// AverageCommandProcessingTime rule; threshold in ms.
    pub command_time_ms: ThresholdDoc,
    /// Escalation delay, Degraded to Unhealthy, seconds.
    pub escalation_delay_s: f64,
    /// Probe settings.
    pub probes: ProbeSettings,
    /// How a RequestsQueued sample is reduced.
    #[serde(default = "mean")]
    pub queue_rule: QueueRuleDoc,
    /// RequestsQueued rule.
    pub requests_queued: ThresholdDoc,
    /// Monitor sample period, seconds.
    pub sample_period_s: f64,
}

/// `queue_rule`: `mean` or `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueRuleDoc {
    /// Time-average of the readings.
    Mean,
    /// Highest reading.
    Max,
}

fn mean() -> QueueRuleDoc {
    QueueRuleDoc::Mean
}

/// A "value over threshold on N consecutive samples" rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdDoc {
    /// Consecutive samples over the threshold before it fires.
    #[serde(default = "consecutive")]
    pub consecutive: usize,
    /// Whether the rule is judged.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// The threshold.
    pub threshold: f64,
}

/// What a file without `consecutive` means: 2 samples.
fn consecutive() -> usize {
    2
}

/// What a file without `enabled` means: the rule was judged.
fn enabled() -> bool {
    true
}

/// The probe settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeSettings {
    /// CTP probe monitor.
    #[serde(default = "probe_monitor")]
    pub ctp: ProbeMonitorDoc,
    /// Deep test monitor.
    #[serde(default = "probe_monitor")]
    pub deep_test: ProbeMonitorDoc,
    /// Probes ran.
    #[serde(default)]
    pub enabled: bool,
    /// Probe schedule scale.
    #[serde(default = "interval_scale")]
    pub interval_scale: f64,
    /// Proxy test monitor.
    #[serde(default = "probe_monitor")]
    pub proxy_test: ProbeMonitorDoc,
    /// Self test monitor.
    #[serde(default = "probe_monitor")]
    pub self_test: ProbeMonitorDoc,
    /// Full probe timeout, seconds.
    pub timeout_full_s: f64,
    /// Light probe timeout, seconds.
    pub timeout_light_s: f64,
}

/// What a file without `interval_scale` means: Exchange's schedule.
fn interval_scale() -> f64 {
    1.0
}

/// What a file without a probe monitor means: 4 failures within 240 s.
fn probe_monitor() -> ProbeMonitorDoc {
    ProbeMonitorDoc {
        failures: 4,
        window_s: Some(240.0),
    }
}

/// A probe monitor: N failures, within a window if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeMonitorDoc {
    /// Failures that fire it.
    pub failures: usize,
    /// Window, seconds.
    #[serde(default)]
    pub window_s: Option<f64>,
}

/// One monitor's verdict (`monitors[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorVerdict {
    /// State at the end of the run.
    pub alert_value: AlertValue,
    /// Health set (IMAP, IMAP.Proxy, IMAP.Protocol).
    pub health_set: String,
    /// Monitor name as Exchange spells it.
    pub monitor: String,
    /// The rule with its numbers.
    pub rule: String,
    /// Server name.
    pub server: String,
    /// Target resource.
    pub target_resource: String,
    /// State changes over the run.
    #[serde(default)]
    pub transitions: Vec<TransitionDoc>,
    /// Worst state reached.
    pub worst_alert_value: AlertValue,
}

/// One change of a monitor's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionDoc {
    /// When, seconds from the run start.
    pub at_s: f64,
    /// The new state.
    pub to: AlertValue,
}
