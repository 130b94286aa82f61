//! The live status while a run goes: one refreshing line a second on a
//! terminal, plain periodic lines when stderr is a file or a pipe (CI logs),
//! nothing with `--quiet`.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use crate::metrics::IntervalStore;
use crate::monitor::evaluate::{evaluate, worst_final};
use crate::monitor::input::build;
use crate::plan::{MonitorPlan, ProbePlan};

/// Progress output of one run.
#[derive(Debug, Clone)]
pub struct Progress {
    tty: bool,
    total: Duration,
    monitors: MonitorPlan,
}

impl Progress {
    /// Progress for a run of `total` judged with `monitors`.
    pub fn new(total: Duration, monitors: MonitorPlan) -> Self {
        Progress {
            tty: std::io::stderr().is_terminal(),
            total,
            monitors,
        }
    }

    /// The status line after the interval ending at `now`.
    pub fn line(&self, store: &IntervalStore, now: Duration) -> Option<String> {
        let last = store.intervals().last()?;
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
        let worst_p99 = last.rows.iter().map(|r| r.corrected[2]).max().unwrap_or(0);
        let queue = last.queues.iter().map(|q| q.mean()).fold(0.0, f64::max);
        // Live health from the performance monitors (probe monitors are judged at the end).
        let layout = store.layout();
        let input = build(
            store.intervals(),
            keys,
            &layout.cas_names,
            &layout.backend_names,
            &[],
            &self.monitors,
            now,
        );
        let probes_off = ProbePlan {
            enabled: false,
            ..Default::default()
        };
        let health = worst_final(&evaluate(&self.monitors, &probes_off, &input));
        Some(format!(
            "[{:>4.0}s/{:.0}s] sessions {:>6} | {:>7.0} cmd/s | errors {:>5} | worst row p99 {:>7.1} ms | max queue {:>6.1} | {}",
            now.as_secs_f64(),
            self.total.as_secs_f64(),
            last.active_sessions,
            count as f64 / secs,
            errors,
            worst_p99 as f64 / 1000.0,
            queue,
            health
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
