//! The replay's clock: reads the merged logs (on a thread of its own, through
//! a bounded channel), keeps a look-ahead of [`LOOK_AHEAD_US`] of log time
//! (enough to see a session's login before it starts, so probes are left
//! out whole), and hands each event to its session when it is due at
//! `log time / speed`. Memory holds the look-ahead and the open sessions,
//! whatever the size of the logs.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::engine::scripted::Script;

use super::event::Event;
use super::merge::Merge;
use super::sessions::Sessions;
use super::tally::Shared;

/// Log time read ahead of the clock.
pub const LOOK_AHEAD_US: i64 = 10_000_000;
/// Events go to their sessions this long before they are due (the sessions wait).
const LEAD: Duration = Duration::from_millis(50);
/// Progress lines this often.
const PROGRESS: Duration = Duration::from_secs(5);

/// What the reader thread reports when done.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Lines or files no format could read.
    pub unreadable: AtomicU64,
    /// Bytes read.
    pub read: Arc<AtomicU64>,
}

/// Starts the reader thread and the dispatcher; returns the channel of
/// scripted sessions the engine drives.
pub fn start(
    merge: Merge,
    sessions: Sessions,
    tally: Shared,
    quiet: bool,
    report: Arc<ReadReport>,
) -> mpsc::Receiver<Script> {
    let (events_tx, events_rx) = mpsc::channel::<Event>(16 * 1024);
    let (scripts_tx, scripts_rx) = mpsc::channel::<Script>(1024);
    let total = merge.total_bytes();
    let read = merge.read.clone();
    let done = report.clone();
    std::thread::spawn(move || {
        let mut merge = merge;
        for e in merge.by_ref() {
            if events_tx.blocking_send(e).is_err() {
                break;
            }
        }
        done.unreadable.store(merge.unreadable, Ordering::Relaxed);
    });
    let progress = Progress {
        total,
        read,
        quiet,
        last: Instant::now(),
    };
    tokio::spawn(run(events_rx, sessions, tally, scripts_tx, progress));
    scripts_rx
}

struct Progress {
    total: u64,
    read: Arc<AtomicU64>,
    quiet: bool,
    last: Instant,
}

impl Progress {
    fn maybe(&mut self, sessions: &Sessions, log_us: i64) {
        if self.quiet || self.last.elapsed() < PROGRESS {
            return;
        }
        self.last = Instant::now();
        let read = self.read.load(Ordering::Relaxed);
        let at = chrono::DateTime::from_timestamp_micros(log_us)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string());
        eprintln!(
            "\nreplay: {:.0}% of the logs read ({} of {} MB), log time {}, {} sessions open",
            100.0 * read as f64 / self.total.max(1) as f64,
            read >> 20,
            self.total >> 20,
            at.unwrap_or_default(),
            sessions.live()
        );
    }
}

async fn run(
    mut events: mpsc::Receiver<Event>,
    mut sessions: Sessions,
    tally: Shared,
    scripts: mpsc::Sender<Script>,
    mut progress: Progress,
) {
    let mut ahead: VecDeque<Event> = VecDeque::new();
    let mut eof = false;
    loop {
        while !eof
            && ahead
                .back()
                .zip(ahead.front())
                .is_none_or(|(b, f)| b.at_us < f.at_us + LOOK_AHEAD_US)
        {
            match events.recv().await {
                Some(e) => {
                    sessions.note(&e);
                    ahead.push_back(e);
                }
                None => eof = true,
            }
        }
        let Some(front) = ahead.front() else { break };
        let due = sessions.rules().due(front.at_us);
        let now = Instant::now();
        if due > now + LEAD {
            if scripts.is_closed() {
                break;
            }
            tokio::time::sleep_until((due - LEAD).into()).await;
            continue;
        }
        let e = ahead.pop_front().expect("front");
        progress.maybe(&sessions, e.at_us);
        // The lock is never held across an await: sessions add to the same tally.
        let started = match tally.0.lock() {
            Ok(mut t) => sessions.dispatch(e, &mut t),
            Err(_) => break,
        };
        if let Some(script) = started {
            if scripts.send(script).await.is_err() {
                break;
            }
        }
    }
    sessions.close_all();
    drop(scripts);
}
