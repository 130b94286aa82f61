//! TLS with a real Dovecot the way users set it up: the certificate made by
//! `openssl req -x509` (self-signed, `CA:TRUE`) given as `--ca-file`, over
//! implicit TLS and STARTTLS; an unrelated CA refused with a message naming
//! the certificate; plain URLs never upgraded; the probe command over imaps.

use std::path::{Path, PathBuf};
use std::process::Command;

use imapload::plan::Overrides;

use crate::dovecot::Dovecot;
use crate::support::*;

/// A certificate and key made with the exact command most guides give, in `dir`.
fn openssl_cert(dir: &Path, stem: &str) -> (PathBuf, PathBuf) {
    let (key, cert) = (
        dir.join(format!("{stem}-key.pem")),
        dir.join(format!("{stem}.pem")),
    );
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes"])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .args(["-days", "30"])
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

/// Dovecot with an openssl-made certificate; `None` when Dovecot is not installed.
fn dovecot(dir: &Path) -> Option<(Dovecot, PathBuf)> {
    let (cert, key) = openssl_cert(dir, "cert");
    let dovecot = Dovecot::start_with(dir, Some((cert.clone(), key)))?;
    Some((dovecot, cert))
}

/// A short real-topology plan for one Dovecot back end at `url`, results in `dir/out`.
fn plan_against(dir: &Path, url: &str, ca: Option<PathBuf>, out: &str) -> imapload::plan::RunPlan {
    let users = dir.join("users.csv");
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=6 {
        csv.push_str(&format!("tls{i:02},secret,dovecot\n"));
    }
    std::fs::write(&users, csv).unwrap();
    let extra = "[session.mix]\nNOOP = 1\nFETCH_FLAGS = 1\n[probes]\nenabled = false\n";
    let scenario = embedded_scenario(4, "2s", extra).replace("cas_share = 0.5", "cas_share = 0.0");
    let overrides = Overrides {
        backends: vec![format!("dovecot={url}")],
        users: Some(users),
        ca_file: ca,
        out: Some(dir.join(out)),
        ..quiet_out(dir)
    };
    plan_from(&scenario, dir, &overrides)
}

async fn run_against(
    dir: &Path,
    url: &str,
    ca: Option<PathBuf>,
    out: &str,
) -> imapload::run::RunReport {
    run(plan_against(dir, url, ca, out)).await
}

fn has_row(report: &imapload::run::RunReport, label: &str) -> bool {
    report.rows.keys().any(|k| k.command.label() == label)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_own_openssl_certificate_as_ca_file_works_over_imaps_and_starttls() {
    let dir = tempfile::tempdir().unwrap();
    let Some((dovecot, cert)) = dovecot(dir.path()) else {
        return;
    };
    let urls = [
        (format!("imaps://127.0.0.1:{}", dovecot.imaps_port), false),
        (format!("imap://127.0.0.1:{}?starttls", dovecot.port), true),
    ];
    for (i, (url, starttls)) in urls.iter().enumerate() {
        let report = run_against(dir.path(), url, Some(cert.clone()), &format!("r{i}")).await;
        assert_eq!(
            report.errors,
            0,
            "{url}: {}\n{}",
            error_rows(&report),
            dovecot.log()
        );
        assert!(
            report.commands > 10,
            "{url}: only {} commands",
            report.commands
        );
        assert!(has_row(&report, "TLS"), "{url}: no TLS handshakes timed");
        assert_eq!(has_row(&report, "STARTTLS"), *starttls, "{url}");
        assert_eq!(report.exit_code, 0, "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unrelated_ca_is_refused_naming_the_certificate_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let Some((dovecot, _cert)) = dovecot(dir.path()) else {
        return;
    };
    let (other, _) = openssl_cert(dir.path(), "other");
    let url = format!("imaps://127.0.0.1:{}", dovecot.imaps_port);
    let report = run_against(dir.path(), &url, Some(other), "r").await;
    assert!(
        report.errors > 0,
        "a certificate from no trusted CA was accepted"
    );
    assert!(!has_row(&report, "LOGIN"), "a login went through");
    let (header, rows) = read_csv(&report.dir.join("errors.csv"));
    let (cmd, msg) = (
        header.iter().position(|h| h == "command").unwrap(),
        header.iter().position(|h| h == "message").unwrap(),
    );
    let tls: Vec<&String> = rows
        .iter()
        .filter(|r| r[cmd] == "TLS")
        .map(|r| &r[msg])
        .collect();
    assert!(!tls.is_empty(), "no TLS error row: {rows:?}");
    for m in tls {
        assert!(
            m.contains("certificate CN=localhost for 127.0.0.1")
                && m.contains("not signed by any trusted CA"),
            "{m}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_urls_never_upgrade_even_when_the_server_offers_starttls() {
    let dir = tempfile::tempdir().unwrap();
    let Some((dovecot, _cert)) = dovecot(dir.path()) else {
        return;
    };
    let url = format!("imap://127.0.0.1:{}", dovecot.port);
    let mut plan = plan_against(dir.path(), &url, None, "r");
    // A share only the embedded servers may use: real servers ignore it.
    plan.session.starttls_share = 1.0;
    let report = run(plan).await;
    assert_eq!(
        report.errors,
        0,
        "{}\n{}",
        error_rows(&report),
        dovecot.log()
    );
    assert!(report.commands > 10, "only {} commands", report.commands);
    let (header, rows) = read_csv(&report.dir.join("summary.csv"));
    let cmd = header.iter().position(|h| h == "command").unwrap();
    let upgraded: Vec<_> = rows
        .iter()
        .filter(|r| r[cmd] == "STARTTLS" || r[cmd] == "TLS")
        .collect();
    assert!(upgraded.is_empty(), "plain URL upgraded: {upgraded:?}");
}

#[test]
fn the_probe_command_trusts_the_servers_own_certificate_and_checks_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let Some((dovecot, cert)) = dovecot(dir.path()) else {
        return;
    };
    let probe = |server: String, extra: &[&str]| {
        let mut args = vec!["probe", "IMAP\\ImapCTPProbe", "--server", &server];
        args.extend(["--user", "probe01", "--password", "secret"]);
        args.extend(["--ca-file", cert.to_str().unwrap()]);
        args.extend(extra);
        let out = imapload(dir.path(), &args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };
    let imaps = format!("imaps://127.0.0.1:{}", dovecot.imaps_port);
    let (code, text) = probe(imaps.clone(), &[]);
    assert_eq!(code, Some(0), "{text}\n{}", dovecot.log());
    let (code, text) = probe(format!("{imaps}?sni=localhost"), &[]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = probe(imaps, &["--tls-server-name", "mail.example.com"]);
    assert_eq!(code, Some(3), "{text}");
    assert!(
        text.contains("not valid for name mail.example.com (names: IP:127.0.0.1, DNS:localhost)"),
        "{text}"
    );
}
