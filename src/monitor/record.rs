//! `run.json`'s `monitors[]` from the evaluation: each monitor's verdict as
//! the results record it.

use super::evaluate::MonitorResult;
use crate::results::monitors::{MonitorVerdict, TransitionDoc};

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
