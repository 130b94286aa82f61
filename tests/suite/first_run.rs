//! The first real run (issue 23): `imapload run --backend NAME=URL --users
//! FILE` with no scenario and no CAS just works, because the built-in
//! quickstart's values for its embedded servers (its 0.8 CAS share, its
//! `mixed` login) step aside for the topology the flags describe, while a
//! value the user wrote still conflicts with file, line and key; and
//! `--cas-share` sets the share, checked against the topology.

use std::path::Path;

use crate::dovecot::Dovecot;
use crate::support::*;

/// `imapload run` with no scenario: `flags` plus a 5 s duration and `out`.
fn first_run(dir: &Path, flags: &[&str]) -> std::process::Output {
    let mut args = vec!["run", "-d", "5s", "--out", "r", "--force"];
    args.extend_from_slice(flags);
    imapload(dir, &args)
}

/// Exit 0, and every `summary.csv` row direct, on `server`, without errors;
/// `log` is the server's log, for failure messages.
fn assert_clean_direct_run(dir: &Path, o: &std::process::Output, server: &str, log: &str) {
    let all = format!(
        "{}
--- server log
{log}",
        text(o)
    );
    assert_eq!(o.status.code(), Some(0), "{all}");
    let (header, rows) = read_csv(&dir.join("r").join("summary.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (path, srv, errors) = (col("path"), col("server"), col("errors"));
    assert!(!rows.is_empty(), "{all}");
    let bad: Vec<_> = rows.iter().filter(|r| r[errors] != "0").collect();
    assert!(bad.is_empty(), "errors: {bad:?}\n{all}");
    assert!(
        rows.iter().all(|r| r[path] == "direct" && r[srv] == server),
        "a session went elsewhere: {rows:?}"
    );
}

#[test]
fn one_backend_and_a_users_file_run_against_imapload_serve_with_zero_errors() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let srv = dir.path().join("srv");
    let served = Served::start(&[
        "--backends",
        "1",
        "--users",
        "4",
        "--dir",
        srv.to_str().unwrap(),
    ]);
    let backend = format!("mbx1={}", served.url("backend"));
    let o = first_run(
        dir.path(),
        &["--backend", &backend, "--users", &served.users],
    );
    assert_clean_direct_run(dir.path(), &o, "mbx1", "");
    // Its own users' tokens are not sent: LOGIN, not the quickstart's mixed methods.
    let (header, rows) = read_csv(&dir.path().join("r").join("summary.csv"));
    let command = header.iter().position(|h| h == "command").unwrap();
    assert!(rows.iter().any(|r| r[command] == "LOGIN"));
    assert!(!rows.iter().any(|r| r[command] == "AUTHENTICATE"));

    // --cas-share with a CAS splits the sessions; without one it is bad input naming the flag.
    let cas_url = served.url("cas");
    let cas = cas_url.as_str();
    let users = served.users.as_str();
    let flags = ["--backend", &backend, "--users", users, "--cas", cas];
    let o = first_run(dir.path(), &[&flags[..], &["--cas-share", "0.5"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (header, rows) = read_csv(&dir.path().join("r").join("summary.csv"));
    let path = header.iter().position(|h| h == "path").unwrap();
    for p in ["cas", "direct"] {
        assert!(rows.iter().any(|r| r[path] == p), "no {p} row: {rows:?}");
    }
    let o = first_run(dir.path(), &[&flags[..4], &["--cas-share", "0.5"]].concat());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        err.contains("--cas-share: 0.5 of sessions should go via a CAS"),
        "{err}"
    );
}

#[test]
fn one_backend_and_a_users_file_run_against_dovecot_with_zero_errors() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let Some(dovecot) = Dovecot::start_with(dir.path(), None) else {
        return;
    };
    // The test Dovecot's passdb takes any user with password `secret`.
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=20 {
        csv.push_str(&format!("first{i:02},secret,mbx1\n"));
    }
    std::fs::write(dir.path().join("users.csv"), csv).unwrap();
    let backend = format!("mbx1=imap://127.0.0.1:{}", dovecot.port);
    let o = first_run(dir.path(), &["--backend", &backend, "--users", "users.csv"]);
    assert_clean_direct_run(dir.path(), &o, "mbx1", &dovecot.log());
}

#[test]
fn a_cas_share_the_user_wrote_still_conflicts_with_a_topology_without_a_cas() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("u.csv"), "u1,p1,mbx1\n").unwrap();
    let scenario = "duration = \"2s\"\n[users]\nfile = \"u.csv\"\n[load]\ncas_share = 0.8\n";
    std::fs::write(dir.path().join("mine.toml"), scenario).unwrap();
    let o = imapload(
        dir.path(),
        &[
            "run",
            "mine.toml",
            "--backend",
            "mbx1=imap://127.0.0.1:9",
            "-q",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        err.contains("mine.toml:5: load.cas_share: 0.8 of sessions should go via a CAS"),
        "{err}"
    );
    // The flag replaces the file's value.
    let o = imapload_env(
        dir.path(),
        &[
            "run",
            "mine.toml",
            "--backend",
            "mbx1=imap://127.0.0.1:9",
            "-q",
        ],
        &[("IMAPLOAD_CAS_SHARE", "1.5")],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(err.contains("--cas-share: 1.5 is out of range"), "{err}");
}
