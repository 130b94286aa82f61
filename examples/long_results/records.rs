//! The synthetic directory's whole-run files: `run.json` (plan, servers, monitors with their
//! transitions, summary, totals), `summary.csv`, `health.csv` (with a sample value per
//! interval, as a run writes it) and `probes.csv` (a probe per server a minute).

use std::path::Path;
use std::time::{Duration, SystemTime};

use imapload::plan::{MonitorPlan, ProbePlan};
use imapload::results::files;
use imapload::results::monitors::{MonitorSettings, MonitorVerdict, TransitionDoc};
use imapload::results::probes::{HealthRow, ProbeResult, ProbeRow};
use imapload::results::run::{rfc3339, Outcome, ServerDoc, Servers, Totals};
use imapload::results::AlertValue;
use imapload::results::RowHistograms;
use imapload::results::RowKey;
use imapload::results::Window;
use imapload::results::{RunRecord, SummaryRow, SCHEMA_VERSION};

use super::{Spec, BACKENDS, CAS, SLOW};

/// One monitor and the states it went through.
fn monitor(server: &str, name: &str, transitions: Vec<TransitionDoc>) -> MonitorVerdict {
    let end = transitions.last().map_or(AlertValue::Healthy, |t| t.to);
    let worst = (transitions.iter().map(|t| t.to)).fold(AlertValue::Healthy, AlertValue::max);
    let health_set = if CAS.contains(&server) {
        "IMAP.Proxy"
    } else {
        "IMAP"
    };
    MonitorVerdict {
        alert_value: end,
        health_set: health_set.into(),
        monitor: name.into(),
        rule: format!("{name}: synthetic"),
        server: server.into(),
        target_resource: server.into(),
        transitions,
        worst_alert_value: worst,
    }
}

/// Every server's command-time monitor (the slow back end's fires and recovers) and, when
/// `spec.flap_every` is set, a queue monitor that changes state all run long.
fn monitors(spec: &Spec) -> Vec<MonitorVerdict> {
    let at = |k: f64| TransitionDoc {
        at_s: k * spec.interval_s,
        to: AlertValue::Healthy,
    };
    let n = spec.intervals as f64;
    let escalation = MonitorPlan::default().escalation_delay.as_secs_f64() / spec.interval_s;
    let mut out = Vec::new();
    for server in CAS.iter().chain(&BACKENDS) {
        let mut t = Vec::new();
        if *server == SLOW {
            let from = (0.40 * n).ceil() + 5.0;
            t.push(TransitionDoc {
                to: AlertValue::Degraded,
                ..at(from)
            });
            t.push(TransitionDoc {
                to: AlertValue::Unhealthy,
                ..at(from + escalation)
            });
            t.push(at((0.55 * n).ceil() + 5.0));
        }
        out.push(monitor(server, "AverageCommandProcessingTime", t));
    }
    if let Some(flaps) = spec.intervals.checked_div(spec.flap_every) {
        let flips = (1..flaps).map(|i| TransitionDoc {
            to: [AlertValue::Degraded, AlertValue::Healthy][(i % 2) as usize],
            ..at((i * spec.flap_every) as f64)
        });
        out.push(monitor(BACKENDS[2], "RequestsQueued", flips.collect()));
    }
    out
}

/// The `health.csv` row of `m`, with one (made-up) judged value per interval.
fn health_row(m: &MonitorVerdict, spec: &Spec) -> HealthRow {
    let values: Vec<String> = (0..spec.intervals)
        .map(|k| format!("{:.1}s={:.3}", (k + 1) as f64 * spec.interval_s, 5.0))
        .collect();
    let transitions: Vec<String> = (m.transitions.iter())
        .map(|t| format!("{:.1}s {}", t.at_s, t.to))
        .collect();
    HealthRow {
        server: m.server.clone(),
        health_set: m.health_set.clone(),
        monitor: m.monitor.clone(),
        alert_value: m.alert_value.to_string(),
        target_resource: m.target_resource.clone(),
        first_transition_s: (m.transitions.first())
            .map(|t| format!("{:.3}", t.at_s))
            .unwrap_or_default(),
        worst_alert_value: m.worst_alert_value.to_string(),
        transitions: transitions.join("; "),
        rule: m.rule.clone(),
        behind: String::new(),
        sample_values: values.join("; "),
    }
}

/// A probe per server per minute; the slow back end's fail while it is slow.
fn probes(spec: &Spec) -> Vec<ProbeRow> {
    let end = spec.intervals as f64 * spec.interval_s;
    let mut out = Vec::new();
    let mut t = 30.0;
    while t < end {
        for server in CAS.iter().chain(&BACKENDS) {
            let f = t / end;
            let failed = *server == SLOW && (0.40..0.55).contains(&f);
            // The probe a real run sends each role: the proxy test on a CAS,
            // the self test on a back end.
            let (probe, health_set) = match CAS.contains(server) {
                true => ("ImapProxyTestProbe", "IMAP.Proxy"),
                false => ("ImapSelfTestProbe", "IMAP.Protocol"),
            };
            out.push(ProbeRow {
                t_s: t,
                probe: probe.into(),
                health_set: health_set.into(),
                server: server.to_string(),
                result: [ProbeResult::Succeeded, ProbeResult::Failed][failed as usize],
                latency_ms: if failed { 5000.0 } else { 40.0 },
                failure: if failed {
                    "Timeout".into()
                } else {
                    String::new()
                },
                ..ProbeRow::default()
            });
        }
        t += 60.0;
    }
    out
}

fn server_docs(names: &[&str]) -> Vec<ServerDoc> {
    let doc = |n: &&str| ServerDoc {
        addr: format!("{n}.example:143"),
        name: n.to_string(),
        security: imapload::results::Security::Plain,
    };
    names.iter().map(doc).collect()
}

/// Writes `run.json`, `summary.csv`, `health.csv` and `probes.csv`.
pub fn write(
    dir: &Path,
    spec: &Spec,
    keys: &[RowKey],
    totals: &[RowHistograms],
    started: SystemTime,
) -> anyhow::Result<()> {
    let elapsed = spec.intervals as f64 * spec.interval_s;
    let summary: Vec<SummaryRow> = (keys.iter().zip(totals))
        .filter(|(_, t)| !t.is_empty())
        .map(|(k, t)| SummaryRow::of(k, t))
        .collect();
    let once = (keys.iter().zip(totals)).filter(|(k, _)| k.is_first_on_path());
    let (commands, errors) = once.fold((0, 0), |(c, e), (_, t)| {
        (c + t.count(), e + t.error_count())
    });
    let monitors = monitors(spec);
    let mut run = RunRecord {
        elapsed_s: elapsed,
        started_at: rfc3339(started),
        ended_at: rfc3339(started + Duration::from_secs_f64(elapsed)),
        health: (monitors.iter().map(|m| m.alert_value)).max(),
        imapload_version: env!("CARGO_PKG_VERSION").into(),
        monitor_settings: Some(MonitorSettings::of(
            &MonitorPlan::default(),
            &ProbePlan::default(),
        )),
        monitors,
        outcome: Some(Outcome::Completed),
        schema_version: SCHEMA_VERSION,
        seed: Some(spec.seed),
        servers: Servers {
            backends: server_docs(&BACKENDS),
            cas: server_docs(&CAS),
        },
        summary,
        totals: Totals {
            commands,
            commands_per_s: commands as f64 / elapsed.max(1e-9),
            errors,
        },
        window: Some(Window {
            from: Duration::from_secs_f64((60.0f64).min(elapsed / 10.0)),
            to: Duration::from_secs_f64(elapsed),
        }),
        ..RunRecord::default()
    };
    run.plan.name = "synthetic-long-run".into();
    run.plan.interval_s = spec.interval_s;
    run.plan.duration_s = elapsed;
    run.sessions.tally.started = 30;
    run.sessions.tally.completed = 30;
    std::fs::write(dir.join(files::RUN_JSON), serde_json::to_vec_pretty(&run)?)?;
    let summary = imapload::results::summary::to_csv(&run.summary)?;
    std::fs::write(dir.join(files::SUMMARY_CSV), summary)?;
    let health: Vec<HealthRow> = run.monitors.iter().map(|m| health_row(m, spec)).collect();
    let cells = imapload::results::cells::to_csv(&health)?;
    std::fs::write(dir.join(files::HEALTH_CSV), cells)?;
    let probes = imapload::results::cells::to_csv(&probes(spec))?;
    std::fs::write(dir.join(files::PROBES_CSV), probes)?;
    Ok(())
}
