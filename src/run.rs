//! `imapload run`: plan -> topology -> engine -> recorder -> outputs.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::engine::{self, OwnQueue, Target, Targets};
use crate::error::Failure;
use crate::imap::tls::TlsClient;
use crate::imap::url::Security;
use crate::metrics::{IntervalStore, Layout, Recorder, RowHistograms, RowKey};
use crate::plan::{RunPlan, TopologyPlan};
use crate::report::{run_json, summary, table, ResultsDir};
use crate::sim::{ServerInfo, Topology};

/// What a finished run produced.
#[derive(Debug)]
pub struct RunReport {
    /// The results directory, in place.
    pub dir: PathBuf,
    /// Totals per row.
    pub rows: BTreeMap<RowKey, RowHistograms>,
    /// Commands measured (each once), and how many failed.
    pub commands: u64,
    /// Failed commands.
    pub errors: u64,
    /// The run was interrupted.
    pub partial: bool,
    /// The process exit code for this outcome.
    pub exit_code: i32,
}

fn default_out(plan: &RunPlan) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    PathBuf::from("results").join(format!("{}-{stamp}", plan.name))
}

fn embedded_target(topo: &Topology, info: &ServerInfo, security: Security) -> Target {
    let addr = if security == Security::Tls {
        info.tls
    } else {
        info.plain
    };
    let own_queue = topo.control(&info.name).map(|c| {
        let read: Arc<dyn Fn() -> (u64, u64) + Send + Sync> =
            Arc::new(move || (c.queued() as u64, c.busy() as u64));
        OwnQueue(read)
    });
    Target {
        name: info.name.clone(),
        addr,
        security,
        server_name: addr.ip().to_string(),
        own_queue,
    }
}

/// Runs a plan to the end (or until `interrupt`) and writes its results directory.
pub async fn run(plan: RunPlan, interrupt: CancellationToken) -> Result<RunReport, Failure> {
    let out = plan
        .output
        .out
        .clone()
        .unwrap_or_else(|| default_out(&plan));
    let dir = ResultsDir::create(&out, plan.output.force)?;
    let quiet = plan.output.quiet;

    let (topology, targets, extra_ca) = match &plan.topology {
        TopologyPlan::Embedded(e) => {
            let topo = Topology::start(e, &plan.users, plan.seed, None)
                .await
                .map_err(Failure::Run)?;
            let sec = plan.session.security;
            let targets = Targets {
                cas: topo
                    .cas()
                    .iter()
                    .map(|i| embedded_target(&topo, i, sec))
                    .collect(),
                backends: topo
                    .backends()
                    .iter()
                    .map(|i| embedded_target(&topo, i, sec))
                    .collect(),
            };
            let ca = topo.ca_pem().to_string();
            (Some(topo), targets, Some(ca))
        }
        TopologyPlan::Real(r) => {
            let mut t = Targets::default();
            for (name, ep) in &r.cas {
                t.cas.push(Target::resolve(name, ep).await?);
            }
            for (name, ep) in &r.backends {
                t.backends.push(Target::resolve(name, ep).await?);
            }
            (None, t, None)
        }
    };
    let tls = TlsClient::new(
        plan.tls.ca_file.as_deref(),
        extra_ca.as_deref(),
        plan.tls.insecure,
    )?;
    let layout = Layout::new(
        targets.cas.iter().map(|t| t.name.clone()).collect(),
        targets.backends.iter().map(|t| t.name.clone()).collect(),
    );
    let servers = json!({
        "cas": targets.cas.iter().map(|t| json!({"name": t.name, "addr": t.addr.to_string(), "security": t.security})).collect::<Vec<_>>(),
        "backends": targets.backends.iter().map(|t| json!({"name": t.name, "addr": t.addr.to_string(), "security": t.security})).collect::<Vec<_>>(),
    });
    if !quiet {
        eprintln!(
            "imapload: {} — {} sessions for {:?} against {} CAS + {} back ends ({})",
            plan.name,
            plan.load.sessions,
            plan.duration,
            targets.cas.len(),
            targets.backends.len(),
            if topology.is_some() {
                "embedded"
            } else {
                "real servers"
            }
        );
    }
    let recorder = Recorder::new(Arc::new(layout.clone()));
    let store = Arc::new(Mutex::new(IntervalStore::new(layout)));
    let total = plan.duration;
    let outcome = engine::run(
        &plan,
        targets,
        tls,
        recorder,
        store.clone(),
        interrupt,
        move |s, now| {
            if !quiet {
                progress_line(s, now, total);
            }
        },
    )
    .await;
    if let Some(t) = topology {
        t.shutdown().await;
    }

    let store = store.lock().expect("store");
    let rows = store.totals_by_row();
    let commands = store.commands();
    let errors = store.errors();
    let partial = outcome.interrupted;
    let secs = outcome.elapsed.as_secs_f64().max(1e-9);
    let doc = json!({
        "imapload_version": env!("CARGO_PKG_VERSION"),
        "outcome": if partial { "partial" } else { "completed" },
        "seed": plan.seed,
        "started_at": run_json::rfc3339(outcome.started_at),
        "ended_at": run_json::rfc3339(outcome.ended_at),
        "elapsed_s": outcome.elapsed.as_secs_f64(),
        "plan": run_json::plan_json(&plan),
        "servers": servers,
        "sessions": {"started": outcome.sessions.0, "completed": outcome.sessions.1, "failed": outcome.sessions.2, "shared_users": outcome.shared_users},
        "totals": {"commands": commands, "errors": errors, "commands_per_s": commands as f64 / secs},
        "summary": run_json::summary_json(&rows),
        "monitors": [],
    });
    dir.write(
        "summary.csv",
        &summary::to_csv(&rows).map_err(Failure::Run)?,
    )?;
    dir.write(
        "run.json",
        serde_json::to_string_pretty(&doc)
            .map_err(anyhow::Error::from)?
            .as_bytes(),
    )?;
    let final_dir = dir.commit()?;
    if !quiet {
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, "{}", table::render(&rows));
        let _ = writeln!(
            stdout,
            "{} commands in {:.1} s ({:.0}/s), {} errors, sessions {} started / {} completed / {} failed{}",
            commands,
            secs,
            commands as f64 / secs,
            errors,
            outcome.sessions.0,
            outcome.sessions.1,
            outcome.sessions.2,
            if partial { " — INTERRUPTED, results marked partial" } else { "" }
        );
        let _ = writeln!(stdout, "results: {}", final_dir.display());
    }
    Ok(RunReport {
        dir: final_dir,
        rows,
        commands,
        errors,
        partial,
        exit_code: 0,
    })
}

/// One progress line per interval on stderr.
fn progress_line(store: &IntervalStore, now: Duration, total: Duration) {
    let Some(last) = store.intervals().last() else {
        return;
    };
    let secs = (last.end - last.start).as_secs_f64().max(1e-9);
    let ok: u64 = last.rows.iter().map(|r| r.ok).sum();
    let errors: u64 = last.rows.iter().map(|r| r.errors.iter().sum::<u64>()).sum();
    let worst_p99 = last.rows.iter().map(|r| r.corrected[2]).max().unwrap_or(0);
    eprintln!(
        "[{:>5.0}s/{:.0}s] sessions {:>6} | {:>8.0} cmd/s | errors {:>5} | worst row p99 {:.1} ms",
        now.as_secs_f64(),
        total.as_secs_f64(),
        last.active_sessions,
        (ok + errors) as f64 / secs,
        errors,
        worst_p99 as f64 / 1000.0
    );
}
