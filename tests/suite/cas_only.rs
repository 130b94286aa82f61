//! Real deployments (issue 12): runs with only a CAS (the mailbox servers are
//! behind a firewall), servers that greet with PREAUTH or BYE, and
//! credentials that must not change the command stream.

use std::process::Command;
use std::sync::{Arc, Mutex};

use imapload::command::CommandKind;
use imapload::results::ErrorReason;
use imapload::run::RunReport;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::fake_server::{serve, FakeServer, Reply};
use crate::support::*;

/// A 2 s run of 2 sessions against one real back end at `url` (direct), with
/// `users` as its users file text; no probes.
async fn run_direct(url: &str, users: &str) -> (RunReport, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("users.csv"), users).unwrap();
    let text = format!(
        r#"
name = "real-deployment"
seed = 3
duration = "2s"
[topology]
kind = "real"
[[topology.backend]]
name = "fake"
url = "{url}"
[users]
file = "users.csv"
[load]
sessions = 2
cas_share = 0.0
[probes]
enabled = false
[session]
login = "login"
commands = [2, 2]
think_time = {{ dist = "fixed", value = "10ms" }}
command_timeout = "500ms"
reconnect_delay = "50ms"
[session.mix]
NOOP = 1
"#
    );
    let plan = plan_from(&text, dir.path(), &quiet_out(dir.path()));
    (run(plan).await, dir)
}

const FAKE_USERS: &str = "user,password,backend\nu1,p1,fake\nu2,p2,fake\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preauth_greeting_skips_login_and_goes_on_to_select() {
    let logins = Arc::new(Mutex::new(0usize));
    let seen = logins.clone();
    let server = FakeServer::start(move |tcp| {
        let seen = seen.clone();
        async move {
            let greeting = b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready, you are u1\r\n";
            serve(tcp, greeting, |tag, verb| match verb {
                "LOGIN" | "AUTHENTICATE" => {
                    *seen.lock().unwrap() += 1;
                    Reply::Send(format!("{tag} BAD already authenticated\r\n").into_bytes())
                }
                _ => Reply::Normal,
            })
            .await
        }
    })
    .await;
    let (report, _dir) = run_direct(&server.url("imap"), FAKE_USERS).await;
    assert_eq!(report.errors, 0, "{}", error_rows(&report));
    assert_eq!(*logins.lock().unwrap(), 0, "LOGIN sent after PREAUTH");
    let has = |k: CommandKind| report.rows.keys().any(|r| r.command == k);
    assert!(!has(CommandKind::Login) && !has(CommandKind::Authenticate));
    assert!(has(CommandKind::Select) && has(CommandKind::Noop));
    assert_eq!(report.exit_code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bye_greeting_is_a_greeting_error_with_the_servers_text() {
    let server = FakeServer::start(|tcp| async move {
        serve(
            tcp,
            b"* BYE Too many connections from 127.0.0.1\r\n",
            |_, _| Reply::Normal,
        )
        .await
    })
    .await;
    let (report, _dir) = run_direct(&server.url("imap"), FAKE_USERS).await;
    let row = report
        .rows
        .iter()
        .find(|(k, _)| k.command == CommandKind::Greeting)
        .map(|(_, r)| r)
        .expect("a GREETING row");
    assert!(row.errors > 0);
    crate::causes::assert_cause(
        &report,
        CommandKind::Greeting,
        ErrorReason::Disconnect,
        "BYE Too many connections from 127.0.0.1",
    );
    assert_ne!(report.exit_code, 0, "every session failed");
}

/// Reads one command from a client, answering `+` to each synchronizing
/// literal, and returns all its bytes (line, literals and the rest).
async fn read_command<R: tokio::io::AsyncBufRead + tokio::io::AsyncWrite + Unpin>(
    io: &mut R,
) -> Option<Vec<u8>> {
    let mut command = Vec::new();
    loop {
        let mut line = Vec::new();
        if io.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        command.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line);
        let Some(open) = text.trim_end().strip_suffix('}').and_then(|t| t.rfind('{')) else {
            return Some(command);
        };
        let spec = &text.trim_end()[open + 1..text.trim_end().len() - 1];
        let (len, sync) = match spec.strip_suffix('+') {
            Some(n) => (n.parse::<usize>().ok()?, false),
            None => (spec.parse::<usize>().ok()?, true),
        };
        if sync {
            io.write_all(b"+ go on\r\n").await.ok()?;
        }
        let mut data = vec![0; len];
        io.read_exact(&mut data).await.ok()?;
        command.extend_from_slice(&data);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eight_bit_password_goes_as_a_literal_and_nothing_else_changes() {
    let logins: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let seen = logins.clone();
    let server = FakeServer::start(move |tcp| {
        let seen = seen.clone();
        async move {
            let mut io = tokio::io::BufReader::new(tcp);
            let greeting = b"* OK [CAPABILITY IMAP4rev1 IDLE] no LITERAL+ here\r\n";
            if io.get_mut().write_all(greeting).await.is_err() {
                return;
            }
            while let Some(cmd) = read_command(&mut io).await {
                let text = String::from_utf8_lossy(&cmd).to_string();
                let mut words = text.split_whitespace();
                let tag = words.next().unwrap_or("*").to_string();
                let verb = words.next().unwrap_or("").to_ascii_uppercase();
                if verb == "LOGIN" {
                    seen.lock().unwrap().push(cmd.clone());
                }
                let answer = crate::fake_server::normal(&tag, &verb);
                if io.get_mut().write_all(&answer).await.is_err() || verb == "LOGOUT" {
                    return;
                }
            }
        }
    })
    .await;
    let users = "user,password,backend\nu1,pässwörd,fake\n";
    let (report, _dir) = run_direct(&server.url("imap"), users).await;
    assert_eq!(report.errors, 0, "{}", error_rows(&report));
    let logins = logins.lock().unwrap();
    assert!(!logins.is_empty(), "no LOGIN reached the server");
    for login in logins.iter() {
        let tail = login.splitn(2, |b| *b == b' ').nth(1).unwrap();
        assert_eq!(
            String::from_utf8_lossy(tail),
            "LOGIN u1 {10}\r\npässwörd\r\n",
            "a synchronizing literal, then the end of the command"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_bit_credentials_log_in_to_the_embedded_servers() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=10 {
        csv.push_str(&format!("jürgen{i},pässwörd{i},mbx{}\n", 1 + i % 2));
    }
    std::fs::write(dir.path().join("users.csv"), csv).unwrap();
    let text = embedded_scenario(4, "2s", "login = \"mixed\"")
        .replace("[users]\ncount = 200\n", "[users]\nfile = \"users.csv\"\n");
    let plan = plan_from(&text, dir.path(), &quiet_out(dir.path()));
    let report = run(plan).await;
    assert_eq!(report.errors, 0, "{}", error_rows(&report));
    for kind in [CommandKind::Login, CommandKind::Authenticate] {
        let n: u64 = report
            .rows
            .iter()
            .filter(|(k, _)| k.command == kind && k.is_first_on_path())
            .map(|(_, r)| r.count)
            .sum();
        assert!(n > 0, "no successful {kind}");
    }
}

#[test]
fn a_cas_only_run_against_imapload_serve_attributes_to_the_backends_behind_it() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    let served = Served::start(&["--backends", "2", "--users", "20", "--dir", dir_arg]);
    // Users live on mbx1, mbx2, mbx1, ...; every other mbx2 user's row names
    // no home: the CAS's login answer ([Proxy=mbx2]) does.
    let text = std::fs::read_to_string(&served.users).unwrap();
    assert!(text.contains(",mbx2"), "{text}");
    let mut csv = String::new();
    for (i, line) in text.lines().enumerate() {
        let row = match line.rsplit_once(',') {
            Some((head, "mbx2")) if i % 4 == 0 => format!("{head},\n"),
            _ => format!("{line}\n"),
        };
        csv.push_str(&row);
    }
    let users = dir.path().join("users.csv");
    std::fs::write(&users, csv).unwrap();
    let out = dir.path().join("r");
    let status = Command::new(bin())
        .args(["run", "--quiet", "--duration", "3s", "--sessions", "8"])
        .args([
            "--cas",
            &served.url("cas"),
            "--ca-file",
            &served.ca,
            "--users",
        ])
        .arg(&users)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    let (header, rows) = read_csv(&out.join("summary.csv"));
    assert_eq!(
        &header[..6],
        ["path", "server", "backend", "command", "count", "errors"]
    );
    let errors: Vec<_> = rows.iter().filter(|r| r[5] != "0").collect();
    assert!(errors.is_empty(), "errors: {errors:?}");
    assert_eq!(status.code(), Some(0));
    assert!(rows.iter().all(|r| r[0] == "cas"), "a direct session ran");
    for mbx in ["mbx1", "mbx2"] {
        for commands in [&["LOGIN", "AUTHENTICATE"][..], &["SELECT"]] {
            assert!(
                rows.iter().any(|r| r[1] == mbx
                    && r[2] == mbx
                    && commands.contains(&r[3].as_str())
                    && r[4] != "0"),
                "no cas,{mbx},{mbx},{commands:?} row: {rows:?}"
            );
        }
    }
    // Users without a home were attributed by the CAS's answer: nothing
    // past the login counts toward `unknown`.
    let unknown: Vec<_> = rows
        .iter()
        .filter(|r| r[2] == "unknown" && !["CONNECT", "GREETING"].contains(&r[3].as_str()))
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
    let (_, health) = read_csv(&out.join("health.csv"));
    for mbx in ["mbx1", "mbx2"] {
        assert!(
            health.iter().any(|r| r[0] == mbx),
            "no health.csv row for {mbx}"
        );
    }
}
