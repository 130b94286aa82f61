//! ENABLE, CONDSTORE and QRESYNC (RFC 5161, RFC 7162) on the embedded back
//! end, direct and through the CAS.

use super::testclient::Mode;
use super::tests::{addr, connect, start, text};

fn lines(untagged: &[Vec<u8>]) -> Vec<String> {
    untagged
        .iter()
        .map(|l| text(l).trim_end().to_string())
        .collect()
}

fn uid_validity(untagged: &[String]) -> u32 {
    let l = untagged
        .iter()
        .find(|l| l.contains("[UIDVALIDITY "))
        .unwrap();
    l.split("[UIDVALIDITY ")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn modseqs_count_changes_and_changedsince_returns_only_those() {
    let t = start().await;
    let mut c = connect(&t, addr(&t, false, Mode::Plain), Mode::Plain).await;
    c.login("user00001", "pass00001").await;
    let (caps, _) = c.cmd("CAPABILITY").await;
    let caps = text(&caps[0]);
    for cap in [" CONDSTORE", " QRESYNC", " UTF8=ACCEPT", " ENABLE"] {
        assert!(caps.contains(cap), "{cap} in {caps}");
    }
    let (enabled, ok) = c.cmd("enable CONDSTORE X-UNKNOWN UTF8=ACCEPT").await;
    assert!(ok.contains("OK"), "{ok}");
    assert_eq!(lines(&enabled), ["* ENABLED CONDSTORE UTF8=ACCEPT"]);
    let (sel, _) = c.cmd("SELECT INBOX").await;
    let sel = lines(&sel);
    assert!(
        sel.contains(&"* OK [HIGHESTMODSEQ 1] Highest".to_string()),
        "{sel:?}"
    );
    let (stored, _) = c.cmd("STORE 3 +FLAGS (\\Draft)").await;
    let stored = lines(&stored);
    assert!(stored[0].ends_with(" MODSEQ (2))"), "{stored:?}");
    let (changed, ok) = c.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)").await;
    assert!(ok.contains("OK"), "{ok}");
    let changed = lines(&changed);
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(
        changed[0].starts_with("* 3 FETCH (UID 3 FLAGS ("),
        "{changed:?}"
    );
    assert!(changed[0].ends_with(" MODSEQ (2))"), "{changed:?}");
    let (all, ok) = c.cmd("FETCH 1:20 (FLAGS UID MODSEQ)").await;
    assert!(ok.contains("OK"), "{ok}");
    let all = lines(&all);
    assert_eq!(all.len(), 20);
    assert!(all.iter().all(|l| l.contains(" MODSEQ (")), "{all:?}");
    let (_, ok) = c.cmd("APPEND INBOX {4+}\r\nhi\r\n").await;
    assert!(ok.contains("OK"), "{ok}");
    let (st, _) = c.cmd("STATUS INBOX (HIGHESTMODSEQ)").await;
    assert_eq!(lines(&st), ["* STATUS INBOX (HIGHESTMODSEQ 3)"]);
    let (st, _) = c.cmd("STATUS INBOX (UIDNEXT HIGHESTMODSEQ)").await;
    assert_eq!(lines(&st), ["* STATUS INBOX (UIDNEXT 22 HIGHESTMODSEQ 3)"]);
    // Another session: CONDSTORE is off until SELECT asks for it; QRESYNC
    // with the right UIDVALIDITY gets what changed since its MODSEQ.
    let mut d = connect(&t, addr(&t, true, Mode::Plain), Mode::Plain).await;
    d.login("user00001", "pass00001").await;
    let (sel, _) = d.cmd("EXAMINE INBOX").await;
    let sel = lines(&sel);
    assert!(!sel.iter().any(|l| l.contains("HIGHESTMODSEQ")), "{sel:?}");
    let uv = uid_validity(&sel);
    let (sel, ok) = d.cmd(&format!("select INBOX (QRESYNC ({uv} 1))")).await;
    assert!(ok.contains("OK [READ-WRITE]"), "{ok}");
    let sel = lines(&sel);
    assert!(
        sel.iter().any(|l| l.contains("[HIGHESTMODSEQ 3]")),
        "{sel:?}"
    );
    let resync: Vec<_> = sel.iter().filter(|l| l.contains(" FETCH ")).collect();
    assert_eq!(resync.len(), 2, "{sel:?}");
    assert!(resync[1].starts_with("* 21 FETCH (UID 21 "), "{sel:?}");
    let (sel, _) = d
        .cmd(&format!("SELECT INBOX (QRESYNC ({} 1))", uv + 1))
        .await;
    assert!(
        !lines(&sel).iter().any(|l| l.contains(" FETCH ")),
        "other UIDVALIDITY"
    );
    t.shutdown().await;
}

/// Flag changes by another session are pushed to an idling one (with
/// MODSEQ under CONDSTORE), and a session's own silent STORE is not
/// echoed back to it at the next NOOP.
#[tokio::test]
async fn idle_pushes_flag_changes_from_other_sessions() {
    let t = start().await;
    let mut sessions = Vec::new();
    for cas in [false, true, true] {
        let mut c = connect(&t, addr(&t, cas, Mode::Plain), Mode::Plain).await;
        c.login("user00001", "pass00001").await;
        sessions.push(c);
    }
    let [mut idler, mut plain, mut other] = <[_; 3]>::try_from(sessions).ok().unwrap();
    idler.cmd("ENABLE CONDSTORE").await;
    for c in [&mut idler, &mut plain, &mut other] {
        c.cmd("SELECT INBOX").await;
    }
    idler.send(b"i IDLE\r\n").await;
    assert!(text(&idler.read().await.unwrap()).starts_with("+ "));
    let (_, ok) = other.cmd("STORE 5 +FLAGS.SILENT (\\Draft)").await;
    assert!(ok.contains("OK"), "{ok}");
    let wait = std::time::Duration::from_secs(10);
    let pushed = tokio::time::timeout(wait, idler.read())
        .await
        .expect("no push");
    let pushed = text(&pushed.unwrap());
    assert!(pushed.starts_with("* 5 FETCH (UID 5 FLAGS ("), "{pushed}");
    assert!(
        pushed.contains("\\Draft") && pushed.trim_end().ends_with(" MODSEQ (2))"),
        "{pushed}"
    );
    idler.send(b"DONE\r\n").await;
    let (_, done) = idler.until("i").await;
    assert!(done.contains("OK"), "{done}");
    let (seen, _) = plain.cmd("NOOP").await;
    assert_eq!(
        lines(&seen),
        ["* 5 FETCH (UID 5 FLAGS (\\Draft))"],
        "no MODSEQ without CONDSTORE"
    );
    let (echo, _) = other.cmd("NOOP").await;
    assert!(lines(&echo).is_empty(), "own silent STORE echoed: {echo:?}");
    t.shutdown().await;
}
