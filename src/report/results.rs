//! Everything a run produced, and how it is written out: the results
//! directory files written whole (`summary.csv`, `errors.csv`, `probes.csv`,
//! `health.csv`, `run.json`, `report.html`; the time series and interval
//! logs are appended as the run goes), both at the end and at each
//! checkpoint while it runs, and the end-of-run text on the terminal.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use crate::engine::EngineOutcome;
use crate::error::Failure;
use crate::metrics::IntervalStore;
use crate::monitor::evaluate::{worst_final, MonitorResult};
use crate::monitor::record::health_row;
use crate::probe::ProbeAttempt;
use crate::results::cells;
use crate::results::personas;
use crate::results::AlertValue;
use crate::results::ErrorCause;
use crate::results::RowKey;
use crate::results::Verdict;
use crate::sim::faults::FaultEvent;

use crate::results::monitors::{MonitorSettings, MonitorVerdict};
use crate::results::run::{
    rfc3339, FaultDoc, GeneratorDoc, Outcome, RunRecord, Servers, SessionsDoc, Totals,
};
use crate::results::{SummaryRow, SCHEMA_VERSION};

use super::{causes, health, run_json, table};
use crate::results::ResultsDir;

/// What a run measured and judged, ready to be written.
pub struct RunResults<'a> {
    /// What `run.json` records of the plan that ran.
    pub plan: run_json::PlanRecord,
    /// Engine outcome (times, sessions, interrupted).
    pub outcome: &'a EngineOutcome,
    /// Interval records and totals.
    pub store: &'a IntervalStore,
    /// Servers (names, addresses).
    pub servers: Servers,
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
    /// How the run ended (`Running` in a checkpoint).
    pub ended: Outcome,
}

/// The figures the caller (and tests) get back.
#[derive(Debug)]
pub struct Written {
    /// The results directory, in place.
    pub dir: PathBuf,
    /// The summary row of every row reached, by key.
    pub rows: BTreeMap<RowKey, SummaryRow>,
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
    /// The `run.json` document of these results.
    fn record(&self, rows: &[SummaryRow], error_causes: Vec<ErrorCause>) -> RunRecord {
        let o = self.outcome;
        let commands = self.store.commands();
        let secs = o.elapsed.as_secs_f64().max(1e-9);
        RunRecord {
            elapsed_s: o.elapsed.as_secs_f64(),
            ended_at: rfc3339(o.ended_at),
            error_causes,
            faults: (self.faults.iter())
                .map(|f| FaultDoc {
                    applied: f.applied,
                    at_s: f.at.as_secs_f64(),
                    server: f.server.clone(),
                    what: f.what.clone(),
                })
                .collect(),
            generator: o.generator.map(|g| GeneratorDoc {
                arrivals: g.arrivals,
                max_backlog: g.max_backlog,
                max_start_lag_ms: g.max_start_lag_us as f64 / 1000.0,
                model: "open".into(),
                not_started: g.not_started,
                saturated: o.saturated,
            }),
            health: Some(worst_final(&self.health)),
            imapload_version: env!("CARGO_PKG_VERSION").into(),
            monitor_settings: Some(MonitorSettings::of(&self.plan.monitors, &self.plan.probes)),
            monitors: self.health.iter().map(MonitorVerdict::from).collect(),
            outcome: Some(self.ended),
            personas: o.personas.clone(),
            pid: (self.ended == Outcome::Running).then(std::process::id),
            plan: self.plan.plan.clone(),
            schema_version: SCHEMA_VERSION,
            seed: Some(self.plan.seed),
            servers: self.servers.clone(),
            sessions: SessionsDoc {
                tally: o.sessions,
                shared_users: o.shared_users,
                user_waits: o.user_waits,
            },
            shard: self.plan.shard.clone(),
            shards: self.plan.shards.clone(),
            started_at: rfc3339(o.started_at),
            summary: rows.to_vec(),
            totals: Totals {
                commands,
                commands_per_s: commands as f64 / secs,
                errors: self.store.errors(),
            },
            verdict: Some(self.verdict.clone()),
            window: Some(o.window),
        }
    }

    /// Writes every whole file into `dir` (each replaced atomically) and
    /// prints the summary and health tables unless quiet. A file that cannot
    /// be written does not stop the others nor the summary on stdout; the
    /// first such error is returned, naming the file and the OS error.
    pub fn write(&self, dir: &ResultsDir) -> Result<Written, Failure> {
        let mut rows = BTreeMap::new();
        let mut totals = table::PathTotals::default();
        self.store.for_each_row(|key, row| {
            rows.insert(key.clone(), SummaryRow::of(key, row));
            totals.add(key, row);
        });
        let error_causes = self.store.error_causes();
        let (commands, errors) = (self.store.commands(), self.store.errors());
        let worst = worst_final(&self.health);
        let summary_rows: Vec<SummaryRow> = rows.values().cloned().collect();
        let mut failed = self.write_files(dir, &summary_rows, &error_causes).err();
        if failed.is_none() {
            failed = super::html::write(dir.path()).err();
        }
        if !self.plan.quiet {
            let table = table::render(&summary_rows, &totals);
            self.print(&table, &error_causes, worst, dir.path());
        }
        if let Some(e) = failed {
            return Err(Failure::Run(e));
        }
        Ok(Written {
            dir: dir.path().to_path_buf(),
            rows,
            commands,
            errors,
            worst,
            verdict: self.verdict.clone(),
        })
    }

    /// Writes the files a checkpoint replaces (`summary.csv`, `errors.csv`,
    /// `probes.csv`, `health.csv`, `run.json`), as the end of the run does.
    pub fn checkpoint(&self, dir: &ResultsDir) -> anyhow::Result<()> {
        let mut summary_rows = Vec::new();
        self.store
            .for_each_row(|key, row| summary_rows.push(SummaryRow::of(key, row)));
        self.write_files(dir, &summary_rows, &self.store.error_causes())
    }

    /// The results directory's whole files, each from its schema type; every
    /// file is tried, the first error returned.
    fn write_files(
        &self,
        dir: &ResultsDir,
        summary_rows: &[SummaryRow],
        error_causes: &[ErrorCause],
    ) -> anyhow::Result<()> {
        use crate::results::files;
        let doc = self.record(summary_rows, error_causes.to_vec());
        let put = |name: &str, bytes: anyhow::Result<Vec<u8>>| -> anyhow::Result<()> {
            Ok(dir.write(name, &bytes?)?)
        };
        let results = [
            put(
                files::SUMMARY_CSV,
                crate::results::summary::to_csv(summary_rows),
            ),
            put(files::ERRORS_CSV, cells::to_csv(error_causes)),
            put(files::PROBES_CSV, crate::probe::to_csv(&self.probes)),
            match self.outcome.personas.is_empty() {
                true => Ok(()),
                false => put(
                    personas::PERSONAS_CSV,
                    Ok(personas::to_csv(&self.outcome.personas)),
                ),
            },
            put(
                files::HEALTH_CSV,
                cells::to_csv(&self.health.iter().map(health_row).collect::<Vec<_>>()),
            ),
            // Last: the record says the other files are there.
            put(
                files::RUN_JSON,
                serde_json::to_vec_pretty(&doc).map_err(anyhow::Error::from),
            ),
        ];
        results.into_iter().collect()
    }

    /// The end-of-run text on the terminal: the row table, totals, error
    /// causes, the open model's figures, monitors and the verdict.
    fn print(
        &self,
        table: &str,
        error_causes: &[ErrorCause],
        worst: AlertValue,
        final_dir: &std::path::Path,
    ) {
        let (commands, errors) = (self.store.commands(), self.store.errors());
        let o = self.outcome;
        let secs = o.elapsed.as_secs_f64().max(1e-9);
        let mut out: Vec<u8> = Vec::new();
        let _ = write!(out, "{table}");
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
        let _ = write!(out, "{}", causes::render(error_causes));
        if !o.personas.is_empty() {
            let scale = self
                .plan
                .plan
                .population
                .as_ref()
                .map_or(1.0, |p| p.time_scale);
            let _ = writeln!(
                out,
                "\npersonas (client time x{scale}: {:.0} min of client behaviour):",
                secs * scale / 60.0
            );
            let _ = writeln!(out, "{}", personas::table(&o.personas));
        }
        if let Some(g) = o.generator {
            let _ = writeln!(
                out,
                "{}open model: {} arrivals, at most {} waiting for a free session, {} not started, worst start lag {:.1} ms",
                if o.saturated { "GENERATOR SATURATED — the offered load was not delivered; " } else { "" },
                g.arrivals,
                g.max_backlog,
                g.not_started,
                g.max_start_lag_us as f64 / 1000.0
            );
        }
        if !self.health.is_empty() {
            let _ = writeln!(out, "\n{}", health::table(&self.health));
        }
        let _ = writeln!(out, "monitors: {worst}");
        let _ = write!(out, "{}", self.verdict.render());
        let _ = writeln!(out, "results: {}", final_dir.display());
        super::colour::print(&String::from_utf8_lossy(&out), self.plan.tables_on_stderr);
    }
}
