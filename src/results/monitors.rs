//! `run.json`'s `monitor_settings` and `monitors`: the settings the monitors
//! were judged with (so `imapload health` re-judges with the run's own) and
//! each monitor's verdict. Defaults for keys older files lack come from the
//! plan's own defaults, never repeated here.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::monitor::evaluate::MonitorResult;
use crate::plan::{MonitorPlan, ProbeMonitor, ProbePlan, QueueRule, ThresholdMonitor};
use crate::results::AlertValue;

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

fn consecutive() -> usize {
    MonitorPlan::default().command_time.consecutive
}

fn enabled() -> bool {
    MonitorPlan::default().command_time.enabled
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

fn interval_scale() -> f64 {
    ProbePlan::default().interval_scale
}

fn probe_monitor() -> ProbeMonitorDoc {
    ProbeMonitorDoc::from(&ProbePlan::default().proxy_test)
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

impl From<&ProbeMonitor> for ProbeMonitorDoc {
    fn from(m: &ProbeMonitor) -> Self {
        ProbeMonitorDoc {
            failures: m.failures,
            window_s: m.window.map(|w| w.as_secs_f64()),
        }
    }
}

impl ProbeMonitorDoc {
    fn plan(&self) -> ProbeMonitor {
        ProbeMonitor {
            failures: self.failures,
            window: self.window_s.map(Duration::from_secs_f64),
        }
    }
}

impl From<&ThresholdMonitor> for ThresholdDoc {
    fn from(m: &ThresholdMonitor) -> Self {
        ThresholdDoc {
            consecutive: m.consecutive,
            enabled: m.enabled,
            threshold: m.threshold,
        }
    }
}

impl ThresholdDoc {
    fn plan(&self) -> ThresholdMonitor {
        ThresholdMonitor {
            enabled: self.enabled,
            threshold: self.threshold,
            consecutive: self.consecutive,
        }
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

impl MonitorSettings {
    /// The settings of a run.
    pub fn of(m: &MonitorPlan, p: &ProbePlan) -> MonitorSettings {
        MonitorSettings {
            command_time_ms: ThresholdDoc::from(&m.command_time),
            escalation_delay_s: m.escalation_delay.as_secs_f64(),
            probes: ProbeSettings {
                ctp: ProbeMonitorDoc::from(&p.ctp),
                deep_test: ProbeMonitorDoc::from(&p.deep_test),
                enabled: p.enabled,
                interval_scale: p.interval_scale,
                proxy_test: ProbeMonitorDoc::from(&p.proxy_test),
                self_test: ProbeMonitorDoc::from(&p.self_test),
                timeout_full_s: p.timeout_full.as_secs_f64(),
                timeout_light_s: p.timeout_light.as_secs_f64(),
            },
            queue_rule: match m.queue_rule {
                QueueRule::Mean => QueueRuleDoc::Mean,
                QueueRule::Max => QueueRuleDoc::Max,
            },
            requests_queued: ThresholdDoc::from(&m.requests_queued),
            sample_period_s: m.sample_period.as_secs_f64(),
        }
    }

    /// The plans these settings describe.
    pub fn plans(&self) -> (MonitorPlan, ProbePlan) {
        let m = MonitorPlan {
            sample_period: secs(self.sample_period_s),
            escalation_delay: secs(self.escalation_delay_s),
            command_time: self.command_time_ms.plan(),
            requests_queued: self.requests_queued.plan(),
            queue_rule: match self.queue_rule {
                QueueRuleDoc::Mean => QueueRule::Mean,
                QueueRuleDoc::Max => QueueRule::Max,
            },
        };
        let p = &self.probes;
        let probes = ProbePlan {
            enabled: p.enabled,
            interval_scale: p.interval_scale,
            timeout_light: secs(p.timeout_light_s),
            timeout_full: secs(p.timeout_full_s),
            ctp: p.ctp.plan(),
            proxy_test: p.proxy_test.plan(),
            deep_test: p.deep_test.plan(),
            self_test: p.self_test.plan(),
        };
        (m, probes)
    }
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

impl From<&MonitorResult> for MonitorVerdict {
    fn from(r: &MonitorResult) -> Self {
        MonitorVerdict {
            alert_value: r.alert_value,
            health_set: r.health_set.clone(),
            monitor: r.monitor.clone(),
            rule: r.rule.clone(),
            server: r.server.clone(),
            target_resource: r.target_resource.clone(),
            transitions: (r.transitions.iter())
                .map(|t| TransitionDoc {
                    at_s: t.at.as_secs_f64(),
                    to: t.to,
                })
                .collect(),
            worst_alert_value: r.worst(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_json() {
        let mut m = MonitorPlan {
            sample_period: Duration::from_secs(5),
            queue_rule: QueueRule::Max,
            ..Default::default()
        };
        m.command_time.threshold = 200.0;
        m.requests_queued.enabled = false;
        let p = ProbePlan {
            interval_scale: 0.05,
            ..Default::default()
        };
        let json = serde_json::to_string(&MonitorSettings::of(&m, &p)).unwrap();
        let back: MonitorSettings = serde_json::from_str(&json).unwrap();
        assert_eq!(back.plans(), (m, p));
    }
}
