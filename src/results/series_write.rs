//! `timeseries.csv` and `queue.csv` written as a run goes: each closed
//! interval appended and flushed, so a killed run leaves what it measured.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::append::Appender;
use super::files;
use super::interval::IntervalRecord;
use super::series::{is_partial, timeseries_row};
use super::timeseries::{QueueRow, TimeseriesRow};
use super::RowKey;

/// The time series files of a results directory, being appended to.
pub struct SeriesWriter {
    timeseries: Appender<TimeseriesRow>,
    queue: Appender<QueueRow>,
    interval: Duration,
    servers: Vec<String>,
    run_start: SystemTime,
}

impl SeriesWriter {
    /// Creates both files in `dir` with their headers; `interval` is the
    /// run's interval length (a shorter one is marked partial), `servers`
    /// the queue order (CAS then back ends), `run_start` the wall-clock
    /// time the intervals count from (`t_start_unix_ms`): the run's start
    /// (when its interval logs start), or a merge's first shard's.
    pub fn create(
        dir: &Path,
        interval: Duration,
        servers: Vec<String>,
        run_start: SystemTime,
    ) -> std::io::Result<Self> {
        let every_column = crate::results::timeseries::every_column();
        Ok(SeriesWriter {
            timeseries: Appender::create_like(&dir.join(files::TIMESERIES_CSV), &every_column)?,
            queue: Appender::create(&dir.join(files::QUEUE_CSV))?,
            interval,
            servers,
            run_start,
        })
    }
}

impl SeriesWriter {
    /// Appends one closed interval: a `timeseries.csv` line per row that saw
    /// anything (`keys` is the row table its rows index) and a `queue.csv`
    /// line per server, then flushes both.
    pub fn append(&mut self, rec: &IntervalRecord, keys: &[RowKey]) {
        let partial = is_partial(rec.start, rec.end, self.interval);
        for row in &rec.rows {
            let Some(key) = keys.get(row.row) else {
                continue;
            };
            self.timeseries.push(&timeseries_row(
                rec,
                row,
                key,
                partial,
                Some(self.run_start),
            ));
        }
        let (start, end) = (rec.start.as_secs_f64(), rec.end.as_secs_f64());
        for (i, q) in rec.queues.iter().enumerate() {
            let server = self.servers.get(i).map_or("", String::as_str);
            self.queue.push(&QueueRow::of(start, end, server, q));
        }
        self.timeseries.flush();
        self.queue.flush();
    }

    /// The first write error of either file, naming the file and the OS error.
    pub fn error(&self) -> Option<String> {
        (self.timeseries.error())
            .or(self.queue.error())
            .map(str::to_string)
    }
}
