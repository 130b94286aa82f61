//! `probes.csv` rows from the attempts of a run, and the attempts back from
//! a saved run's rows (to re-judge its probe monitors).

use std::time::Duration;

use anyhow::{bail, Context};

use super::{FailureClass, ProbeAttempt, ProbeKind};
use crate::results::probes::{ProbeResult, ProbeRow};

/// `probes.csv` text: one [`ProbeRow`] per attempt sorted by finish time;
/// times to the microsecond so that [`from_csv`] gives back what was measured.
pub fn to_csv(attempts: &[ProbeAttempt]) -> anyhow::Result<Vec<u8>> {
    let mut sorted: Vec<&ProbeAttempt> = attempts.iter().collect();
    sorted.sort_by_key(|a| a.at);
    let rows: Vec<ProbeRow> = (sorted.into_iter())
        .map(|a| ProbeRow {
            t_s: a.at.as_secs_f64(),
            probe: a.kind.name().to_string(),
            health_set: a.kind.health_set().to_string(),
            server: a.server.clone(),
            result: if a.ok {
                ProbeResult::Succeeded
            } else {
                ProbeResult::Failed
            },
            latency_ms: a.latency.as_secs_f64() * 1000.0,
            failure: a.failure.map(|f| f.to_string()).unwrap_or_default(),
            error: a.error.clone().unwrap_or_default(),
            mailbox_server: a.mailbox_server.clone().unwrap_or_default(),
        })
        .collect();
    ProbeRow::write(&rows)
}

/// Reads `probes.csv` back, for re-evaluating the probe monitors of a saved
/// run; errors name the line that is wrong.
pub fn from_csv(bytes: &[u8]) -> anyhow::Result<Vec<ProbeAttempt>> {
    let rows = ProbeRow::read(bytes)?;
    (rows.iter().enumerate())
        .map(|(i, r)| attempt(r).with_context(|| format!("probes.csv line {}", i + 2)))
        .collect()
}

/// The attempt a `probes.csv` row records.
fn attempt(r: &ProbeRow) -> anyhow::Result<ProbeAttempt> {
    let micros = |v: f64, scale: f64, what: &str| -> anyhow::Result<Duration> {
        if !(v.is_finite() && v >= 0.0) {
            bail!("{what} `{v}` is not a non-negative number");
        }
        Ok(Duration::from_micros((v * scale).round() as u64))
    };
    let kind = ProbeKind::parse(&r.probe).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !r.health_set.eq_ignore_ascii_case(kind.health_set()) {
        bail!(
            "health set `{}` does not match probe {}",
            r.health_set,
            kind.name()
        );
    }
    let failure = match r.failure.as_str() {
        "" => None,
        s => Some(FailureClass::parse(s).with_context(|| format!("unknown failure class `{s}`"))?),
    };
    let text = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    Ok(ProbeAttempt {
        kind,
        server: r.server.clone(),
        at: micros(r.t_s, 1e6, ProbeRow::T_S)?,
        ok: match r.result {
            ProbeResult::Succeeded => true,
            ProbeResult::Failed => false,
        },
        latency: micros(r.latency_ms, 1e3, ProbeRow::LATENCY_MS)?,
        failure,
        error: text(&r.error),
        mailbox_server: text(&r.mailbox_server),
    })
}
