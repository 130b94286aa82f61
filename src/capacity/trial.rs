//! One trial: the scenario's plan held at one fixed load for a fixed time, run
//! as a normal `imapload run` into `<out>/trials/NN-<load>/`, then judged by
//! the run's own verdict (thresholds, error gates, monitors) and by whether
//! the generator held the load.

use std::path::Path;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::error::{FailOn, Failure};
use crate::plan::{LoadModel, RunPlan};
use crate::results::capacity::{ServerFigures, TrialDoc};
use crate::results::{AlertValue, Origin, RunRecord, SummaryRow};

use super::search::{TrialKind, TrialResult};
use super::By;

/// Arrivals short of this share of the offered ones make an open trial invalid.
pub const MIN_ACHIEVED: f64 = 0.95;

/// A trial to run.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// 1-based trial number.
    pub n: usize,
    /// The load to hold.
    pub load: f64,
    /// Measured time, seconds (the warm-up comes on top).
    pub duration_s: f64,
    /// Why it is run.
    pub kind: TrialKind,
}

/// What a trial measured and said.
#[derive(Debug, Clone)]
pub struct Done {
    /// Its row of `capacity.json` `trials`.
    pub doc: TrialDoc,
    /// Passed, failed or invalid.
    pub result: TrialResult,
    /// The first thing that failed: (kind, name, measured).
    pub first_failure: Option<(String, String, String)>,
    /// The run was interrupted (Ctrl-C): the search stops.
    pub interrupted: bool,
}

/// `12.5` as `12.5`, `40` as `40`: the load as a directory name part.
pub fn load_label(load: f64) -> String {
    let s = format!("{load:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The plan of one trial: `base` at `load`, for `duration_s` after its warm-up.
pub fn plan_of(base: &RunPlan, by: By, spec: &Spec, out: &Path) -> (RunPlan, String) {
    let mut plan = base.clone();
    let dir = format!("trials/{:02}-{}", spec.n, load_label(spec.load));
    plan.output.out = Some(out.join(&dir));
    plan.output.force = true;
    plan.output.quiet = true;
    let measured = Duration::from_secs_f64(spec.duration_s);
    plan.duration = base.load.warmup + measured + base.load.cooldown.unwrap_or_default();
    plan.load.stages.clear();
    match by {
        By::Sessions | By::Users => {
            let n = spec.load.round().max(1.0) as usize;
            plan.load.model = LoadModel::Closed;
            (plan.load.sessions, plan.load.max_sessions) = (n, n);
        }
        By::Rate => {
            if base.load.model == LoadModel::Closed {
                plan.load.max_sessions = base.load.sessions.max(1000);
            }
            plan.load.model = LoadModel::Open;
            plan.load.rate = spec.load;
        }
    }
    (plan, dir)
}

/// Runs one trial and judges it.
pub async fn run(
    base: &RunPlan,
    by: By,
    spec: Spec,
    out: &Path,
    interrupt: &CancellationToken,
    fail_on: FailOn,
) -> Result<Done, Failure> {
    let (plan, dir) = plan_of(base, by, &spec, out);
    let offered = (plan.load.model == LoadModel::Open)
        .then_some(plan.load.rate * plan.duration.as_secs_f64());
    let report = crate::run::run(plan, interrupt.child_token(), fail_on).await?;
    let record = crate::results::read_run(&report.dir)?;
    let invalid = invalid(&record, offered);
    let failed = failures(&record, fail_on);
    let result = match (&invalid, report.exit_code) {
        (Some(_), _) => TrialResult::Invalid,
        (None, 0) => TrialResult::Passed,
        (None, _) => TrialResult::Failed,
    };
    let mut doc = figures(&record);
    let blamed = blame(&record, &doc.servers, result == TrialResult::Failed);
    for s in &mut doc.servers {
        s.blamed = blamed.contains(&s.server);
    }
    doc.trial = spec.n;
    doc.load = spec.load;
    doc.kind = spec.kind.label().into();
    doc.duration_s = spec.duration_s;
    doc.result = result.label().into();
    doc.failed = failed
        .iter()
        .map(|f| format!("{} {} ({})", f.0, f.1, f.2))
        .collect();
    doc.invalid = invalid;
    doc.dir = dir;
    Ok(Done {
        doc,
        result,
        first_failure: failed.into_iter().next(),
        interrupted: report.partial,
    })
}

/// Why the generator could not hold the load (open model only): it reported
/// saturation, or fewer arrivals than [`MIN_ACHIEVED`] of those offered
/// (short by more than one, which is only rounding).
fn invalid(record: &RunRecord, offered: Option<f64>) -> Option<String> {
    let (Some(g), Some(offered)) = (&record.generator, offered) else {
        return None;
    };
    if g.saturated {
        return Some(format!(
            "generator saturated (most waiting {}, not started {})",
            g.max_backlog, g.not_started
        ));
    }
    let achieved = g.arrivals as f64 / offered.max(1e-9);
    let short = offered - g.arrivals as f64;
    (achieved < MIN_ACHIEVED && short > 1.0).then(|| {
        format!(
            "generator delivered {:.0}% of the offered arrivals",
            achieved * 100.0
        )
    })
}

/// What failed: thresholds and gates, then monitors that ended Unhealthy
/// (when they fail a run), as (kind, name, measured).
fn failures(record: &RunRecord, fail_on: FailOn) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let Some(v) = &record.verdict {
        for t in v.thresholds.iter().filter(|t| !t.passed) {
            let kind = if t.origin == Origin::Gate {
                "gate"
            } else {
                "threshold"
            };
            out.push((kind.into(), t.expression.clone(), t.shown.clone()));
        }
        if let Some(a) = &v.aborted {
            if out.is_empty() {
                out.push(("threshold".into(), a.expression.clone(), "crossed".into()));
            }
        }
    }
    if fail_on == FailOn::Unhealthy {
        for m in record
            .monitors
            .iter()
            .filter(|m| m.alert_value == AlertValue::Unhealthy)
        {
            out.push((
                "monitor".into(),
                format!("{} on {}", m.monitor, m.server),
                "Unhealthy".into(),
            ));
        }
    }
    out
}

/// Rows that count each command once (the first server on its path).
fn first_hop(r: &SummaryRow) -> bool {
    r.first_hop.unwrap_or(true) && r.count > 0
}

fn mean_ms(rows: &[&SummaryRow]) -> f64 {
    let count: u64 = rows.iter().map(|r| r.count).sum();
    let sum: f64 = rows.iter().map(|r| r.count as f64 * r.mean_us as f64).sum();
    sum / count.max(1) as f64 / 1000.0
}

fn p99_ms(rows: &[&SummaryRow]) -> f64 {
    rows.iter().map(|r| r.p99_us).max().unwrap_or(0) as f64 / 1000.0
}

/// The trial's figures over the whole run, and each server's.
fn figures(record: &RunRecord) -> TrialDoc {
    let firsts: Vec<&SummaryRow> = record.summary.iter().filter(|r| first_hop(r)).collect();
    let secs = record.elapsed_s.max(1e-9);
    let commands_per_s = record.totals.commands_per_s;
    let mean = mean_ms(&firsts);
    let servers = record
        .servers
        .names()
        .into_iter()
        .map(|server| {
            let rows: Vec<&SummaryRow> = (record.summary.iter())
                .filter(|r| r.server == server && r.count > 0)
                .collect();
            ServerFigures {
                commands_per_s: rows.iter().map(|r| r.count).sum::<u64>() as f64 / secs,
                mean_ms: mean_ms(&rows),
                p99_ms: p99_ms(&rows),
                server,
                blamed: false,
            }
        })
        .collect();
    TrialDoc {
        commands_per_s,
        mean_ms: mean,
        p99_ms: p99_ms(&firsts),
        concurrency: commands_per_s * mean / 1000.0,
        errors: record.totals.errors,
        servers,
        ..TrialDoc::default()
    }
}

/// The servers a failed trial's failure is laid at: those of the monitors
/// that ended Unhealthy; for a threshold or gate, the server with the most
/// errors (an error gate) or the worst p99 of its own (a CAS's p99 less
/// that of the slowest back end behind it, so a slow back end is not laid
/// at the proxy in front of it).
fn blame(record: &RunRecord, servers: &[ServerFigures], failed: bool) -> Vec<String> {
    if !failed {
        return Vec::new();
    }
    let mut out: Vec<String> = (record.monitors.iter())
        .filter(|m| m.alert_value == AlertValue::Unhealthy)
        .map(|m| m.server.clone())
        .collect();
    let failed_thresholds: Vec<&str> = (record.verdict.iter())
        .flat_map(|v| v.thresholds.iter().filter(|t| !t.passed))
        .map(|t| t.expression.as_str())
        .collect();
    let errors_of = |s: &str| -> f64 {
        let rows = record.summary.iter().filter(|r| r.server == s);
        let (e, c) = rows.fold((0, 0), |(e, c), r| (e + r.errors, c + r.count));
        e as f64 / c.max(1) as f64
    };
    let cas = record.servers.cas_names();
    let backend_p99 = (servers.iter())
        .filter(|s| !cas.contains(&s.server))
        .map(|s| s.p99_ms)
        .fold(0.0, f64::max);
    let own_p99 = |s: &ServerFigures| match cas.contains(&s.server) {
        true => (s.p99_ms - backend_p99).max(0.0),
        false => s.p99_ms,
    };
    for expr in failed_thresholds {
        let by_errors = expr.contains("error") || expr.contains("fail");
        let key = |s: &ServerFigures| match by_errors {
            true => errors_of(&s.server),
            false => own_p99(s),
        };
        let worst = servers.iter().max_by(|a, b| key(a).total_cmp(&key(b)));
        out.extend(worst.map(|s| s.server.clone()));
    }
    out.sort();
    out.dedup();
    out
}
