//! `timeseries.csv` and `queue.csv` read back one interval at a time, in
//! time order, never whole: `health` and `merge` on an 8-hour run at 1 s
//! intervals (hundreds of MB) hold one interval and the row table.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::command::CommandKind;
use crate::error::InputError;
use crate::results::files;
use crate::results::interval::IntervalRecord;
use crate::results::interval::IntervalStats;
use crate::results::rows::{required, CsvRows};
use crate::results::timeseries::{missing_column, QueueRow, TimeseriesRow};
use crate::results::Path as RowPath;
use crate::results::Quantiles;
use crate::results::QueueStats;
use crate::results::RowKey;

/// A boxed reader, so files and byte slices read alike.
type Source<'a> = Box<dyn Read + 'a>;

/// The two files being read, interval by interval. A row that does not read is
/// bad input naming the file, line and column, except a half-written last row
/// (a run killed while writing), which is left out: [`SeriesReader::notes`].
pub struct SeriesReader<'a> {
    ts: CsvRows<Source<'a>>,
    queue: CsvRows<Source<'a>>,
    ts_next: Option<(TimeseriesRow, usize)>,
    queue_next: Option<(QueueRow, usize)>,
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
) -> Result<SeriesReader<'static>, InputError> {
    let file = |name: &str| -> Result<Source<'static>, InputError> {
        let f = std::fs::File::open(dir.join(name)).map_err(|e| {
            let msg = format!(
                "cannot read ({e}); is {} an imapload results directory?",
                dir.display()
            );
            InputError::at(dir.join(name), None, None, msg)
        })?;
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, f)))
    };
    SeriesReader::new(
        dir,
        file(files::TIMESERIES_CSV)?,
        file(files::QUEUE_CSV)?,
        servers,
        until,
    )
}

/// A time in seconds of a row at `line`, from `column`.
fn dur(rows: &CsvRows<Source>, s: f64, line: usize, column: &str) -> Result<Duration, InputError> {
    Duration::try_from_secs_f64(s)
        .map_err(|_| rows.bad(line, column, format!("`{s}` is not a time in seconds")))
}

fn micros(rows: &CsvRows<Source>, s: f64, line: usize, column: &str) -> Result<u64, InputError> {
    Ok(dur(rows, s, line, column)?.as_micros() as u64)
}

/// The key of a `timeseries.csv` row.
fn row_key(rows: &CsvRows<Source>, r: &TimeseriesRow, line: usize) -> Result<RowKey, InputError> {
    let path = match r.path.as_str() {
        "cas" => RowPath::Cas,
        "direct" => RowPath::Direct,
        p => {
            return Err(rows.bad(
                line,
                "path",
                format!("unknown path `{p}`; expected cas or direct"),
            ))
        }
    };
    let command = CommandKind::from_label(&r.command)
        .ok_or_else(|| rows.bad(line, "command", format!("unknown command `{}`", r.command)))?;
    Ok(RowKey {
        path,
        server: r.server.clone(),
        backend: r.backend.clone(),
        command,
    })
}

impl<'a> SeriesReader<'a> {
    /// Reads the two files of `dir` (named in errors) from two sources (see [`open`]).
    pub fn new(
        dir: &Path,
        ts: Source<'a>,
        queue: Source<'a>,
        servers: Vec<String>,
        until: Duration,
    ) -> Result<Self, InputError> {
        let ts = CsvRows::new(&dir.join(files::TIMESERIES_CSV), ts, &[])?;
        if let Some(c) = missing_column(ts.headers()) {
            return Err(ts.bad(1, &c, "missing column; the header must have it"));
        }
        let queue = CsvRows::new(&dir.join(files::QUEUE_CSV), queue, required::QUEUE)?;
        let mut r = SeriesReader {
            ts,
            queue,
            ts_next: None,
            queue_next: None,
            keys: BTreeMap::new(),
            row_keys: Vec::new(),
            servers,
            until,
            last_start: None,
        };
        r.ts_next = r.ts.next_row()?;
        r.queue_next = r.queue.next_row()?;
        Ok(r)
    }

    /// What was left out: a half-written last row of either file.
    pub fn notes(&self) -> Vec<String> {
        [self.ts.note(), self.queue.note()]
            .into_iter()
            .flatten()
            .map(str::to_string)
            .collect()
    }

    /// The rows seen so far; record rows index it (it only grows).
    pub fn row_keys(&self) -> &[RowKey] {
        &self.row_keys
    }

    /// The next interval in time order; `None` at the end (or the cut).
    pub fn next_interval(&mut self) -> Result<Option<IntervalRecord>, InputError> {
        let ts_start = (self.ts_next.as_ref())
            .map(|(r, line)| micros(&self.ts, r.t_start_s, *line, "t_start_s"))
            .transpose()?;
        let q_start = (self.queue_next.as_ref())
            .map(|(q, line)| micros(&self.queue, q.t_s, *line, "t_s"))
            .transpose()?;
        let Some(start_us) = [ts_start, q_start].into_iter().flatten().min() else {
            return Ok(None);
        };
        if self.last_start.is_some_and(|l| start_us <= l) {
            let (rows, line, column) = match (&self.ts_next, &self.queue_next) {
                (Some((_, line)), _) if ts_start == Some(start_us) => {
                    (&self.ts, *line, "t_start_s")
                }
                (_, Some((_, line))) => (&self.queue, *line, "t_s"),
                _ => (&self.ts, 0, "t_start_s"),
            };
            let msg = format!(
                "an interval at {:.3} s after a later one; the file is not in time order",
                start_us as f64 / 1e6
            );
            return Err(rows.bad(line, column, msg));
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

    fn take_rows(&mut self, rec: &mut IntervalRecord, start_us: u64) -> Result<(), InputError> {
        while let Some((r, line)) = self.ts_next.take() {
            if micros(&self.ts, r.t_start_s, line, "t_start_s")? != start_us {
                self.ts_next = Some((r, line));
                break;
            }
            let key = row_key(&self.ts, &r, line)?;
            let n = self.keys.len();
            let row = *self.keys.entry(key.clone()).or_insert(n);
            if row == n {
                self.row_keys.push(key);
            }
            rec.end = dur(&self.ts, r.t_end_s, line, "t_end_s")?;
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
            self.ts_next = self.ts.next_row()?;
        }
        Ok(())
    }

    fn take_queues(&mut self, rec: &mut IntervalRecord, start_us: u64) -> Result<(), InputError> {
        let had_rows = !rec.rows.is_empty();
        while let Some((q, line)) = self.queue_next.take() {
            if micros(&self.queue, q.t_s, line, "t_s")? != start_us {
                self.queue_next = Some((q, line));
                break;
            }
            if !had_rows {
                rec.end = Duration::try_from_secs_f64(q.t_end_s).unwrap_or(rec.start);
            }
            if let Some(i) = self.servers.iter().position(|s| s == &q.server) {
                rec.queues[i] = q.stats();
            }
            self.queue_next = self.queue.next_row()?;
        }
        Ok(())
    }
}
