//! Framer throughput: ~1,000 FETCH responses with 2 KiB literals, fed in
//! 4 KiB chunks and consumed message by message the way `Connection` does,
//! so the figure includes the cost of resuming scans across chunk edges.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use imapload::imap::{Framer, Limits};
use std::hint::black_box;

/// The server output of a 1,000-message `FETCH 1:* (FLAGS UID BODY[])` with 2 KiB bodies.
fn fetch_stream() -> Vec<u8> {
    let body: Vec<u8> = (0..2048u32)
        .map(|i| {
            if i % 78 == 77 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            }
        })
        .collect();
    let mut out = Vec::new();
    for n in 1..=1000 {
        out.extend_from_slice(
            format!(
                "* {n} FETCH (FLAGS (\\Seen) UID {} BODY[] {{{}}}\r\n",
                n + 100,
                body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&body);
        out.extend_from_slice(b")\r\n");
    }
    out.extend_from_slice(b"a7 OK Fetch completed (0.003 + 0.000 secs).\r\n");
    out
}

/// Frames `stream` arriving in `chunk`-byte reads; returns the number of messages.
fn frame_in_chunks(stream: &[u8], chunk: usize) -> usize {
    let mut framer = Framer::new(Limits::default());
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut start = 0;
    let mut messages = 0;
    for piece in stream.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(n) = framer.scan(&buf[start..]).expect("bench stream frames") {
            start += n;
            messages += 1;
        }
        // Compact like BytesMut::advance + reserve reclaiming the front.
        buf.drain(..start);
        start = 0;
    }
    messages
}

fn bench_framer(c: &mut Criterion) {
    let stream = fetch_stream();
    assert_eq!(frame_in_chunks(&stream, 4096), 1001);
    let mut group = c.benchmark_group("framer");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("fetch_2k_literals_4k_chunks", |b| {
        b.iter(|| frame_in_chunks(black_box(&stream), 4096))
    });
    group.finish();
}

criterion_group!(benches, bench_framer);
criterion_main!(benches);
