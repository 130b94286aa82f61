//! The progress line: it names the worst row (a CAS row with the back end
//! behind it, a direct row with its server) and prints nothing past the
//! duration.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::command::CommandKind;
use crate::metrics::{Layout, Recorder, Route};
use crate::results::QueueStats;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A store with one interval `[0, 1s)`: FETCH_BODY via cas1 to mbx2 at
/// `via_cas_ms`, NOOP direct to mbx1 at `direct_ms`.
fn store(via_cas_ms: u64, direct_ms: u64) -> IntervalStore {
    let layout = Layout::new(vec!["cas1".into()], vec!["mbx1".into(), "mbx2".into()]);
    let recorder = Recorder::new(Arc::new(layout.clone()));
    let mut store = IntervalStore::new(layout);
    let via_cas = Route {
        cas: Some(0),
        backend: 1,
    };
    let direct = Route {
        cas: None,
        backend: 0,
    };
    for _ in 0..10 {
        let (v, d) = (ms(via_cas_ms), ms(direct_ms));
        recorder.record_ok(via_cas, CommandKind::FetchBody, v, v);
        recorder.record_ok(direct, CommandKind::Noop, d, d);
    }
    let queues = vec![QueueStats::default(); 3];
    store.tick(&recorder, Duration::ZERO, ms(1000), 10, queues);
    store
}

fn progress() -> Progress {
    Progress::new(
        Duration::from_secs(30),
        Duration::ZERO,
        MonitorPlan::default(),
        &Layout::new(vec!["cas1".into()], vec!["mbx1".into(), "mbx2".into()]),
    )
}

#[test]
fn the_line_names_the_worst_row() {
    let line = progress().line(&store(5763, 2), ms(1000)).unwrap();
    assert!(
        line.contains("worst p99 cas1->mbx2 FETCH_BODY 5,7"),
        "{line}"
    );
    let line = progress().line(&store(1, 40), ms(1000)).unwrap();
    assert!(line.contains("worst p99 mbx1 NOOP 40."), "{line}");
}

#[test]
fn no_line_past_the_duration() {
    let s = store(1, 1);
    let p = progress();
    let at_end = p.line(&s, Duration::from_secs(30)).unwrap();
    assert!(at_end.starts_with("[  30s/30s]"), "{at_end}");
    for drain in [ms(30_500), Duration::from_secs(31), Duration::from_secs(32)] {
        assert_eq!(
            p.line(&s, drain),
            None,
            "a line during the drain at {drain:?}"
        );
    }
}

#[test]
fn milliseconds_read_like_a_person_writes_them() {
    assert_eq!(millis(22_400), "22.4 ms");
    assert_eq!(millis(5_763_000), "5,763 ms");
    assert_eq!(millis(999_000), "999 ms");
    assert_eq!(millis(1_234_567_000), "1,234,567 ms");
}
