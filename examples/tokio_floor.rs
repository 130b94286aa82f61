//! The floor client of `benches/floor/floor_client.c`, written on tokio: N connections, LOGIN
//! userNNNNN passNNNNN, SELECT INBOX, then NOOP back to back (one in flight per connection, no
//! parsing beyond finding the tagged line). It measures what the runtime alone costs per command,
//! so `scripts/floor-bench.sh` can split imapload's distance from the C floor into the runtime's
//! share and imapload's own.
//!
//! usage: `cargo run --release --example tokio_floor -- N PORT SECONDS USERS [multi|current]`
//! prints: `commands C in S s (R/s) user U sys Y us_per_cmd X`, the C client's format.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: tokio_floor N PORT SECONDS USERS [multi|current]");
        std::process::exit(2);
    }
    let number = |i: usize| args[i].parse::<u64>().expect("a number");
    let (n, port, secs, users) = (number(1), number(2) as u16, number(3), number(4));
    let mut builder = match args.get(5).map(String::as_str) {
        Some("current") => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = builder.enable_all().build().expect("a runtime");
    runtime.block_on(run(n, port, secs, users));
}

async fn run(n: u64, port: u16, secs: u64, users: u64) {
    let barrier = Arc::new(Barrier::new(n as usize + 1));
    let stop = Arc::new(AtomicBool::new(false));
    // Connected one after the other, as the C client does (a burst of
    // 1,000 connects would overflow the server's listen backlog).
    let mut sessions = Vec::new();
    for i in 0..n {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        let (barrier, stop) = (barrier.clone(), stop.clone());
        sessions.push(tokio::spawn(session(stream, i % users + 1, barrier, stop)));
    }
    if tokio::time::timeout(Duration::from_secs(30), barrier.wait())
        .await
        .is_err()
    {
        eprintln!("tokio_floor: not every session logged in and selected within 30 s");
        std::process::exit(1);
    }
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut commands = 0;
    for session in sessions {
        commands += session.await.expect("a session");
    }
    let (cpu1, elapsed) = (cpu_seconds(), start.elapsed().as_secs_f64());
    let (user, sys) = (cpu1.0 - cpu0.0, cpu1.1 - cpu0.1);
    println!(
        "commands {commands} in {elapsed:.2} s ({:.0}/s) user {user:.3} sys {sys:.3} us_per_cmd {:.2}",
        commands as f64 / elapsed,
        (user + sys) * 1e6 / commands as f64
    );
}

async fn session(
    mut stream: TcpStream,
    user: u64,
    barrier: Arc<Barrier>,
    stop: Arc<AtomicBool>,
) -> u64 {
    stream.set_nodelay(true).expect("nodelay");
    let mut buf = Inbox {
        bytes: vec![0; 8192],
        len: 0,
    };
    buf.wait_for(&mut stream, b'*').await;
    let login = format!("a LOGIN user{user:05} pass{user:05}\r\n");
    stream.write_all(login.as_bytes()).await.expect("write");
    buf.wait_for(&mut stream, b'a').await;
    stream
        .write_all(b"b SELECT INBOX\r\n")
        .await
        .expect("write");
    buf.wait_for(&mut stream, b'b').await;
    barrier.wait().await;
    let mut commands = 0;
    while !stop.load(Ordering::Relaxed) {
        stream.write_all(b"c NOOP\r\n").await.expect("write");
        buf.wait_for(&mut stream, b'c').await;
        commands += 1;
    }
    commands
}

struct Inbox {
    bytes: Vec<u8>,
    len: usize,
}

impl Inbox {
    /// Reads until a complete line starting with `tag` and a space has arrived, keeping any
    /// partial line for the next read.
    async fn wait_for(&mut self, stream: &mut TcpStream, tag: u8) {
        loop {
            let read = stream
                .read(&mut self.bytes[self.len..])
                .await
                .expect("read");
            assert!(read > 0, "connection closed");
            self.len += read;
            let (mut start, mut done) = (0, false);
            while let Some(end) = self.bytes[start..self.len]
                .windows(2)
                .position(|w| w == b"\r\n")
            {
                done |= self.bytes[start] == tag && self.bytes.get(start + 1) == Some(&b' ');
                start += end + 2;
            }
            self.bytes.copy_within(start..self.len, 0);
            self.len -= start;
            if done {
                return;
            }
        }
    }
}

/// User and system CPU seconds of this process so far, from /proc/self/stat (clock ticks).
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let fields: Vec<&str> = stat.rsplit(") ").next().expect("stat").split(' ').collect();
    let ticks = |i: usize| fields[i].parse::<f64>().expect("ticks") / 100.0;
    (ticks(11), ticks(12))
}
