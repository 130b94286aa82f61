//! Everything a finished run produced, and how it is written out: the
//! results directory files and the end-of-run text on the terminal.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use crate::engine::EngineOutcome;
use crate::error::Failure;
use crate::metrics::{IntervalStore, RowHistograms, RowKey};
use crate::monitor::evaluate::{worst_final, MonitorResult};
use crate::monitor::settings;
use crate::monitor::state::AlertValue;
use crate::probe::ProbeAttempt;
use crate::sim::faults::FaultEvent;
use crate::verdict::Verdict;

use super::{causes, health, run_json, summary, table, timeseries, ResultsDir};

/// What a run measured and judged, ready to be written.
pub struct RunResults<'a> {
    /// What `run.json` records of the plan that ran.
    pub plan: run_json::PlanRecord,
    /// Engine outcome (times, sessions, interrupted).
    pub outcome: &'a EngineOutcome,
    /// Interval records and totals.
    pub store: &'a IntervalStore,
    /// Servers as JSON (names, addresses).
    pub servers: Value,
    /// CAS then back-end names (queue order).
    pub server_names: Vec<String>,
    /// Probe attempts.
    pub probes: Vec<ProbeAttempt>,
    /// Faults applied and reverted.
    pub faults: Vec<FaultEvent>,
    /// Monitor verdicts.
    pub health: Vec<MonitorResult>,
    /// The run's overall verdict (thresholds, error gates).
    pub verdict: Verdict,
}

/// The figures the caller (and tests) get back.
#[derive(Debug)]
pub struct Written {
    /// The results directory, in place.
    pub dir: PathBuf,
    /// Totals per row.
    pub rows: BTreeMap<RowKey, RowHistograms>,
    /// Commands measured, each once.
    pub commands: u64,
    /// Failed commands.
    pub errors: u64,
    /// Worst monitor state at the end.
    pub worst: AlertValue,
    /// The overall verdict, as written.
    pub verdict: Verdict,
}

impl RunResults<'_> {
    /// The run's interval length (from the plan; the longest interval
    /// measured when a plan lacks it), against which short ones are partial.
    fn interval(&self) -> Duration {
        match self.plan.plan["interval_s"].as_f64() {
            Some(s) if s.is_finite() && s > 0.0 => Duration::from_secs_f64(s),
            _ => self
                .store
                .intervals()
                .iter()
                .map(|r| r.end.saturating_sub(r.start))
                .max()
                .unwrap_or_default(),
        }
    }

    /// Writes every file into `dir` and moves it into place; prints the
    /// summary and health tables unless quiet.
    pub fn write(&self, dir: ResultsDir) -> Result<Written, Failure> {
        let rows = self.store.totals_by_row();
        let error_causes = self.store.error_causes();
        let (commands, errors) = (self.store.commands(), self.store.errors());
        let o = self.outcome;
        let secs = o.elapsed.as_secs_f64().max(1e-9);
        let worst = worst_final(&self.health);
        let verdicts: Vec<Value> = self
            .health
            .iter()
            .map(|r| {
                json!({"server": r.server, "health_set": r.health_set, "monitor": r.monitor,
                       "target_resource": r.target_resource, "alert_value": r.alert_value,
                       "worst_alert_value": r.worst(), "rule": r.rule,
                       "transitions": r.transitions.iter().map(|t| json!({"at_s": t.at.as_secs_f64(), "to": t.to})).collect::<Vec<_>>()})
            })
            .collect();
        let mut doc = json!({
            "imapload_version": env!("CARGO_PKG_VERSION"),
            "outcome": if o.interrupted { "partial" } else { "completed" },
            "seed": self.plan.seed,
            "started_at": run_json::rfc3339(o.started_at),
            "ended_at": run_json::rfc3339(o.ended_at),
            "elapsed_s": o.elapsed.as_secs_f64(),
            "window": o.window,
            "plan": self.plan.plan,
            "servers": self.servers,
            "sessions": {"started": o.sessions.started, "completed": o.sessions.completed, "failed": o.sessions.failed, "aborted": o.sessions.aborted, "shared_users": o.shared_users, "user_waits": o.user_waits},
            "totals": {"commands": commands, "errors": errors, "commands_per_s": commands as f64 / secs},
            "summary": run_json::summary_json(&rows),
            "error_causes": causes::to_json(&error_causes),
            "monitor_settings": settings::to_json(&self.plan.monitors, &self.plan.probes),
            "monitors": verdicts,
            "health": worst,
            "verdict": self.verdict,
            "generator": o.generator.map(|(arrivals, max_backlog, not_started, lag_us)| json!({
                "model": "open", "arrivals": arrivals, "max_backlog": max_backlog, "not_started": not_started,
                "max_start_lag_ms": lag_us as f64 / 1000.0, "saturated": o.saturated,
            })),
            "faults": self.faults.iter().map(|f| json!({"at_s": f.at.as_secs_f64(), "server": f.server, "what": f.what, "applied": f.applied})).collect::<Vec<_>>(),
        });
        if let Value::Object(m) = &mut doc {
            m.extend(self.plan.extra.clone());
        }
        let intervals = self.store.intervals();
        dir.write(
            "summary.csv",
            &summary::to_csv(&rows).map_err(Failure::Run)?,
        )?;
        dir.write(
            "errors.csv",
            &causes::to_csv(&error_causes).map_err(Failure::Run)?,
        )?;
        dir.write(
            "timeseries.csv",
            &timeseries::timeseries_csv(intervals, self.store.row_keys(), self.interval())
                .map_err(Failure::Run)?,
        )?;
        dir.write(
            "queue.csv",
            &timeseries::queue_csv(intervals, &self.server_names).map_err(Failure::Run)?,
        )?;
        dir.write(
            "probes.csv",
            &crate::probe::to_csv(&self.probes).map_err(Failure::Run)?,
        )?;
        dir.write(
            "health.csv",
            &health::to_csv(&self.health).map_err(Failure::Run)?,
        )?;
        dir.write(
            "run.json",
            serde_json::to_string_pretty(&doc)
                .map_err(anyhow::Error::from)?
                .as_bytes(),
        )?;
        super::html::write(dir.path()).map_err(Failure::Run)?;
        let final_dir = dir.commit()?;
        if !self.plan.quiet {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{}", table::render(&rows));
            let _ = writeln!(
                out,
                "{commands} commands in {secs:.1} s ({:.0}/s), {errors} errors, sessions {} started / {} completed / {} failed{}{}",
                commands as f64 / secs,
                o.sessions.started,
                o.sessions.completed,
                o.sessions.failed,
                match o.sessions.aborted {
                    0 => String::new(),
                    n => format!(" / {n} cut short by the end"),
                },
                if o.interrupted { " — INTERRUPTED, results marked partial" } else { "" }
            );
            let _ = write!(out, "{}", causes::render(&error_causes));
            if let Some((arrivals, max_backlog, not_started, lag_us)) = o.generator {
                let _ = writeln!(
                    out,
                    "{}open model: {arrivals} arrivals, at most {max_backlog} waiting for a session slot, {not_started} not started, worst start lag {:.1} ms",
                    if o.saturated { "GENERATOR SATURATED — the offered load was not delivered; " } else { "" },
                    lag_us as f64 / 1000.0
                );
            }
            if !self.health.is_empty() {
                let _ = writeln!(out, "\n{}", health::table(&self.health));
            }
            let _ = writeln!(out, "monitors: {worst}");
            let _ = write!(out, "{}", self.verdict.render());
            let _ = writeln!(out, "results: {}", final_dir.display());
        }
        Ok(Written {
            dir: final_dir,
            rows,
            commands,
            errors,
            worst,
            verdict: self.verdict.clone(),
        })
    }
}
