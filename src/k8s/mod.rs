//! `imapload k8s`: the Kubernetes manifests of a sharded run, names and run
//! id filled in, so nothing is edited by hand. The scenario is checked as
//! `imapload run --shard 1/N` would check it before anything is printed.
//! The guide is `docs/kubernetes.md`.

pub mod manifests;
pub mod yaml;

use std::path::PathBuf;

use crate::error::{Failure, InputError};
use manifests::Spec;

/// The most shards one Indexed Job is given here: far beyond what a load
/// test needs, and short enough that pod names stay valid.
pub const MAX_SHARDS: u32 = 1000;

/// The longest run id: `imapload-<id>-shards-<index>` names a pod's host and
/// must stay within a DNS label's 63 characters.
pub const MAX_RUN_ID: usize = 40;

/// What `imapload k8s` is asked for (its flags, parsed by `cli::generate`).
#[derive(Debug, Clone)]
pub struct Request {
    /// Number of shards (pods of the Indexed Job).
    pub shards: u32,
    /// The container image.
    pub image: String,
    /// The scenario file, checked and carried in a ConfigMap.
    pub scenario: PathBuf,
    /// Names this run's Jobs, ConfigMap and folder on the volume (default: the UTC time).
    pub run_id: Option<String>,
    /// The namespace of every object (default: kubectl's current one).
    pub namespace: Option<String>,
}

/// Runs `imapload k8s`: prints the manifests on stdout.
pub fn command(a: Request) -> Result<i32, Failure> {
    let spec = spec(a)?;
    print!("{}", yaml::stream(&spec.all()));
    Ok(0)
}

/// Checks the flags and the scenario and gathers what the manifests need.
pub fn spec(a: Request) -> Result<Spec, Failure> {
    if a.shards == 0 || a.shards > MAX_SHARDS {
        let msg = format!("must be 1 to {MAX_SHARDS}, not {}", a.shards);
        return Err(InputError::new("--shards", msg).into());
    }
    if a.image.trim().is_empty() || a.image.chars().any(char::is_whitespace) {
        let msg = "give the image's name, e.g. registry.example.com/imapload:0.1.0";
        return Err(InputError::new("--image", msg).into());
    }
    let run_id = a.run_id.unwrap_or_else(default_run_id);
    check_label("--run-id", &run_id, MAX_RUN_ID)?;
    if let Some(ns) = &a.namespace {
        check_label("--namespace", ns, 63)?;
    }
    let overrides = crate::plan::Overrides {
        shard: Some(format!("1/{}", a.shards)),
        ..Default::default()
    };
    let plan = crate::plan::load(Some(&a.scenario), &overrides)?;
    if matches!(plan.topology, crate::plan::TopologyPlan::Embedded(_)) {
        eprintln!(
            "imapload: warning: {} uses the embedded topology: every pod would load its own \
             embedded servers, which tests only the tooling; point it at real servers",
            a.scenario.display()
        );
    }
    let scenario = std::fs::read_to_string(&a.scenario)
        .map_err(|e| InputError::at(&a.scenario, None, None, format!("cannot read ({e})")))?;
    Ok(Spec {
        shards: a.shards,
        image: a.image,
        run_id,
        namespace: a.namespace,
        scenario,
    })
}

/// The UTC time as a run id, e.g. `20250101-120000`.
fn default_run_id() -> String {
    chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string()
}

/// A DNS label (RFC 1123) of at most `max` characters: what Kubernetes
/// takes in names and namespaces.
fn check_label(flag: &str, value: &str, max: usize) -> Result<(), InputError> {
    let ok_chars = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ok_ends = !value.starts_with('-') && !value.ends_with('-');
    if value.is_empty() || value.len() > max || !ok_chars || !ok_ends {
        let msg = format!(
            "`{value}` is not allowed: lower-case letters, digits and `-`, \
             starting and ending with a letter or digit, at most {max} characters"
        );
        return Err(InputError::new(flag, msg));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_and_namespaces_are_dns_labels() {
        for good in ["run-1", "20250101-120000", "a"] {
            assert!(check_label("--run-id", good, MAX_RUN_ID).is_ok(), "{good}");
        }
        let long = "a".repeat(MAX_RUN_ID + 1);
        for bad in ["", "Run", "run_1", "-run", "run-", "run.1", long.as_str()] {
            let e = check_label("--run-id", bad, MAX_RUN_ID).unwrap_err();
            assert!(e.to_string().contains("lower-case letters"), "{bad}: {e}");
        }
        assert!(check_label("--run-id", &default_run_id(), MAX_RUN_ID).is_ok());
    }
}
