//! `imapload replay`: logs written by the tests (Exchange IMAP4 front-end and
//! back-end logs, single-file rawlogs) replayed against the embedded
//! topology: per-command counts against the log, the run's length against the
//! log's span / speed. Rawlogs captured from a real Dovecot are replayed in
//! `replay_dovecot`, imapload's own `--protocol-log` in `replay_protolog`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use imapload::results::replay::ReplayRow;

use crate::support::*;

const SPEED: f64 = 20.0;

/// The replay's rows by command.
pub fn replay_rows(results: &Path) -> BTreeMap<String, ReplayRow> {
    let bytes = std::fs::read(results.join("replay.csv")).expect("replay.csv");
    let rows = imapload::results::replay::from_csv(&bytes).unwrap();
    rows.into_iter().map(|r| (r.command.clone(), r)).collect()
}

/// Every logged command is replayed or skipped for one of `allowed` reasons,
/// and the replayed count is within 5% of the logged one less those skips.
pub fn check_counts(rows: &BTreeMap<String, ReplayRow>, allowed: &[&str], out: &str) {
    let table: String = rows.values().map(|r| format!("{r:?}\n")).collect();
    for r in rows.values().filter(|r| r.logged > 0) {
        let expected_skips: u64 = reasons(&r.skipped_by_reason)
            .filter(|(why, _)| allowed.contains(&why.as_str()))
            .map(|(_, n)| n)
            .sum();
        let want = (r.logged - expected_skips) as f64;
        let off = (r.replayed as f64 - want).abs();
        assert!(
            off <= (0.05 * want).max(0.0),
            "{}: logged {} replayed {} skipped {}\n{table}\n{out}",
            r.command,
            r.logged,
            r.replayed,
            r.skipped_by_reason
        );
        assert_eq!(r.replayed + r.skipped, r.logged, "{}\n{table}", r.command);
        assert_eq!(r.errors, 0, "{}\n{table}\n{out}", r.command);
    }
}

fn reasons(s: &str) -> impl Iterator<Item = (String, u64)> + '_ {
    s.split(';').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap();
        (k.to_string(), v.parse().unwrap())
    })
}

/// The run lasted the log's span / speed, within 20%.
pub fn check_length(results: &Path, span_s: f64, speed: f64) {
    let run = imapload::results::read_run(results).unwrap();
    let want = span_s / speed;
    assert!(
        (run.elapsed_s - want).abs() <= 0.2 * want,
        "ran {:.2} s, the log's span / speed is {want:.2} s",
        run.elapsed_s
    );
}

/// Runs `imapload replay` (alone: it generates load) and returns its output.
pub fn replay(dir: &Path, args: &[&str]) -> std::process::Output {
    let _alone = exclusive();
    let o = imapload(dir, args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    o
}

/// Replays `source` (a file, directory or glob) at 20x into `DIR/results`;
/// returns the output and the results directory.
pub fn replay_at_20x(dir: &Path, source: &str) -> (std::process::Output, std::path::PathBuf) {
    let out = dir.join("results");
    let args = [
        "replay",
        source,
        "--speed",
        "20",
        "--out",
        out.to_str().unwrap(),
    ];
    (replay(dir, &args), out)
}

const EX_HEADER: &str = "#Software: Microsoft Exchange Server\r\n#Version: 15.1.2507.6\r\n#Log-type: IMAP4 Log\r\n#Date: 2026-11-20T09:00:00.000Z\r\n";

/// Where an Exchange row is: its time (ms after 09:00), session and sequence number.
struct At {
    ms: u64,
    session: u64,
    seq: u32,
}

/// An Exchange row at `at`, the other columns as given.
fn ex_row(out: &mut String, at: At, user: &str, cmd: &str, params: &str, ctx: &str) {
    let At { ms, session, seq } = at;
    let t = chrono::DateTime::from_timestamp_millis(1_795_165_200_000 + ms as i64).unwrap();
    let quote = |s: &str| match s.contains([',', '"']) {
        true => format!("\"{}\"", s.replace('"', "\"\"")),
        false => s.to_string(),
    };
    let _ = write!(
        out,
        "{},{session:016X},{seq},10.0.0.1:993,10.0.0.9:{},{},{},{},{},{},{},{}\r\n",
        t.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        50000 + session,
        quote(user),
        3 + seq,
        40,
        300,
        cmd,
        quote(params),
        quote(ctx)
    );
}

/// One logged session: open, capability, login, commands each 1.5 s apart, logout, close.
fn ex_session(
    out: &mut String,
    start_ms: u64,
    id: u64,
    user: &str,
    cmds: &[(&str, &str)],
    open: bool,
) {
    let mut seq = 0;
    let mut t = start_ms;
    let mut row = |out: &mut String, t: u64, u: &str, c: &str, p: &str, x: &str| {
        let at = At {
            ms: t,
            session: id,
            seq,
        };
        ex_row(out, at, u, c, p, x);
        seq += 1;
    };
    if open {
        row(out, t, "", "OpenSession", "", "");
        row(out, t + 20, "", "capability", "", "R=OK");
        row(
            out,
            t + 50,
            user,
            "login",
            &format!("{user} ****"),
            "R=OK;Msg=\"Proxy:mbx1.contoso.com:1993:SSL;ProxySuccess\"",
        );
    }
    for (c, p) in cmds {
        t += 1500;
        row(out, t, user, c, p, "R=OK");
    }
    if open {
        row(out, t + 500, user, "logout", "", "R=OK");
        row(out, t + 501, user, "CloseSession", "", "");
    }
}

/// Rows in time order, as Exchange writes them (headers first).
fn by_time(log: &str) -> String {
    let (mut head, mut rows): (Vec<&str>, Vec<&str>) = log
        .split_inclusive("\r\n")
        .partition(|l| l.starts_with('#'));
    rows.sort_by_key(|r| r.split(',').next().unwrap_or("").to_string());
    head.extend(rows);
    head.concat()
}

const MIX: &[(&str, &str)] = &[
    ("select", "\"Sent Items\""),
    ("fetch", "1:20 (UID FLAGS)"),
    ("fetch", "3 (BODY.PEEK[])"),
    ("uid", "fetch 100:* (FLAGS)"),
    ("search", "UNSEEN"),
    ("store", "4 +FLAGS (\\Seen)"),
    ("append", "INBOX (\\Seen) {3000}"),
    ("getacl", "INBOX"),
    ("noop", ""),
    ("status", "INBOX (MESSAGES UNSEEN)"),
];

/// A front-end and a back-end log spanning 58.5 s: 30 + 15 sessions, a proxy
/// row, a probe session, a rotated fragment.
fn exchange_logs(dir: &Path) -> f64 {
    let fields = "#Fields: dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,command,parameters,context\r\n";
    let (mut fe, mut be) = (
        format!("{EX_HEADER}{fields}"),
        format!("{EX_HEADER}{fields}"),
    );
    // The fragment of a session that began in the previous file: no OpenSession, no login.
    ex_session(
        &mut fe,
        0,
        0xF00,
        "frag@contoso.com",
        &[("fetch", "1:5 (FLAGS)"), ("noop", "")],
        false,
    );
    for i in 0..30u64 {
        ex_session(
            &mut fe,
            1000 + i * 1400,
            0x100 + i,
            &format!("user{i}@contoso.com"),
            MIX,
            true,
        );
    }
    let at = At {
        ms: 31_000,
        session: 0x100,
        seq: 99,
    };
    ex_row(
        &mut fe,
        at,
        "user0@contoso.com",
        "proxy",
        "mbx1.contoso.com",
        "",
    );
    ex_session(
        &mut fe,
        5000,
        0xABC,
        "HealthMailbox0a1b2c@contoso.com",
        &[("noop", "")],
        true,
    );
    for i in 0..15u64 {
        ex_session(
            &mut be,
            2000 + i * 2800,
            0x200 + i,
            &format!("be{i}@contoso.com"),
            MIX,
            true,
        );
    }
    // The last rows: the span ends at 58.501 s (its CloseSession).
    ex_session(&mut be, 58_000, 0x2FF, "last@contoso.com", &[], true);
    std::fs::write(dir.join("IMAP4_20261120-1.LOG"), by_time(&fe)).unwrap();
    std::fs::write(dir.join("IMAP4BE20261120-1.LOG"), by_time(&be)).unwrap();
    58.501
}

#[test]
fn exchange_front_and_back_end_logs_replay_at_20x_with_their_counts() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let span = exchange_logs(&logs);
    let glob = format!("{}/IMAP4*.LOG", logs.display());
    let (o, out) = replay_at_20x(dir.path(), &glob);
    let rows = replay_rows(&out);
    check_counts(
        &rows,
        &["probe", "unknown-command", "not-a-command"],
        &text(&o),
    );
    check_length(&out, span, SPEED);
    let r = |c: &str| {
        rows.get(c)
            .unwrap_or_else(|| panic!("no {c} row: {rows:?}"))
    };
    assert_eq!(r("proxy").skipped_by_reason, "not-a-command=1");
    assert_eq!(r("GETACL").skipped_by_reason, "unknown-command=45");
    assert_eq!(
        r("CONNECT").logged,
        47,
        "46 sessions + the probe: {}",
        text(&o)
    );
    assert!(
        r("NOOP").skipped_by_reason.contains("probe=1"),
        "{:?}",
        r("NOOP")
    );
    assert_eq!(r("LOGIN").added, 1, "the fragment logs in first");
    assert_eq!(r("FETCH_BODY").replayed, 45);
    assert_eq!(r("UID_FETCH").replayed, 45);
    let login = r("LOGIN").log_p50_us.unwrap() as f64;
    assert!(
        (login - 5000.0).abs() < 0.01 * 5000.0,
        "Exchange's duration column: {login}"
    );
    assert!(r("SELECT").replayed_p50_us.is_some());
    // Front-end sessions went through the CAS, back-end ones straight to the back ends.
    let (_, summary) = read_csv(&out.join("summary.csv"));
    let count = |path: &str, cmd: &str| -> u64 {
        let first_hop = |row: &Vec<String>| path == "direct" || row[1].starts_with("cas");
        summary
            .iter()
            .filter(|row| row[0] == path && row[3] == cmd && first_hop(row))
            .map(|row| row[4].parse::<u64>().unwrap())
            .sum()
    };
    assert_eq!(count("cas", "FETCH_BODY"), 30);
    assert_eq!(count("direct", "FETCH_BODY"), 15);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Replay: the log beside the replay"));
}

/// A single-file rawlog (`I:` / `O:`), one file per connection.
fn single_rawlog(path: &Path, start_s: i64, user: &str) {
    let mut s = String::new();
    let mut line = |t_ms: i64, dir: &str, text: &str| {
        let t = 1_795_165_200_000_000 + (start_s * 1000 + t_ms) * 1000;
        let _ = writeln!(s, "{}.{:06} {dir}: {text}", t / 1_000_000, t % 1_000_000);
    };
    line(0, "O", "* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE] ready");
    line(10, "I", &format!("a1 LOGIN {user} secret"));
    line(15, "O", "a1 OK Logged in");
    line(500, "I", "a2 SELECT INBOX");
    line(520, "O", "a2 OK [READ-WRITE] Select completed");
    line(1000, "I", "a3 FETCH 1:10 (UID FLAGS)");
    line(1010, "O", "a3 OK Fetch completed");
    line(1500, "I", "a4 APPEND INBOX {20}");
    line(1501, "O", "+ OK");
    line(1502, "I", "Subject: x");
    line(1503, "I", "");
    line(1504, "I", "body");
    line(1510, "O", "a4 OK Append completed");
    line(2000, "I", "a5 IDLE");
    line(2001, "O", "+ idling");
    line(4000, "I", "DONE");
    line(4001, "O", "a5 OK Idle completed");
    line(4500, "I", "a6 XAPPLEPUSHSERVICE aps-version 2");
    line(4501, "O", "a6 BAD unknown");
    line(5000, "I", "a7 LOGOUT");
    line(5001, "O", "a7 OK Logout completed");
    std::fs::write(path, s).unwrap();
}

#[test]
fn single_file_rawlogs_replay_at_20x_with_their_counts() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("raw");
    std::fs::create_dir(&logs).unwrap();
    for i in 0..20 {
        single_rawlog(
            &logs.join(format!("imaptest.{i}.log")),
            i * 2,
            &format!("user{:05}", i + 1),
        );
    }
    let span = 19.0 * 2.0 + 5.0;
    let (o, out) = replay_at_20x(dir.path(), logs.to_str().unwrap());
    let rows = replay_rows(&out);
    check_counts(&rows, &["unknown-command"], &text(&o));
    check_length(&out, span, SPEED);
    assert_eq!(rows["APPEND"].replayed, 20);
    let idle = rows["IDLE"].log_p50_us.unwrap() as f64;
    assert!(
        (idle - 2_001_000.0).abs() < 0.01 * idle,
        "{:?}",
        rows["IDLE"]
    );
    assert_eq!(
        rows["XAPPLEPUSHSERVICE"].skipped_by_reason,
        "unknown-command=20"
    );
    assert_eq!(rows["LOGIN"].added, 0);
}
