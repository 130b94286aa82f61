//! `imapload capacity` against a real Dovecot with a deliberately small
//! limit: two imap processes of one client each, so that a login past two
//! concurrent sessions waits for a session to end, and the LOGIN latency
//! grows with the sessions until it crosses the threshold.

use imapload::results::capacity;

use crate::dovecot::Dovecot;
use crate::support::*;

#[test]
fn the_search_finds_where_a_small_dovecots_login_latency_crosses_the_threshold() {
    let _one = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let limit = "service imap {\n  process_limit = 2\n  client_limit = 1\n}\n";
    std::fs::write(dir.path().join("extra.conf"), limit).unwrap();
    let Some(dovecot) = Dovecot::start_with(dir.path(), None) else {
        return;
    };
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=64 {
        csv.push_str(&format!("cap{i:02},secret,dovecot\n"));
    }
    std::fs::write(dir.path().join("users.csv"), csv).unwrap();
    std::fs::write(dir.path().join("dovecot.toml"), scenario(dovecot.port)).unwrap();
    let args = [
        "capacity",
        "dovecot.toml",
        "--min",
        "1",
        "--max",
        "64",
        "--trial",
        "2s",
    ];
    let more = ["--confirm", "3s", "--idle", "200ms", "-o", "cap"];
    let o = imapload(dir.path(), &[&args[..], &more[..]].concat());
    eprintln!("{}", text(&o));
    assert_eq!(o.status.code(), Some(0), "{}\n{}", text(&o), dovecot.log());
    let rec = capacity::read(&dir.path().join("cap")).unwrap();
    assert_eq!(rec.outcome, "bound_found", "{:?}", rec.trials);
    let (lower, upper) = (rec.lower_bound.unwrap(), rec.upper_bound.unwrap());
    assert_eq!(
        (lower, upper),
        (2.0, 3.0),
        "the third session waits for a process"
    );
    let first = rec.first_failure.unwrap();
    assert_eq!(first.name, "p99(*.*.*.LOGIN) < 100ms", "{first:?}");
    assert_eq!(first.server.as_deref(), Some("dovecot"));
    // Below the bound logins are quick; at the upper bound they waited.
    let login_p99 = |load: f64| {
        let t = rec.trials.iter().find(|t| t.load == load).unwrap();
        let r = run_json(&dir.path().join("cap").join(&t.dir));
        (r.summary.iter())
            .filter(|x| x.command == "LOGIN")
            .map(|x| x.p99_us)
            .max()
            .unwrap()
    };
    assert!(login_p99(upper) > 100_000 && login_p99(lower) < login_p99(upper));
}

/// Sessions of 20 NOOPs 5 ms apart, judged on the p99 of LOGIN.
fn scenario(port: u16) -> String {
    format!(
        r#"
name = "dovecot-capacity"
seed = 9
duration = "3s"
interval = "500ms"
[topology]
kind = "real"
[[topology.backend]]
name = "dovecot"
url = "imap://127.0.0.1:{}"
[users]
file = "users.csv"
[load]
sessions = 2
cas_share = 0.0
warmup = "500ms"
[probes]
enabled = false
[session]
login = "login"
commands = [20, 20]
think_time = {{ dist = "fixed", value = "5ms" }}
command_timeout = "10s"
[session.mix]
NOOP = 1
[thresholds]
checks = ["p99(*.*.*.LOGIN) < 100ms"]
"#,
        port
    )
}
