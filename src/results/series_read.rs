//! `timeseries.csv` and `queue.csv` read back one interval at a time, in
//! time order, never whole: `health` and `merge` on an 8-hour run at 1 s
//! intervals (hundreds of MB) hold one interval and the row table.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::command::CommandKind;
use crate::results::files;
use crate::results::interval::IntervalRecord;
use crate::results::interval::IntervalStats;
use crate::results::timeseries::{missing_column, QueueRow, TimeseriesRow};
use crate::results::Path as RowPath;
use crate::results::Quantiles;
use crate::results::QueueStats;
use crate::results::RowKey;

/// A boxed reader, so files and byte slices read alike.
type Source<'a> = csv::Reader<Box<dyn Read + 'a>>;

/// The two files being read, interval by interval.
pub struct SeriesReader<'a> {
    ts: csv::DeserializeRecordsIntoIter<Box<dyn Read + 'a>, TimeseriesRow>,
    queue: csv::DeserializeRecordsIntoIter<Box<dyn Read + 'a>, QueueRow>,
    ts_next: Option<TimeseriesRow>,
    queue_next: Option<QueueRow>,
    line: usize,
    keys: BTreeMap<RowKey, usize>,
    row_keys: Vec<RowKey>,
    servers: Vec<String>,
    until: Duration,
    last_start: Option<u64>,
}

/// Opens `dir`'s time series; `servers` is the queue order (CAS then back
/// ends); intervals ending after `until` are left out (a checkpoint's cut).
pub fn open(
    dir: &Path,
    servers: Vec<String>,
    until: Duration,
) -> anyhow::Result<SeriesReader<'static>> {
    let file = |name: &str| -> anyhow::Result<Source<'static>> {
        let f = std::fs::File::open(dir.join(name))
            .with_context(|| format!("cannot read {}", dir.join(name).display()))?;
        let r: Box<dyn Read> = Box::new(std::io::BufReader::with_capacity(1 << 16, f));
        Ok(csv::Reader::from_reader(r))
    };
    SeriesReader::new(
        file(files::TIMESERIES_CSV)?,
        file(files::QUEUE_CSV)?,
        servers,
        until,
    )
}

fn dur(s: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(s).with_context(|| format!("bad time `{s}`"))
}

fn micros(s: f64) -> anyhow::Result<u64> {
    Ok(dur(s)?.as_micros() as u64)
}

/// The key of a `timeseries.csv` row.
fn row_key(r: &TimeseriesRow, line: usize) -> anyhow::Result<RowKey> {
    let path = match r.path.as_str() {
        "cas" => RowPath::Cas,
        "direct" => RowPath::Direct,
        p => anyhow::bail!("timeseries.csv line {line}: unknown path `{p}`"),
    };
    let command = CommandKind::from_label(&r.command)
        .with_context(|| format!("timeseries.csv line {line}: unknown command"))?;
    Ok(RowKey {
        path,
        server: r.server.clone(),
        backend: r.backend.clone(),
        command,
    })
}

impl<'a> SeriesReader<'a> {
    /// Reads from two CSV sources (see [`open`]).
    pub fn new(
        mut ts: Source<'a>,
        queue: Source<'a>,
        servers: Vec<String>,
        until: Duration,
    ) -> anyhow::Result<Self> {
        let header = ts.headers().context(files::TIMESERIES_CSV)?.clone();
        if let Some(c) = missing_column(&header) {
            anyhow::bail!("timeseries.csv has no `{c}` column");
        }
        let mut r = SeriesReader {
            ts: ts.into_deserialize(),
            queue: queue.into_deserialize(),
            ts_next: None,
            queue_next: None,
            line: 1,
            keys: BTreeMap::new(),
            row_keys: Vec::new(),
            servers,
            until,
            last_start: None,
        };
        r.advance_ts()?;
        r.advance_queue()?;
        Ok(r)
    }

    /// The rows seen so far; record rows index it (it only grows).
    pub fn row_keys(&self) -> &[RowKey] {
        &self.row_keys
    }

    fn advance_ts(&mut self) -> anyhow::Result<()> {
        self.line += 1;
        let line = self.line;
        self.ts_next =
            (self.ts.next().transpose()).with_context(|| format!("timeseries.csv line {line}"))?;
        Ok(())
    }

    fn advance_queue(&mut self) -> anyhow::Result<()> {
        self.queue_next = self.queue.next().transpose().context(files::QUEUE_CSV)?;
        Ok(())
    }

    /// The next interval in time order; `None` at the end (or the cut).
    pub fn next_interval(&mut self) -> anyhow::Result<Option<IntervalRecord>> {
        let ts_start = self
            .ts_next
            .as_ref()
            .map(|r| micros(r.t_start_s))
            .transpose()?;
        let q_start = self
            .queue_next
            .as_ref()
            .map(|q| micros(q.t_s))
            .transpose()?;
        let Some(start_us) = [ts_start, q_start].into_iter().flatten().min() else {
            return Ok(None);
        };
        if self.last_start.is_some_and(|l| start_us <= l) {
            anyhow::bail!(
                "timeseries.csv line {}: an interval at {:.3} s after a later one; the file is not in time order",
                self.line,
                start_us as f64 / 1e6
            );
        }
        self.last_start = Some(start_us);
        let start = Duration::from_micros(start_us);
        let mut rec = IntervalRecord {
            start,
            end: start,
            active_sessions: 0,
            rows: Vec::new(),
            queues: vec![QueueStats::default(); self.servers.len()],
        };
        self.take_rows(&mut rec, start_us)?;
        self.take_queues(&mut rec, start_us)?;
        // 1 ms of slack for the three decimals the files keep.
        if rec.end > self.until.saturating_add(Duration::from_millis(1)) {
            self.ts_next = None;
            self.queue_next = None;
            return Ok(None);
        }
        Ok(Some(rec))
    }

    fn take_rows(&mut self, rec: &mut IntervalRecord, start_us: u64) -> anyhow::Result<()> {
        while let Some(r) = self.ts_next.take() {
            if micros(r.t_start_s)? != start_us {
                self.ts_next = Some(r);
                break;
            }
            let key = row_key(&r, self.line)?;
            let n = self.keys.len();
            let row = *self.keys.entry(key.clone()).or_insert(n);
            if row == n {
                self.row_keys.push(key);
            }
            rec.end = dur(r.t_end_s)?;
            rec.active_sessions = r.active_sessions;
            rec.rows.push(IntervalStats {
                row,
                ok: r.ok,
                errors: r.errors_by_reason(),
                corrected_sum_us: r.corrected_sum_us,
                corrected: Quantiles {
                    p50: r.p50_us,
                    p90: r.p90_us,
                    p99: r.p99_us,
                    max: r.max_us,
                },
                service: Quantiles {
                    p50: r.service_p50_us,
                    p90: r.service_p90_us,
                    p99: r.service_p99_us,
                    max: r.service_max_us,
                },
            });
            self.advance_ts()?;
        }
        Ok(())
    }

    fn take_queues(&mut self, rec: &mut IntervalRecord, start_us: u64) -> anyhow::Result<()> {
        let had_rows = !rec.rows.is_empty();
        while let Some(q) = self.queue_next.take() {
            if micros(q.t_s)? != start_us {
                self.queue_next = Some(q);
                break;
            }
            if !had_rows {
                rec.end = dur(q.t_end_s).unwrap_or(rec.start);
            }
            if let Some(i) = self.servers.iter().position(|s| s == &q.server) {
                rec.queues[i] = q.stats();
            }
            self.advance_queue()?;
        }
        Ok(())
    }
}
