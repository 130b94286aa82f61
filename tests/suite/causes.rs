//! Failure causes in plain sight: a run against dead servers or a server
//! that refuses logins says why, on the terminal, in `errors.csv`, in
//! `run.json`'s `error_causes` and in a sampled session's protocol log.
//! (The exit code of such runs is another change's business: not asserted.)

use std::path::Path;
use std::process::Output;

use imapload::command::CommandKind;
use imapload::results::ErrorCause;
use imapload::results::ErrorReason;
use imapload::run::RunReport;

use crate::support::*;

/// The causes a results directory records, from `errors.csv`, checked
/// against `run.json`'s `error_causes` (the same list).
pub fn causes_of(dir: &Path) -> Vec<ErrorCause> {
    let mut r = csv::Reader::from_path(dir.join("errors.csv")).expect("errors.csv");
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        ["path", "server", "backend", "command", "reason", "count", "message"]
    );
    let csv: Vec<ErrorCause> = r.deserialize().collect::<Result<_, _>>().unwrap();
    let json = run_json(dir).error_causes;
    assert_eq!(csv, json, "errors.csv and run.json's error_causes differ");
    csv
}

/// Checks a message containing `want` (case-insensitively) is recorded for
/// `command` and `reason` with a count, and that the counts of that row and
/// reason add up to its errors (nothing is dropped).
pub fn assert_cause(report: &RunReport, command: CommandKind, reason: ErrorReason, want: &str) {
    let causes = causes_of(&report.dir);
    let (key, row) = report
        .rows
        .iter()
        .find(|(k, _)| k.command == command && k.is_first_on_path())
        .expect("the row");
    let mine: Vec<&ErrorCause> = causes
        .iter()
        .filter(|c| c.key() == Some((key.clone(), reason)))
        .collect();
    assert!(
        mine.iter()
            .any(|c| c.count > 0 && c.message.to_lowercase().contains(&want.to_lowercase())),
        "{command} {}: no message with `{want}` in {causes:#?}",
        reason.label()
    );
    let total: u64 = mine.iter().map(|c| c.count).sum();
    assert_eq!(total, row.errors_of(reason), "{mine:#?}");
}

/// [`imapload`], alone (it generates load).
fn run_binary(dir: &Path, args: &[&str]) -> Output {
    let _alone = exclusive();
    imapload(dir, args)
}

/// The protocol log lines of every sampled session, joined.
fn protocol_logs(dir: &Path) -> String {
    let mut all = String::new();
    for e in std::fs::read_dir(dir).expect("protocol log dir") {
        all.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    all
}

#[test]
fn dead_servers_say_connection_refused_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.csv"),
        "user,password,backend\nalice,Sekr1t-pw,mbx1\n",
    )
    .unwrap();
    let out = run_binary(
        dir.path(),
        &[
            "run",
            "--cas",
            "imap://127.0.0.1:1",
            "--backend",
            "mbx1=imap://127.0.0.1:2",
            "--users",
            "users.csv",
            "--duration",
            "3s",
            "--out",
            "r",
            "--protocol-log",
            "logs",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let block = stdout
        .split("errors by cause")
        .nth(1)
        .unwrap_or_else(|| panic!("no causes block: {stdout}"));
    assert!(block.to_lowercase().contains("refused"), "{stdout}");
    let causes = causes_of(&dir.path().join("r"));
    let connect: Vec<_> = causes
        .iter()
        .filter(|c| c.reason == "connect" && c.command == "CONNECT")
        .collect();
    assert!(!connect.is_empty(), "{causes:#?}");
    for c in connect {
        assert!(c.message.to_lowercase().contains("refused"), "{c:?}");
        assert!(c.count > 0);
    }
    // The first session is sampled; its connect failed before any byte.
    let logs = protocol_logs(&dir.path().join("logs"));
    assert!(
        logs.contains("-- error: CONNECT connect: ") && logs.to_lowercase().contains("refused"),
        "{logs}"
    );
}

#[test]
fn a_server_saying_logindisabled_is_named_in_the_cause_and_the_protocol_log() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = embedded_scenario(4, "2s", "security = \"plain\"\nstarttls_share = 0.0\n")
        .replace(
            "kind = \"embedded\"\n",
            "kind = \"embedded\"\nlogin_disabled_without_tls = true\n",
        )
        .replace("[session]", "[probes]\nenabled = false\n[session]");
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let out = run_binary(
        dir.path(),
        &[
            "run",
            "s.toml",
            "--out",
            "r",
            "--protocol-log",
            "logs",
            "--protocol-log-sample",
            "1",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let block = stdout
        .split("errors by cause")
        .nth(1)
        .unwrap_or_else(|| panic!("no causes block: {stdout}"));
    assert!(block.contains("LOGINDISABLED"), "{stdout}");
    let causes = causes_of(&dir.path().join("r"));
    assert!(
        causes.iter().any(|c| c.reason == "tls"
            && (c.command == "LOGIN" || c.command == "AUTHENTICATE")
            && c.message.contains("LOGINDISABLED")
            && c.count > 0),
        "{causes:#?}"
    );
    let logs = protocol_logs(&dir.path().join("logs"));
    let line = logs
        .lines()
        .find(|l| l.contains("-- error: "))
        .unwrap_or_else(|| panic!("no error line: {logs}"));
    assert!(
        line.contains("tls: server advertises LOGINDISABLED"),
        "{line}"
    );
}
