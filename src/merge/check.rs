//! Are these the shards of one scenario run? Same split (N), distinct parts
//! (K), the same scenario, settings and servers, and, unless the user allows
//! it, every part present. Each refusal names the directories and what differs.

use serde::Serialize;
use serde_json::Value;

use super::input::ShardDir;
use crate::error::InputError;
use crate::results::monitors::MonitorSettings;
use crate::results::plan::{LoadDoc, PlanDoc};
use crate::results::shards::ShardDoc;

/// What a shard must share with the others: its `run.json` without what
/// legitimately differs per shard (its seed, its part of the users and the
/// load, whether it ran the probes, times, figures), which are cleared.
#[derive(Serialize)]
struct Fingerprint {
    plan: PlanDoc,
    shard: ShardDoc,
    monitor_settings: Option<MonitorSettings>,
    servers: ServerNames,
}

/// The servers' names, in order (their addresses differ per shard).
#[derive(Serialize)]
struct ServerNames {
    cas: Vec<String>,
    backends: Vec<String>,
}

fn fingerprint(s: &ShardDir) -> Value {
    let plan = PlanDoc {
        seed: 0,
        users: 0,
        load: LoadDoc::default(),
        scenario: None,
        ..s.run.plan.clone()
    };
    let mut monitor_settings = s.run.monitor_settings.clone();
    if let Some(m) = &mut monitor_settings {
        m.probes.enabled = false;
    }
    let print = Fingerprint {
        plan,
        shard: ShardDoc {
            index: 0,
            ..s.whole.clone()
        },
        monitor_settings,
        servers: ServerNames {
            cas: s.cas.clone(),
            backends: s.backends.clone(),
        },
    };
    serde_json::to_value(print).unwrap_or(Value::Null)
}

/// The first key (dotted path) at which `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let null = Value::Null;
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let d = first_difference(x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null), &p);
                if d.is_some() {
                    return d;
                }
            }
            None
        }
        _ if a == b => None,
        _ => Some(format!("{path} ({a} vs {b})")),
    }
}

/// Sorts `shards` by K and checks they belong together. Returns the missing
/// parts' numbers; missing parts are an error unless `allow_missing`.
pub fn check(shards: &mut [ShardDir], allow_missing: bool) -> Result<Vec<u32>, InputError> {
    shards.sort_by_key(|s| s.index);
    let first = &shards[0];
    let name = |s: &ShardDir| format!("{} (shard {}/{})", s.dir.display(), s.index, s.count);
    for s in shards.iter().skip(1) {
        if s.count != first.count {
            return Err(InputError::new(
                "SHARD",
                format!(
                    "{} and {} split the scenario differently; merge the shards of one --shard K/N split",
                    name(first),
                    name(s)
                ),
            ));
        }
        if let Some(d) = first_difference(&fingerprint(first), &fingerprint(s), "") {
            return Err(InputError::new(
                "SHARD",
                format!(
                    "{} and {} are not parts of one scenario run: run.json differs at {d}",
                    name(first),
                    name(s)
                ),
            ));
        }
    }
    for pair in shards.windows(2) {
        if pair[0].index == pair[1].index {
            return Err(InputError::new(
                "SHARD",
                format!(
                    "{} and {} are the same part; give each shard's directory once",
                    pair[0].dir.display(),
                    name(&pair[1])
                ),
            ));
        }
    }
    let missing: Vec<u32> = (1..=first.count)
        .filter(|k| !shards.iter().any(|s| s.index == *k))
        .collect();
    if !missing.is_empty() && !allow_missing {
        let list: Vec<String> = missing
            .iter()
            .map(|k| format!("{k}/{}", first.count))
            .collect();
        return Err(InputError::new(
            "SHARD",
            format!(
                "shard {} missing ({} of {} given); give every shard's directory, or \
                 --allow-missing to merge the parts there are (their counts then cover less than the scenario)",
                list.join(", "),
                shards.len(),
                first.count
            ),
        ));
    }
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let a = json!({"plan": {"name": "x", "duration_s": 10.0}, "shard": {"count": 3}});
        let b = json!({"plan": {"name": "x", "duration_s": 20.0}, "shard": {"count": 3}});
        assert_eq!(
            first_difference(&a, &b, "").as_deref(),
            Some("plan.duration_s (10.0 vs 20.0)")
        );
        assert_eq!(first_difference(&a, &a, ""), None);
    }
}
