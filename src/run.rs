//! `imapload run`: plan -> topology (+ faults) -> engine and probes ->
//! recorder -> monitors -> outputs and the exit code.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::engine::{self, OwnQueue, Target, Targets};
use crate::error::Failure;
use crate::imap::tls::TlsClient;
use crate::imap::url::{Endpoint, Security};
use crate::metrics::{IntervalStore, Layout, Recorder, RowHistograms, RowKey};
use crate::monitor::evaluate::evaluate;
use crate::monitor::input::{build, ProbeOutcome};
use crate::monitor::state::AlertValue;
use crate::plan::{RunPlan, TopologyPlan, User};
use crate::probe::{ProbeAttempt, ProbeTarget};
use crate::report::progress::Progress;
use crate::report::results::RunResults;
use crate::report::ResultsDir;
use crate::sim::{faults, ServerInfo, Topology};
use crate::verdict::live::LiveJudge;
use crate::verdict::{self, Verdict};

/// When a run's exit code says "unhealthy".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 3 when a monitor ended Unhealthy.
    #[default]
    Unhealthy,
    /// Never exit 3 because of monitors.
    Never,
}

/// What a finished run produced.
#[derive(Debug)]
pub struct RunReport {
    /// The results directory, in place.
    pub dir: PathBuf,
    /// Totals per row.
    pub rows: BTreeMap<RowKey, RowHistograms>,
    /// Commands measured (each once).
    pub commands: u64,
    /// Failed commands.
    pub errors: u64,
    /// The run was interrupted.
    pub partial: bool,
    /// Worst monitor state at the end of the run.
    pub health: AlertValue,
    /// Open model: the generator could not deliver the offered load.
    pub saturated: bool,
    /// Open model: arrivals, most waiting, not started, worst start lag (µs).
    pub generator: Option<(u64, u64, u64, u64)>,
    /// The overall verdict (thresholds and error gates).
    pub verdict: Verdict,
    /// The process exit code for this outcome.
    pub exit_code: i32,
}

fn default_out(plan: &RunPlan) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    PathBuf::from("results").join(format!("{}-{stamp}", plan.name))
}

/// An embedded server as a target: the scenario's `security` and
/// `starttls_share` decide how sessions secure it.
fn embedded_target(
    topo: &Topology,
    info: &ServerInfo,
    session: &crate::plan::SessionPlan,
) -> Target {
    let security = session.security;
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
        starttls_share: session.starttls_share,
    }
}

/// Probe targets: every CAS with the first user, every back end with a user homed there.
fn probe_targets(targets: &[Target], users: &[User], backend: bool) -> Vec<ProbeTarget> {
    targets
        .iter()
        .map(|t| {
            let user = users
                .iter()
                .find(|u| !backend || u.backend == t.name)
                .unwrap_or(&users[0]);
            ProbeTarget {
                name: t.name.clone(),
                endpoint: Endpoint {
                    host: t.addr.ip().to_string(),
                    port: t.addr.port(),
                    security: t.security,
                    sni: Some(t.server_name.clone()),
                },
                user: user.name.clone(),
                password: user.password.clone(),
            }
        })
        .collect()
}

/// Runs a plan to the end (or until `interrupt`), judges the monitors and
/// writes the results directory.
pub async fn run(
    plan: RunPlan,
    interrupt: CancellationToken,
    fail_on: FailOn,
) -> Result<RunReport, Failure> {
    let out = plan
        .output
        .out
        .clone()
        .unwrap_or_else(|| default_out(&plan));
    if let Some(log) = &plan.output.protocol_log {
        std::fs::create_dir_all(&log.dir).map_err(|e| {
            let msg = format!("cannot create {}: {e}", log.dir.display());
            crate::error::InputError::new("--protocol-log", msg)
        })?;
    }
    let dir = ResultsDir::create(&out, plan.output.force)?;
    let quiet = plan.output.quiet;
    let fd_limit = crate::fdlimit::raise().unwrap_or(0);
    let per_session = match plan.topology {
        TopologyPlan::Embedded(_) => crate::fdlimit::PER_SESSION_EMBEDDED,
        TopologyPlan::Real(_) => crate::fdlimit::PER_SESSION_REAL,
    };
    let concurrent = match plan.load.model {
        crate::plan::LoadModel::Closed => plan.load.sessions,
        crate::plan::LoadModel::Open => plan.load.max_sessions,
    } as u64;
    if let Some(w) =
        crate::fdlimit::warning(concurrent, per_session, fd_limit).filter(|_| fd_limit > 0)
    {
        eprintln!("imapload: warning: {w}");
    }

    let (topology, targets, extra_ca) = match &plan.topology {
        TopologyPlan::Embedded(e) => {
            let topo = Topology::start(e, &plan.users, plan.seed, None)
                .await
                .map_err(Failure::Run)?;
            let targets = Targets {
                cas: topo
                    .cas()
                    .iter()
                    .map(|i| embedded_target(&topo, i, &plan.session))
                    .collect(),
                backends: topo
                    .backends()
                    .iter()
                    .map(|i| embedded_target(&topo, i, &plan.session))
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
            if let Some(n) = &plan.tls.server_name {
                for target in t.cas.iter_mut().chain(t.backends.iter_mut()) {
                    target.server_name = n.clone();
                }
            }
            (None, t, None)
        }
    };
    let tls = TlsClient::new(
        plan.tls.ca_file.as_deref(),
        extra_ca.as_deref(),
        plan.tls.insecure,
    )?;
    if plan.tls.insecure {
        eprintln!("{}", crate::imap::tls::INSECURE_WARNING);
    }
    let cas_names: Vec<String> = targets.cas.iter().map(|t| t.name.clone()).collect();
    // Back ends with a URL first (the engine's targets by index), then the
    // ones reached only through a CAS (named by the users file).
    let backend_names: Vec<String> = targets
        .backends
        .iter()
        .map(|t| t.name.clone())
        .chain(plan.topology.backends_behind_cas().iter().cloned())
        .collect();
    for t in targets.cas.iter().chain(targets.backends.iter()) {
        tracing::info!(server = %t.name, addr = %t.addr, security = ?t.security, "target");
    }
    let layout = Layout::new(cas_names.clone(), backend_names.clone());
    let server_doc = |t: &Target| crate::results::run::ServerDoc {
        addr: t.addr.to_string(),
        name: t.name.clone(),
        security: t.security,
    };
    let servers = crate::results::run::Servers {
        backends: targets.backends.iter().map(server_doc).collect(),
        cas: targets.cas.iter().map(server_doc).collect(),
    };
    if !quiet {
        eprintln!(
            "imapload: {}{} — {} sessions for {:?} against {} CAS + {} back ends ({})",
            plan.name,
            plan.shard
                .as_ref()
                .map_or(String::new(), |s| format!(" shard {}", s.shard)),
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

    let start = Instant::now();
    let side_stop = CancellationToken::new();
    let fault_log = topology
        .as_ref()
        .filter(|_| !plan.faults.is_empty())
        .map(|t| faults::schedule(t, &plan.faults, start, side_stop.clone()));
    let probe_run = plan.probes.enabled.then(|| {
        crate::probe::schedule(
            &plan.probes,
            probe_targets(&targets.cas, &plan.users, false),
            probe_targets(&targets.backends, &plan.users, true),
            tls.clone(),
            start,
            plan.seed,
            side_stop.clone(),
        )
    });

    let recorder = Recorder::new(Arc::new(layout.clone()));
    let mut interval_store = IntervalStore::new(layout);
    let now = std::time::SystemTime::now();
    let hlog = crate::metrics::hlog::Hlog::create(
        &dir.path().join(crate::results::files::LATENCY_HLOG),
        now,
    )?;
    interval_store.set_hlog(hlog);
    let service = dir.path().join(crate::results::files::SERVICE_HLOG);
    let service = crate::metrics::hlog::Hlog::create_of(&service, now, "service time")?;
    interval_store.set_service_hlog(service);
    let store = Arc::new(Mutex::new(interval_store));
    let progress = Progress::new(plan.duration, plan.load.warmup, plan.monitors.clone());
    let live = progress.clone();
    // A crossed threshold (abort_on_fail) stops the run like an interrupt.
    let stop = interrupt.child_token();
    let judge = Arc::new(LiveJudge::new(&plan.thresholds, stop.clone()));
    let ticked = judge.clone();
    let outcome = engine::run(
        &plan,
        targets,
        tls,
        recorder,
        store.clone(),
        stop,
        move |s, now| {
            if !quiet {
                live.print(s, now);
            }
            ticked.tick(s, now);
        },
    )
    .await;
    if !quiet {
        progress.finish();
    }
    side_stop.cancel();
    let mut probes: Vec<ProbeAttempt> = Vec::new();
    if let Some((handle, log)) = probe_run {
        let _ = tokio::time::timeout(Duration::from_secs(3), handle).await;
        probes = log.lock().expect("probe log").clone();
    }
    let mut fault_events = Vec::new();
    if let Some((handle, log)) = fault_log {
        let _ = tokio::time::timeout(Duration::from_secs(1), handle).await;
        fault_events = log.lock().expect("fault log").clone();
    }
    if let Some(t) = topology {
        t.shutdown().await;
    }

    let store = store.lock().expect("store");
    if let Some(e) = store.hlog_error() {
        return Err(Failure::Run(anyhow::anyhow!(
            "writing latency.hlog failed: {e}"
        )));
    }
    let outcomes: Vec<ProbeOutcome> = probes.iter().map(ProbeOutcome::from).collect();
    let input = build(
        store.intervals(),
        store.row_keys(),
        &cas_names,
        &backend_names,
        &outcomes,
        &plan.monitors,
        outcome.elapsed,
        &outcome.window,
    );
    let health = evaluate(&plan.monitors, &plan.probes, &input);
    let verdict = verdict::judge_run(&plan.thresholds, &store, &outcome, judge.aborted());
    let results = RunResults {
        plan: crate::report::run_json::PlanRecord::of(&plan),
        outcome: &outcome,
        store: &store,
        servers,
        server_names: cas_names
            .iter()
            .chain(backend_names.iter())
            .cloned()
            .collect(),
        probes,
        faults: fault_events,
        health,
        verdict,
    };
    let written = results.write(dir)?;
    let exit_code = exit_code(&written.verdict, written.worst, fail_on);
    Ok(RunReport {
        dir: written.dir,
        rows: written.rows,
        commands: written.commands,
        errors: written.errors,
        partial: outcome.interrupted,
        health: written.worst,
        saturated: outcome.saturated,
        generator: outcome.generator,
        verdict: written.verdict,
        exit_code,
    })
}

/// The exit code of a judged run: a failed verdict (thresholds, error gates,
/// every session failed) first, then a monitor that ended Unhealthy.
pub fn exit_code(verdict: &Verdict, worst: AlertValue, fail_on: FailOn) -> i32 {
    if !verdict.passed {
        verdict.exit_code()
    } else if worst == AlertValue::Unhealthy && fail_on == FailOn::Unhealthy {
        3
    } else {
        0
    }
}
