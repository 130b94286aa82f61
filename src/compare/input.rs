//! Reading the two results directories: `summary.csv` strictly (it decides the
//! exit code, so anything odd is an input error naming the file), `run.json`
//! leniently (it only labels the output and feeds a warning).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Metric, Side};
use crate::error::{Failure, InputError};

/// The join key: path, server, backend, command.
pub type Key = [String; 4];

/// The columns every `summary.csv` starts with (design.md, "Results directory").
pub const LEADING_COLUMNS: [&str; 6] = ["path", "server", "backend", "command", "count", "errors"];

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
/// with [`LEADING_COLUMNS`] or lacks the metric column, a non-numeric cell or
/// a duplicated row are [`InputError`]s.
pub fn read_summary(dir: &Path, metric: Metric) -> Result<Vec<(Key, Side)>, Failure> {
    if !dir.is_dir() {
        return Err(bad(dir, None, None, "no such results directory"));
    }
    let file = dir.join("summary.csv");
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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| bad(&file, Some(1), None, format!("unreadable header ({e})")))?
        .clone();
    let leading: Vec<&str> = header.iter().take(LEADING_COLUMNS.len()).collect();
    if leading != LEADING_COLUMNS {
        return Err(bad(
            &file,
            Some(1),
            None,
            format!(
                "header must start with {}; found '{}'",
                LEADING_COLUMNS.join(","),
                leading.join(",")
            ),
        ));
    }
    let col = metric.column();
    let value_at = header.iter().position(|h| h == col).ok_or_else(|| {
        bad(
            &file,
            Some(1),
            Some(col),
            format!("column missing, needed for --metric {metric}"),
        )
    })?;
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| bad(&file, Some(line), None, format!("unreadable row ({e})")))?;
        let num = |at: usize, name: &str| -> Result<u64, Failure> {
            let cell = rec.get(at).unwrap_or("");
            cell.trim().parse::<u64>().map_err(|_| {
                bad(
                    &file,
                    Some(line),
                    Some(name),
                    format!("'{cell}' is not a whole number"),
                )
            })
        };
        let side = Side {
            count: num(4, "count")?,
            errors: num(5, "errors")?,
            value_us: num(value_at, col)?,
        };
        let key: Key = std::array::from_fn(|k| rec.get(k).unwrap_or("").to_string());
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

/// Reads the scenario name, seed and outcome from `dir/run.json`; a missing or
/// unparseable file is recorded in [`RunInfo::problem`], not an error.
pub fn read_run_info(dir: &Path) -> RunInfo {
    let file = dir.join("run.json");
    let parsed = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {} ({e})", file.display()))
        .and_then(|t| {
            serde_json::from_str::<Value>(&t)
                .map_err(|e| format!("{} is not JSON ({e})", file.display()))
        });
    match parsed {
        Ok(v) => RunInfo {
            dir: dir.to_path_buf(),
            scenario: v["plan"]["name"].as_str().map(str::to_string),
            seed: v["seed"].as_u64().or_else(|| v["plan"]["seed"].as_u64()),
            outcome: v["outcome"].as_str().map(str::to_string),
            problem: None,
        },
        Err(problem) => RunInfo {
            dir: dir.to_path_buf(),
            problem: Some(problem),
            ..RunInfo::default()
        },
    }
}
