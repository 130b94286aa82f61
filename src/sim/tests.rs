//! End-to-end tests of the embedded topology over real sockets.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;

use super::testclient::{Client, Mode};
use super::Topology;
use crate::plan::{EmbeddedPlan, ServiceTime, ServiceTimes, User};

pub(super) fn plan(workers: usize, service: Duration) -> EmbeddedPlan {
    EmbeddedPlan {
        cas: 1,
        backends: 2,
        listen: "127.0.0.1".parse().unwrap(),
        workers_per_backend: workers,
        messages_per_mailbox: 20,
        message_size: 3000,
        service: ServiceTimes {
            default: ServiceTime {
                median: service,
                p99: service,
            },
            per_command: HashMap::new(),
        },
        login_disabled_without_tls: false,
        mailset: None,
    }
}

pub(super) fn users() -> Vec<User> {
    crate::serve::make_users(6, 2)
}

pub(super) async fn start() -> Topology {
    Topology::start(&plan(8, Duration::ZERO), &users(), 42, None)
        .await
        .unwrap()
}

pub(super) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(super) async fn connect(t: &Topology, addr: SocketAddr, mode: Mode) -> Client {
    Client::connect(addr, mode, t.ca_pem()).await
}

pub(super) fn addr(t: &Topology, cas: bool, mode: Mode) -> SocketAddr {
    let s = if cas { &t.cas()[0] } else { &t.backends()[0] };
    if mode == Mode::Tls {
        s.tls
    } else {
        s.plain
    }
}

/// LOGIN, SELECT INBOX, FETCH a body whose literal is RFC822.SIZE bytes.
#[tokio::test]
async fn login_select_fetch_on_every_path_and_transport() {
    let t = start().await;
    for cas in [false, true] {
        for mode in [Mode::Plain, Mode::StartTls, Mode::Tls] {
            let mut c = connect(&t, addr(&t, cas, mode), mode).await;
            assert!(
                c.greeting.starts_with("* OK [CAPABILITY IMAP4rev1"),
                "{}",
                c.greeting
            );
            assert_eq!(
                c.greeting.contains("STARTTLS"),
                mode != Mode::Tls,
                "{}",
                c.greeting
            );
            c.login("user00001", "pass00001").await;
            let (untagged, done) = c.cmd("SELECT INBOX").await;
            assert!(done.contains("OK [READ-WRITE]"), "{done}");
            assert!(
                untagged.iter().any(|l| text(l).trim_end() == "* 20 EXISTS"),
                "{untagged:?}"
            );
            let (untagged, _) = c.cmd("FETCH 1 RFC822.SIZE").await;
            let size: usize = text(&untagged[0])
                .split("RFC822.SIZE ")
                .nth(1)
                .unwrap()
                .trim_end_matches([')', '\r', '\n'])
                .parse()
                .unwrap();
            let (untagged, done) = c.cmd("FETCH 1 BODY[]").await;
            assert!(done.contains("OK"), "{done}");
            let r = &untagged[0];
            let head = text(&r[..r.iter().position(|b| *b == b'\n').unwrap()]);
            assert!(
                head.ends_with(&format!("BODY[] {{{size}}}\r")),
                "cas={cas} {mode:?}: {head}"
            );
            assert_eq!(
                r.len(),
                head.len() + 1 + size + 3,
                "literal of RFC822.SIZE bytes then )\\r\\n"
            );
            let (_, done) = c.cmd("LOGOUT").await;
            assert!(done.contains("OK"), "{done}");
        }
    }
    t.shutdown().await;
}

#[tokio::test]
async fn bad_credentials_and_wrong_home_are_refused() {
    let t = start().await;
    for cas in [false, true] {
        let mut c = connect(&t, addr(&t, cas, Mode::Plain), Mode::Plain).await;
        let (_, done) = c.cmd("LOGIN user00001 wrong").await;
        assert!(done.contains("NO [AUTHENTICATIONFAILED]"), "{done}");
        // Still connected and unauthenticated.
        let (_, done) = c.cmd("LOGIN user00001 pass00001").await;
        assert!(done.contains("OK"), "{done}");
    }
    // user00002 lives on mbx2.
    let mut c = connect(&t, t.backends()[0].plain, Mode::Plain).await;
    let (_, done) = c.cmd("LOGIN user00002 pass00002").await;
    assert!(done.contains("NO [AUTHENTICATIONFAILED]"), "{done}");
    assert_eq!(t.control("mbx1").unwrap().logins_failed(), 2);
    // ...but via the CAS it reaches mbx2.
    let mut c = connect(&t, t.cas()[0].plain, Mode::Plain).await;
    c.login("user00002", "pass00002").await;
    t.shutdown().await;
}

#[tokio::test]
async fn cas_forwards_nothing_before_authentication() {
    let t = start().await;
    let mut c = connect(&t, t.cas()[0].plain, Mode::Plain).await;
    for cmd in [
        "SELECT INBOX",
        "FETCH 1 BODY[]",
        "LIST \"\" *",
        "APPEND INBOX {3+}\r\nabc",
    ] {
        let (_, done) = c.cmd(cmd).await;
        assert!(
            done.ends_with("BAD Command received in Invalid state."),
            "{cmd}: {done}"
        );
    }
    let (_, done) = c.cmd("NOOP").await;
    assert!(done.contains("OK"));
    assert_eq!(t.control("cas1").unwrap().backend_connections(), 0);
    assert_eq!(t.control("mbx1").unwrap().connections(), 0);
    t.shutdown().await;
}

#[tokio::test]
async fn authenticate_plain_with_and_without_initial_response() {
    let t = start().await;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for cas in [false, true] {
        let a = addr(&t, cas, Mode::Plain);
        let mut c = connect(&t, a, Mode::Plain).await;
        let (_, done) = c
            .cmd(&format!(
                "AUTHENTICATE PLAIN {}",
                b64("\0user00001\0pass00001")
            ))
            .await;
        assert!(done.contains("OK"), "SASL-IR cas={cas}: {done}");

        let mut c = connect(&t, a, Mode::Plain).await;
        c.send(b"a1 AUTHENTICATE PLAIN\r\n").await;
        assert_eq!(c.read_text().await, "+ \r\n");
        c.send(format!("{}\r\n", b64("\0user00001\0pass00001")).as_bytes())
            .await;
        let (_, done) = c.until("a1").await;
        assert!(done.contains("OK"), "continuation cas={cas}: {done}");

        let mut c = connect(&t, a, Mode::Plain).await;
        c.send(b"a2 AUTHENTICATE PLAIN\r\n").await;
        assert_eq!(c.read_text().await, "+ \r\n");
        c.send(b"*\r\n").await;
        let (_, done) = c.until("a2").await;
        assert!(done.contains("BAD"), "cancel cas={cas}: {done}");
        let (_, done) = c
            .cmd(&format!("AUTHENTICATE PLAIN {}", b64("\0user00001\0nope")))
            .await;
        assert!(done.contains("NO"), "{done}");
    }
    t.shutdown().await;
}

#[tokio::test]
async fn append_sync_and_nonsync_literals_then_fetch_them_back() {
    let t = start().await;
    let mut c = connect(&t, t.backends()[0].plain, Mode::Plain).await;
    c.login("user00001", "pass00001").await;
    c.cmd("SELECT INBOX").await;
    let msg = b"From: a@b\r\nSubject: hello\r\n\r\nbody\r\n";
    c.send(format!("a1 APPEND INBOX (\\Seen) {{{}}}\r\n", msg.len()).as_bytes())
        .await;
    assert!(c.read_text().await.starts_with("+ "));
    c.send(msg).await;
    c.send(b"\r\n").await;
    let (untagged, done) = c.until("a1").await;
    assert!(done.contains("OK [APPENDUID"), "{done}");
    assert!(
        untagged.iter().any(|l| text(l).trim_end() == "* 21 EXISTS"),
        "{untagged:?}"
    );
    c.send(format!("a2 APPEND INBOX {{{}+}}\r\n", msg.len()).as_bytes())
        .await;
    c.send(msg).await;
    c.send(b"\r\n").await;
    let (untagged, done) = c.until("a2").await;
    assert!(done.contains("OK"), "{done}");
    assert!(
        untagged.iter().any(|l| text(l).trim_end() == "* 22 EXISTS"),
        "{untagged:?}"
    );
    let (untagged, _) = c.cmd("UID FETCH 21:* (FLAGS BODY.PEEK[])").await;
    assert_eq!(untagged.len(), 2);
    assert!(untagged[0].windows(msg.len()).any(|w| w == msg));
    assert!(text(&untagged[0]).contains("UID 21"));
    assert!(text(&untagged[0]).contains("\\Seen"));
    t.shutdown().await;
}

#[tokio::test]
async fn idle_sees_append_from_another_session() {
    let t = start().await;
    let mut idler = connect(&t, t.cas()[0].plain, Mode::Plain).await;
    idler.login("user00001", "pass00001").await;
    idler.cmd("SELECT INBOX").await;
    idler.send(b"i1 IDLE\r\n").await;
    assert!(idler.read_text().await.starts_with("+ "));
    let mut other = connect(&t, t.backends()[0].plain, Mode::Plain).await;
    other.login("user00001", "pass00001").await;
    let (_, done) = other.cmd("APPEND INBOX {10+}\r\n0123456789").await;
    assert!(done.contains("OK"), "{done}");
    let pushed = tokio::time::timeout(Duration::from_secs(5), idler.read_text())
        .await
        .unwrap();
    assert_eq!(pushed, "* 21 EXISTS\r\n");
    idler.send(b"DONE\r\n").await;
    let (_, done) = idler.until("i1").await;
    assert!(done.contains("OK"), "{done}");
    // Expunge from the other session shows up at the idler's next command.
    other.cmd("SELECT INBOX").await;
    other.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    let (untagged, _) = other.cmd("EXPUNGE").await;
    assert_eq!(text(&untagged[0]), "* 1 EXPUNGE\r\n");
    let (untagged, _) = idler.cmd("NOOP").await;
    assert_eq!(text(&untagged[0]), "* 1 EXPUNGE\r\n");
    t.shutdown().await;
}

#[tokio::test]
async fn mailbox_commands_behave() {
    let t = start().await;
    let mut c = connect(&t, t.backends()[0].plain, Mode::Plain).await;
    c.login("user00001", "pass00001").await;
    let (l, _) = c.cmd("LIST \"\" *").await;
    assert_eq!(l.len(), 5, "{l:?}");
    let (l, _) = c.cmd("LSUB \"\" %").await;
    assert_eq!(l.len(), 5);
    let (l, done) = c.cmd("LIST \"\" \"*\" RETURN (SPECIAL-USE)").await;
    assert!(done.contains("OK LIST"), "{done}");
    assert!(l.iter().any(|l| text(l).contains("\\Sent")), "{l:?}");
    let (l, _) = c
        .cmd("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT)")
        .await;
    assert!(
        text(&l[0]).starts_with("* STATUS INBOX (MESSAGES 20 UIDNEXT 21 UIDVALIDITY "),
        "{l:?}"
    );
    let (_, done) = c.cmd("FETCH 1 FLAGS").await;
    assert!(done.contains("BAD"), "FETCH needs a selected mailbox");
    let (l, done) = c.cmd("EXAMINE INBOX").await;
    assert!(done.contains("[READ-ONLY]"));
    assert!(l.iter().any(|l| text(l).contains("PERMANENTFLAGS ()")));
    let (_, done) = c.cmd("STORE 1 +FLAGS (\\Seen)").await;
    assert!(done.contains("NO"), "{done}");
    c.cmd("SELECT INBOX").await;
    let (l, _) = c.cmd("FETCH 3,5:7 (UID FLAGS)").await;
    assert_eq!(l.len(), 4);
    let (l, _) = c.cmd("FETCH * (BODY.PEEK[]<0.10>)").await;
    assert!(text(&l[0]).contains("BODY[]<0> {10}\r\n"), "{l:?}");
    let (l, _) = c
        .cmd("FETCH 2 (ENVELOPE BODY.PEEK[HEADER] INTERNALDATE)")
        .await;
    assert!(text(&l[0]).contains("ENVELOPE (\""), "{l:?}");
    assert!(text(&l[0]).contains("INTERNALDATE \""));
    let (l, _) = c.cmd("FETCH 1:2 FULL").await;
    assert!(text(&l[0]).contains("BODY (\"TEXT\" \"PLAIN\""), "{l:?}");
    let (l, _) = c.cmd("SEARCH UNSEEN").await;
    let unseen: Vec<String> = text(&l[0])
        .split_whitespace()
        .skip(2)
        .map(String::from)
        .collect();
    assert!(!unseen.is_empty());
    let (l, _) = c.cmd(&format!("FETCH {} BODY[TEXT]", unseen[0])).await;
    assert!(
        text(&l[0]).contains("FLAGS (\\Seen"),
        "non-peek fetch sets \\Seen: {l:?}"
    );
    let (l2, _) = c.cmd("SEARCH UNSEEN").await;
    assert_eq!(
        text(&l2[0]).split_whitespace().count(),
        2 + unseen.len() - 1,
        "one fewer unseen"
    );
    let (l, _) = c
        .cmd("SEARCH OR FLAGGED NOT SEEN SINCE 1-Jan-2000 LARGER 10 SUBJECT \"#3\"")
        .await;
    assert!(text(&l[0]).starts_with("* SEARCH"), "{l:?}");
    let (l, _) = c.cmd("UID SEARCH UID 1:5 FROM \"example.net\"").await;
    assert_eq!(text(&l[0]).trim_end(), "* SEARCH 1 2 3 4 5");
    let (_, done) = c.cmd("UID COPY 1:3 Archive").await;
    assert!(done.contains("OK [COPYUID"), "{done}");
    let (l, _) = c.cmd("STORE 1:2 +FLAGS (\\Deleted)").await;
    assert_eq!(l.len(), 2);
    let (l, _) = c.cmd("EXPUNGE").await;
    assert_eq!(
        l.iter().map(|l| text(l)).collect::<Vec<_>>(),
        ["* 2 EXPUNGE\r\n", "* 1 EXPUNGE\r\n"]
    );
    c.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    let (_, done) = c.cmd("CLOSE").await;
    assert!(done.contains("OK"));
    let (l, _) = c.cmd("STATUS INBOX (MESSAGES)").await;
    assert_eq!(text(&l[0]).trim_end(), "* STATUS INBOX (MESSAGES 17)");
    let (_, done) = c.cmd("SELECT Nope").await;
    assert!(done.contains("NO"));
    t.shutdown().await;
}

/// One topology over two "processes": mbx1 in one, cas1 + mbx2 in the
/// other, on one port numbering. The CAS relays to the mbx1 it does not run.
#[tokio::test]
async fn a_topology_split_over_two_starts_keeps_its_ports_and_relays_across() {
    let p = plan(4, Duration::ZERO);
    // A free run of 6 ports: try bases until both halves bind.
    for attempt in 0..20u16 {
        let base = 20_000 + (std::process::id() as u16 % 1000) * 20 + attempt * 7;
        let Ok(a) = Topology::start_only(&p, &users(), 1, Some(base), Some(&["mbx1".into()])).await
        else {
            continue;
        };
        let only_b = ["cas1".to_string(), "mbx2".to_string()];
        let Ok(b) = Topology::start_only(&p, &users(), 1, Some(base), Some(&only_b)).await else {
            a.shutdown().await;
            continue;
        };
        assert!(a.cas().is_empty());
        assert_eq!(a.backends()[0].name, "mbx1");
        assert_eq!(
            a.backends()[0].plain.port(),
            base + 2,
            "mbx1 keeps its place"
        );
        assert_eq!(b.cas()[0].plain.port(), base);
        assert_eq!(b.backends()[0].name, "mbx2");
        assert_eq!(b.backends()[0].plain.port(), base + 4);
        // user00001 lives on mbx1, which only `a` runs: through b's CAS.
        let mut c = connect(&b, b.cas()[0].plain, Mode::Plain).await;
        c.login("user00001", "pass00001").await;
        let (_, done) = c.cmd("SELECT INBOX").await;
        assert!(done.contains("OK"), "{done}");
        a.shutdown().await;
        b.shutdown().await;
        return;
    }
    panic!("no free run of ports found");
}

#[tokio::test]
async fn a_partial_topology_needs_a_port_base() {
    let only = ["mbx1".to_string()];
    let err = Topology::start_only(&plan(1, Duration::ZERO), &users(), 1, None, Some(&only))
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("port base"), "{err}");
}
