//! `run.json`: the effective plan, version, seed, times, outcome and a
//! machine-readable summary of every row.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::{json, Value};

use crate::metrics::{RowHistograms, RowKey};
use crate::plan::{RunPlan, ThinkTime, TopologyPlan};

use super::summary::{header, record};

/// RFC 3339 UTC timestamp with milliseconds.
pub fn rfc3339(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The effective plan as JSON (passwords left out).
pub fn plan_json(plan: &RunPlan) -> Value {
    let topology = match &plan.topology {
        TopologyPlan::Embedded(e) => json!({
            "kind": "embedded", "cas": e.cas, "backends": e.backends, "listen": e.listen.to_string(),
            "workers_per_backend": e.workers_per_backend, "messages_per_mailbox": e.messages_per_mailbox,
            "message_size": e.message_size, "login_disabled_without_tls": e.login_disabled_without_tls,
            "service_default_ms": [e.service.default.median.as_secs_f64() * 1e3, e.service.default.p99.as_secs_f64() * 1e3],
        }),
        TopologyPlan::Real(r) => json!({
            "kind": "real",
            "cas": r.cas.iter().map(|(n, e)| json!({"name": n, "url": e.to_string()})).collect::<Vec<_>>(),
            "backends": r.backends.iter().map(|(n, e)| json!({"name": n, "url": e.to_string()})).collect::<Vec<_>>(),
        }),
    };
    let s = &plan.session;
    let think = match s.think_time {
        ThinkTime::None => json!({"dist": "none"}),
        ThinkTime::Fixed(d) => json!({"dist": "fixed", "value_s": d.as_secs_f64()}),
        ThinkTime::Exponential(d) => json!({"dist": "exponential", "mean_s": d.as_secs_f64()}),
        ThinkTime::Uniform(a, b) => {
            json!({"dist": "uniform", "min_s": a.as_secs_f64(), "max_s": b.as_secs_f64()})
        }
    };
    json!({
        "scenario": plan.scenario.as_ref().map(|p| p.display().to_string()),
        "name": plan.name,
        "seed": plan.seed,
        "duration_s": plan.duration.as_secs_f64(),
        "interval_s": plan.interval.as_secs_f64(),
        "topology": topology,
        "users": plan.users.len(),
        "load": {
            "model": format!("{:?}", plan.load.model).to_lowercase(), "sessions": plan.load.sessions,
            "rate": plan.load.rate, "max_sessions": plan.load.max_sessions,
            "arrivals": format!("{:?}", plan.load.arrivals).to_lowercase(),
            "stages": plan.load.stages.iter().map(|s| json!({"duration_s": s.duration.as_secs_f64(), "target": s.target})).collect::<Vec<_>>(),
            "cas_share": plan.load.cas_share, "ramp_up_s": plan.load.ramp_up.as_secs_f64(),
            "allow_shared_users": plan.load.allow_shared_users,
        },
        "profiles": plan.session.profiles.iter().map(|p| json!({"name": p.name, "weight": p.weight})).collect::<Vec<_>>(),
        "session": {
            "security": s.security, "login": format!("{:?}", s.login), "mailbox": s.mailbox,
            "commands_per_session": [s.commands_per_session.0, s.commands_per_session.1], "think_time": think,
            "mix": s.mix.iter().map(|(k, w)| (k.label().to_string(), json!(w))).collect::<serde_json::Map<_, _>>(),
            "command_timeout_s": s.command_timeout.as_secs_f64(), "idle_duration_s": s.idle_duration.as_secs_f64(),
            "reconnect_delay_s": s.reconnect_delay.as_secs_f64(),
            "append_size": s.append_size,
            "pacing": format!("{:?}", s.pacing), "validate": format!("{:?}", s.validate),
            "starttls_share": s.starttls_share,
        },
        "tls": {"ca_file": plan.tls.ca_file.as_ref().map(|p| p.display().to_string()), "insecure": plan.tls.insecure},
    })
}

/// The summary rows as JSON objects keyed by the CSV column names.
pub fn summary_json(rows: &BTreeMap<RowKey, RowHistograms>) -> Value {
    let cols = header();
    Value::Array(
        rows.iter()
            .map(|(k, r)| {
                let rec = record(k, r);
                let obj = cols
                    .iter()
                    .zip(rec)
                    .map(|(c, v)| {
                        let val = v
                            .parse::<u64>()
                            .map(Value::from)
                            .unwrap_or(Value::String(v));
                        (c.clone(), val)
                    })
                    .collect::<serde_json::Map<_, _>>();
                Value::Object(obj)
            })
            .collect(),
    )
}
