//! Reading one shard's results directory: `run.json` (which shard, of what,
//! when it started), the time series and queue readings and the probe
//! attempts (the interval logs are streamed later, see [`super::hlog`]).
//! Anything missing or odd is an input error naming the file, so a merge
//! never quietly adds up less than it was given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::compare::input::read_summary;
use crate::compare::Metric;
use crate::error::{Failure, InputError};
use crate::metrics::store::IntervalRecord;
use crate::metrics::RowKey;
use crate::probe::ProbeAttempt;
use crate::report::timeseries;

/// Everything merge needs from one shard's results directory.
#[derive(Debug)]
pub struct ShardDir {
    /// The directory, as given.
    pub dir: PathBuf,
    /// K of `--shard K/N`.
    pub index: u32,
    /// N of `--shard K/N`.
    pub count: u32,
    /// The whole `run.json`.
    pub run: Value,
    /// Its `shard` object: what the scenario run whole has.
    pub whole: Value,
    /// The recording interval.
    pub interval: Duration,
    /// CAS names, in order.
    pub cas: Vec<String>,
    /// Back-end names, in order.
    pub backends: Vec<String>,
    /// Wall-clock start of the shard's run.
    pub started_at: SystemTime,
    /// Wall-clock end.
    pub ended_at: SystemTime,
    /// Measured time from its start.
    pub elapsed: Duration,
    /// Interval records (`timeseries.csv` + `queue.csv`), rows indexing `row_keys`.
    pub intervals: Vec<IntervalRecord>,
    /// The rows `intervals` index.
    pub row_keys: Vec<RowKey>,
    /// Probe attempts (`probes.csv`).
    pub probes: Vec<ProbeAttempt>,
}

fn read_file(dir: &Path, name: &str) -> Result<Vec<u8>, InputError> {
    std::fs::read(dir.join(name)).map_err(|e| {
        let msg = format!(
            "cannot read ({e}); is {} a shard's results directory?",
            dir.display()
        );
        InputError::at(dir.join(name), None, None, msg)
    })
}

fn time(run: &Value, key: &str, file: &Path) -> Result<SystemTime, InputError> {
    run[key]
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(SystemTime::from)
        .ok_or_else(|| {
            let msg = "missing or not an RFC 3339 time";
            InputError::at(file, None, Some(key.into()), msg)
        })
}

fn names(run: &Value, role: &str) -> Vec<String> {
    run["servers"][role]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads the shard in `dir`.
pub fn read(dir: &Path) -> Result<ShardDir, Failure> {
    if !dir.is_dir() {
        return Err(InputError::at(dir, None, None, "no such results directory").into());
    }
    let file = dir.join("run.json");
    let run: Value = serde_json::from_slice(&read_file(dir, "run.json")?)
        .map_err(|e| InputError::at(&file, None, None, format!("not valid JSON: {e}")))?;
    let whole = run["shard"].clone();
    let (Some(index), Some(count)) = (whole["index"].as_u64(), whole["count"].as_u64()) else {
        let msg = "no shard index/count: this run was not started with `imapload run --shard K/N`";
        return Err(InputError::at(&file, None, Some("shard".into()), msg).into());
    };
    let interval = run["plan"]["interval_s"]
        .as_f64()
        .filter(|s| *s > 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| InputError::at(&file, None, Some("plan.interval_s".into()), "missing"))?;
    let (cas, backends) = (names(&run, "cas"), names(&run, "backends"));
    let servers: Vec<String> = cas.iter().chain(backends.iter()).cloned().collect();
    let (intervals, row_keys) = timeseries::read_intervals(
        &read_file(dir, "timeseries.csv")?,
        &read_file(dir, "queue.csv")?,
        &servers,
    )
    .map_err(|e| InputError::at(dir.join("timeseries.csv"), None, None, format!("{e:#}")))?;
    check_against_summary(dir, &intervals, &row_keys)?;
    let probes = crate::probe::from_csv(&read_file(dir, "probes.csv")?)
        .map_err(|e| InputError::at(dir.join("probes.csv"), None, None, format!("{e:#}")))?;
    Ok(ShardDir {
        index: index as u32,
        count: count as u32,
        interval,
        started_at: time(&run, "started_at", &file)?,
        ended_at: time(&run, "ended_at", &file)?,
        elapsed: Duration::from_secs_f64(run["elapsed_s"].as_f64().unwrap_or(0.0)),
        cas,
        backends,
        intervals,
        row_keys,
        probes,
        dir: dir.to_path_buf(),
        run,
        whole,
    })
}

/// The time series must add up to `summary.csv`, row by row: the merge adds
/// the series, and a truncated or edited file would make it add up to less.
fn check_against_summary(
    dir: &Path,
    intervals: &[IntervalRecord],
    keys: &[RowKey],
) -> Result<(), Failure> {
    let mut series: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for s in intervals.iter().flat_map(|i| &i.rows) {
        let e = series.entry(keys[s.row].tag()).or_default();
        e.0 += s.count();
        e.1 += s.errors.iter().sum::<u64>();
    }
    let summary = read_summary(dir, Metric::Mean)?;
    let mut total: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (key, side) in summary.iter().filter(|(_, s)| s.count > 0) {
        total.insert(key.join("."), (side.count, side.errors));
    }
    if series != total {
        let row = total
            .keys()
            .chain(series.keys())
            .find(|k| series.get(*k) != total.get(*k))
            .cloned()
            .unwrap_or_default();
        let msg = format!(
            "row {row}: summary.csv has (count, errors) {:?}, timeseries.csv adds up to {:?}; \
             the results directory is incomplete or was edited",
            total.get(&row).copied().unwrap_or_default(),
            series.get(&row).copied().unwrap_or_default()
        );
        return Err(InputError::at(dir.join("timeseries.csv"), None, None, msg).into());
    }
    Ok(())
}
