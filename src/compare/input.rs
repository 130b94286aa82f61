//! Reading the two results directories: `summary.csv` strictly (it decides the
//! exit code, so anything odd is an input error naming the file), `run.json`
//! leniently (it only labels the output and feeds a warning).

use std::path::{Path, PathBuf};

use super::{Metric, Side};
use crate::error::Failure;
use crate::results::summary;
use crate::results::{RowLabels, RunRecord};

/// What `run.json` says about a run, for the header and the "not comparable"
/// warning. Every field is optional: a hand-made or older results directory
/// may lack `run.json`, and that should not block a comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInfo {
    /// The results directory, as given on the command line.
    pub dir: PathBuf,
    /// `plan.name` (the scenario's `name`).
    pub scenario: Option<String>,
    /// The run's seed.
    pub seed: Option<u64>,
    /// `completed`, `partial`, ...
    pub outcome: Option<String>,
    /// Why the fields are missing, when `run.json` could not be read.
    pub problem: Option<String>,
}

/// Reads `dir/summary.csv` ([`summary::read`]) and returns each row's labels
/// with its `metric` figure, in file order.
pub fn read_summary(dir: &Path, metric: Metric) -> Result<Vec<(RowLabels, Side)>, Failure> {
    let rows = summary::read(dir, Some((metric.column(), &format!("--metric {metric}"))))?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let side = Side {
                count: row.count,
                errors: row.errors,
                value_us: metric.of(&row),
            };
            (row.labels(), side)
        })
        .collect())
}

/// Reads the scenario name, seed and outcome from `dir/run.json`; a missing or
/// unparseable file is recorded in [`RunInfo::problem`], not an error.
pub fn read_run_info(dir: &Path) -> RunInfo {
    let file = dir.join(crate::results::files::RUN_JSON);
    let parsed = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {} ({e})", file.display()))
        .and_then(|t| {
            serde_json::from_str::<RunRecord>(&t)
                .map_err(|e| format!("{} is not a run.json ({e})", file.display()))
        });
    match parsed {
        Ok(v) => {
            // A checkpoint whose process is gone reads as cut short.
            let outcome = v.outcome.map(|_| v.outcome_text());
            RunInfo {
                dir: dir.to_path_buf(),
                scenario: Some(v.plan.name).filter(|n| !n.is_empty()),
                seed: v.seed.or(Some(v.plan.seed).filter(|s| *s != 0)),
                outcome,
                problem: None,
            }
        }
        Err(problem) => RunInfo {
            dir: dir.to_path_buf(),
            problem: Some(problem),
            ..RunInfo::default()
        },
    }
}
