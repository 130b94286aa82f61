//! `imapload run`: plan -> topology (+ faults) -> engine and probes ->
//! recorder -> monitors and verdict -> outputs and the exit code, one phase
//! per file.

mod checkpoint;
mod drive;
mod prepare;
mod targets;

use std::collections::BTreeMap;
use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use crate::error::Failure;
use crate::metrics::RowKey;
use crate::monitor::evaluate::evaluate;
use crate::monitor::input::{from_feed, ProbeOutcome};
use crate::monitor::state::AlertValue;
use crate::plan::RunPlan;
use crate::report::results::RunResults;
use crate::results::run::Outcome;
use crate::verdict::{self, Verdict};

use targets::Started;

/// When a run's exit code says "unhealthy".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
    /// The summary row of every row reached (counts, errors by reason,
    /// percentiles), by key: what `summary.csv` holds.
    pub rows: BTreeMap<RowKey, crate::results::SummaryRow>,
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
    pub generator: Option<crate::engine::open::GeneratorReport>,
    /// The overall verdict (thresholds and error gates).
    pub verdict: Verdict,
    /// The process exit code for this outcome.
    pub exit_code: i32,
}

/// The first line on stderr: what runs against what.
fn announce(plan: &RunPlan, started: &Started) {
    if plan.output.quiet {
        return;
    }
    eprintln!(
        "imapload: {}{} — {} sessions for {:?} against {} CAS + {} back ends ({})",
        plan.name,
        plan.shard
            .as_ref()
            .map_or(String::new(), |s| format!(" shard {}", s.shard)),
        plan.load.sessions,
        plan.duration,
        started.targets.cas.len(),
        started.targets.backends.len(),
        if started.topology.is_some() {
            "embedded"
        } else {
            "real servers"
        }
    );
}

/// Runs a plan to the end (or until `interrupt`, or a failed write):
/// prepare the results directory (written as the run goes), start the
/// topology, drive the load, judge the monitors and the verdict, write the
/// rest of the results. A write error stops the run, prints what was
/// measured and fails it (exit 1), naming the file and the OS error.
pub async fn run(
    plan: RunPlan,
    interrupt: CancellationToken,
    fail_on: FailOn,
) -> Result<RunReport, Failure> {
    run_with(plan, interrupt, fail_on, Extra::default()).await
}

/// Writes extra files into the results directory before the report.
pub type BeforeWrite = Box<dyn FnOnce(&crate::report::ResultsDir) -> anyhow::Result<()> + Send>;

/// What a run other than `imapload run` adds (`imapload replay`): its
/// sessions, and a hook that writes its own files into the results
/// directory before the report is rendered.
#[derive(Default)]
pub struct Extra {
    /// Where the sessions come from (`None`: the plan's load model).
    pub external: Option<crate::engine::scripted::External>,
    /// Called with the results directory once the load has ended, before
    /// the whole files and the report are written.
    pub before_write: Option<BeforeWrite>,
}

/// [`run`] with what `extra` adds.
pub async fn run_with(
    plan: RunPlan,
    interrupt: CancellationToken,
    fail_on: FailOn,
    extra: Extra,
) -> Result<RunReport, Failure> {
    let dir = prepare::prepare(&plan)?;
    let live = match live_metrics(&plan).await {
        Ok(l) => l,
        Err(e) => {
            dir.discard();
            return Err(e);
        }
    };
    let started = match targets::start(&plan).await {
        Ok(s) => s,
        Err(e) => {
            dir.discard();
            return Err(e);
        }
    };
    announce(&plan, &started);
    let (servers, server_names) = (started.servers(), started.server_names());
    let layout = started.layout.clone();
    let checkpoint = checkpoint::Checkpoint::new(&plan, &started, &dir);
    let external = extra.external;
    let driven = drive::drive(&plan, started, &dir, checkpoint, interrupt, external, live).await?;
    let extra_written = extra.before_write.map(|write| write(&dir));
    let store = driven.store.lock().map_err(|_| poisoned())?;
    let outcome = &driven.outcome;
    let health = monitors_at_end(&plan, &driven, &layout)?;
    let verdict = verdict::judge_run(&plan.thresholds, &store, outcome, driven.aborted.clone());
    let ended = match (&driven.write_error, outcome.interrupted) {
        (Some(_), _) => Outcome::Failed,
        (None, true) => Outcome::Partial,
        (None, false) => Outcome::Completed,
    };
    let results = RunResults {
        plan: crate::report::run_json::PlanRecord::of(&plan),
        outcome,
        store: &store,
        servers,
        server_names,
        probes: driven.probes.clone(),
        faults: driven.faults.clone(),
        health,
        verdict,
        ended,
    };
    let written = results.write(&dir);
    let write_error = driven.write_error.clone().or_else(|| match extra_written {
        Some(Err(e)) => Some(format!("{e:#}")),
        _ => None,
    });
    if let Some(e) = &write_error {
        return Err(Failure::Run(anyhow::anyhow!(
            "{}; the run was stopped (results so far in {})",
            explain(e),
            dir.path().display()
        )));
    }
    let written = written.map_err(|e| match e {
        Failure::Run(e) => Failure::Run(anyhow::anyhow!("{}", explain(&format!("{e:#}")))),
        other => other,
    })?;
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

/// The monitors judged on the whole run: the feed's last sums settled
/// (nothing can move them now), then every monitor and probe evaluated.
fn monitors_at_end(
    plan: &RunPlan,
    driven: &drive::Driven,
    layout: &crate::metrics::Layout,
) -> Result<Vec<crate::monitor::evaluate::MonitorResult>, Failure> {
    let outcome = &driven.outcome;
    let outcomes: Vec<ProbeOutcome> = driven.probes.iter().map(ProbeOutcome::from).collect();
    let mut feed = driven.feed.lock().map_err(|_| poisoned())?;
    feed.settle(&outcome.window, std::time::Duration::MAX);
    let names = (&layout.cas_names[..], &layout.backend_names[..]);
    let input = from_feed(
        &feed,
        names,
        &outcomes,
        &plan.monitors,
        outcome.elapsed,
        &outcome.window,
    );
    Ok(evaluate(&plan.monitors, &plan.probes, &input))
}

/// Starts the live metrics endpoint when the plan asks for one, and says
/// where it listens (the port, when 0 was asked for, is only known now).
async fn live_metrics(
    plan: &RunPlan,
) -> Result<Option<std::sync::Arc<crate::live::LiveRun>>, Failure> {
    let Some(addr) = plan.output.metrics_listen else {
        return Ok(None);
    };
    let live = crate::live::LiveRun::start(plan, addr).await.map_err(|e| {
        Failure::Run(anyhow::anyhow!(
            "--metrics-listen {addr}: cannot listen: {e}"
        ))
    })?;
    eprintln!(
        "imapload: live metrics at http://{}/metrics",
        live.endpoint.addr
    );
    Ok(Some(std::sync::Arc::new(live)))
}

/// A write error as people read it: a full disk said in so many words.
fn explain(e: &str) -> String {
    match e.contains("No space left on device") {
        true => format!("{e} — the disk is full"),
        false => e.to_string(),
    }
}

/// A lock another thread panicked while holding (never expected).
fn poisoned() -> Failure {
    Failure::Run(anyhow::anyhow!(
        "internal error: the interval store's lock is poisoned"
    ))
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
