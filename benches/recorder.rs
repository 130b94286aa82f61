//! The recorder under contention: every thread records into one `Recorder`
//! at once (as the runtime's worker threads do), while a tick thread drains
//! the shards every millisecond (100x more often than a 1 s interval), so
//! the figure includes the shard swap's lock contention. Reported per
//! recorded command: with T threads, one iteration is T commands.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use imapload::command::CommandKind;
use imapload::metrics::{Layout, Recorder, Route};
use imapload::results::RowHistograms;

fn layout() -> Arc<Layout> {
    Arc::new(Layout::new(
        vec!["cas1".into()],
        vec!["mbx1".into(), "mbx2".into()],
    ))
}

/// Runs `iters` records on each of `threads` threads; returns the wall time
/// and the number of commands the drains saw (checked, so nothing is lost).
fn contended(threads: usize, iters: u64) -> (Duration, u64) {
    let rec = Recorder::new(layout());
    let start = Arc::new(Barrier::new(threads + 1));
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::scope(|s| {
        let ticker = s.spawn(|| {
            let mut spare = Vec::new();
            let mut seen = RowHistograms::new();
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1));
                rec.drain(&mut spare, |slots| {
                    slots
                        .rows
                        .iter()
                        .flatten()
                        .for_each(|r| r.add_to(&mut seen))
                });
            }
            seen
        });
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (rec, start) = (&rec, start.clone());
                s.spawn(move || {
                    let kinds = [CommandKind::Noop, CommandKind::FetchFlags];
                    start.wait();
                    for i in 0..iters {
                        let route = Route {
                            cas: (i % 5 == 0).then_some(0),
                            backend: (t % 2) as u16,
                        };
                        let corrected = Duration::from_micros(200 + (i * 7919) % 50_000);
                        rec.record_ok(route, kinds[(i % 2) as usize], corrected, corrected / 2);
                    }
                })
            })
            .collect();
        start.wait();
        let t0 = Instant::now();
        for w in workers {
            w.join().expect("worker");
        }
        let elapsed = t0.elapsed();
        stop.store(true, Ordering::Relaxed);
        let mut seen = ticker.join().expect("ticker");
        let mut spare = Vec::new();
        rec.drain(&mut spare, |slots| {
            slots
                .rows
                .iter()
                .flatten()
                .for_each(|r| r.add_to(&mut seen))
        });
        (elapsed, seen.ok())
    })
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("recorder");
    for threads in [1usize, 2, 4] {
        g.throughput(Throughput::Elements(threads as u64));
        g.bench_with_input(BenchmarkId::new("record_ok", threads), &threads, |b, &t| {
            b.iter_custom(|iters| {
                let (elapsed, seen) = contended(t, iters);
                assert_eq!(
                    seen,
                    iters * t as u64,
                    "every recorded command is drained once"
                );
                elapsed
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
