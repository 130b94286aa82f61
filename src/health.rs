//! `imapload health RESULTS`: re-evaluates the monitors of a saved run from its
//! time series, queue readings and probe attempts, with the run's monitor
//! settings or with others (a scenario's `[monitors]`/`[probes]`, or flags).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Failure, InputError};
use crate::monitor::evaluate::{evaluate, worst_final, MonitorResult};
use crate::monitor::feed::Feed;
use crate::monitor::input::{from_feed, ProbeOutcome};
use crate::plan::ThresholdPlan;
use crate::plan::{self, MonitorPlan, Overrides, ProbePlan};
use crate::report::health;
use crate::results::series_read;
use crate::results::Verdict;
use crate::results::Window;
use crate::results::{keys, RunRecord};
use crate::verdict::files::WindowRows;
use crate::verdict::Measured;

/// Settings to re-judge with (`imapload health`'s flags); each `None` keeps
/// the saved run's value.
#[derive(Debug, Clone, Default)]
pub struct HealthOptions {
    /// Take `[monitors]` and `[probes]` from this scenario file.
    pub scenario: Option<PathBuf>,
    /// AverageCommandProcessingTime threshold (`--command-time-threshold 90s`).
    pub command_time_threshold: Option<String>,
    /// RequestsQueued threshold.
    pub queue_threshold: Option<f64>,
    /// Sample period (`--sample-period 10s`).
    pub sample_period: Option<String>,
    /// Escalation delay.
    pub escalation_delay: Option<String>,
    /// `--threshold` expressions judged besides the run's own.
    pub thresholds: Vec<String>,
}

/// What a reader left out of a damaged file (a half-written last row), said on stderr.
fn warn(dir: &Path, note: &str) {
    eprintln!("imapload: warning: {}: {note}", dir.display());
}

fn duration_flag(key: &str, v: &Option<String>) -> Result<Option<Duration>, InputError> {
    v.as_deref()
        .map(|s| match plan::parse_duration(s) {
            Ok(d) if !d.is_zero() => Ok(d),
            Ok(_) => Err(InputError::new(key, "must be more than zero")),
            Err(e) => Err(InputError::new(key, e)),
        })
        .transpose()
}

/// What a saved results directory's `run.json` says for re-judging; the
/// time series is read later, one interval at a time ([`read_series`]).
struct Saved {
    run: RunRecord,
    cas: Vec<String>,
    backends: Vec<String>,
    /// The steady window the run judged (results from before windows: all of it).
    window: Window,
    /// Measured time (a checkpoint's: up to its last interval).
    elapsed: Duration,
}

impl Saved {
    fn load(dir: &Path) -> Result<Saved, Failure> {
        let run = crate::results::read_run(dir)?;
        let (cas, backends) = (run.servers.cas_names(), run.servers.backend_names());
        Ok(Saved {
            window: run.window(),
            elapsed: run.elapsed(),
            run,
            cas,
            backends,
        })
    }
}

/// Reads the time series of `dir` once, feeding the monitors' sums and,
/// when given, the thresholds' window totals.
fn read_series(
    dir: &Path,
    s: &Saved,
    feed: &mut Feed,
    mut rows: Option<&mut WindowRows>,
) -> Result<(), Failure> {
    let mut reader = series_read::open(dir, s.run.servers.names(), s.run.series_until())?;
    while let Some(rec) = reader.next_interval()? {
        feed.add(&rec, reader.row_keys());
        if let Some(r) = rows.as_deref_mut() {
            r.add(&rec, reader.row_keys())?;
        }
        feed.settle(&s.window, Duration::MAX);
    }
    reader.notes().iter().for_each(|n| warn(dir, n));
    Ok(())
}

/// The monitor settings to re-judge with: the run's, or a scenario's, then flags.
fn monitor_settings(
    run: &RunRecord,
    with: &HealthOptions,
) -> Result<(MonitorPlan, ProbePlan), Failure> {
    let (mut monitors, mut probes) = match &with.scenario {
        None => (run.monitor_settings())
            .map_err(|e| Failure::Run(anyhow::anyhow!("run.json: {e}")))?
            .plans(),
        Some(_) => (MonitorPlan::default(), ProbePlan::default()),
    };
    if let Some(file) = &with.scenario {
        let p = plan::load(
            Some(file),
            &Overrides {
                quiet: true,
                ..Default::default()
            },
        )?;
        (monitors, probes) = (p.monitors, p.probes);
    }
    if let Some(d) = duration_flag("--command-time-threshold", &with.command_time_threshold)? {
        monitors.command_time.threshold = d.as_secs_f64() * 1000.0;
    }
    if let Some(q) = with.queue_threshold {
        if q <= 0.0 {
            return Err(InputError::new("--queue-threshold", "must be more than zero").into());
        }
        monitors.requests_queued.threshold = q;
    }
    if let Some(d) = duration_flag("--sample-period", &with.sample_period)? {
        monitors.sample_period = d;
    }
    if let Some(d) = with.escalation_delay.as_deref() {
        monitors.escalation_delay =
            plan::parse_duration(d).map_err(|e| InputError::new("--escalation-delay", e))?;
    }
    Ok((monitors, probes))
}

/// Re-evaluates the monitors of the results directory `dir`.
pub fn judge_monitors(dir: &Path, with: &HealthOptions) -> Result<Vec<MonitorResult>, Failure> {
    let saved = Saved::load(dir)?;
    let (monitors, probes) = monitor_settings(&saved.run, with)?;
    let mut feed = feed_of(&saved, &monitors);
    read_series(dir, &saved, &mut feed, None)?;
    monitors_of(dir, &saved, &feed, (&monitors, &probes))
}

fn feed_of(s: &Saved, monitors: &MonitorPlan) -> Feed {
    Feed::new(&s.cas, &s.backends, monitors.sample_period, Duration::ZERO)
}

fn monitors_of(
    dir: &Path,
    s: &Saved,
    feed: &Feed,
    (monitors, probes): (&MonitorPlan, &ProbePlan),
) -> Result<Vec<MonitorResult>, Failure> {
    let (bytes, note) = crate::results::rows::probes_csv(dir)?;
    note.iter().for_each(|n| warn(dir, n));
    let attempts = crate::probe::from_csv(&bytes).map_err(|e| {
        let file = dir.join(crate::results::files::PROBES_CSV);
        InputError::at(file, None, None, format!("{e:#}"))
    })?;
    let outcomes: Vec<ProbeOutcome> = attempts.iter().map(ProbeOutcome::from).collect();
    let names = (&s.cas[..], &s.backends[..]);
    let input = from_feed(feed, names, &outcomes, monitors, s.elapsed, &s.window);
    Ok(evaluate(monitors, probes, &input))
}

/// Re-judges the thresholds and error gates of the results directory `dir`
/// (the run's own, plus `with.thresholds`) on its steady window.
pub fn judge_verdict(dir: &Path, with: &HealthOptions) -> Result<Verdict, Failure> {
    let saved = Saved::load(dir)?;
    let mut feed = feed_of(&saved, &MonitorPlan::default());
    let mut rows = window_rows(dir, &saved)?;
    read_series(dir, &saved, &mut feed, Some(&mut rows))?;
    verdict_of(dir, &saved, rows, with)
}

fn window_rows(dir: &Path, s: &Saved) -> Result<WindowRows, Failure> {
    let interval = s.run.interval().unwrap_or(Duration::from_secs(1));
    Ok(WindowRows::open(dir, interval, s.window)?)
}

fn verdict_of(
    dir: &Path,
    s: &Saved,
    rows: WindowRows,
    with: &HealthOptions,
) -> Result<Verdict, Failure> {
    let file = dir.join(crate::results::files::RUN_JSON);
    let mut plan = ThresholdPlan::saved(s.run.verdict.as_ref())
        .map_err(|m| InputError::at(&file, None, Some(keys::VERDICT.into()), m))?;
    plan.add_flags(&with.thresholds)
        .map_err(|m| InputError::new("--threshold", m))?;
    let measured = Measured {
        rows: (rows.finish().into_iter())
            .map(|(key, row)| (key, std::sync::Arc::new(row)))
            .collect(),
        sessions: s.run.sessions.tally,
        seconds: s.window.length(s.elapsed).as_secs_f64(),
    };
    let mut verdict = crate::verdict::judge(&plan, &measured, s.window);
    // A run stopped by abort_on_fail stays failed, whatever is re-judged.
    if let Some(a) = s.run.verdict.as_ref().and_then(|v| v.aborted.clone()) {
        verdict.stopped_by(a);
    }
    Ok(verdict)
}

/// Runs `imapload health`: prints the health table, the thresholds and the
/// verdict, and returns the exit code (5 when the verdict fails, else 3 when
/// a monitor ends Unhealthy).
pub fn command(dir: &Path, with: &HealthOptions) -> Result<i32, Failure> {
    let saved = Saved::load(dir)?;
    let (monitors, probes) = monitor_settings(&saved.run, with)?;
    let mut feed = feed_of(&saved, &monitors);
    let mut rows = window_rows(dir, &saved)?;
    read_series(dir, &saved, &mut feed, Some(&mut rows))?;
    let results = monitors_of(dir, &saved, &feed, (&monitors, &probes))?;
    let verdict = verdict_of(dir, &saved, rows, with)?;
    if saved.run.is_checkpoint() {
        println!(
            "run: {} — judged on what was written by then",
            saved.run.outcome_text()
        );
    }
    let worst = worst_final(&results);
    let text = format!(
        "{}monitors: {worst}\n{}",
        health::table(&results),
        verdict.render()
    );
    crate::report::colour::print(&text, false);
    Ok(crate::error::judged_exit_code(
        verdict.passed,
        worst == crate::results::AlertValue::Unhealthy,
        crate::error::FailOn::Unhealthy,
    ))
}
