//! `run.json`: the effective plan, version, seed, times, outcome and a
//! machine-readable summary of every row.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::{json, Value};

use crate::metrics::{RowHistograms, RowKey};
use crate::plan::{LoadPlan, MonitorPlan, ProbePlan, RunPlan, ShardPlan, ThinkTime, TopologyPlan};

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
        "load": load_json(&plan.load),
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

/// The load model as JSON (`plan.load` in `run.json`).
pub fn load_json(load: &LoadPlan) -> Value {
    json!({
        "model": format!("{:?}", load.model).to_lowercase(), "sessions": load.sessions,
        "rate": load.rate, "max_sessions": load.max_sessions,
        "arrivals": format!("{:?}", load.arrivals).to_lowercase(),
        "stages": load.stages.iter().map(|s| json!({"duration_s": s.duration.as_secs_f64(), "target": s.target})).collect::<Vec<_>>(),
        "cas_share": load.cas_share, "ramp_up_s": load.ramp_up.as_secs_f64(),
        "allow_shared_users": load.allow_shared_users,
        "warmup_s": load.warmup.as_secs_f64(),
        "cooldown_s": load.cooldown.map(|c| c.as_secs_f64()),
    })
}

/// `run.json`'s `shard` object of a `--shard K/N` run: which part it is and
/// what the scenario run whole has (seed, users, load, probes), so that
/// `imapload merge` can write the whole plan without the scenario file.
pub fn shard_json(s: &ShardPlan) -> Value {
    json!({
        "index": s.shard.index, "count": s.shard.count, "seed": s.whole_seed,
        "users": s.whole_users, "load": load_json(&s.whole_load), "probes": s.whole_probes,
    })
}

/// What `run.json` says about the plan. A run takes it from its [`RunPlan`];
/// `imapload merge` builds it from the shards' `run.json`, which is why the
/// writer takes this and not the plan itself.
#[derive(Debug, Clone)]
pub struct PlanRecord {
    /// The seed (top-level `seed`).
    pub seed: u64,
    /// `plan`, as [`plan_json`] writes it.
    pub plan: Value,
    /// Monitor settings the verdicts were judged with.
    pub monitors: MonitorPlan,
    /// Probe settings.
    pub probes: ProbePlan,
    /// No summary on stdout.
    pub quiet: bool,
    /// Further top-level keys (`shard` of a shard, `shards` of a merge).
    pub extra: serde_json::Map<String, Value>,
}

impl PlanRecord {
    /// The record of a run of `plan`.
    pub fn of(plan: &RunPlan) -> PlanRecord {
        let mut extra = serde_json::Map::new();
        if let Some(s) = &plan.shard {
            extra.insert("shard".into(), shard_json(s));
        }
        PlanRecord {
            seed: plan.seed,
            plan: plan_json(plan),
            monitors: plan.monitors.clone(),
            probes: plan.probes.clone(),
            quiet: plan.output.quiet,
            extra,
        }
    }
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
