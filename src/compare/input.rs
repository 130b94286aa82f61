//! Reading the two results directories: `summary.csv` strictly (it decides the
//! exit code, so anything odd is an input error naming the file), `run.json`
//! leniently (it only labels the output and feeds a warning).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Metric, Side};
use crate::error::{Failure, InputError};
use crate::results::summary::{self, SummaryRow};
use crate::results::RunRecord;

/// The join key: path, server, backend, command.
pub type Key = [String; 4];

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

fn bad(file: &Path, line: Option<usize>, key: Option<&str>, msg: impl Into<String>) -> Failure {
    InputError::at(file, line, key.map(str::to_string), msg).into()
}

/// Reads `dir/summary.csv` and returns its rows in file order with the
/// `metric` column. Missing directory or file, a header that does not start
/// with the leading columns (`docs/design.md`, "Results directory") or lacks
/// the metric column, a non-numeric cell or a duplicated row are [`InputError`]s.
pub fn read_summary(dir: &Path, metric: Metric) -> Result<Vec<(Key, Side)>, Failure> {
    if !dir.is_dir() {
        return Err(bad(dir, None, None, "no such results directory"));
    }
    let file = dir.join(crate::results::files::SUMMARY_CSV);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        bad(
            &file,
            None,
            None,
            format!(
                "cannot read ({e}); is {} an imapload results directory?",
                dir.display()
            ),
        )
    })?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| bad(&file, Some(1), None, format!("unreadable header ({e})")))?
        .clone();
    let leading: Vec<&str> = header.iter().take(summary::LEADING).collect();
    let expected = summary::header();
    if leading != expected[..summary::LEADING] {
        return Err(bad(
            &file,
            Some(1),
            None,
            format!(
                "header must start with {}; found '{}'",
                expected[..summary::LEADING].join(","),
                leading.join(",")
            ),
        ));
    }
    let col = metric.column();
    if !header.iter().any(|h| h == col) {
        let msg = format!("column missing, needed for --metric {metric}");
        return Err(bad(&file, Some(1), Some(col), msg));
    }
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (i, rec) in reader.deserialize::<SummaryRow>().enumerate() {
        let line = i + 2;
        let row = rec.map_err(|e| cell_error(&file, line, &header, &e))?;
        let side = Side {
            count: row.count,
            errors: row.errors,
            value_us: metric.of(&row),
        };
        let key: Key = [row.path, row.server, row.backend, row.command];
        if !seen.insert(key.clone()) {
            return Err(bad(
                &file,
                Some(line),
                None,
                format!("row {} appears twice", key.join(",")),
            ));
        }
        rows.push((key, side));
    }
    Ok(rows)
}

/// A row that does not read: the input error names the line and the column.
fn cell_error(file: &Path, line: usize, header: &csv::StringRecord, e: &csv::Error) -> Failure {
    let column = match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err
            .field()
            .and_then(|f| header.get(f as usize))
            .map(str::to_string),
        _ => None,
    };
    let msg = format!("unreadable row ({e})");
    bad(file, Some(line), column.as_deref(), msg)
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
