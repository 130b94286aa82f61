//! `imapload capacity`: the largest load at which the scenario's verdict
//! (thresholds, error gates, Exchange monitors) holds, found with fixed,
//! repeatable trials as RFC 9971 (MLRsearch) finds a throughput, then a
//! capacity model fitted on the trials. One file per concern: the search
//! controller (`search`, pure), one trial (`trial`, a normal run into
//! `trials/NN-<load>/`), the model (`model`), what the trials say beyond
//! the bounds (`analysis`), and the files written (`write`).

pub mod analysis;
pub mod model;
pub mod mva;
pub mod search;
pub mod trial;
mod write;

use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::error::{FailOn, Failure};
use crate::plan::RunPlan;
use crate::results::capacity::{CapacityRecord, SearchDoc};

use search::{Next, Search, Settings, Trial};

/// What a capacity search's load counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Concurrent sessions (closed model).
    Sessions,
    /// Session arrivals per second (open model).
    Rate,
    /// Users of the scenario's population: sessions until personas exist.
    Users,
}

impl By {
    /// As `capacity.json` spells it.
    pub fn label(self) -> &'static str {
        match self {
            By::Sessions => "sessions",
            By::Rate => "rate",
            By::Users => "users",
        }
    }

    /// The load's unit.
    pub fn unit(self) -> &'static str {
        match self {
            By::Rate => "arrivals/s",
            By::Sessions | By::Users => "sessions",
        }
    }
}

/// Exit code: the minimum load already fails (the verdict's failure code).
pub const EXIT_MIN_FAILS: i32 = crate::error::EXIT_MIN_FAILS;

/// What `imapload capacity` does, besides the scenario's plan.
#[derive(Debug, Clone)]
pub struct CapacityOptions {
    /// What the load counts.
    pub by: By,
    /// The first load tried.
    pub min: f64,
    /// The largest load tried.
    pub max: f64,
    /// Relative width the bounds are narrowed to.
    pub precision: f64,
    /// A trial's measured time (the scenario's warm-up comes on top).
    pub trial: Duration,
    /// The confirmation trial's measured time (zero: none).
    pub confirm: Duration,
    /// Idle time between trials.
    pub idle: Duration,
    /// The most trials.
    pub max_trials: usize,
    /// Loads to predict throughput and latency at.
    pub predict: Vec<f64>,
    /// Whether an Unhealthy monitor fails a trial.
    pub fail_on: FailOn,
    /// The operating point's share of the lower bound.
    pub operating_share: f64,
}

fn default_out(plan: &RunPlan) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    PathBuf::from("results").join(format!("{}-capacity-{stamp}", plan.name))
}

/// Runs the search, writes the results directory, and returns the exit
/// code: 0 a bound found, [`EXIT_MIN_FAILS`] the minimum already fails, 1
/// the generator could not hold even the minimum or the search was interrupted.
pub async fn command(
    plan: RunPlan,
    opts: CapacityOptions,
    interrupt: CancellationToken,
) -> Result<i32, Failure> {
    let out = plan
        .output
        .out
        .clone()
        .unwrap_or_else(|| default_out(&plan));
    let dir = crate::results::ResultsDir::create(&out, plan.output.force)?;
    let mut record = CapacityRecord {
        scenario: plan.name.clone(),
        by: opts.by.label().into(),
        unit: opts.by.unit().into(),
        search: search_doc(&plan, &opts),
        outcome: "running".into(),
        ..CapacityRecord::default()
    };
    eprintln!(
        "imapload: capacity of {} by {} from {} to {} (at most {} trials of {} after a {} warm-up, {} idle between; results in {})",
        plan.name,
        opts.by.label(),
        opts.min,
        opts.max,
        opts.max_trials,
        fmt(opts.trial),
        fmt(plan.load.warmup),
        fmt(opts.idle),
        out.display()
    );
    let mut search = Search::new(settings(&opts));
    let mut firsts: Vec<Option<(String, String, String)>> = Vec::new();
    let found = loop {
        let (load, duration_s, kind) = match search.next() {
            Next::Done(found) => break Some(found),
            Next::Run {
                load,
                duration_s,
                kind,
            } => (load, duration_s, kind),
        };
        let n = search.trials().len() + 1;
        let spec = trial::Spec {
            n,
            load,
            duration_s,
            kind,
        };
        let done = trial::run(&plan, opts.by, spec, &out, &interrupt, opts.fail_on).await?;
        search.record(Trial {
            load,
            duration_s,
            kind,
            result: done.result,
        });
        let (lower, upper, _) = search.bounds();
        write::progress(&done.doc, opts.by, lower, upper);
        record.trials.push(done.doc);
        firsts.push(done.first_failure);
        write::files(&dir, &record)?;
        if done.interrupted || interrupt.is_cancelled() {
            break None;
        }
        tokio::select! {
            _ = tokio::time::sleep(opts.idle) => {}
            _ = interrupt.cancelled() => break None,
        }
    };
    finish(&dir, &mut record, found, &firsts, &plan, &opts)
}

fn fmt(d: Duration) -> String {
    match d.is_zero() {
        true => "0s".into(),
        false => crate::plan::format_duration(d),
    }
}

fn settings(opts: &CapacityOptions) -> Settings {
    Settings {
        min: opts.min,
        max: opts.max,
        precision: opts.precision,
        trial_s: opts.trial.as_secs_f64(),
        confirm_s: opts.confirm.as_secs_f64(),
        exceed_ratio: 0.5,
        max_trials: opts.max_trials,
        integer: opts.by != By::Rate,
    }
}

fn search_doc(plan: &RunPlan, opts: &CapacityOptions) -> SearchDoc {
    let s = settings(opts);
    SearchDoc {
        min: s.min,
        max: s.max,
        precision: s.precision,
        trial_s: s.trial_s,
        warmup_s: plan.load.warmup.as_secs_f64(),
        idle_gap_s: opts.idle.as_secs_f64(),
        confirm_s: s.confirm_s,
        exceed_ratio: s.exceed_ratio,
        max_trials: s.max_trials,
    }
}

/// Fills in what the search found and the model, writes the files and the
/// report, prints the summary, and returns the exit code.
fn finish(
    dir: &crate::results::ResultsDir,
    record: &mut CapacityRecord,
    found: Option<search::Found>,
    firsts: &[Option<(String, String, String)>],
    plan: &RunPlan,
    opts: &CapacityOptions,
) -> Result<i32, Failure> {
    let code = match found {
        None => {
            record.outcome = "interrupted".into();
            crate::error::EXIT_COULD_NOT_RUN
        }
        Some(f) => {
            record.outcome = f.outcome.label().into();
            record.lower_bound = f.lower;
            record.lower_bound_confirmed = f.confirmed;
            record.upper_bound = f.upper;
            record.generator_ceiling = f.ceiling;
            match (f.outcome, f.lower) {
                (search::Outcome::MinFails, _) => EXIT_MIN_FAILS,
                (_, None) => crate::error::EXIT_COULD_NOT_RUN,
                (_, Some(_)) => 0,
            }
        }
    };
    record.first_failure = write::first_failure(&record.trials, firsts, record.upper_bound);
    record.knee = analysis::knee(&record.trials);
    record.operating_point = record
        .lower_bound
        .map(|l| crate::results::capacity::OperatingPoint {
            share: opts.operating_share,
            load: round_load(l * opts.operating_share, opts.by),
        });
    record.servers = analysis::servers(&record.trials);
    let open = opts.by == By::Rate;
    let (model, predictions) = analysis::model(&record.trials, open, &plan.monitors, &opts.predict);
    (record.model, record.predictions) = (model, predictions);
    write::files(dir, record)?;
    write::report(dir);
    write::summary(record);
    Ok(code)
}

fn round_load(load: f64, by: By) -> f64 {
    match by {
        By::Rate => (load * 100.0).round() / 100.0,
        _ => load.floor().max(1.0),
    }
}
