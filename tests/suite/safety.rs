//! Safe defaults and protocol logging (issue 7, parts 5 and 6): passwords
//! never leave the process in the clear, `--protocol-log` writes a redacted
//! sample, the embedded servers bind loopback, and no LOGIN goes to a server
//! that says LOGINDISABLED on a plain connection.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::prelude::{Engine, BASE64_STANDARD};
use imapload::plan::{self, Overrides, TopologyPlan};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::TcpListener;

use crate::support::*;

const PASSWORD: &str = "Zq7-unusual-Pw";
const USERS: usize = 20;

/// Every form a password could leak in: itself and the SASL PLAIN
/// base64 of each user's credentials.
fn secrets() -> Vec<String> {
    let mut s = vec![PASSWORD.to_string()];
    for i in 1..=USERS {
        let user = format!("user{i:03}");
        s.push(BASE64_STANDARD.encode(format!("\0{user}\0{PASSWORD}")));
    }
    s
}

/// None of `secrets` in `printed` or in a file under `dir` (but the
/// `inputs`, which hold them on purpose).
fn assert_nowhere(dir: &Path, printed: &[&str], secrets: &[String], inputs: &[&str]) {
    let written = files(dir);
    assert!(written.len() > 10, "{written:?}");
    for secret in secrets {
        for p in printed {
            assert!(!p.contains(secret.as_str()), "printed {secret}: {p}");
        }
        for f in written
            .iter()
            .filter(|f| !inputs.iter().any(|i| f.ends_with(i)))
        {
            let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
            assert!(
                !text.contains(secret.as_str()),
                "{} holds {secret}",
                f.display()
            );
        }
    }
}

/// Every regular file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn no_password_anywhere_and_a_redacted_protocol_log_of_the_sample() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let scenario = format!(
        "name = \"safety\"\nseed = 3\nduration = \"3s\"\n[topology]\nkind = \"embedded\"\n\
         [users]\npattern = \"user{{:03}}\"\npassword = \"{PASSWORD}\"\ncount = {USERS}\n\
         [load]\nsessions = 8\ncas_share = 0.5\n[session]\nlogin = \"mixed\"\nstarttls_share = 0.3\n\
         commands = [1, 3]\nthink_time = {{ dist = \"fixed\", value = \"20ms\" }}\n\
         [probes]\ninterval_scale = 0.01\n"
    );
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let out = Command::new(bin())
        .current_dir(dir.path())
        .args(["run", "s.toml", "--out", "r", "--protocol-log", "logs"])
        .args(["--protocol-log-sample", "0.25"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("LOGIN"), "no summary table: {stdout}");

    // Not in anything the run printed or wrote.
    assert_nowhere(dir.path(), &[&stdout, &stderr], &secrets(), &["s.toml"]);

    // A quarter of the sessions, each file timestamped and directed.
    let started = run_json(&dir.path().join("r")).sessions.tally.started;
    let logs = files(&dir.path().join("logs"));
    let expected = started.div_ceil(4);
    assert!(started > 20, "only {started} sessions");
    assert!(
        (logs.len() as u64).abs_diff(expected) <= 2,
        "{} logs for {started} sessions",
        logs.len()
    );
    let all: String = logs
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    for line in all.lines() {
        let (ts, rest) = line.split_once(' ').unwrap();
        assert!(ts.len() == 27 && ts.ends_with('Z'), "no timestamp: {line}");
        assert!(
            ["C: ", "S: ", "-- "].iter().any(|d| rest.starts_with(d)),
            "no direction: {line}"
        );
    }
    assert!(all.contains(" LOGIN user0"), "no LOGIN logged");
    assert!(all.contains(" LOGIN user0") && all.contains("<redacted>"));
    assert!(
        all.contains(" AUTHENTICATE PLAIN"),
        "no AUTHENTICATE logged"
    );
    assert!(all.contains(" S: * OK"), "no greeting logged");
    assert!(
        all.contains("-- TLS established"),
        "no STARTTLS session logged"
    );
}

/// Each user's access token in the OAuth runs below.
fn token_of(user: &str) -> String {
    format!("Tk9-unusual-{user}")
}

/// Every form a token could leak in: itself and the XOAUTH2 and OAUTHBEARER
/// initial responses (base64) carrying it.
fn token_secrets() -> Vec<String> {
    let mut s = Vec::new();
    for i in 1..=USERS {
        let user = format!("user{i:03}");
        let token = token_of(&user);
        s.push(BASE64_STANDARD.encode(format!("user={user}\x01auth=Bearer {token}\x01\x01")));
        s.push(BASE64_STANDARD.encode(format!("n,a={user},\x01auth=Bearer {token}\x01\x01")));
        s.push(token);
    }
    s
}

#[test]
fn no_token_anywhere_with_xoauth2_and_oauthbearer_from_the_users_file_or_a_command() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("user,password,backend,token\n");
    for i in 1..=USERS {
        let user = format!("user{i:03}");
        let backend = if i % 2 == 0 { "mbx2" } else { "mbx1" };
        csv.push_str(&format!(
            "{user},{PASSWORD},{backend},{}\n",
            token_of(&user)
        ));
    }
    std::fs::write(dir.path().join("u.csv"), csv).unwrap();
    let runs = [
        ("xoauth2", ""),
        (
            "oauthbearer",
            "token_command = 'echo \"Tk9-unusual-$IMAPLOAD_USER\"'\n",
        ),
    ];
    for (mech, extra) in runs {
        let scenario = format!(
            "name = \"safety\"\nseed = 3\nduration = \"2s\"\n[topology]\nkind = \"embedded\"\n\
             backends = 2\n[users]\nfile = \"u.csv\"\n[load]\nsessions = 6\ncas_share = 0.5\n\
             [session]\nlogin = \"{mech}\"\n{extra}commands = [1, 3]\n\
             think_time = {{ dist = \"fixed\", value = \"20ms\" }}\n"
        );
        std::fs::write(dir.path().join(format!("{mech}.toml")), scenario).unwrap();
        let out = Command::new(bin())
            .current_dir(dir.path())
            .args([
                "run",
                &format!("{mech}.toml"),
                "--out",
                &format!("r-{mech}"),
            ])
            .args([
                "--protocol-log",
                &format!("logs-{mech}"),
                "--protocol-log-sample",
                "1",
            ])
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(0), "{mech}: {stderr}");
        assert!(
            stdout.contains("AUTHENTICATE"),
            "{mech}: no AUTHENTICATE row: {stdout}"
        );
        let logs: String = files(&dir.path().join(format!("logs-{mech}")))
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        let shown = format!(" AUTHENTICATE {} <redacted>", mech.to_uppercase());
        assert!(
            logs.contains(&shown),
            "{mech}: no redacted AUTHENTICATE logged"
        );
        let inputs = ["u.csv", "xoauth2.toml", "oauthbearer.toml"];
        assert_nowhere(dir.path(), &[&stdout, &stderr], &token_secrets(), &inputs);
    }
}

#[test]
fn protocol_logging_is_off_by_default() {
    let p = plan::load(None, &Overrides::default()).unwrap();
    assert_eq!(p.output.protocol_log, None);
}

#[test]
fn embedded_servers_listen_on_loopback_and_serve_can_disable_cleartext_login() {
    let p = plan::load(None, &Overrides::default()).unwrap();
    let TopologyPlan::Embedded(e) = &p.topology else {
        panic!("the default topology is embedded")
    };
    assert!(e.listen.is_loopback(), "{}", e.listen);

    let _alone = exclusive(); // a server process beside a load test would disturb it
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin())
        .args(["serve", "--backends", "1", "--users", "2"])
        .args(["--login-disabled-without-tls", "--dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut endpoints = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.starts_with("CA ") {
            break;
        }
        if let Some(url) = line.split("url=").nth(1) {
            endpoints.push(url.to_string());
        }
    }
    // Asked for, both servers refuse logins before STARTTLS.
    for url in endpoints.iter().filter(|u| u.starts_with("imap://")) {
        let tcp = std::net::TcpStream::connect(&url["imap://".len()..]).unwrap();
        let mut greeting = String::new();
        BufReader::new(tcp).read_line(&mut greeting).unwrap();
        assert!(greeting.contains("LOGINDISABLED"), "{url}: {greeting}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // cas1 and mbx1, plain and TLS, and mbx1's LMTP listener.
    assert_eq!(endpoints.len(), 5, "{endpoints:?}");
    assert!(endpoints[4].starts_with("lmtp://"), "{endpoints:?}");
    for url in endpoints {
        assert!(url.contains("://127.0.0.1:"), "{url} is not loopback");
    }
}

/// A server that says LOGINDISABLED and counts the credentials it is sent.
async fn login_disabled_server(creds: Arc<AtomicUsize>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let creds = creds.clone();
            tokio::spawn(async move {
                let (rd, mut wr) = sock.into_split();
                let mut rd = AsyncBufReader::new(rd);
                let caps = "IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN SASL-IR";
                wr.write_all(format!("* OK [CAPABILITY {caps}] ready\r\n").as_bytes())
                    .await?;
                let mut line = String::new();
                while rd.read_line(&mut line).await? > 0 {
                    let mut words = line.split_whitespace();
                    let tag = words.next().unwrap_or("*").to_string();
                    let verb = words.next().unwrap_or("").to_ascii_uppercase();
                    if verb == "LOGIN" || verb == "AUTHENTICATE" || line.contains(PASSWORD) {
                        creds.fetch_add(1, Ordering::SeqCst);
                    }
                    let reply = match verb.as_str() {
                        "CAPABILITY" => format!("* CAPABILITY {caps}\r\n{tag} OK done\r\n"),
                        "LOGOUT" => format!("* BYE bye\r\n{tag} OK done\r\n"),
                        _ => format!("{tag} NO not before STARTTLS\r\n"),
                    };
                    wr.write_all(reply.as_bytes()).await?;
                    line.clear();
                }
                Ok::<_, std::io::Error>(())
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credentials_in_the_clear_to_a_server_saying_logindisabled() {
    let dir = tempfile::tempdir().unwrap();
    let creds = Arc::new(AtomicUsize::new(0));
    let port = login_disabled_server(creds.clone()).await;
    let users = dir.path().join("users.csv");
    std::fs::write(&users, format!("user001,{PASSWORD},mbx1\n")).unwrap();
    let overrides = Overrides {
        backends: vec![format!("mbx1=imap://127.0.0.1:{port}")],
        users: Some(users),
        ..quiet_out(dir.path())
    };
    let scenario = embedded_scenario(2, "1s", "[probes]\nenabled = false\n")
        .replace("cas_share = 0.5", "cas_share = 0.0");
    let mut plan = plan_from(&scenario, dir.path(), &overrides);
    plan.session.starttls_share = 0.0;
    let report = run(plan).await;
    assert_eq!(creds.load(Ordering::SeqCst), 0, "credentials were sent");
    let (header, rows) = read_csv(&report.dir.join("summary.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let logins: Vec<_> = rows
        .iter()
        .filter(|r| r[col("command")] == "LOGIN" || r[col("command")] == "AUTHENTICATE")
        .collect();
    let tls_errors: u64 = logins
        .iter()
        .map(|r| r[col("errors_tls")].parse::<u64>().unwrap())
        .sum();
    assert!(
        tls_errors > 0,
        "logins not counted as tls errors: {logins:?}"
    );
    for r in &logins {
        assert_eq!(
            r[col("count")],
            r[col("errors")],
            "a login succeeded: {r:?}"
        );
    }
}
