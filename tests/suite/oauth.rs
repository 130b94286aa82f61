//! OAuth 2 logins (issue 12): `login = "xoauth2"` and `"oauthbearer"` against
//! the embedded servers (direct and through the CAS, which checks the token
//! itself) and against a real Dovecot whose `oauth2` passdb asks a loopback
//! introspection endpoint this test runs; tokens from the users file and from
//! `token_command`; a refused token is a NO carrying the server's decoded
//! JSON error.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use imapload::command::CommandKind;
use imapload::plan::{Overrides, TopologyPlan};
use imapload::results::ErrorReason;
use imapload::results::Path as RoutePath;
use imapload::run::RunReport;
use imapload::sim::Topology;

use crate::dovecot::Dovecot;
use crate::support::*;

const MECHANISMS: [&str; 2] = ["xoauth2", "oauthbearer"];

/// Every login is an AUTHENTICATE and nothing failed.
fn assert_clean_oauth_run(report: &RunReport, mech: &str, paths: &[RoutePath], log: &str) {
    assert_eq!(report.errors, 0, "{mech}: {}\n{log}", error_rows(report));
    for path in paths {
        let auth = report
            .rows
            .iter()
            .filter(|(k, _)| k.command == CommandKind::Authenticate && k.path == *path)
            .map(|(_, r)| r.ok())
            .sum::<u64>();
        assert!(auth > 0, "{mech}: no AUTHENTICATE on the {path:?} path");
    }
    let logins = report
        .rows
        .keys()
        .filter(|k| k.command == CommandKind::Login);
    assert_eq!(logins.count(), 0, "{mech}: LOGIN rows in an OAuth run");
    assert!(report.rows.keys().any(|k| k.command == CommandKind::Select));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xoauth2_and_oauthbearer_log_in_to_the_embedded_servers_direct_and_via_the_cas() {
    for mech in MECHANISMS {
        let dir = tempfile::tempdir().unwrap();
        let text = embedded_scenario(6, "2s", &format!("login = \"{mech}\""));
        let report = run(plan_from(&text, dir.path(), &quiet_out(dir.path()))).await;
        assert_clean_oauth_run(&report, mech, &[RoutePath::Direct, RoutePath::Cas], "");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_a_no_with_the_servers_decoded_error() {
    let dir = tempfile::tempdir().unwrap();
    let base = plan_from(
        &embedded_scenario(1, "1s", ""),
        dir.path(),
        &quiet_out(dir.path()),
    );
    let TopologyPlan::Embedded(embedded) = &base.topology else {
        panic!("embedded expected")
    };
    let topo = Topology::start(embedded, &base.users, 1, None)
        .await
        .unwrap();
    let users = dir.path().join("users.csv");
    let mut csv = String::from("user,password,backend,token\n");
    for u in base.users.iter().take(20) {
        csv.push_str(&format!(
            "{},{},{},wrong-token\n",
            u.name, u.password, u.backend
        ));
    }
    std::fs::write(&users, csv).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, topo.ca_pem()).unwrap();
    let expect = [
        ("xoauth2", r#"{"status":"401","#),
        ("oauthbearer", r#"{"status":"invalid_token""#),
    ];
    for (mech, want) in expect {
        let out = dir.path().join(mech);
        let overrides = Overrides {
            cas: vec![format!("cas1=imap://{}", topo.cas()[0].plain)],
            backends: topo
                .backends()
                .iter()
                .map(|b| format!("{}=imap://{}", b.name, b.plain))
                .collect(),
            users: Some(users.clone()),
            ca_file: Some(ca.clone()),
            sessions: Some(4),
            ..quiet_out(&out)
        };
        let text = embedded_scenario(4, "1s", &format!("login = \"{mech}\""));
        let report = run(plan_from(&text, dir.path(), &overrides)).await;
        let auth: Vec<_> = report
            .rows
            .iter()
            .filter(|(k, _)| k.command == CommandKind::Authenticate)
            .collect();
        assert!(!auth.is_empty(), "{mech}: no AUTHENTICATE row");
        for (k, r) in &auth {
            assert!(r.errors_of(ErrorReason::No) > 0, "{mech} {k:?}: no NO");
            assert_eq!(r.ok(), 0, "{mech} {k:?}: a wrong token logged in");
        }
        crate::causes::assert_cause(&report, CommandKind::Authenticate, ErrorReason::No, want);
        crate::causes::assert_cause(
            &report,
            CommandKind::Authenticate,
            ErrorReason::No,
            "[AUTHENTICATIONFAILED]",
        );
    }
    topo.shutdown().await;
}

/// A token introspection endpoint (RFC 7662 style, `introspection_mode =
/// post`): `{"active": true, "username": U}` for a known token, else
/// `{"active": false}`. Stops when dropped.
struct Introspection {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Introspection {
    fn start(tokens: HashMap<String, String>) -> Introspection {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let tokens = Arc::new(tokens);
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    // A thread per connection: Dovecot's HTTP client may open
                    // several at once, and one waiting for its request must
                    // not hold up the others.
                    Ok((stream, _)) => {
                        let tokens = tokens.clone();
                        std::thread::spawn(move || answer(stream, &tokens));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Introspection { port, stop }
    }
}

impl Drop for Introspection {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Reads one HTTP request and answers its `token=` form field.
fn answer(mut stream: std::net::TcpStream, tokens: &HashMap<String, String>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    let body = loop {
        let Ok(n) = stream.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        req.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&req).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        if body.len() >= length {
            break body.to_string();
        }
    };
    let token = body
        .split('&')
        .find_map(|kv| kv.strip_prefix("token="))
        .unwrap_or_default();
    let json = match tokens.get(token) {
        Some(user) => format!(r#"{{"active": true, "username": "{user}"}}"#),
        None => r#"{"active": false}"#.to_string(),
    };
    let resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    );
    let _ = stream.write_all(resp.as_bytes());
}

/// Dovecot's token for `user` (URL-safe, so the form body needs no decoding).
fn dovecot_token(user: &str) -> String {
    format!("dv7tok-{user}-Qx")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_with_an_oauth2_passdb_takes_tokens_from_a_users_file_and_a_token_command() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (1..=12).map(|i| format!("oa{i:02}")).collect();
    let known = names
        .iter()
        .map(|u| (dovecot_token(u), u.clone()))
        .collect();
    let idp = Introspection::start(known);
    std::fs::write(
        dir.path().join("dovecot-oauth2.conf.ext"),
        format!(
            "introspection_mode = post\nintrospection_url = http://127.0.0.1:{}/introspect\n\
             force_introspection = yes\nusername_attribute = username\n\
             active_attribute = active\nactive_value = true\n",
            idp.port
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("extra.conf"),
        format!(
            // No failure delay: Dovecot answers failed logins in turn, 2 s
            // each (auth_failure_delay), so four sessions failing over and
            // over queue up past the 10 s login timeout (2, 6, 10 s in its
            // log), and the bad-token runs' NO became a timeout in CI.
            "auth_mechanisms = plain login xoauth2 oauthbearer\n\
             auth_failure_delay = 0\n\
             passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {}\n}}\n",
            dir.path().join("dovecot-oauth2.conf.ext").display()
        ),
    )
    .unwrap();
    let Some(dovecot) = Dovecot::start_with(dir.path(), None) else {
        return;
    };
    let csv_with = |token: &dyn Fn(&str) -> String| {
        let mut csv = String::from("user,password,backend,token\n");
        for u in &names {
            csv.push_str(&format!("{u},unused-pw,dovecot,{}\n", token(u)));
        }
        csv
    };
    let good = dir.path().join("good.csv");
    std::fs::write(&good, csv_with(&|u| dovecot_token(u))).unwrap();
    let bare = dir.path().join("bare.csv");
    std::fs::write(&bare, csv_with(&|_| String::new())).unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, csv_with(&|_| "not-a-token".into())).unwrap();
    let command = "token_command = 'echo \"dv7tok-$IMAPLOAD_USER-Qx\"'";
    let cases = [
        ("xoauth2", &good, ""),
        ("oauthbearer", &good, ""),
        ("xoauth2", &bare, command),
        ("oauthbearer", &bare, command),
    ];
    for (i, (mech, users, extra)) in cases.into_iter().enumerate() {
        let extra = format!("login = \"{mech}\"\n{extra}");
        let report = dovecot_run(&dovecot, dir.path(), i, users, &extra).await;
        assert_clean_oauth_run(&report, mech, &[RoutePath::Direct], &dovecot.log());
    }
    for (i, mech) in MECHANISMS.into_iter().enumerate() {
        let extra = format!("login = \"{mech}\"");
        let report = dovecot_run(&dovecot, dir.path(), 10 + i, &bad, &extra).await;
        assert!(
            report.errors > 0,
            "{mech}: a bad token logged in to Dovecot"
        );
        let want = r#"{"status":"#;
        crate::causes::assert_cause(&report, CommandKind::Authenticate, ErrorReason::No, want);
    }
}

/// A short run of 4 sessions straight to `dovecot` with `users` and `extra` in `[session]`.
async fn dovecot_run(
    dovecot: &Dovecot,
    dir: &std::path::Path,
    n: usize,
    users: &std::path::Path,
    extra: &str,
) -> RunReport {
    let overrides = Overrides {
        backends: vec![format!("dovecot=imap://127.0.0.1:{}", dovecot.port)],
        users: Some(users.to_path_buf()),
        sessions: Some(4),
        ..quiet_out(&dir.join(format!("run{n}")))
    };
    let text = embedded_scenario(4, "2s", extra).replace("cas_share = 0.5", "cas_share = 0.0");
    run(plan_from(&text, dir, &overrides)).await
}
