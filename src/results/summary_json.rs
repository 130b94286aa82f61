//! `imapload run --summary-json FILE|-`: the part of `run.json` a pipeline
//! acts on (totals, rows, monitors, thresholds and verdict) as one document,
//! with the same keys and types as `run.json` so a reader of one reads the
//! other. Its JSON Schema is `docs/summary.schema.json`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::results::AlertValue;
use crate::results::Verdict;
use crate::results::Window;

use super::monitors::MonitorVerdict;
use super::run::{GeneratorDoc, Outcome, RunRecord, SessionsDoc, Totals};
use super::summary::SummaryRow;

/// The document, keys in the order written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryDoc {
    /// `run.json`'s layout version the keys follow.
    pub schema_version: u32,
    /// imapload's version.
    pub imapload_version: String,
    /// The scenario's name (`plan.name`).
    pub name: String,
    /// The results directory the run wrote.
    pub results_dir: String,
    /// How the run ended.
    pub outcome: Option<Outcome>,
    /// Wall-clock start (RFC 3339).
    pub started_at: String,
    /// Wall-clock end (RFC 3339).
    pub ended_at: String,
    /// Measured time, seconds.
    pub elapsed_s: f64,
    /// The seed.
    pub seed: Option<u64>,
    /// Run totals (commands counted once each).
    pub totals: Totals,
    /// Session counts.
    pub sessions: SessionsDoc,
    /// The open model's generator figures (null in a closed run).
    pub generator: Option<GeneratorDoc>,
    /// Worst monitor state at the end.
    pub health: Option<AlertValue>,
    /// Each monitor's verdict.
    pub monitors: Vec<MonitorVerdict>,
    /// The thresholds and the overall verdict.
    pub verdict: Option<Verdict>,
    /// The steady window judged.
    pub window: Option<Window>,
    /// One row per path x server x back end x command, as `summary.csv`.
    pub summary: Vec<SummaryRow>,
}

impl SummaryDoc {
    /// The document of the run recorded in `run`, written into `dir`.
    pub fn of(run: RunRecord, dir: &Path) -> SummaryDoc {
        SummaryDoc {
            schema_version: run.schema_version,
            imapload_version: run.imapload_version,
            name: run.plan.name,
            results_dir: dir.display().to_string(),
            outcome: run.outcome,
            started_at: run.started_at,
            ended_at: run.ended_at,
            elapsed_s: run.elapsed_s,
            seed: run.seed,
            totals: run.totals,
            sessions: run.sessions,
            generator: run.generator,
            health: run.health,
            monitors: run.monitors,
            verdict: run.verdict,
            window: run.window,
            summary: run.summary,
        }
    }
}
