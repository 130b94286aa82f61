//! Each client persona against a Dovecot configured as administrators
//! configure it for these clients (imap_zlib, quota, LMTP, the default
//! `mail_max_userip_connections`), checked from Dovecot's own records: its
//! rawlog (what the client sent after login) and its log (each AUTH, with
//! or without an initial response; each ID). The facts checked are those
//! `docs/clients.md` records for the client; mail arrives by LMTP during the
//! run, so idling personas must react to the EXISTS Dovecot pushes.

use std::path::Path;

use crate::support::dovecot_admin::{DovecotAdmin, Rawlog};
use crate::support::*;

/// One persona's run against `dc` as `user` (compressed 600x: 10 client
/// minutes per wall second); returns the run record, Dovecot's rawlog for
/// the user and Dovecot's log.
fn run_persona(
    dc: &DovecotAdmin,
    dir: &Path,
    persona: &str,
    user: &str,
    secs: u32,
) -> (imapload::results::RunRecord, Rawlog, String) {
    let users = dir.join(format!("{user}.csv"));
    std::fs::write(
        &users,
        format!("user,password,backend\n{user},secret,dovecot\n"),
    )
    .unwrap();
    let out = dir.join(format!("out-{persona}"));
    let backend = format!("dovecot=imap://127.0.0.1:{}", dc.imap_port);
    let lmtp = format!("127.0.0.1:{}", dc.lmtp_port);
    // The run's probes log in as the first user too; off, so Dovecot's
    // records of the user are the persona's alone.
    let scenario = dir.join("persona.toml");
    std::fs::write(
        &scenario,
        format!("duration = \"{secs}s\"\n[probes]\nenabled = false\n"),
    )
    .unwrap();
    let o = imapload(
        dir,
        &[
            "run",
            scenario.to_str().unwrap(),
            "--quiet",
            "--backend",
            &backend,
            "--users",
            users.to_str().unwrap(),
            "--persona",
            persona,
            "--time-scale",
            "600",
            "--lmtp",
            &lmtp,
            "-s",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let errors = std::fs::read_to_string(out.join("errors.csv")).unwrap_or_default();
    assert!(
        o.status.success(),
        "{persona}: {}\nerrors.csv:\n{errors}",
        text(&o)
    );
    (run_json(&out), dc.rawlog(user), dc.log())
}

fn persona_row<'a>(
    r: &'a imapload::results::RunRecord,
    name: &str,
) -> &'a imapload::results::personas::PersonaRow {
    r.personas
        .iter()
        .find(|p| p.persona == name)
        .unwrap_or_else(|| panic!("no {name} row: {:?}", r.personas))
}

/// Asserts the run had no error at all and its connections stayed in the pool.
fn clean(r: &imapload::results::RunRecord, name: &str, log: &str) {
    let row = persona_row(r, name);
    assert_eq!(
        r.totals.errors, 0,
        "{name}: errors {:?}\n{log}",
        r.error_causes
    );
    assert_eq!(row.errors, 0, "{name}: {row:?}");
    assert!(row.connections > 0 && row.commands > 0, "{name}: {row:?}");
    assert!(
        row.max_connections_per_device <= row.pool as u64,
        "{name}: {row:?}"
    );
    assert!(
        row.deliveries > 0,
        "{name}: mail was delivered by LMTP: {row:?}"
    );
}

#[test]
fn thunderbird_on_dovecot_matches_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let Some(dc) = DovecotAdmin::start(dir.path()) else {
        return;
    };
    let (r, raw, log) = run_persona(&dc, dir.path(), "thunderbird", "tbuser", 6);
    clean(&r, "thunderbird", &log);
    // Before login, from Dovecot's log: AUTHENTICATE PLAIN without an initial response.
    let auth: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("client in: AUTH") && l.contains("PLAIN"))
        .collect();
    assert!(!auth.is_empty(), "no AUTH logged:\n{log}");
    assert!(
        auth.iter().all(|l| !l.contains("resp=")),
        "Thunderbird sends no SASL-IR: {auth:?}"
    );
    // The wire itself, from the login process's rawlog: two round trips.
    let pre = dc.prelogin_rawlog().input;
    assert!(pre.contains(" authenticate PLAIN\r\n"), "{pre}");
    // After login, from the rawlog: COMPRESS (imap_zlib offers it), ID, the flag sync, IDLE left with DONE.
    let input = raw.input.as_str();
    assert!(
        raw.sessions >= 2,
        "inbox and autosync connections: {}",
        raw.sessions
    );
    assert!(
        input.contains(" COMPRESS DEFLATE\r\n"),
        "COMPRESS when offered:\n{input}"
    );
    assert!(
        log.contains("ID sent: name=Thunderbird"),
        "ID (\"name\" \"Thunderbird\" ...):\n{log}"
    );
    let selects = input.matches(" select \"").count();
    let syncs = input.matches(" UID fetch 1:* (FLAGS)\r\n").count();
    assert!(
        selects >= 2 && syncs >= selects,
        "every SELECT followed by UID fetch 1:* (FLAGS): {selects} selects, {syncs} syncs\n{input}"
    );
    assert!(
        input.contains(" getquotaroot \"INBOX\"\r\n"),
        "getquotaroot (QUOTA offered)"
    );
    let idles = input.matches(" IDLE\r\n").count();
    assert!(
        idles >= 3 && input.matches("DONE\r\n").count() >= 2,
        "IDLE left with DONE: {idles}\n{input}"
    );
    assert!(
        input.contains(" check\r\n"),
        "the 10-minute biff is check (>= 600 s since the last)"
    );
    // Lower-case verbs and numeric tags.
    assert!(
        input
            .lines()
            .any(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.contains(" select ")),
        "{input}"
    );
    let row = persona_row(&r, "thunderbird");
    assert!(
        row.exists_pushed > 0 && row.idle_fetches > 0,
        "EXISTS pushed during IDLE is fetched: {row:?}"
    );
    assert!(input.contains("BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To Received)]"));
}

#[test]
fn ios_on_dovecot_polls_in_short_sessions_without_idle() {
    let dir = tempfile::tempdir().unwrap();
    let Some(dc) = DovecotAdmin::start(dir.path()) else {
        return;
    };
    let (r, raw, log) = run_persona(&dc, dir.path(), "ios", "iosuser", 6);
    clean(&r, "ios", &log);
    let auth: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("client in: AUTH") && l.contains("PLAIN"))
        .collect();
    assert!(
        !auth.is_empty() && auth.iter().all(|l| l.contains("resp=")),
        "SASL-IR on every login: {auth:?}"
    );
    let pre = dc.prelogin_rawlog().input;
    assert!(
        pre.contains("A1 AUTHENTICATE PLAIN AGlvc3VzZXIAc2VjcmV0\r\n"),
        "SASL-IR on the wire: {pre}"
    );
    let input = raw.input.as_str();
    assert!(!input.contains("IDLE"), "no IDLE:\n{input}");
    assert!(
        raw.sessions >= 3,
        "a session every 15 client minutes: {}",
        raw.sessions
    );
    assert_eq!(
        input.matches(" LOGOUT\r\n").count(),
        raw.sessions,
        "every session ends in LOGOUT"
    );
    assert!(input.contains("A3 NAMESPACE\r\n") || input.contains(" NAMESPACE\r\n"));
    assert!(input.contains("LIST \"\" \"*\" RETURN (SPECIAL-USE)"));
    assert!(log.contains("ID sent: name=iPhone Mail"), "{log}");
    assert!(
        persona_row(&r, "ios").poll_fetches > 0,
        "new mail found by the next session"
    );
}

#[test]
fn k9_outlook_fairemail_applemail_webmail_on_dovecot_follow_their_facts() {
    let dir = tempfile::tempdir().unwrap();
    let Some(dc) = DovecotAdmin::start(dir.path()) else {
        return;
    };
    // K-9: PLAIN without SASL-IR, COMPRESS, NOOP before each reuse of its sync connection, EXAMINE.
    let (r, raw, log) = run_persona(&dc, dir.path(), "k9", "k9user", 5);
    clean(&r, "k9", &log);
    assert!(
        raw.input.contains(" COMPRESS DEFLATE\r\n") && raw.input.contains(" EXAMINE \"INBOX\"\r\n"),
        "{:?}",
        raw.input
    );
    assert!(
        raw.input.contains(" NOOP\r\n") && !raw.input.contains("IDLE"),
        "{}",
        raw.input
    );
    // Outlook: ID before it authenticates, LOGIN, whole bodies with BODY.PEEK[].
    let (r, raw, log) = run_persona(&dc, dir.path(), "outlook", "oluser", 5);
    clean(&r, "outlook", &log);
    assert!(log.contains("ID sent: name=Microsoft Outlook"), "{log}");
    assert!(
        raw.input.contains("BODY.PEEK[]") && !raw.input.contains("COMPRESS"),
        "{}",
        raw.input
    );
    // FairEmail: one connection per synchronized folder, IDLE on INBOX only, GETQUOTAROOT.
    let (r, raw, log) = run_persona(&dc, dir.path(), "fairemail", "feuser", 5);
    clean(&r, "fairemail", &log);
    let row = persona_row(&r, "fairemail");
    assert_eq!(
        row.max_connections_per_device, 7,
        "1 store + INBOX + 5 folders: {row:?}"
    );
    assert!(
        raw.input.contains("GETQUOTAROOT \"INBOX\"") && raw.input.contains(" IDLE\r\n"),
        "{}",
        raw.input
    );
    assert!(
        dc.log()
            .lines()
            .all(|l| !l.contains("Maximum number of connections")),
        "within mail_max_userip_connections"
    );
    // Apple Mail: STATUS INBOX before SELECT, sequence-number FETCH.
    let (r, raw, log) = run_persona(&dc, dir.path(), "applemail", "amuser", 5);
    clean(&r, "applemail", &log);
    let status = raw.input.find("STATUS \"INBOX\"").expect("STATUS INBOX");
    let select = raw.input.find("SELECT \"INBOX\"").expect("SELECT INBOX");
    assert!(status < select && raw.input.contains("FETCH 1:* (FLAGS UID)"));
    // Webmail: a LOGIN session per page, no IDLE, no COMPRESS.
    let (r, raw, log) = run_persona(&dc, dir.path(), "webmail", "wmuser", 5);
    clean(&r, "webmail", &log);
    assert!(raw.sessions >= 3 && !raw.input.contains("IDLE") && !raw.input.contains("COMPRESS"));
}

#[test]
fn the_issue_mix_against_dovecot_has_no_errors_and_idlers_fetch_the_mail_lmtp_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let Some(dc) = DovecotAdmin::start(dir.path()) else {
        return;
    };
    let users = dir.path().join("users.csv");
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=20 {
        csv.push_str(&format!("mix{i:02},secret,dovecot\n"));
    }
    std::fs::write(&users, csv).unwrap();
    let out = dir.path().join("out");
    let backend = format!("dovecot=imap://127.0.0.1:{}", dc.imap_port);
    let lmtp = format!("127.0.0.1:{}", dc.lmtp_port);
    // One hour of client time, as the embedded test runs it, in half the wall time.
    let o = imapload(
        dir.path(),
        &[
            "run",
            "--quiet",
            "--backend",
            &backend,
            "--users",
            users.to_str().unwrap(),
            "--persona",
            "thunderbird=40,ios=30,outlook=20,k9=10",
            "--time-scale",
            "120",
            "--lmtp",
            &lmtp,
            "-d",
            "30s",
            "-s",
            "20",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let errors = std::fs::read_to_string(out.join("errors.csv")).unwrap_or_default();
    assert!(o.status.success(), "{}\nerrors.csv:\n{errors}", text(&o));
    let r = run_json(&out);
    assert_eq!(r.totals.errors, 0, "{errors}");
    for p in &r.personas {
        assert!(p.max_connections_per_user <= p.pool as u64, "{p:?}");
    }
    let tb = persona_row(&r, "thunderbird");
    assert!(
        tb.exists_pushed > 0 && tb.idle_fetches > 0,
        "Dovecot pushes LMTP's mail to idling Thunderbirds: {tb:?}"
    );
    let delivered: u64 = r.personas.iter().map(|p| p.deliveries).sum();
    assert!(
        delivered >= 20,
        "20 users x 120 a day for an hour: ~100 expected, {delivered}"
    );
    assert!(
        !dc.log().contains("Maximum number of connections"),
        "within mail_max_userip_connections"
    );
}
