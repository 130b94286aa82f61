//! Reading a shard's interval logs (`latency.hlog`, `service.hlog`) into full
//! histograms per row and interval, and writing the merged logs back in the
//! format a run writes.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use base64::Engine;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::Histogram;

use crate::error::InputError;
use crate::metrics::hlog::Hlog;
use crate::metrics::row::SIGFIG;

/// Histograms of one log by (row tag, interval number). Interval number `k`
/// is the interval starting `k` intervals after its shard's start: shards are
/// lined up on time since their own start, the clock their schedule runs on.
pub type Intervals = BTreeMap<(String, u64), Histogram<u64>>;

/// An empty histogram like the ones a run records.
pub fn empty() -> Histogram<u64> {
    Histogram::new(SIGFIG).expect("3 significant figures is valid")
}

/// The interval number of an interval starting at `start` (seconds).
pub fn slot_of(start: Duration, interval: Duration) -> u64 {
    (start.as_secs_f64() / interval.as_secs_f64().max(1e-9)).round() as u64
}

/// Reads `file`, adding each interval histogram under its tag and interval
/// number. Anything unreadable is an input error naming the file.
pub fn read(file: &Path, interval: Duration) -> Result<Intervals, InputError> {
    let bad = |msg: String| InputError::at(file, None, None, msg);
    let bytes = std::fs::read(file).map_err(|e| {
        bad(format!(
            "cannot read ({e}); shards must be results of `imapload run --shard K/N` of this version"
        ))
    })?;
    let mut out = Intervals::new();
    let mut de = Deserializer::new();
    for (i, entry) in IntervalLogIterator::new(&bytes).enumerate() {
        let entry = entry.map_err(|e| bad(format!("entry {}: unreadable ({e:?})", i + 1)))?;
        let LogEntry::Interval(h) = entry else {
            continue;
        };
        let tag = h.tag().ok_or_else(|| {
            bad(format!(
                "entry {}: no Tag=path.server.backend.command",
                i + 1
            ))
        })?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(h.encoded_histogram())
            .map_err(|e| bad(format!("entry {}: bad base64 ({e})", i + 1)))?;
        let hist: Histogram<u64> = de
            .deserialize(&mut raw.as_slice())
            .map_err(|e| bad(format!("entry {}: bad histogram ({e:?})", i + 1)))?;
        let key = (
            tag.as_str().to_string(),
            slot_of(h.start_timestamp(), interval),
        );
        out.entry(key)
            .or_insert_with(empty)
            .add(&hist)
            .map_err(|e| bad(format!("entry {}: cannot add ({e:?})", i + 1)))?;
    }
    Ok(out)
}

/// Adds `from` into `into` (histogram addition, never averaging).
pub fn add_all(into: &mut Intervals, from: Intervals) {
    for (key, h) in from {
        into.entry(key)
            .or_insert_with(empty)
            .add(&h)
            .expect("auto-resizing histograms add");
    }
}

/// Writes `logs` to `file` as a run would: interval by interval, one line per
/// row, starting at `start` (the earliest shard's start).
pub fn write(
    file: &Path,
    what: &str,
    start: SystemTime,
    logs: &Intervals,
    interval: Duration,
) -> anyhow::Result<()> {
    let mut hlog = Hlog::create_of(file, start, what)?;
    let mut by_time: Vec<(&(String, u64), &Histogram<u64>)> = logs.iter().collect();
    by_time.sort_by(|a, b| (a.0 .1, &a.0 .0).cmp(&(b.0 .1, &b.0 .0)));
    for ((tag, k), h) in by_time {
        hlog.write(tag, h, interval * (*k as u32), interval);
    }
    hlog.flush();
    match hlog.error {
        Some(e) => anyhow::bail!("writing {}: {e}", file.display()),
        None => Ok(()),
    }
}
