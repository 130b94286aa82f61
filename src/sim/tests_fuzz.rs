//! Hostile input: thousands of garbage lines, huge literal announcements,
//! over-long lines and deep nesting must get BAD / BYE, never a panic or
//! unbounded memory.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::Topology;

static PANICS: AtomicUsize = AtomicUsize::new(0);

const WORDS: [&str; 32] = [
    "(",
    ")",
    "[",
    "]",
    "{5}",
    "\"",
    "*",
    "1:*",
    "BODY[",
    "<0.5>",
    "NIL",
    "\\Seen",
    "INBOX",
    "999999999999",
    "-1",
    "0",
    "UID",
    "FETCH",
    "SEARCH",
    "OR",
    "NOT",
    "ALL",
    "{3+}",
    "\u{0}",
    "~{2}",
    "BODY.PEEK[]<0.4294967295>",
    "4294967296",
    "\"a\\",
    "HEADER.FIELDS",
    "(FLAGS",
    "SINCE",
    "32-Foo-99999",
];
const VERBS: [&str; 18] = [
    "LOGIN",
    "AUTHENTICATE",
    "SELECT",
    "FETCH",
    "UID FETCH",
    "STORE",
    "SEARCH",
    "UID SEARCH",
    "APPEND",
    "LIST",
    "STATUS",
    "COPY",
    "IDLE",
    "EXPUNGE",
    "CLOSE",
    "EXAMINE",
    "NOOP",
    "CAPABILITY",
];

fn garbage(rng: &mut SmallRng) -> Vec<u8> {
    match rng.random_range(0..10) {
        0 => (0..rng.random_range(0..200))
            .map(|_| rng.random::<u8>())
            .filter(|b| *b != b'\n')
            .collect(),
        1 => format!("g{} APPEND INBOX {{999999999999}}", rng.random::<u16>()).into_bytes(),
        2 => b"g APPEND INBOX {999999999999999999999999+}".to_vec(),
        3 => format!("g APPEND INBOX {{{}}}", 64 * 1024 * 1024 + 1).into_bytes(),
        4 => vec![b'x'; 70_000],
        5 => format!("g SEARCH {}ALL{}", "(".repeat(2000), ")".repeat(2000)).into_bytes(),
        6 => format!("g SEARCH {}ALL", "NOT ".repeat(5000)).into_bytes(),
        _ => {
            let mut l = format!(
                "g{} {}",
                rng.random::<u8>(),
                VERBS[rng.random_range(0..VERBS.len())]
            );
            for _ in 0..rng.random_range(0..8) {
                l.push(' ');
                l.push_str(WORDS[rng.random_range(0..WORDS.len())]);
            }
            l.into_bytes()
        }
    }
}

/// Writes `prefix` then `lines`, closes the write side and reads until EOF.
async fn hammer(addr: SocketAddr, prefix: &str, lines: Vec<Vec<u8>>) -> String {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (mut r, mut w) = tcp.into_split();
    let reader = tokio::spawn(async move {
        let mut out = Vec::new();
        let mut chunk = vec![0u8; 65536];
        while let Ok(n) = r.read(&mut chunk).await {
            if n == 0 {
                break;
            }
            if out.len() < 1 << 20 {
                out.extend_from_slice(&chunk[..n]);
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    });
    let _ = w.write_all(prefix.as_bytes()).await;
    for l in lines {
        if w.write_all(&l).await.is_err() || w.write_all(b"\r\n").await.is_err() {
            break;
        }
    }
    let _ = w.shutdown().await;
    tokio::time::timeout(Duration::from_secs(20), reader)
        .await
        .expect("server kept the connection")
        .unwrap()
}

#[tokio::test]
async fn garbage_never_panics_and_gets_bad_or_bye() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current()
            .name()
            .is_some_and(|n| n.contains("garbage_never_panics"))
        {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }
        prev(info);
    }));
    let users = crate::serve::make_users(2, 1);
    let t = Topology::start(&crate::serve::serve_plan(&opts()), &users, 3, None)
        .await
        .unwrap();
    let mut rng = SmallRng::seed_from_u64(99);
    let targets = [t.backends()[0].plain, t.cas()[0].plain];
    let mut lines_sent = 0;
    for round in 0..120 {
        let lines: Vec<Vec<u8>> = (0..25).map(|_| garbage(&mut rng)).collect();
        lines_sent += lines.len();
        let prefix = if round % 2 == 0 {
            "p1 LOGIN user00001 pass00001\r\np2 SELECT INBOX\r\n"
        } else {
            ""
        };
        let out = hammer(targets[round % 2], prefix, lines).await;
        assert!(
            out.contains(" BAD ") || out.contains("* BYE"),
            "round {round}: {out:.300}"
        );
    }
    assert!(lines_sent >= 3000);
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a server task panicked");
    // Both servers still serve.
    for addr in targets {
        let out = hammer(addr, "a LOGIN user00001 pass00001\r\nb LOGOUT\r\n", vec![]).await;
        assert!(out.contains("a OK"), "{out}");
    }
    t.shutdown().await;
}

fn opts() -> crate::serve::ServeOptions {
    crate::serve::ServeOptions {
        cas: 1,
        backends: 1,
        listen: "127.0.0.1".parse().unwrap(),
        port_base: None,
        users: 2,
        seed: 3,
        workers_per_backend: 4,
        dir: None,
        service: crate::serve::parse_service_time("1ms/5ms").unwrap(),
        only: None,
        login_disabled_without_tls: false,
        metrics_listen: None,
    }
}
