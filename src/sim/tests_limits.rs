//! The embedded servers' limits and their handling of arbitrary bytes
//! (issue 7, parts 4 and 5): an endless line, a 100 MB literal in both
//! forms, and a property test that any byte stream is answered or closed,
//! never hangs a connection and never panics a server task.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::testclient::Mode;
use super::tests::{addr, start};

const HUNDRED_MB: u64 = 100 * 1024 * 1024;

/// Reads until EOF (or reset) with a deadline; `None` if the server kept the
/// connection open past it.
async fn read_to_close(r: &mut (impl AsyncReadExt + Unpin), secs: u64) -> Option<String> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 8192];
    let read = async {
        while let Ok(n) = r.read(&mut chunk).await {
            if n == 0 {
                break;
            }
            if out.len() < 1 << 20 {
                out.extend_from_slice(&chunk[..n]);
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(secs), read)
        .await
        .ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Reads one line (up to LF).
async fn line(r: &mut (impl AsyncReadExt + Unpin)) -> String {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    while r.read(&mut b).await.unwrap() == 1 {
        out.push(b[0]);
        if b[0] == b'\n' {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_line_gets_bye_and_a_close_not_a_buffer() {
    let t = start().await;
    for cas in [false, true] {
        let tcp = TcpStream::connect(addr(&t, cas, Mode::Plain))
            .await
            .unwrap();
        let (mut r, mut w) = tcp.into_split();
        assert!(line(&mut r).await.starts_with("* OK"));
        let writer = tokio::spawn(async move {
            let block = vec![b'x'; 64 * 1024];
            let mut sent = 0u64;
            // 64 MiB without a line end: the server must give up long before.
            while sent < 64 << 20 {
                if w.write_all(&block).await.is_err() {
                    return sent;
                }
                sent += block.len() as u64;
            }
            sent
        });
        let answer = read_to_close(&mut r, 20)
            .await
            .expect("server kept reading");
        let sent = writer.await.unwrap();
        assert!(
            sent < 64 << 20,
            "cas={cas}: the server took all {sent} bytes"
        );
        // The BYE may be lost to the reset of a socket closed with unread data.
        assert!(
            answer.is_empty() || answer.contains("* BYE"),
            "cas={cas}: {answer}"
        );
    }
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_literal_is_refused_before_any_of_it_is_read() {
    let t = start().await;
    for cas in [false, true] {
        // Synchronizing: BAD and no `+` continuation; the connection lives on.
        let tcp = TcpStream::connect(addr(&t, cas, Mode::Plain))
            .await
            .unwrap();
        let (mut r, mut w) = tcp.into_split();
        assert!(line(&mut r).await.starts_with("* OK"));
        let cmd = format!("a APPEND INBOX {{{HUNDRED_MB}}}\r\nb NOOP\r\n");
        w.write_all(cmd.as_bytes()).await.unwrap();
        let first = line(&mut r).await;
        assert!(first.starts_with("a BAD"), "cas={cas}: {first}");
        let next = line(&mut r).await;
        assert!(next.starts_with("b "), "cas={cas}: {next}");

        // Non-synchronizing: the data would follow unasked, so BYE and close.
        let tcp = TcpStream::connect(addr(&t, cas, Mode::Plain))
            .await
            .unwrap();
        let (mut r, mut w) = tcp.into_split();
        assert!(line(&mut r).await.starts_with("* OK"));
        let cmd = format!("a APPEND INBOX {{{HUNDRED_MB}+}}\r\n");
        w.write_all(cmd.as_bytes()).await.unwrap();
        let answer = read_to_close(&mut r, 10).await.expect("no close");
        assert!(answer.contains("* BYE"), "cas={cas}: {answer}");
    }
    t.shutdown().await;
}

/// Pieces a hostile or broken client might send.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => proptest::collection::vec(any::<u8>(), 0..48),
        2 => Just(b"\r\n".to_vec()),
        1 => any::<u64>().prop_map(|n| format!("{{{n}}}\r\n").into_bytes()),
        1 => (0u64..5000).prop_map(|n| format!("{{{n}+}}\r\n").into_bytes()),
        1 => Just(b"a1 LOGIN user00001 pass00001\r\n".to_vec()),
        1 => Just(b"a2 AUTHENTICATE PLAIN\r\n".to_vec()),
        1 => Just(b"a3 SELECT INBOX\r\n".to_vec()),
        1 => Just(b"a4 APPEND INBOX ".to_vec()),
        1 => Just(b"a5 IDLE\r\n".to_vec()),
        1 => Just(b"DONE\r\n".to_vec()),
        1 => Just(b"a6 FETCH 1:* (BODY.PEEK[]<0.10> FLAGS)\r\n".to_vec()),
        1 => Just(b"a7 SEARCH OR (".to_vec()),
        1 => Just(b"a8 STARTTLS\r\n".to_vec()),
    ]
}

/// Sends `bytes` in `chunk`-sized writes, closes the write side, and returns
/// what the server said before it closed (`None`: it did not close).
async fn feed(to: SocketAddr, bytes: Vec<u8>, chunk: usize) -> Option<String> {
    let tcp = TcpStream::connect(to).await.unwrap();
    let (mut r, mut w) = tcp.into_split();
    let writer = tokio::spawn(async move {
        for c in bytes.chunks(chunk.max(1)) {
            if w.write_all(c).await.is_err() {
                return;
            }
        }
        let _ = w.shutdown().await;
    });
    let out = read_to_close(&mut r, 15).await;
    writer.abort();
    out
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn arbitrary_bytes_are_answered_or_closed_and_never_panic_a_server() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("limits-prop-server")
        .enable_all()
        .build()
        .unwrap();
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let name = std::thread::current().name().map(str::to_string);
        if name.is_some_and(|n| n.contains("limits-prop-server")) {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }
        prev(info);
    }));
    let t = rt.block_on(start());
    let targets = [addr(&t, false, Mode::Plain), addr(&t, true, Mode::Plain)];
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let input = (
        proptest::collection::vec(piece(), 0..24),
        1usize..300,
        any::<bool>(),
    );
    runner
        .run(&input, |(pieces, chunk, cas)| {
            let out = rt.block_on(feed(targets[cas as usize], pieces.concat(), chunk));
            let out = out.ok_or_else(|| TestCaseError::fail("the server kept the connection"))?;
            prop_assert!(out.starts_with("* OK"), "no greeting: {out:.200}");
            Ok(())
        })
        .unwrap();
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a server task panicked");
    // Both still serve.
    for to in targets {
        let out = rt.block_on(feed(
            to,
            b"a LOGIN user00001 pass00001\r\nb LOGOUT\r\n".to_vec(),
            64,
        ));
        assert!(out.unwrap().contains("a OK"));
    }
    rt.block_on(t.shutdown());
}
