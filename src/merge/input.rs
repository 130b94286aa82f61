//! Reading one shard's results directory: `run.json` (which shard, of what,
//! when it started), the time series and queue readings and the probe
//! attempts (the interval logs are streamed later, see [`super::hlog`]).
//! Anything missing or odd is an input error naming the file, so a merge
//! never quietly adds up less than it was given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::compare::input::read_summary;
use crate::compare::Metric;
use crate::error::{Failure, InputError};
use crate::metrics::store::IntervalRecord;
use crate::metrics::RowKey;
use crate::probe::ProbeAttempt;
use crate::report::timeseries;
use crate::results::shards::ShardDoc;
use crate::results::{keys, RunRecord};

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
    pub run: RunRecord,
    /// Its `shard` object: what the scenario run whole has.
    pub whole: ShardDoc,
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

fn time(t: Option<SystemTime>, key: &str, file: &Path) -> Result<SystemTime, InputError> {
    t.ok_or_else(|| {
        let msg = "missing or not an RFC 3339 time";
        InputError::at(file, None, Some(key.into()), msg)
    })
}

/// Reads the shard in `dir`.
pub fn read(dir: &Path) -> Result<ShardDir, Failure> {
    if !dir.is_dir() {
        return Err(InputError::at(dir, None, None, "no such results directory").into());
    }
    let file = dir.join(crate::results::files::RUN_JSON);
    let run = crate::results::read_run(dir)?;
    let Some(whole) = run.shard.clone() else {
        let msg = "no shard index/count: this run was not started with `imapload run --shard K/N`";
        return Err(InputError::at(&file, None, Some(keys::SHARD.into()), msg).into());
    };
    let interval = run.interval().ok_or_else(|| {
        InputError::at(&file, None, Some(keys::PLAN_INTERVAL_S.into()), "missing")
    })?;
    let (cas, backends) = (run.servers.cas_names(), run.servers.backend_names());
    let servers: Vec<String> = cas.iter().chain(backends.iter()).cloned().collect();
    let (intervals, row_keys) = timeseries::read_intervals(
        &read_file(dir, crate::results::files::TIMESERIES_CSV)?,
        &read_file(dir, crate::results::files::QUEUE_CSV)?,
        &servers,
    )
    .map_err(|e| {
        InputError::at(
            dir.join(crate::results::files::TIMESERIES_CSV),
            None,
            None,
            format!("{e:#}"),
        )
    })?;
    check_against_summary(dir, &intervals, &row_keys)?;
    let probes = crate::probe::from_csv(&read_file(dir, crate::results::files::PROBES_CSV)?)
        .map_err(|e| {
            InputError::at(
                dir.join(crate::results::files::PROBES_CSV),
                None,
                None,
                format!("{e:#}"),
            )
        })?;
    Ok(ShardDir {
        index: whole.index,
        count: whole.count,
        interval,
        started_at: time(run.started(), keys::STARTED_AT, &file)?,
        ended_at: time(run.ended(), keys::ENDED_AT, &file)?,
        elapsed: run.elapsed(),
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
        return Err(InputError::at(
            dir.join(crate::results::files::TIMESERIES_CSV),
            None,
            None,
            msg,
        )
        .into());
    }
    Ok(())
}
