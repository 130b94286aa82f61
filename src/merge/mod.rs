//! `imapload merge SHARD... --out DIR`: adds the results of the N shards of a
//! scenario (`imapload run --shard K/N`) into one results directory that looks
//! exactly like a run's, and judges the monitors on the merge.
//!
//! Histograms are added (never percentiles averaged); time series are rebuilt
//! on the shared clock, time since each shard's start, because the scenario's
//! schedule (ramps, faults, probes) runs on that clock in every shard; queue
//! readings are added. The shards' wall-clock starts and their skew are
//! recorded in `run.json` (`shards`). Everything is written through the run's
//! own writers ([`RunResults::write`], the streamed time series), one
//! interval at a time; a merge that fails removes what it wrote.

mod check;
mod combine;
mod input;
mod merged;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Failure, InputError};
use crate::metrics::sink::IntervalSink;
use crate::metrics::IntervalStore;
use crate::monitor::evaluate::evaluate;
use crate::monitor::feed::Feed;
use crate::monitor::input::{from_feed, ProbeOutcome};
use crate::monitor::sinks::SettlingFeed;
use crate::plan::ThresholdPlan;
use crate::report::results::RunResults;
use crate::report::run_json::PlanRecord;
use crate::results::run::Outcome;
use crate::results::series_write::SeriesWriter;
use crate::results::shards::ShardsDoc;
use crate::results::ResultsDir;
use crate::results::{keys, RunRecord};
use crate::sim::faults::FaultEvent;
use std::sync::{Arc, Mutex};

/// What `imapload merge` was asked to do.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    /// The merged results directory.
    pub out: PathBuf,
    /// Replace `out` if it exists.
    pub force: bool,
    /// Merge even when some shards' directories are not given.
    pub allow_missing: bool,
    /// No summary on stdout.
    pub quiet: bool,
    /// `--threshold` expressions judged on the merge besides the shards' own.
    pub thresholds: Vec<String>,
}

/// The plan record of the scenario run whole: the first shard's plan with the
/// whole scenario's seed, users and load, which every shard records.
fn plan_record(
    first: &input::ShardDir,
    shards: ShardsDoc,
    quiet: bool,
) -> Result<PlanRecord, InputError> {
    let whole = &first.whole;
    let mut plan = first.run.plan.clone();
    plan.seed = whole.seed;
    plan.users = whole.users;
    plan.load = whole.load.clone();
    let file = first.dir.join(crate::results::files::RUN_JSON);
    let settings = (first.run.monitor_settings())
        .map_err(|m| InputError::at(&file, None, Some(keys::MONITOR_SETTINGS.into()), m))?;
    let (monitors, mut probes) = settings.plans();
    probes.enabled = whole.probes;
    Ok(PlanRecord {
        seed: whole.seed,
        plan,
        monitors,
        probes,
        quiet,
        tables_on_stderr: false,
        shard: None,
        shards: Some(shards),
    })
}

/// Adds a shard's `error_causes` into the merged store (same row, reason and
/// message: counts added; at most 5 messages per row and reason, the rest as
/// other). A shard written before causes were kept has none.
fn restore_causes(store: &mut IntervalStore, shard: &input::ShardDir) -> Result<(), InputError> {
    let file = shard.dir.join(crate::results::files::RUN_JSON);
    let at = |msg: String| InputError::at(&file, None, Some(keys::ERROR_CAUSES.into()), msg);
    store.restore_causes(&shard.run.error_causes).map_err(at)
}

fn faults(run: &RunRecord) -> Vec<FaultEvent> {
    (run.faults.iter())
        .map(|f| FaultEvent {
            at: Duration::from_secs_f64(f.at_s.max(0.0)),
            server: f.server.clone(),
            what: f.what.clone(),
            applied: f.applied,
        })
        .collect()
}

fn same_place(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The shard directories must be given, and the merge must not overwrite one.
fn check_dirs(dirs: &[PathBuf], opts: &MergeOptions) -> Result<(), InputError> {
    if dirs.is_empty() {
        return Err(InputError::new(
            "SHARD",
            "give the shards' results directories",
        ));
    }
    if let Some(d) = dirs.iter().find(|d| same_place(d, &opts.out)) {
        let msg = format!(
            "{} is one of the shards; write the merge elsewhere",
            d.display()
        );
        return Err(InputError::new("--out", msg));
    }
    Ok(())
}

/// Says on stderr what is merged: how many shards, their start skew, and
/// which are missing.
fn announce(shards: &[input::ShardDir], missing: &[u32], skew: Duration) {
    let first = &shards[0];
    eprintln!(
        "imapload: merging {} of {} shards of {}; starts {:.3} s apart at most (lined up on time since each shard's start){}",
        shards.len(),
        first.count,
        first.run.plan.name,
        skew.as_secs_f64(),
        match (missing.is_empty(), missing.contains(&1)) {
            (true, _) => String::new(),
            (false, false) => format!("; MISSING shards {missing:?}"),
            (false, true) => format!("; MISSING shards {missing:?}, with shard 1 the probes"),
        }
    );
}

/// The run's own thresholds (from the first shard's `run.json`) plus `--threshold`.
fn thresholds(first: &input::ShardDir, opts: &MergeOptions) -> Result<ThresholdPlan, InputError> {
    let mut thresholds = ThresholdPlan::saved(first.run.verdict.as_ref()).map_err(|m| {
        InputError::at(
            first.dir.join(crate::results::files::RUN_JSON),
            None,
            Some(keys::VERDICT.into()),
            m,
        )
    })?;
    thresholds
        .add_flags(&opts.thresholds)
        .map_err(|m| InputError::new("--threshold", m))?;
    Ok(thresholds)
}

/// Adds the shards up into `dir` (the time series and interval logs
/// streamed, interval by interval) and judges the monitors on the merge.
fn merged(
    shards: &[input::ShardDir],
    dir: &ResultsDir,
    record: &PlanRecord,
    outcome: &crate::engine::EngineOutcome,
    probes: &[crate::probe::ProbeAttempt],
) -> Result<(Vec<crate::monitor::evaluate::MonitorResult>, IntervalStore), Failure> {
    let first = &shards[0];
    let names: Vec<String> = first.cas.iter().chain(&first.backends).cloned().collect();
    let t0 = (shards.iter().map(|s| s.started_at).min()).unwrap_or(first.started_at);
    let series = SeriesWriter::create(dir.path(), first.interval, names, t0)?;
    let period = record.monitors.sample_period;
    let feed = Feed::new(&first.cas, &first.backends, period, Duration::ZERO);
    // The merged run's window is known: each interval is judged as it is added.
    let feed = SettlingFeed {
        feed: Arc::new(Mutex::new(feed)),
        window: outcome.window,
    };
    let shared = feed.feed.clone();
    let sinks: Vec<Box<dyn IntervalSink>> = vec![Box::new(series), Box::new(feed)];
    let mut store = combine::measurements(shards, dir.path(), outcome.started_at, sinks)?;
    for s in shards {
        restore_causes(&mut store, s)?;
    }
    if let Some(e) = store.write_error() {
        return Err(Failure::Run(anyhow::anyhow!("{e}")));
    }
    let outcomes: Vec<ProbeOutcome> = probes.iter().map(ProbeOutcome::from).collect();
    let mut feed = shared
        .lock()
        .map_err(|_| anyhow::anyhow!("internal error: poisoned lock"))?;
    feed.settle(&outcome.window, Duration::MAX);
    let names = (&first.cas[..], &first.backends[..]);
    let input = from_feed(
        &feed,
        names,
        &outcomes,
        &record.monitors,
        outcome.elapsed,
        &outcome.window,
    );
    Ok((evaluate(&record.monitors, &record.probes, &input), store))
}

/// Merges the shard directories `dirs` into `opts.out`; returns the exit code
/// (3 when a monitor ends Unhealthy on the merge, as `run` does).
pub fn command(dirs: &[PathBuf], opts: &MergeOptions) -> Result<i32, Failure> {
    check_dirs(dirs, opts)?;
    let mut shards = dirs
        .iter()
        .map(|d| input::read(d))
        .collect::<Result<Vec<_>, _>>()?;
    let missing = check::check(&mut shards, opts.allow_missing)?;
    let (shards_doc, skew) = combine::shards_doc(&shards, &missing);
    let first = &shards[0];
    if !opts.quiet {
        announce(&shards, &missing, skew);
    }
    let record = plan_record(first, shards_doc, opts.quiet)?;
    let outcome = combine::outcome(&shards);
    let probes = combine::probes(&shards);
    let dir = ResultsDir::create(&opts.out, opts.force)?;
    let (health, store) = match merged(&shards, &dir, &record, &outcome, &probes) {
        Ok(m) => m,
        Err(e) => {
            // A merge that fails leaves no half-written directory behind.
            dir.discard();
            return Err(e);
        }
    };
    let thresholds = thresholds(first, opts)?;
    let verdict = crate::verdict::judge_run(&thresholds, &store, &outcome, None);
    let results = RunResults {
        plan: record,
        outcome: &outcome,
        store: &store,
        servers: first.run.servers.clone(),
        server_names: first
            .cas
            .iter()
            .chain(first.backends.iter())
            .cloned()
            .collect(),
        probes,
        faults: faults(&first.run),
        health,
        verdict,
        ended: match outcome.interrupted {
            true => Outcome::Partial,
            false => Outcome::Completed,
        },
    };
    let written = results.write(&dir)?;
    Ok(crate::error::judged_exit_code(
        written.verdict.passed,
        written.worst == crate::results::AlertValue::Unhealthy,
        crate::error::FailOn::Unhealthy,
    ))
}
