//! Monitor and probe settings as JSON in `run.json`, so `imapload health`
//! re-judges saved results with the settings of the run unless told otherwise.

use std::time::Duration;

use serde_json::{json, Value};

use crate::plan::{MonitorPlan, ProbeMonitor, ProbePlan, QueueRule, ThresholdMonitor};

fn threshold(m: &ThresholdMonitor) -> Value {
    json!({"enabled": m.enabled, "threshold": m.threshold, "consecutive": m.consecutive})
}

fn probe(m: &ProbeMonitor) -> Value {
    json!({"failures": m.failures, "window_s": m.window.map(|w| w.as_secs_f64())})
}

/// The settings as JSON (durations in seconds, the command-time threshold in ms).
pub fn to_json(m: &MonitorPlan, p: &ProbePlan) -> Value {
    json!({
        "sample_period_s": m.sample_period.as_secs_f64(),
        "escalation_delay_s": m.escalation_delay.as_secs_f64(),
        "command_time_ms": threshold(&m.command_time),
        "requests_queued": threshold(&m.requests_queued),
        "queue_rule": match m.queue_rule { QueueRule::Mean => "mean", QueueRule::Max => "max" },
        "probes": {
            "enabled": p.enabled, "interval_scale": p.interval_scale,
            "timeout_light_s": p.timeout_light.as_secs_f64(), "timeout_full_s": p.timeout_full.as_secs_f64(),
            "ctp": probe(&p.ctp), "proxy_test": probe(&p.proxy_test),
            "deep_test": probe(&p.deep_test), "self_test": probe(&p.self_test),
        },
    })
}

fn secs(v: &Value, what: &str) -> anyhow::Result<Duration> {
    let s = v
        .as_f64()
        .ok_or_else(|| anyhow::anyhow!("run.json monitors: `{what}` is not a number"))?;
    Ok(Duration::from_secs_f64(s.max(0.0)))
}

fn threshold_from(v: &Value, what: &str) -> anyhow::Result<ThresholdMonitor> {
    Ok(ThresholdMonitor {
        enabled: v["enabled"].as_bool().unwrap_or(true),
        threshold: v["threshold"]
            .as_f64()
            .ok_or_else(|| anyhow::anyhow!("run.json monitors: no {what}.threshold"))?,
        consecutive: v["consecutive"].as_u64().unwrap_or(2) as usize,
    })
}

fn probe_from(v: &Value) -> ProbeMonitor {
    ProbeMonitor {
        failures: v["failures"].as_u64().unwrap_or(4) as usize,
        window: v["window_s"].as_f64().map(Duration::from_secs_f64),
    }
}

/// Reads the settings written by [`to_json`].
pub fn from_json(v: &Value) -> anyhow::Result<(MonitorPlan, ProbePlan)> {
    let m = MonitorPlan {
        sample_period: secs(&v["sample_period_s"], "sample_period_s")?,
        escalation_delay: secs(&v["escalation_delay_s"], "escalation_delay_s")?,
        command_time: threshold_from(&v["command_time_ms"], "command_time_ms")?,
        requests_queued: threshold_from(&v["requests_queued"], "requests_queued")?,
        queue_rule: if v["queue_rule"] == "max" {
            QueueRule::Max
        } else {
            QueueRule::Mean
        },
    };
    let p = &v["probes"];
    let probes = ProbePlan {
        enabled: p["enabled"].as_bool().unwrap_or(false),
        interval_scale: p["interval_scale"].as_f64().unwrap_or(1.0),
        timeout_light: secs(&p["timeout_light_s"], "timeout_light_s")?,
        timeout_full: secs(&p["timeout_full_s"], "timeout_full_s")?,
        ctp: probe_from(&p["ctp"]),
        proxy_test: probe_from(&p["proxy_test"]),
        deep_test: probe_from(&p["deep_test"]),
        self_test: probe_from(&p["self_test"]),
    };
    Ok((m, probes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
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
        let (m2, p2) = from_json(&to_json(&m, &p)).unwrap();
        assert_eq!((m2, p2), (m, p));
    }
}
