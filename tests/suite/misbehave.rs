//! imapload against servers that misbehave (issue 7, part 2): each test runs a
//! short real-topology scenario against one fake server on loopback and checks
//! that the run finishes with complete results, that the failure is counted on
//! the row where it happened with the reason it deserves (and no other reason,
//! so a hang is not passed off as a protocol error or the reverse), and that
//! the slot reconnected.

use std::time::{Duration, Instant};

use imapload::command::CommandKind;
use imapload::results::ErrorReason;
use imapload::run::RunReport;

use crate::fake_server::{serve, FakeServer, Reply, GREETING};
use crate::support::*;

mod checks;
use checks::assert_counted;

/// A 2 s run of `sessions` slots against `url`, 300 ms command timeout,
/// 50 ms reconnect delay, only `mix` in the mix, no probes; `extra` is
/// appended to `[session]`.
async fn run_against(
    url: &str,
    sessions: usize,
    mix: &str,
    extra: &str,
) -> (RunReport, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let delay = if extra.contains("reconnect_delay") {
        ""
    } else {
        "reconnect_delay = \"50ms\""
    };
    let text = format!(
        r#"
name = "misbehave"
seed = 3
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
sessions = {sessions}
cas_share = 0.0
[probes]
enabled = false
[session]
commands = [3, 3]
think_time = {{ dist = "fixed", value = "10ms" }}
command_timeout = "300ms"
{delay}
{extra}
[session.mix]
{mix}
"#
    );
    let plan = plan_from(&text, dir.path(), &quiet_out(dir.path()));
    (run(plan).await, dir)
}

/// A server that answers greeting, LOGIN and SELECT, and does `on_mix` to
/// every command of the mix.
async fn fails_in_the_mix(on_mix: fn() -> Reply) -> FakeServer {
    FakeServer::start(move |tcp| async move {
        serve(tcp, GREETING, |_, verb| match verb {
            "CAPABILITY" | "LOGIN" | "SELECT" | "LOGOUT" => Reply::Normal,
            _ => on_mix(),
        })
        .await
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_greeting_never_sent_times_out_on_the_greeting_row() {
    let server = FakeServer::start(|tcp| async move {
        let _open = tcp; // held, never written to
        std::future::pending::<()>().await
    })
    .await;
    let (report, _dir) = run_against(&server.url("imap"), 2, "NOOP = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::Greeting,
        ErrorReason::Timeout,
        "no greeting within 300ms",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_instead_of_a_response_is_a_protocol_error_on_its_row() {
    let server =
        fails_in_the_mix(|| Reply::Send(b"\x00\x01\x02 garbage \xfe\xff\r\n".to_vec())).await;
    let (report, _dir) = run_against(&server.url("imap"), 2, "FETCH_FLAGS = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::FetchFlags,
        ErrorReason::Protocol,
        "tagged response with a tag not ours",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_above_the_limit_is_a_protocol_error() {
    // 256 KiB without a line end (the limit is 64 KiB), then silence.
    let server = fails_in_the_mix(|| Reply::SendThenHang(vec![b'x'; 256 * 1024])).await;
    let (report, _dir) = run_against(&server.url("imap"), 2, "FETCH_FLAGS = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::FetchFlags,
        ErrorReason::Protocol,
        "longer than",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untagged_lines_without_end_still_time_the_command_out() {
    // The deadline is per command, not per line: a server that keeps talking
    // and never answers must not hold a session forever.
    let server = fails_in_the_mix(|| Reply::Trickle(b"* OK still working\r\n".to_vec())).await;
    let (report, _dir) = run_against(&server.url("imap"), 2, "FETCH_FLAGS = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::FetchFlags,
        ErrorReason::Timeout,
        "no answer within 300ms",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_literal_above_the_limit_is_a_protocol_error_not_a_wait() {
    // 1 GiB announced, nothing sent: without the limit the framer would wait
    // for it (a timeout) or reserve the memory.
    let server = fails_in_the_mix(|| {
        Reply::SendThenHang(b"* 1 FETCH (UID 1 BODY[] {1073741824}\r\n".to_vec())
    })
    .await;
    let (report, _dir) = run_against(&server.url("imap"), 2, "FETCH_BODY = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::FetchBody,
        ErrorReason::Protocol,
        "literal, above the limit",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_closed_mid_literal_is_a_disconnect_on_its_row() {
    let server = fails_in_the_mix(|| {
        let mut b = b"* 1 FETCH (UID 1 BODY[] {1000}\r\n".to_vec();
        b.extend_from_slice(&[b'x'; 100]);
        Reply::SendThenClose(b)
    })
    .await;
    let (report, _dir) = run_against(&server.url("imap"), 2, "FETCH_BODY = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::FetchBody,
        ErrorReason::Disconnect,
        "closed the connection",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stalls_after_a_command_times_it_out() {
    let server = fails_in_the_mix(|| Reply::SendThenHang(Vec::new())).await;
    let (report, _dir) = run_against(&server.url("imap"), 2, "FETCH_FLAGS = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::FetchFlags,
        ErrorReason::Timeout,
        "no answer within 300ms",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bye_in_the_middle_of_a_command_is_a_disconnect_at_once() {
    // The server says BYE and keeps the socket open: imapload must not wait
    // for a tagged answer that will never come (that would be a timeout).
    let server =
        fails_in_the_mix(|| Reply::SendThenHang(b"* BYE shutting down\r\n".to_vec())).await;
    let (report, _dir) = run_against(&server.url("imap"), 2, "FETCH_FLAGS = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::FetchFlags,
        ErrorReason::Disconnect,
        "BYE shutting down",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_on_an_imaps_endpoint_is_a_tls_error() {
    let server = FakeServer::start(|tcp| serve(tcp, GREETING, |_, _| Reply::Normal)).await;
    let (report, _dir) = run_against(&server.url("imaps"), 2, "NOOP = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::Tls,
        ErrorReason::Tls,
        "received corrupt message",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_a_tls_error() {
    // A CA the run was not told about (no --ca-file): the handshake must fail.
    let certs = imapload::sim::certs::generate("127.0.0.1".parse().unwrap()).unwrap();
    let acceptor = certs.acceptor.clone();
    let server = FakeServer::start(move |tcp| {
        let acceptor = acceptor.clone();
        async move {
            if let Ok(tls) = acceptor.accept(tcp).await {
                serve(tls, GREETING, |_, _| Reply::Normal).await;
            }
        }
    })
    .await;
    let (report, _dir) = run_against(&server.url("imaps"), 2, "NOOP = 1", "").await;
    assert_counted(
        &report,
        &server,
        CommandKind::Tls,
        ErrorReason::Tls,
        "UnknownIssuer: not signed by any trusted CA",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stops_reading_times_out_the_send() {
    // After SELECT the server reads nothing more: a 16 MiB APPEND (LITERAL+,
    // sent in one go) fills the socket buffers and the send itself must time out.
    let server = fails_in_the_mix(|| Reply::SendThenHang(Vec::new())).await;
    let (report, _dir) = run_against(
        &server.url("imap"),
        1,
        "APPEND = 1",
        "append_size = 16777216",
    )
    .await;
    assert_counted(
        &report,
        &server,
        CommandKind::Append,
        ErrorReason::Timeout,
        "could not send within 300ms",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_slot_waits_the_reconnect_delay_before_its_next_session() {
    // Accept and close at once: every session fails on its greeting. With
    // reconnect_delay = 200ms (jittered 100..300 ms) one slot reconnects about
    // 10 times in 2 s; without the delay it would be hundreds of times.
    let server = FakeServer::start(|tcp| async move { drop(tcp) }).await;
    let started = Instant::now();
    let (report, _dir) = run_against(
        &server.url("imap"),
        1,
        "NOOP = 1",
        "reconnect_delay = \"200ms\"",
    )
    .await;
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    let n = server.accepted();
    assert!(
        (5..=25).contains(&n),
        "{n} connections in 2 s with a 200 ms reconnect delay"
    );
    assert_counted(
        &report,
        &server,
        CommandKind::Greeting,
        ErrorReason::Disconnect,
        "closed the connection",
    );
}
