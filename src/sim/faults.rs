//! The fault schedule: turns the plan's [`FaultPlan`]s into knob changes on
//! the embedded servers' [`ServerControl`]s at the right moments.
//!
//! Each fault remembers the knob's value just before it was applied and puts
//! that value back when it ends, so a fault never leaves a server different
//! from how it found it (the plan rejects overlapping faults of one kind on
//! one server, which is what makes "the value before" well defined). What
//! happened, and when, is logged as [`FaultEvent`]s so results can show the
//! fault next to the latency it caused.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{ServerControl, Topology};
use crate::plan::{format_duration, FaultKind, FaultPlan};

/// One applied or reverted fault, as it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultEvent {
    /// When it happened, measured from the run start (actual, not planned).
    pub at: Duration,
    /// The server it touched (`mbx2`).
    pub server: String,
    /// The fault in words (`slow x200`, `refuse logins`, `workers 1`).
    pub what: String,
    /// `true` when the fault started, `false` when it was reverted (or skipped).
    pub applied: bool,
}

/// The shared log the schedule task appends to; read it after the run.
pub type FaultLog = Arc<Mutex<Vec<FaultEvent>>>;

/// A knob's value before a fault changed it.
#[derive(Debug, Clone, Copy)]
enum Prev {
    Slow(f64),
    Delay(Duration),
    Stalled(bool),
    RefuseLogins(bool),
    DropConnections(bool),
    Workers(usize),
    Down(bool),
}

/// Applies each fault at `start + at` and reverts it (to the value before)
/// after its duration; returns at once, the work runs in a spawned task that
/// ends at `shutdown` or when the schedule is done. Faults without a duration
/// stay applied until the topology stops (they are not reverted at
/// `shutdown`: the run is over by then). A fault naming a server the topology
/// does not have is logged as skipped (`applied: false`) rather than failing
/// the run; the plan already rejects such faults.
pub fn schedule(
    topology: &Topology,
    faults: &[FaultPlan],
    start: Instant,
    shutdown: CancellationToken,
) -> (JoinHandle<()>, FaultLog) {
    let log: FaultLog = Arc::new(Mutex::new(Vec::new()));
    // (time from start, fault index, apply?) in time order; at equal times
    // reverts go first so back-to-back faults hand over cleanly.
    let mut steps: Vec<(Duration, usize, bool)> = Vec::new();
    let mut targets: Vec<Option<Arc<ServerControl>>> = Vec::new();
    for (i, f) in faults.iter().enumerate() {
        targets.push(topology.control(&f.server));
        steps.push((f.at, i, true));
        if let Some(d) = f.duration {
            steps.push((f.at.saturating_add(d), i, false));
        }
    }
    steps.sort_by_key(|&(t, i, apply)| (t, apply, i));
    let faults = faults.to_vec();
    let task_log = log.clone();
    let task = tokio::spawn(async move {
        let mut prev: Vec<Option<Prev>> = vec![None; faults.len()];
        for (t, i, apply) in steps {
            let deadline = tokio::time::Instant::from_std(start + t);
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep_until(deadline) => {}
            }
            let fault = &faults[i];
            let what = describe(fault.kind);
            let (what, applied) = match (&targets[i], apply) {
                (None, true) => (format!("{what} skipped: no such server"), false),
                (None, false) => continue,
                (Some(c), true) => {
                    prev[i] = Some(apply_fault(c, fault.kind));
                    (what, true)
                }
                (Some(c), false) => match prev[i].take() {
                    Some(p) => (format!("{what} reverted to {}", revert(c, p)), false),
                    None => continue,
                },
            };
            let event = FaultEvent {
                at: start.elapsed(),
                server: fault.server.clone(),
                what,
                applied,
            };
            task_log
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(event);
        }
    });
    (task, log)
}

/// The fault in the words the log and reports use.
pub fn describe(kind: FaultKind) -> String {
    match kind {
        FaultKind::Slow(f) => format!("slow x{f}"),
        FaultKind::Delay(d) => format!("delay {}", format_duration(d)),
        FaultKind::Stall => "stall".to_string(),
        FaultKind::RefuseLogins => "refuse logins".to_string(),
        FaultKind::DropConnections => "drop connections".to_string(),
        FaultKind::Workers(n) => format!("workers {n}"),
        FaultKind::Kill => "kill".to_string(),
    }
}

/// Sets the knob and returns what it was.
fn apply_fault(c: &ServerControl, kind: FaultKind) -> Prev {
    match kind {
        FaultKind::Slow(f) => {
            let p = Prev::Slow(c.slow_factor());
            c.set_slow_factor(f);
            p
        }
        FaultKind::Delay(d) => {
            let p = Prev::Delay(c.added_delay());
            c.set_added_delay(d);
            p
        }
        FaultKind::Stall => {
            let p = Prev::Stalled(c.stalled());
            c.set_stalled(true);
            p
        }
        FaultKind::RefuseLogins => {
            let p = Prev::RefuseLogins(c.refuse_logins());
            c.set_refuse_logins(true);
            p
        }
        FaultKind::DropConnections => {
            let p = Prev::DropConnections(c.drop_connections());
            c.set_drop_connections(true);
            p
        }
        FaultKind::Workers(n) => {
            let p = Prev::Workers(c.workers());
            c.set_workers(n);
            p
        }
        FaultKind::Kill => {
            let p = Prev::Down(c.down());
            c.set_down(true);
            p
        }
    }
}

/// Puts the knob back; returns the restored value in words.
fn revert(c: &ServerControl, prev: Prev) -> String {
    match prev {
        Prev::Slow(f) => {
            c.set_slow_factor(f);
            format!("x{f}")
        }
        Prev::Delay(d) => {
            c.set_added_delay(d);
            format_duration(d)
        }
        Prev::Stalled(on) => {
            c.set_stalled(on);
            on.to_string()
        }
        Prev::RefuseLogins(on) => {
            c.set_refuse_logins(on);
            on.to_string()
        }
        Prev::DropConnections(on) => {
            c.set_drop_connections(on);
            on.to_string()
        }
        Prev::Workers(n) => {
            c.set_workers(n);
            n.to_string()
        }
        Prev::Down(on) => {
            c.set_down(on);
            if on { "down" } else { "up (restarted)" }.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::tests::start as start_topology;

    fn fault(server: &str, at: u64, dur: Option<u64>, kind: FaultKind) -> FaultPlan {
        FaultPlan {
            server: server.to_string(),
            at: Duration::from_millis(at),
            duration: dur.map(Duration::from_millis),
            kind,
        }
    }

    #[tokio::test]
    async fn faults_apply_and_revert_on_their_server_only() {
        let t = start_topology().await;
        let (mbx1, mbx2) = (t.control("mbx1").unwrap(), t.control("mbx2").unwrap());
        mbx2.set_slow_factor(2.0); // the revert must restore this, not 1.0
        let faults = [
            fault("mbx2", 100, Some(200), FaultKind::Slow(200.0)),
            fault("mbx2", 100, Some(200), FaultKind::RefuseLogins),
            fault("mbx1", 800, None, FaultKind::Stall), // cut off by shutdown
        ];
        let shutdown = CancellationToken::new();
        let (task, log) = schedule(&t, &faults, Instant::now(), shutdown.clone());
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!((mbx2.slow_factor(), mbx2.refuse_logins()), (2.0, false));
        tokio::time::sleep(Duration::from_millis(150)).await; // ~180 ms
        assert_eq!((mbx2.slow_factor(), mbx2.refuse_logins()), (200.0, true));
        assert_eq!((mbx1.slow_factor(), mbx1.refuse_logins()), (1.0, false));
        tokio::time::sleep(Duration::from_millis(220)).await; // ~400 ms
        assert_eq!((mbx2.slow_factor(), mbx2.refuse_logins()), (2.0, false));
        shutdown.cancel();
        task.await.unwrap();
        assert!(!mbx1.stalled(), "the 800 ms fault ran after shutdown");
        let events = log.lock().unwrap().clone();
        let summary: Vec<_> = events
            .iter()
            .map(|e| (e.server.as_str(), e.what.as_str(), e.applied))
            .collect();
        assert_eq!(
            summary,
            [
                ("mbx2", "slow x200", true),
                ("mbx2", "refuse logins", true),
                ("mbx2", "slow x200 reverted to x2", false),
                ("mbx2", "refuse logins reverted to false", false),
            ]
        );
        assert!(events[0].at >= Duration::from_millis(100));
        assert!(events[2].at >= Duration::from_millis(300));
        t.shutdown().await;
    }

    #[tokio::test]
    async fn workers_shrink_and_unknown_servers_are_skipped() {
        let t = start_topology().await;
        let mbx1 = t.control("mbx1").unwrap();
        let before = mbx1.workers();
        let faults = [
            fault("mbx9", 0, Some(10), FaultKind::Stall),
            fault("mbx1", 10, Some(40), FaultKind::Workers(1)),
        ];
        let (task, log) = schedule(&t, &faults, Instant::now(), CancellationToken::new());
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(mbx1.workers(), 1);
        task.await.unwrap(); // ends by itself when the schedule is done
        assert_eq!(mbx1.workers(), before);
        let events = log.lock().unwrap().clone();
        assert_eq!(events.len(), 3, "{events:?}");
        assert_eq!(events[0].what, "stall skipped: no such server");
        assert!(!events[0].applied);
        assert_eq!(events[2].what, format!("workers 1 reverted to {before}"));
        t.shutdown().await;
    }
}
