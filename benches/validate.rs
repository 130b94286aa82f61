//! The light check of FETCH answers: `fetch_items` walks every untagged
//! `* n FETCH (...)` line a session receives, so a FETCH of a dozen flags
//! costs a dozen walks. Lines as the embedded back end and Dovecot send them.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use imapload::engine::validate::scan::fetch_items;
use std::hint::black_box;

fn lines() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for n in 1..=50u32 {
        let flags = match n % 3 {
            0 => "()",
            1 => "(\\Seen)",
            _ => "(\\Seen \\Flagged $Forwarded)",
        };
        out.push(format!("* {n} FETCH (UID {} FLAGS {flags})\r\n", n + 100).into_bytes());
        out.push(format!("* {n} FETCH (FLAGS {flags} UID {})\r\n", n + 100).into_bytes());
    }
    out
}

fn bench(c: &mut Criterion) {
    let lines = lines();
    let mut g = c.benchmark_group("validate");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("fetch_items flags lines", |b| {
        b.iter(|| {
            let mut all = 0u8;
            for l in &lines {
                all |= fetch_items(black_box(l)).unwrap_or(0);
            }
            all
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
