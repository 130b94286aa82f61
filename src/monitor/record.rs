//! What the results record of the evaluation: each monitor's verdict
//! (`run.json` `monitors[]`) and its `health.csv` row.

use super::evaluate::MonitorResult;
use super::state::Transition;
use crate::results::monitors::{MonitorVerdict, TransitionDoc};
use crate::results::probes::HealthRow;

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

/// A monitor's state changes as one cell (`12.0s Degraded; 42.0s Unhealthy`).
pub fn transitions_text(t: &[Transition]) -> String {
    t.iter()
        .map(|t| format!("{:.1}s {}", t.at.as_secs_f64(), t.to))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The `health.csv` row of a monitor (Get-ServerHealth's columns first).
pub fn health_row(r: &MonitorResult) -> HealthRow {
    let values = (r.values.iter())
        .map(|(t, v)| {
            let v = v.map_or("-".to_string(), |v| format!("{v:.3}"));
            format!("{:.1}s={v}", t.as_secs_f64())
        })
        .collect::<Vec<_>>()
        .join("; ");
    HealthRow {
        server: r.server.clone(),
        health_set: r.health_set.clone(),
        monitor: r.monitor.clone(),
        alert_value: r.alert_value.to_string(),
        target_resource: r.target_resource.clone(),
        first_transition_s: (r.transitions.first())
            .map(|t| format!("{:.3}", t.at.as_secs_f64()))
            .unwrap_or_default(),
        worst_alert_value: r.worst().to_string(),
        transitions: transitions_text(&r.transitions),
        rule: r.rule.clone(),
        behind: r.behind.clone(),
        sample_values: values,
    }
}
