//! Tests of the interval store.

use super::*;
use crate::command::CommandKind;
use crate::metrics::Route;
use crate::results::ErrorReason;
use std::sync::{Arc, Mutex};

/// A sink that keeps what it is given (tests only: a run's sinks write it out).
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<IntervalRecord>>>);

impl IntervalSink for Collect {
    fn interval(&mut self, rec: &IntervalRecord, _keys: &[RowKey]) {
        self.0.lock().unwrap().push(rec.clone());
    }
}

#[test]
fn the_store_keeps_no_interval_but_the_latest_however_long_the_run() {
    let layout = Layout::new(vec!["cas1".into()], vec!["mbx1".into()]);
    let rec = Recorder::new(Arc::new(layout.clone()));
    let mut store = IntervalStore::new(layout);
    let seen = Arc::new(Mutex::new(0u64));
    struct Count(Arc<Mutex<u64>>);
    impl IntervalSink for Count {
        fn interval(&mut self, _: &IntervalRecord, _: &[RowKey]) {
            *self.0.lock().unwrap() += 1;
        }
    }
    store.add_sink(Box::new(Count(seen.clone())));
    let ms = Duration::from_millis;
    let route = Route {
        cas: Some(0),
        backend: 0,
    };
    let spare_before = store.spare.len();
    for i in 0..20_000u64 {
        rec.record_ok(route, CommandKind::Noop, ms(1 + i % 7), ms(1));
        store.tick(&rec, ms(10 * i), ms(10 * i + 10), 1, Vec::new());
    }
    assert_eq!(
        *seen.lock().unwrap(),
        20_000,
        "every interval reaches the sinks"
    );
    assert_eq!(store.closed(), (20_000, ms(10)));
    assert_eq!(store.last_interval().map(|r| r.end), Some(ms(200_000)));
    // What the store holds per row does not depend on the ticks: totals
    // per slot, the window's totals, one interval and the recorder's spare shards.
    assert!(store.spare.len() <= spare_before.max(64));
    assert_eq!(store.commands(), 20_000);
}

#[test]
fn ticks_fold_into_totals_and_derived_rows() {
    let layout = Layout::new(vec!["cas1".into(), "cas2".into()], vec!["mbx1".into()]);
    let rec = Recorder::new(Arc::new(layout.clone()));
    let mut store = IntervalStore::new(layout);
    let kept = Collect::default();
    store.add_sink(Box::new(kept.clone()));
    let ms = Duration::from_millis;
    rec.record_ok(
        Route {
            cas: Some(0),
            backend: 0,
        },
        CommandKind::Select,
        ms(10),
        ms(5),
    );
    store.tick(&rec, ms(0), ms(1000), 1, Vec::new());
    rec.record_ok(
        Route {
            cas: Some(1),
            backend: 0,
        },
        CommandKind::Select,
        ms(30),
        ms(5),
    );
    rec.record_error(
        Route {
            cas: None,
            backend: 0,
        },
        CommandKind::Select,
        ErrorReason::Timeout,
        "no answer within 30s",
    );
    store.tick(&rec, ms(1000), ms(2000), 1, Vec::new());
    let intervals = kept.0.lock().unwrap().clone();
    assert_eq!(intervals.len(), 2);
    assert_eq!(store.last_interval(), intervals.last());
    let first = &intervals[0];
    let tags: Vec<_> = first
        .rows
        .iter()
        .map(|r| store.row_keys()[r.row].tag())
        .collect();
    assert_eq!(tags, ["cas.cas1.mbx1.SELECT", "cas.mbx1.mbx1.SELECT"]);
    assert_eq!(first.rows[0].corrected_sum_us, 10_000);
    // The back-end row behind both CAS merges their histograms in interval 2.
    let second = &intervals[1];
    let mbx = second
        .rows
        .iter()
        .find(|r| store.row_keys()[r.row].tag() == "cas.mbx1.mbx1.SELECT")
        .unwrap();
    assert_eq!((mbx.ok, mbx.corrected_sum_us), (1, 30_000));
    assert_eq!(store.commands(), 3);
    let rows = totals_by_row(&store);
    let tags: Vec<_> = rows.keys().map(|k| k.tag()).collect();
    assert_eq!(
        tags,
        [
            "cas.cas1.mbx1.SELECT",
            "cas.cas2.mbx1.SELECT",
            "cas.mbx1.mbx1.SELECT",
            "direct.mbx1.mbx1.SELECT"
        ]
    );
    let behind = &rows.values().nth(2).unwrap();
    assert_eq!(behind.ok(), 2);
    assert_eq!(behind.corrected_mean_us(), 20_000.0);
    assert_eq!(
        rows.values().last().unwrap().errors[ErrorReason::Timeout.index()],
        1
    );
}

#[test]
fn a_restored_store_derives_the_rows_behind_the_cas_and_counts_each_command_once() {
    let layout = Layout::new(vec!["cas1".into()], vec!["mbx1".into()]);
    let key = |path, server: &str| RowKey {
        path,
        server: server.into(),
        backend: "mbx1".into(),
        command: CommandKind::Select,
    };
    let mut row = RowHistograms::new();
    row.record_ok(10_000, 5_000);
    row.record_error(ErrorReason::No);
    let mut totals = BTreeMap::new();
    totals.insert(key(crate::results::Path::Cas, "cas1"), row.clone());
    // A derived row given too is ignored: it is rebuilt from the slots.
    totals.insert(key(crate::results::Path::Cas, "mbx1"), row.clone());
    totals.insert(key(crate::results::Path::Direct, "mbx1"), row);
    let mut store = IntervalStore::new(layout);
    store.restore(totals).unwrap();
    assert_eq!((store.commands(), store.errors()), (4, 2));
    let rows = totals_by_row(&store);
    assert_eq!(rows[&key(crate::results::Path::Cas, "mbx1")].count(), 2);
    let mut stranger = BTreeMap::new();
    let mut k = key(crate::results::Path::Direct, "mbx9");
    k.backend = "mbx9".into();
    stranger.insert(k, RowHistograms::new());
    let mut store = IntervalStore::new(Layout::new(vec![], vec!["mbx1".into()]));
    assert!(store.restore(stranger).unwrap_err().contains("mbx9"));
}

#[test]
fn error_messages_reach_every_row_on_the_path_and_are_restored_from_first_hop_rows() {
    let layout = Layout::new(vec!["cas1".into()], vec!["mbx1".into()]);
    let rec = Recorder::new(Arc::new(layout.clone()));
    let mut store = IntervalStore::new(layout.clone());
    let via = Route {
        cas: Some(0),
        backend: 0,
    };
    for i in 0..7 {
        let msg = format!("refused {}", i % 6);
        rec.record_error(via, CommandKind::Login, ErrorReason::No, &msg);
    }
    let ms = Duration::from_millis;
    store.tick(&rec, ms(0), ms(1000), 1, Vec::new());
    // Ticking again hands nothing over twice.
    store.tick(&rec, ms(1000), ms(2000), 1, Vec::new());
    let causes = store.error_causes();
    let tags: Vec<_> = causes
        .iter()
        .map(|c| format!("{}.{}.{}", c.server, c.message, c.count))
        .collect();
    assert_eq!(causes.len(), 12, "{tags:?}");
    assert_eq!(tags[0], "cas1.refused 0.2");
    assert_eq!(tags[5], "cas1.(other messages).1");
    assert_eq!(tags[6], "mbx1.refused 0.2");
    assert!(causes
        .iter()
        .all(|c| c.reason == "no" && c.command == "LOGIN"));
    let mut restored = IntervalStore::new(layout);
    restored.restore_causes(&causes).unwrap();
    assert_eq!(restored.error_causes(), causes);
}

/// Every row's totals, each a copy (small stores only).
fn totals_by_row(store: &IntervalStore) -> BTreeMap<RowKey, RowHistograms> {
    let mut out = BTreeMap::new();
    store.for_each_row(|key, row| {
        out.insert(key.clone(), row.clone());
    });
    out
}

/// A sink that keeps every row's interval histograms (cloned).
#[derive(Clone, Default)]
struct RowsSeen(Arc<Mutex<Vec<(usize, RowHistograms)>>>);

impl IntervalSink for RowsSeen {
    fn interval(&mut self, _: &IntervalRecord, _: &[RowKey]) {}
    fn row_histograms(&mut self, row: usize, h: &RowHistograms) {
        self.0.lock().unwrap().push((row, h.clone()));
    }
}

/// Whether two rows hold the same counts, counter for counter (whatever
/// their histograms' allocated widths).
fn same(a: &RowHistograms, b: &RowHistograms) -> bool {
    let counts = |h: &hdrhistogram::Histogram<u64>| {
        let v: Vec<(u64, u64)> = h
            .iter_recorded()
            .map(|x| (x.value_iterated_to(), x.count_at_value()))
            .collect();
        (v, h.len(), h.min(), h.max())
    };
    counts(&a.corrected) == counts(&b.corrected)
        && counts(&a.service) == counts(&b.service)
        && (a.errors, a.corrected_sum_us) == (b.errors, b.corrected_sum_us)
}

/// One command a worker records: route, kind, corrected and service µs, failed.
type Command = (Route, CommandKind, u64, u64, bool);

#[test]
fn interval_rows_and_totals_hold_every_sample_of_a_reference_recording() {
    let layout = Layout::new(vec!["cas1".into()], vec!["mbx1".into(), "mbx2".into()]);
    let rec = Recorder::new(Arc::new(layout.clone()));
    let mut store = IntervalStore::new(layout.clone());
    let seen = RowsSeen::default();
    store.add_sink(Box::new(seen.clone()));
    let index: BTreeMap<RowKey, usize> = (store.row_keys().iter().cloned()).zip(0..).collect();
    let routes = [(Some(0), 0), (Some(0), 1), (None, 0), (None, 1)];
    let kinds = [CommandKind::Noop, CommandKind::Select, CommandKind::Login];
    let mut totals = vec![RowHistograms::new(); index.len()];
    let mut x = 12345u64;
    for tick in 0..6u64 {
        let mut reference = vec![RowHistograms::new(); index.len()];
        let mut per_worker: Vec<Vec<Command>> = vec![vec![]; 3];
        for i in 0..(500 + tick * 900) {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let (cas, backend) = routes[(x >> 33) as usize % routes.len()];
            let kind = kinds[(x >> 40) as usize % kinds.len()];
            // Latencies from 1 µs to minutes, so histograms of many widths.
            let corrected = 1 + ((x >> 20) % 1000) * (1 << ((x >> 50) % 26));
            let failed = i % 37 == 0;
            let route = Route { cas, backend };
            per_worker[i as usize % 3].push((route, kind, corrected, corrected / 3, failed));
            for k in layout.rows_of(layout.slot(route, kind)) {
                let r = &mut reference[index[&k]];
                if failed {
                    r.record_error(ErrorReason::Timeout);
                } else {
                    r.record_ok(corrected, corrected / 3);
                }
            }
        }
        std::thread::scope(|s| {
            for work in &per_worker {
                let rec = &rec;
                s.spawn(move || {
                    for &(route, kind, c, sv, failed) in work {
                        if failed {
                            rec.record_error(route, kind, ErrorReason::Timeout, "t");
                        } else {
                            let us = Duration::from_micros;
                            rec.record_ok(route, kind, us(c), us(sv));
                        }
                    }
                });
            }
        });
        let ms = Duration::from_millis;
        store.tick(&rec, ms(tick * 1000), ms(tick * 1000 + 1000), 1, Vec::new());
        let got = std::mem::take(&mut *seen.0.lock().unwrap());
        let expected: Vec<usize> = (0..index.len())
            .filter(|&r| !reference[r].is_empty())
            .collect();
        assert_eq!(got.iter().map(|(r, _)| *r).collect::<Vec<_>>(), expected);
        for (r, h) in &got {
            assert!(same(h, &reference[*r]), "tick {tick} row {r}");
            totals[*r].add(h);
        }
    }
    let mut rows = 0;
    store.for_each_row(|k, h| {
        rows += 1;
        assert!(same(h, &totals[index[k]]), "totals of {}", k.tag());
    });
    assert_eq!(rows, totals.iter().filter(|t| !t.is_empty()).count());
    assert!(rows >= 6, "rows of every route and kind reached: {rows}");
    // The window is the whole run: its rows are the totals, also the rows
    // behind the CAS that share the CAS's rows.
    let steady = store.steady_rows();
    assert_eq!(steady.len(), rows);
    for (k, h) in &steady {
        assert!(same(h, &totals[index[k]]), "steady {}", k.tag());
    }
}
