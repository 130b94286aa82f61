//! Response validation through the real engine: a tiny fake IMAP server whose
//! FETCH answers break the protocol in one way each, and strict checking
//! against the embedded topology without false positives.

use std::path::Path;

use imapload::command::CommandKind;
use imapload::plan::{Overrides, Validate};
use imapload::results::ErrorReason;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::*;

/// How the fake server answers `FETCH n BODY[]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FetchAnswer {
    /// Lawfully: the body as a literal.
    Body,
    /// Tagged OK with a FETCH response that lacks BODY[].
    WithoutBody,
    /// `* 3 EXISTS` (down from 5) with no EXPUNGE, then the body.
    ShrinkWithoutExpunge,
}

/// Starts the fake server on an ephemeral loopback port; returns the port.
async fn fake_server(answer: FetchAnswer) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(serve(sock, answer));
        }
    });
    port
}

async fn serve(sock: tokio::net::TcpStream, answer: FetchAnswer) -> std::io::Result<()> {
    let (rd, mut wr) = sock.into_split();
    let mut rd = BufReader::new(rd);
    wr.write_all(b"* OK [CAPABILITY IMAP4rev1 IDLE] fake ready\r\n")
        .await?;
    let mut line = String::new();
    loop {
        line.clear();
        if rd.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let mut words = line.split_whitespace();
        let (tag, cmd) = (words.next().unwrap_or("*"), words.next().unwrap_or(""));
        let reply = match cmd.to_ascii_uppercase().as_str() {
            "CAPABILITY" => format!("* CAPABILITY IMAP4rev1 IDLE\r\n{tag} OK done\r\n"),
            "SELECT" | "EXAMINE" => format!(
                "* FLAGS (\\Seen \\Flagged)\r\n* 5 EXISTS\r\n* 0 RECENT\r\n\
                 * OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 6] ok\r\n{tag} OK [READ-WRITE] done\r\n"
            ),
            "FETCH" => {
                let n = words.next().unwrap_or("1");
                match answer {
                    FetchAnswer::Body => format!(
                        "* {n} FETCH (FLAGS (\\Seen) BODY[] {{5}}\r\nhello)\r\n{tag} OK done\r\n"
                    ),
                    FetchAnswer::WithoutBody => {
                        format!("* {n} FETCH (FLAGS (\\Seen))\r\n{tag} OK done\r\n")
                    }
                    FetchAnswer::ShrinkWithoutExpunge => format!(
                        "* 3 EXISTS\r\n* 1 FETCH (FLAGS (\\Seen) BODY[] {{5}}\r\nhello)\r\n\
                         {tag} OK done\r\n"
                    ),
                }
            }
            "LOGOUT" => format!("* BYE bye\r\n{tag} OK done\r\n"),
            _ => format!("{tag} OK done\r\n"),
        };
        wr.write_all(reply.as_bytes()).await?;
    }
}

/// Runs only FETCH_BODY against the fake server; returns (ok, protocol
/// errors) of the FETCH_BODY row, read from `summary.csv`.
async fn run_against(answer: FetchAnswer, dir: &Path) -> (u64, u64) {
    let port = fake_server(answer).await;
    let users = dir.join("users.csv");
    std::fs::write(
        &users,
        "user,password,backend\nuser1,secret,mbx1\nuser2,secret,mbx1\n",
    )
    .unwrap();
    let overrides = Overrides {
        backends: vec![format!("mbx1=imap://127.0.0.1:{port}")],
        users: Some(users),
        ..quiet_out(dir)
    };
    let extra = "[session.mix]\nFETCH_BODY = 1\n\n[probes]\nenabled = false\n";
    let scenario = embedded_scenario(2, "1s", extra).replace("cas_share = 0.5", "cas_share = 0.0");
    let report = run(plan_from(&scenario, dir, &overrides)).await;
    let (header, rows) = read_csv(&report.dir.join("summary.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows
        .iter()
        .find(|r| r[col("command")] == "FETCH_BODY")
        .unwrap_or_else(|| panic!("{answer:?}: no FETCH_BODY row in {rows:?}"));
    let num = |name: &str| row[col(name)].parse::<u64>().unwrap();
    let (count, errors, protocol) = (num("count"), num("errors"), num("errors_protocol"));
    // The same figure in the report's rows.
    let from_rows: u64 = report
        .rows
        .iter()
        .filter(|(k, _)| k.command == CommandKind::FetchBody)
        .map(|(_, r)| r.errors_of(ErrorReason::Protocol))
        .sum();
    assert_eq!(from_rows, protocol, "{answer:?}");
    assert_eq!(errors, protocol, "{answer:?}: other errors in {row:?}");
    (count - errors, protocol)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lawful_fake_server_gives_no_protocol_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, protocol) = run_against(FetchAnswer::Body, dir.path()).await;
    assert!(ok > 20, "only {ok} FETCH_BODY");
    assert_eq!(protocol, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_without_the_asked_item_is_a_protocol_error() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, protocol) = run_against(FetchAnswer::WithoutBody, dir.path()).await;
    assert_eq!(ok, 0);
    assert!(protocol > 0, "no protocol errors on FETCH_BODY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exists_going_down_without_expunge_is_a_protocol_error() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, protocol) = run_against(FetchAnswer::ShrinkWithoutExpunge, dir.path()).await;
    assert_eq!(ok, 0);
    assert!(protocol > 0, "no protocol errors on FETCH_BODY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_validation_has_no_false_positives_on_the_embedded_servers() {
    let dir = tempfile::tempdir().unwrap();
    let mix = "[session.mix]\nNOOP = 5\nLIST = 3\nSTATUS = 3\nFETCH_FLAGS = 10\nFETCH_HEADERS = 8\n\
               FETCH_BODY = 8\nFETCH_PARTIAL = 5\nUID_FETCH = 5\nSEARCH = 4\nUID_SEARCH = 3\nSTORE = 4\n\
               UID_STORE = 3\nAPPEND = 6\nEXPUNGE = 2\nEXAMINE = 2\nSELECT = 2\nLSUB = 2\nIDLE = 3\nCOPY = 2\n";
    let mut plan = plan_from(
        &embedded_scenario(10, "2s", mix),
        dir.path(),
        &quiet_out(dir.path()),
    );
    plan.session.validate = Validate::Strict;
    let report = run(plan).await;
    assert!(report.commands > 100, "only {} commands", report.commands);
    let bad: Vec<_> = report.rows.iter().filter(|(_, r)| r.errors > 0).collect();
    assert!(bad.is_empty(), "errors under strict validation: {bad:#?}");
}
