//! The monitors' running sums as interval sinks: fed by the store every
//! interval, read by whoever judges them (the progress line, the end of the
//! run).

use std::sync::{Arc, Mutex};

use super::feed::Feed;
use crate::metrics::sink::IntervalSink;
use crate::results::interval::IntervalRecord;
use crate::results::{RowKey, Window};

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
    use std::time::Duration;

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
