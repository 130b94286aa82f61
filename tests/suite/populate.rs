//! `imapload populate` against the administrator's Dovecot: 500 users
//! filled with the default mail set (timed), the counts checked over IMAP,
//! a rerun adds nothing; bad input exits 2; the LMTP client delivers.

use std::time::Instant;

use imapload::mailset::lmtp::Lmtp;
use imapload::mailset::MailSet;

use crate::support::*;

/// The summary line's "N messages added" count.
fn added(stdout: &str) -> u64 {
    let at = stdout
        .find(" messages added")
        .unwrap_or_else(|| panic!("{stdout}"));
    let head = &stdout[..at];
    head[head.rfind(' ').unwrap() + 1..].parse().unwrap()
}

#[test]
fn populate_fills_500_users_and_a_rerun_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some(dovecot) = DovecotAdmin::start(dir.path()) else {
        return;
    };
    let server = format!("imap://127.0.0.1:{}", dovecot.imap_port);
    let lmtp = format!("127.0.0.1:{}", dovecot.lmtp_port);
    let args = [
        "populate", "--server", &server, "--users", "500", "--lmtp", &lmtp,
    ];
    let started = Instant::now();
    let out = imapload(dir.path(), &args);
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}\n{}", text(&out), dovecot.log());
    let set = MailSet::default();
    assert_eq!(added(&stdout), 500 * set.messages_per_user(), "{stdout}");
    assert!(
        stdout.contains("populated 500 users (0 failed): 1500 folders created"),
        "{stdout}"
    );
    eprintln!(
        "populate: 500 users in {:.1} s: {stdout}",
        elapsed.as_secs_f64()
    );
    // Not a terminal: the plain progress line every few seconds, on stderr.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        elapsed.as_secs() < 5 || stderr.contains("populate: "),
        "{stderr}"
    );
    for user in ["user00001", "user00250", "user00500"] {
        let mut imap = dovecot.login(user);
        for folder in &set.folders {
            assert_eq!(
                imap.messages(&folder.name),
                folder.messages,
                "{user} {}",
                folder.name
            );
        }
        let lsub = imap.cmd("LSUB \"\" \"*\"").join("\n");
        assert!(
            lsub.contains("Projects/2026") && lsub.contains("Sent"),
            "{lsub}"
        );
    }
    let checked = Instant::now();
    let again = imapload(dir.path(), &args);
    eprintln!(
        "populate: rerun in {:.1} s",
        checked.elapsed().as_secs_f64()
    );
    let stdout = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(added(&stdout), 0, "{stdout}");
    assert!(
        stdout.contains(": 0 folders created, 0 messages added"),
        "{stdout}"
    );
}

#[test]
fn populate_resumes_a_partly_filled_user_and_counts_refused_logins() {
    let dir = tempfile::tempdir().unwrap();
    let Some(dovecot) = DovecotAdmin::start(dir.path()) else {
        return;
    };
    let server = format!("imap://127.0.0.1:{}", dovecot.imap_port);
    // A user who already has 5 messages in Sent: only the rest are added.
    let set = MailSet::default();
    let sent = set.folders.iter().position(|f| f.name == "Sent").unwrap();
    let mut imap = dovecot.login("user00001");
    for n in 0..5 {
        let message = String::from_utf8(set.message("user00001", sent, n)).unwrap();
        let reply = imap.cmd(&format!("APPEND Sent {{{}+}}\r\n{message}", message.len()));
        assert!(reply.last().unwrap().starts_with("OK"), "{reply:?}");
    }
    let out = imapload(
        dir.path(),
        &["populate", "--server", &server, "--users", "1"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(added(&stdout), set.messages_per_user() - 5, "{stdout}");
    assert_eq!(imap.messages("Sent"), 10);
    let refused = imapload(
        dir.path(),
        &[
            "populate",
            "--server",
            &server,
            "--users",
            "2",
            "--password",
            "wrong",
        ],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let all = text(&refused);
    assert!(all.contains("populated 2 users (2 failed)"), "{all}");
    assert!(
        all.contains("user00002: LOGIN refused: a1 NO [AUTHENTICATIONFAILED]"),
        "{all}"
    );
}

#[test]
fn populate_refuses_bad_input_with_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (args, want) in [
        (
            &["populate", "--server", "imap://127.0.0.1:1"][..],
            "--users N or --users-file FILE",
        ),
        (
            &["populate", "--server", "pop3://h", "--users", "1"][..],
            "unknown scheme `pop3`",
        ),
        (
            &["populate", "--server", "imap://h", "--users", "0"][..],
            "--users: must be at least 1",
        ),
        (
            &[
                "populate", "--server", "imap://h", "--users", "1", "--lmtp", "h",
            ][..],
            "is not HOST:PORT",
        ),
        (
            &[
                "populate",
                "--server",
                "imap://h",
                "--users",
                "1",
                "--concurrency",
                "0",
            ][..],
            "at least 1",
        ),
    ] {
        let out = imapload(dir.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn the_lmtp_client_delivers_many_messages_on_one_connection() {
    let dir = tempfile::tempdir().unwrap();
    let Some(dovecot) = DovecotAdmin::start(dir.path()) else {
        return;
    };
    let addr = format!("127.0.0.1:{}", dovecot.lmtp_port);
    let mut lmtp = Lmtp::connect(&addr).await.unwrap();
    let dotted = b"Subject: dots\r\n\r\n.hidden line\r\n..two\r\nend\r\n";
    let results = lmtp
        .deliver("s@example.org", &["ann@localhost", "bob@localhost"], dotted)
        .await
        .unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let plain = b"Subject: second\r\n\r\nbody\r\n";
    let results = lmtp
        .deliver("s@example.org", &["ann@localhost", "@@"], plain)
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{results:?}");
    let refused = results[1].as_ref().unwrap_err();
    assert!(refused.code >= 500, "{refused}");
    lmtp.quit().await.unwrap();
    let mut imap = dovecot.login("ann");
    assert_eq!(imap.messages("INBOX"), 2, "{}", dovecot.log());
    imap.cmd("SELECT INBOX");
    let body = imap.cmd("FETCH 1 BODY.PEEK[TEXT]").join("\n");
    assert!(body.contains("\n.hidden line\n..two\nend"), "{body}");
    assert_eq!(dovecot.login("bob").messages("INBOX"), 1);
}

#[test]
fn populate_goes_over_starttls_and_imaps_and_uses_the_servers_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let certs = imapload::sim::certs::generate("127.0.0.1".parse().unwrap()).unwrap();
    let (cert, key, ca) = (
        dir.path().join("cert.pem"),
        dir.path().join("key.pem"),
        dir.path().join("ca.pem"),
    );
    std::fs::write(&cert, &certs.server_chain_pem).unwrap();
    std::fs::write(&key, &certs.server_key_pem).unwrap();
    std::fs::write(&ca, &certs.ca_pem).unwrap();
    // The plain test Dovecot: Archive is its only folder besides INBOX, `.` the delimiter.
    let Some(dovecot) = crate::dovecot::Dovecot::start_with(dir.path(), Some((cert, key))) else {
        return;
    };
    let ca = ca.to_str().unwrap();
    let starttls = format!("imap://127.0.0.1:{}?starttls", dovecot.port);
    let imaps = format!("imaps://127.0.0.1:{}", dovecot.imaps_port);
    let first = imapload(
        dir.path(),
        &[
            "populate",
            "--server",
            &starttls,
            "--users",
            "2",
            "--ca-file",
            ca,
        ],
    );
    let stdout = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        first.status.success(),
        "{}\n{}",
        text(&first),
        dovecot.log()
    );
    assert!(
        stdout.contains("(0 failed): 14 folders created, 120 messages added"),
        "{stdout}"
    );
    let again = imapload(
        dir.path(),
        &[
            "populate",
            "--server",
            &imaps,
            "--users",
            "2",
            "--ca-file",
            ca,
        ],
    );
    let stdout = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        stdout.contains(": 0 folders created, 0 messages added"),
        "{stdout}"
    );
    let untrusted = imapload(
        dir.path(),
        &["populate", "--server", &imaps, "--users", "1"],
    );
    assert_eq!(untrusted.status.code(), Some(1), "{}", text(&untrusted));
    assert!(
        text(&untrusted).contains("user00001: TLS with 127.0.0.1"),
        "{}",
        text(&untrusted)
    );
    let mut imap = crate::support::dovecot_admin::Imap::connect(dovecot.port);
    imap.cmd("LOGIN user00002 secret");
    assert_eq!(imap.messages("Projects.2026"), 4);
    let list = imap.cmd("LIST \"\" \"*\"").join("\n");
    assert!(
        list.contains("\".\" Projects.Clients") && !list.contains("Projects/"),
        "{list}"
    );
}
