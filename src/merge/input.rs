//! Reading one shard's results directory: `run.json` (which shard, of what,
//! when it started) and the probe attempts; the time series is read once
//! here, a row at a time, to check it adds up to `summary.csv`, and again
//! while merging ([`series`]), as are the interval logs ([`super::hlog`]).
//! A shard cut short (a `running` checkpoint) is read up to its checkpoint.
//! Anything missing or odd is an input error naming the file, so a merge
//! never quietly adds up less than it was given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{Failure, InputError};
use crate::probe::ProbeAttempt;
use crate::results::series_read::{self, SeriesReader};
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
    /// How far its time series is read (its checkpoint, when cut short).
    pub until: Duration,
    /// Probe attempts (`probes.csv`).
    pub probes: Vec<ProbeAttempt>,
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
    let until = run.series_until();
    check_against_summary(dir, &servers, until)?;
    let (bytes, note) = crate::results::rows::probes_csv(dir)?;
    if let Some(note) = note {
        eprintln!("imapload: warning: {}: {note}", dir.display());
    }
    let probes = crate::probe::from_csv(&bytes).map_err(|e| {
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
        until,
        probes,
        dir: dir.to_path_buf(),
        run,
        whole,
    })
}

/// The shard's time series in `dir` (servers in queue order), read one
/// interval at a time up to `until`.
pub fn series(
    dir: &Path,
    servers: &[String],
    until: Duration,
) -> Result<SeriesReader<'static>, InputError> {
    series_read::open(dir, servers.to_vec(), until)
}

/// The time series must add up to `summary.csv`, row by row: the merge adds
/// the series, and a truncated or edited file would make it add up to less.
fn check_against_summary(dir: &Path, servers: &[String], until: Duration) -> Result<(), Failure> {
    let mut series: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut reader = self::series(dir, servers, until)?;
    while let Some(rec) = reader.next_interval()? {
        for s in &rec.rows {
            let e = series.entry(reader.row_keys()[s.row].tag()).or_default();
            e.0 += s.count();
            e.1 += s.errors.iter().sum::<u64>();
        }
    }
    // Said once, here: the merge reads the series again.
    for note in reader.notes() {
        eprintln!("imapload: warning: {}: {note}", dir.display());
    }
    let summary = crate::results::summary::read(dir, None)?;
    let mut total: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for row in summary.iter().filter(|r| r.count > 0) {
        total.insert(row.labels().tag(), (row.count, row.errors));
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
