//! The live status while a run goes: one refreshing line a second on a
//! terminal, plain periodic lines when stderr is a file or a pipe (CI logs),
//! nothing with `--quiet`. The line names the worst row (so a slow mailbox
//! server behind a CAS is visible while it happens) and stops at the
//! duration: the drain after the load stopped prints nothing.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use crate::metrics::{IntervalStore, Layout};
use crate::monitor::live::LiveMonitors;
use crate::plan::MonitorPlan;
use crate::results::interval::IntervalRecord;
use crate::results::AlertValue;
use crate::results::Path;
use crate::results::RowKey;

use crate::monitor::sinks::SharedFeed;

/// Progress output of one run.
#[derive(Clone)]
pub struct Progress {
    tty: bool,
    total: Duration,
    live: Arc<LiveMonitors>,
}

/// The row with the highest corrected p99 of an interval.
#[derive(Debug, Clone, PartialEq)]
struct WorstRow {
    /// `cas1->mbx2 FETCH_BODY` (via a CAS) or `mbx2 FETCH_BODY` (direct).
    name: String,
    /// Corrected p99, µs.
    p99_us: u64,
}

/// The worst first-hop row of `rec` (each command once; a CAS row names the
/// back end behind it), `None` in an interval without commands.
fn worst_row(rec: &IntervalRecord, keys: &[RowKey]) -> Option<WorstRow> {
    let row = rec
        .rows
        .iter()
        .filter(|r| keys[r.row].is_first_on_path() && r.ok > 0)
        .max_by_key(|r| r.corrected.p99)?;
    let key = &keys[row.row];
    let name = match key.path {
        Path::Cas => format!("{}->{} {}", key.server, key.backend, key.command),
        Path::Direct => format!("{} {}", key.server, key.command),
    };
    Some(WorstRow {
        name,
        p99_us: row.corrected.p99,
    })
}

/// Milliseconds for a person: `5,763 ms` from 100 ms up, `22.4 ms` below.
fn millis(us: u64) -> String {
    if us < 100_000 {
        return format!("{:.1} ms", us as f64 / 1000.0);
    }
    let digits = (us / 1000).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out + " ms"
}

impl Progress {
    /// Progress for a run of `total` judged with `monitors`, the first
    /// `warmup` left out of the live health like it is of the verdict.
    pub fn new(total: Duration, warmup: Duration, monitors: MonitorPlan, layout: &Layout) -> Self {
        Progress {
            tty: std::io::stderr().is_terminal(),
            total,
            live: Arc::new(LiveMonitors::new(warmup, monitors, layout)),
        }
    }

    /// What the store feeds every interval into, for the live health.
    pub fn sink(&self) -> SharedFeed {
        SharedFeed(self.live.feed())
    }

    /// The worst performance monitor at `now` (probe monitors are judged at
    /// the end), on the intervals after the warm-up.
    fn health(&self, now: Duration) -> AlertValue {
        self.live.worst(now)
    }

    /// The status line after the interval ending at `now`; `None` before the
    /// first interval and after the duration (the drain is not the load).
    pub fn line(&self, store: &IntervalStore, now: Duration) -> Option<String> {
        // 1 ms of slack for a tick that lands a hair after the deadline.
        if now > self.total + Duration::from_millis(1) {
            return None;
        }
        let last = store.last_interval()?;
        let secs = (last.end - last.start).as_secs_f64().max(1e-9);
        let keys = store.row_keys();
        // Each command once: the first server on its path.
        let first = |row: usize| keys[row].is_first_on_path();
        let (count, errors) = last
            .rows
            .iter()
            .filter(|r| first(r.row))
            .fold((0, 0), |a, r| {
                (a.0 + r.count(), a.1 + r.errors.iter().sum::<u64>())
            });
        let worst = match worst_row(last, keys) {
            Some(w) => format!("{} {}", w.name, millis(w.p99_us)),
            None => "-".to_string(),
        };
        let queue = last.queues.iter().map(|q| q.mean()).fold(0.0, f64::max);
        let health = self.health(now);
        Some(format!(
            "[{:>4.0}s/{:.0}s] sessions {:>6} | {:>7.0} cmd/s | errors {:>5} ({:>5.1}%) | max queue {:>6.1} | monitors {} | worst p99 {}",
            now.min(self.total).as_secs_f64(),
            self.total.as_secs_f64(),
            last.active_sessions,
            count as f64 / secs,
            errors,
            // The share the default error gate judges, so a failing run shows it at once.
            errors as f64 * 100.0 / count.max(1) as f64,
            queue,
            health,
            worst
        ))
    }

    /// Prints the status (refreshing in place on a terminal).
    pub fn print(&self, store: &IntervalStore, now: Duration) {
        let Some(line) = self.line(store, now) else {
            return;
        };
        let mut err = std::io::stderr().lock();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K{line}");
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }

    /// Ends the refreshing line before other output.
    pub fn finish(&self) {
        if self.tty {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests;
