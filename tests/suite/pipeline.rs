//! Pipelining (`session.pipeline`): a fake server that holds its answers
//! until it has `depth` commands (or 100 ms passed without a new one) and
//! then answers them last first, each with untagged data before it. The
//! server counts how many commands it held at once, so the tests see that
//! imapload really keeps that many in flight (never more), that every
//! answer finds its own command in any order, and that a connection lost
//! with commands in flight counts each of them.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use imapload::command::CommandKind;
use imapload::results::ErrorReason;
use imapload::run::RunReport;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::fake_server::{normal, FakeServer, GREETING};
use crate::support::*;

/// What the holding server saw.
#[derive(Default)]
struct Seen {
    /// The most mix commands it held unanswered at once.
    most_held: AtomicUsize,
    /// NOOPs it answered OK.
    answered: AtomicU64,
    /// CHECKs it answered NO.
    refused: AtomicU64,
    /// Connections it closed with `depth` commands held.
    closed_full: AtomicU64,
}

/// How the holding server answers.
#[derive(Clone, Copy)]
struct Hold {
    /// Commands held before answering.
    depth: usize,
    /// A full pipe is met by a closed connection instead.
    close_when_full: bool,
    /// Answers last first (else in order).
    reverse: bool,
}

/// Serves one connection: greeting, LOGIN, SELECT, LOGOUT answered at once;
/// NOOPs and CHECKs held until `depth` are waiting (or 100 ms pass), then
/// answered as `hold` says.
async fn holding(tcp: TcpStream, hold: Hold, seen: Arc<Seen>) {
    let Hold {
        depth,
        close_when_full,
        reverse,
    } = hold;
    let mut io = BufReader::new(tcp);
    if io.get_mut().write_all(GREETING).await.is_err() {
        return;
    }
    let mut held: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        let wait = if held.is_empty() { 10_000 } else { 100 };
        let read = tokio::time::timeout(Duration::from_millis(wait), io.read_line(&mut line));
        let got = match read.await {
            Ok(Ok(0) | Err(_)) => return,
            Ok(Ok(_)) => true,
            Err(_) => false,
        };
        if got {
            let mut words = line.split_whitespace();
            let tag = words.next().unwrap_or("*").to_string();
            let verb = words.next().unwrap_or("").to_ascii_uppercase();
            if verb != "NOOP" && verb != "CHECK" {
                if io.get_mut().write_all(&normal(&tag, &verb)).await.is_err() || verb == "LOGOUT" {
                    return;
                }
                continue;
            }
            held.push(format!("{tag} {verb}"));
            seen.most_held.fetch_max(held.len(), Ordering::Relaxed);
            if held.len() < depth {
                continue;
            }
            if close_when_full {
                seen.closed_full.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        let mut out = Vec::new();
        if reverse {
            held.reverse();
        }
        for command in held.drain(..) {
            let (tag, verb) = command.split_once(' ').unwrap_or_default();
            let answer = if verb == "CHECK" {
                seen.refused.fetch_add(1, Ordering::Relaxed);
                format!("* 3 EXISTS\r\n{tag} NO no checkpoints here\r\n")
            } else {
                seen.answered.fetch_add(1, Ordering::Relaxed);
                format!("* 3 EXISTS\r\n{tag} OK NOOP done\r\n")
            };
            out.extend_from_slice(answer.as_bytes());
        }
        if io.get_mut().write_all(&out).await.is_err() {
            return;
        }
    }
}

async fn holding_server(depth: usize, close_when_full: bool) -> (FakeServer, Arc<Seen>) {
    let hold = Hold {
        depth,
        close_when_full,
        reverse: true,
    };
    holding_with(hold).await
}

async fn holding_with(hold: Hold) -> (FakeServer, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let s = seen.clone();
    let server = FakeServer::start(move |tcp| holding(tcp, hold, s.clone())).await;
    (server, seen)
}

/// A 2 s run of 3 sessions of 8 NOOPs each against `url`; `pipeline` is
/// the `[session]` line setting it (or nothing).
async fn run_noops(url: &str, pipeline: &str, mix: &str) -> (RunReport, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"
name = "pipeline"
seed = 9
duration = "2s"
interval = "1s"
[topology]
kind = "real"
[[topology.backend]]
name = "fake"
url = "{url}"
[users]
pattern = "u{{:03}}"
password = "p{{:03}}"
count = 20
[load]
sessions = 3
cas_share = 0.0
[probes]
enabled = false
[session]
commands = [8, 8]
think_time = {{ dist = "none" }}
command_timeout = "2s"
reconnect_delay = "50ms"
{pipeline}
[session.mix]
{mix}
"#
    );
    let plan = plan_from(&text, dir.path(), &quiet_out(dir.path()));
    (run(plan).await, dir)
}

fn row(report: &RunReport, command: CommandKind) -> &imapload::results::SummaryRow {
    let (_, row) = (report.rows.iter())
        .find(|(k, _)| k.command == command)
        .unwrap_or_else(|| panic!("no {command} row"));
    row
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_commands_fly_at_once_and_each_answer_finds_its_own_command() {
    let (server, seen) = holding_server(4, false).await;
    let mix = "NOOP = 3\nCHECK = 1";
    let (report, _dir) = run_noops(&server.url("imap"), "pipeline = 4", mix).await;
    assert!(!report.partial);
    assert_eq!(seen.most_held.load(Ordering::Relaxed), 4, "held at once");
    // Answered last first, with data before each: every OK lands on a NOOP
    // and every NO on a CHECK, whatever their order.
    let check = row(&report, CommandKind::Check);
    assert_eq!(
        check.errors_of(ErrorReason::No),
        seen.refused.load(Ordering::Relaxed)
    );
    assert_eq!(check.count, check.errors, "{}", error_rows(&report));
    let row = row(&report, CommandKind::Noop);
    assert_eq!(row.errors, 0, "{}", error_rows(&report));
    assert_eq!(row.count, seen.answered.load(Ordering::Relaxed));
    // Four at once are answered at once: no command waits out the 100 ms hold
    // except a session's last few when the run's end cut it short.
    assert!(row.count > 200, "only {} NOOPs in 2 s", row.count);
    assert!(row.p50_us < 50_000, "median {} µs", row.p50_us);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_setting_one_command_waits_for_the_next() {
    let (server, seen) = holding_server(4, false).await;
    let (report, _dir) = run_noops(&server.url("imap"), "", "NOOP = 1").await;
    let row = row(&report, CommandKind::Noop);
    assert_eq!(row.errors, 0, "{}", error_rows(&report));
    assert_eq!(seen.most_held.load(Ordering::Relaxed), 1, "held at once");
    // Each NOOP waits out the server's 100 ms hold.
    assert!(row.p50_us >= 100_000, "median {} µs", row.p50_us);
    assert_eq!(row.count, seen.answered.load(Ordering::Relaxed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_lost_with_commands_in_flight_counts_each_of_them() {
    let (server, seen) = holding_server(3, true).await;
    let (report, _dir) = run_noops(&server.url("imap"), "pipeline = 3", "NOOP = 1").await;
    assert!(!report.partial);
    let row = row(&report, CommandKind::Noop);
    let closed = seen.closed_full.load(Ordering::Relaxed);
    assert!(closed >= 2, "the server closed {closed} full pipes");
    // Every close took three commands with it, each counted on the NOOP row.
    let lost = row.errors_of(ErrorReason::Disconnect);
    assert_eq!(lost, 3 * closed, "{}", error_rows(&report));
    assert_eq!(row.count, row.errors, "no NOOP was ever answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persona_with_pipeline_sends_its_poll_lines_together() {
    let hold = Hold {
        depth: 3,
        close_when_full: false,
        reverse: false,
    };
    let (server, seen) = holding_with(hold).await;
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"
name = "persona-pipeline"
seed = 4
duration = "3s"
[topology]
kind = "real"
[[topology.backend]]
name = "fake"
url = "{}"
[users]
pattern = "u{{:03}}"
password = "p{{:03}}"
count = 4
[load]
sessions = 2
time_scale = 300
[probes]
enabled = false
[population]
personas = {{ poller = 1 }}
[population.day]
received = 0
sent = 0
[persona.poller]
source = "a test"
pipeline = 3
connect = ["LOGIN {{user}} {{password}}"]
logout = ["LOGOUT"]
[[persona.poller.connection]]
mode = "poll"
every = "1m"
open = ['EXAMINE "INBOX"']
poll = ["NOOP", "NOOP", "NOOP"]
"#,
        server.url("imap")
    );
    let plan = plan_from(&text, dir.path(), &quiet_out(dir.path()));
    let report = run(plan).await;
    assert!(!report.partial);
    let row = row(&report, CommandKind::Noop);
    assert_eq!(row.errors, 0, "{}", error_rows(&report));
    assert_eq!(seen.most_held.load(Ordering::Relaxed), 3, "held at once");
    assert_eq!(row.count, seen.answered.load(Ordering::Relaxed));
    // 3 s at 300x: 15 polls of 3 NOOPs per user, none waiting out the hold.
    assert!(row.count >= 60, "{} NOOPs", row.count);
    assert!(row.p50_us < 50_000, "median {} µs", row.p50_us);
}
