//! `timeseries.csv` and `queue.csv` written as the run goes: each closed
//! interval is appended and flushed at once, and then leaves memory. A
//! killed run leaves every interval up to its last tick on disk.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::metrics::store::{IntervalRecord, IntervalSink};
use crate::monitor::feed::Feed;
use crate::results::append::Appender;
use crate::results::files;
use crate::results::timeseries::{QueueRow, TimeseriesRow};
use crate::results::RowKey;
use crate::results::Window;

use super::timeseries::{is_partial, timeseries_row};

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

impl IntervalSink for SeriesWriter {
    fn interval(&mut self, rec: &IntervalRecord, keys: &[RowKey]) {
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

    fn error(&self) -> Option<String> {
        (self.timeseries.error())
            .or(self.queue.error())
            .map(str::to_string)
    }
}

/// The monitors' running sums, shared between the store (which feeds them
/// every interval) and whoever judges them (the progress line, the end of
/// the run).
#[derive(Clone)]
pub struct SharedFeed(pub Arc<Mutex<Feed>>);

impl IntervalSink for SharedFeed {
    fn interval(&mut self, rec: &IntervalRecord, keys: &[RowKey]) {
        if let Ok(mut feed) = self.0.lock() {
            feed.add(rec, keys);
        }
    }
}

/// The whole run's monitor sums, settled as they are fed: an interval whose
/// place in the planned window no later stop can change (see
/// [`Feed::settle`]) is committed at once, so what waits is at most a
/// cool-down's worth of intervals, not the whole run.
pub struct SettlingFeed {
    /// The sums, read at the end of the run.
    pub feed: Arc<Mutex<Feed>>,
    /// The window as planned (warm-up and cool-down).
    pub window: Window,
}

impl IntervalSink for SettlingFeed {
    fn interval(&mut self, rec: &IntervalRecord, keys: &[RowKey]) {
        if let Ok(mut feed) = self.feed.lock() {
            feed.add(rec, keys);
            feed.settle(&self.window, rec.end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::QueueStats;

    #[test]
    fn the_whole_runs_monitor_sums_do_not_keep_every_interval() {
        let names = |n: &str| vec![n.to_string()];
        let feed = Feed::new(
            &names("cas1"),
            &names("mbx1"),
            Duration::from_secs(5),
            Duration::ZERO,
        );
        let mut sink = SettlingFeed {
            feed: Arc::new(Mutex::new(feed)),
            window: Window::WHOLE,
        };
        for i in 0..10_000u64 {
            let rec = IntervalRecord {
                start: Duration::from_millis(100 * i),
                end: Duration::from_millis(100 * (i + 1)),
                active_sessions: 1,
                rows: Vec::new(),
                queues: vec![QueueStats::default(); 2],
            };
            sink.interval(&rec, &[]);
        }
        assert!(sink.feed.lock().unwrap().waiting() <= 1);
    }
}
