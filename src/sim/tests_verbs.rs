//! What the client personas send, in the spelling real clients use
//! (lower-case verbs, LIST-EXTENDED, AUTHENTICATE with and without an
//! initial response), against the back end directly and through the CAS.

use base64::Engine as _;

use super::testclient::{Client, Mode};
use super::tests::{addr, connect, start, text};

fn lines(untagged: &[Vec<u8>]) -> Vec<String> {
    untagged
        .iter()
        .map(|l| text(l).trim_end().to_string())
        .collect()
}

async fn ok(c: &mut Client, cmd: &str) -> Vec<String> {
    let (untagged, done) = c.cmd(cmd).await;
    assert!(done.contains(" OK "), "{cmd}: {done}");
    lines(&untagged)
}

#[tokio::test]
async fn persona_spellings_work_direct_and_through_the_cas() {
    let t = start().await;
    let plain = base64::engine::general_purpose::STANDARD.encode(b"\0user00001\0pass00001");
    for cas in [false, true] {
        let mut c = connect(&t, addr(&t, cas, Mode::Plain), Mode::Plain).await;
        c.send(b"a1 authenticate PLAIN\r\n").await;
        let cont = text(&c.read().await.unwrap());
        assert!(cont.starts_with("+"), "cas={cas}: {cont}");
        c.send(format!("{plain}\r\n").as_bytes()).await;
        let (_, done) = c.until("a1").await;
        assert!(done.starts_with("a1 OK"), "cas={cas}: {done}");
        let caps = ok(&mut c, "capability").await;
        assert!(caps[0].contains(" LIST-EXTENDED"), "{caps:?}");
        let listed = ok(&mut c, "LIST (SUBSCRIBED) \"\" \"*\" RETURN (SPECIAL-USE)").await;
        assert_eq!(listed.len(), 5, "{listed:?}");
        assert!(
            listed.iter().all(|l| l.contains("\\Subscribed")),
            "{listed:?}"
        );
        assert!(
            listed.contains(&"* LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent".into()),
            "{listed:?}"
        );
        assert_eq!(
            ok(&mut c, "list \"\" \"\"").await,
            ["* LIST (\\Noselect) \"/\" \"\""]
        );
        assert_eq!(ok(&mut c, "LSUB \"\" \"*\"").await.len(), 5);
        let plain_list = ok(&mut c, "list \"\" \"*\" return (special-use)").await;
        assert!(
            !plain_list.iter().any(|l| l.contains("Subscribed")),
            "{plain_list:?}"
        );
        ok(&mut c, "select INBOX").await;
        assert_eq!(ok(&mut c, "UID fetch 1:* (FLAGS)").await.len(), 20);
        ok(&mut c, "getquotaroot INBOX").await;
        ok(&mut c, "noop").await;
        ok(&mut c, "check").await;
        let mut d = connect(&t, addr(&t, cas, Mode::Plain), Mode::Plain).await;
        ok(&mut d, &format!("AUTHENTICATE PLAIN {plain}")).await;
        ok(&mut d, "examine INBOX").await;
    }
    t.shutdown().await;
}

/// The FETCH forms the personas send: partials, header fields, sizes,
/// dates, structure, classic Outlook's `RFC822.peek`; only non-PEEK body
/// fetches set \Seen.
#[tokio::test]
async fn persona_fetch_items() {
    let t = start().await;
    let mut c = connect(&t, addr(&t, false, Mode::Plain), Mode::Plain).await;
    c.login("user00001", "pass00001").await;
    ok(&mut c, "select INBOX").await;
    let unseen = |l: &Vec<String>| !l[0].contains("\\Seen");
    assert!(unseen(&ok(&mut c, "FETCH 19:20 (FLAGS)").await));
    let partial = ok(&mut c, "FETCH 19 (BODY.PEEK[]<0.100>)").await;
    assert!(
        partial[0].starts_with("* 19 FETCH (BODY[]<0> {100}"),
        "{partial:?}"
    );
    let fields = "From To Cc Bcc Subject Date Message-ID Priority X-Priority References \
                  Newsgroups In-Reply-To Content-Type Reply-To Received";
    let head = ok(
        &mut c,
        &format!("UID fetch 19 (UID BODY.PEEK[HEADER.FIELDS ({fields})])"),
    )
    .await;
    assert!(
        head[0].contains("BODY[HEADER.FIELDS (FROM TO CC"),
        "{head:?}"
    );
    assert!(head[0].contains("Subject: "), "{head:?}");
    let meta = ok(
        &mut c,
        "FETCH 19 (UID RFC822.SIZE INTERNALDATE BODYSTRUCTURE)",
    )
    .await;
    for item in ["RFC822.SIZE ", "INTERNALDATE \"", "BODYSTRUCTURE ("] {
        assert!(meta[0].contains(item), "{item}: {meta:?}");
    }
    let outlook = ok(&mut c, "UID fetch 19 (UID RFC822.SIZE RFC822.peek)").await;
    assert!(outlook[0].contains(" RFC822 {"), "{outlook:?}");
    let text_part = ok(&mut c, "FETCH 19 (BODY.PEEK[TEXT]<0.64>)").await;
    assert!(text_part[0].contains("BODY[TEXT]<0> {64}"), "{text_part:?}");
    assert!(
        unseen(&ok(&mut c, "FETCH 19 (FLAGS)").await),
        "PEEKs leave \\Seen alone"
    );
    let read = ok(&mut c, "FETCH 20 (BODY[]<10.20>)").await;
    assert!(
        read[0].contains("BODY[]<10> {20}") && read[0].contains("\\Seen"),
        "{read:?}"
    );
    assert!(
        !unseen(&ok(&mut c, "FETCH 20 (FLAGS)").await),
        "BODY[] sets \\Seen"
    );
    assert_eq!(ok(&mut c, "FETCH 1:20 (FLAGS UID)").await.len(), 20);
    t.shutdown().await;
}
