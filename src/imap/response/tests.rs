//! Response accessor tests on sample server lines.

use super::*;

fn r(s: &[u8]) -> Response<'_> {
    Response::new(s)
}

#[test]
fn kinds() {
    assert_eq!(r(b"* OK hi\r\n").kind(), Kind::Untagged);
    assert_eq!(r(b"+ go ahead\r\n").kind(), Kind::Continuation);
    assert_eq!(r(b"+\r\n").kind(), Kind::Continuation);
    assert_eq!(r(b"a1 OK done\r\n").kind(), Kind::Tagged);
    assert_eq!(r(b"").kind(), Kind::Tagged);
}

#[test]
fn tags() {
    assert_eq!(r(b"a17 OK done\r\n").tag(), Some(&b"a17"[..]));
    assert_eq!(r(b"a17\r\n").tag(), Some(&b"a17"[..]));
    assert_eq!(r(b"* OK x\r\n").tag(), None);
    assert_eq!(r(b"+ x\r\n").tag(), None);
    assert_eq!(r(b"").tag(), Some(&b""[..]));
}

#[test]
fn statuses_are_case_insensitive() {
    assert_eq!(r(b"a1 OK done\r\n").status(), Some(Status::Ok));
    assert_eq!(
        r(b"a1 no [AUTHENTICATIONFAILED] nope\r\n").status(),
        Some(Status::No)
    );
    assert_eq!(r(b"a1 Bad what\r\n").status(), Some(Status::Bad));
    assert_eq!(r(b"* BYE bye\r\n").status(), Some(Status::Bye));
    assert_eq!(r(b"* PREAUTH welcome\r\n").status(), Some(Status::Preauth));
    assert_eq!(r(b"a1 OK\r\n").status(), Some(Status::Ok));
    assert_eq!(r(b"* 5 EXISTS\r\n").status(), None);
    assert_eq!(r(b"+ OK\r\n").status(), None);
    assert_eq!(r(b"a1 OKAY\r\n").status(), None);
}

#[test]
fn text_is_rest_of_first_line() {
    assert_eq!(
        r(b"a1 OK [READ-WRITE] Select done\r\n").text(),
        b"[READ-WRITE] Select done"
    );
    assert_eq!(r(b"a1 OK\r\n").text(), b"");
    assert_eq!(r(b"+ go ahead\r\n").text(), b"go ahead");
    assert_eq!(r(b"+\r\n").text(), b"");
    assert_eq!(r(b"* 5 EXISTS\r\n").text(), b"5 EXISTS");
    assert_eq!(r(b"* OK bare lf\n").text(), b"bare lf");
    assert_eq!(
        r(b"* 1 FETCH (BODY[] {3}\r\nabc)\r\n").text(),
        b"1 FETCH (BODY[] {3}"
    );
}

#[test]
fn codes() {
    assert_eq!(
        r(b"* OK [UIDNEXT 42] Predicted\r\n").code(),
        Some((&b"UIDNEXT"[..], &b"42"[..]))
    );
    assert_eq!(
        r(b"* OK [ALERT] Disk full\r\n").code(),
        Some((&b"ALERT"[..], &b""[..]))
    );
    assert_eq!(
        r(b"* OK [PERMANENTFLAGS (\\Seen \\*)] ok\r\n").code(),
        Some((&b"PERMANENTFLAGS"[..], &b"(\\Seen \\*)"[..]))
    );
    assert_eq!(
        r(b"a2 NO [TRYCREATE] no\r\n").code(),
        Some((&b"TRYCREATE"[..], &b""[..]))
    );
    assert_eq!(
        r(b"+ [ALERT] x\r\n").code(),
        Some((&b"ALERT"[..], &b""[..]))
    );
    assert_eq!(r(b"a1 OK done\r\n").code(), None);
    assert_eq!(r(b"* OK [UNCLOSED x\r\n").code(), None);
    // Untagged data whose text happens to start with '[' carries no code.
    assert_eq!(r(b"* [X] y\r\n").code(), None);
}

#[test]
fn untagged_numbers() {
    assert_eq!(
        r(b"* 5 EXISTS\r\n").untagged_number(),
        Some((5, &b"EXISTS"[..]))
    );
    assert_eq!(
        r(b"* 3 FETCH (FLAGS (\\Seen))\r\n").untagged_number(),
        Some((3, &b"FETCH"[..]))
    );
    assert_eq!(
        r(b"* 4294967295 EXPUNGE\r\n").untagged_number(),
        Some((u32::MAX, &b"EXPUNGE"[..]))
    );
    assert_eq!(r(b"* 4294967296 EXISTS\r\n").untagged_number(), None);
    assert_eq!(r(b"* 5\r\n").untagged_number(), None);
    assert_eq!(r(b"* SEARCH 1 2\r\n").untagged_number(), None);
    assert_eq!(r(b"a1 5 EXISTS\r\n").untagged_number(), None);
}

#[test]
fn untagged_keywords() {
    assert_eq!(
        r(b"* CAPABILITY IMAP4rev1 IDLE\r\n").untagged_keyword(),
        Some(&b"CAPABILITY"[..])
    );
    assert_eq!(
        r(b"* SEARCH 1 2\r\n").untagged_keyword(),
        Some(&b"SEARCH"[..])
    );
    assert_eq!(r(b"* SEARCH\r\n").untagged_keyword(), Some(&b"SEARCH"[..]));
    assert_eq!(r(b"* OK hi\r\n").untagged_keyword(), Some(&b"OK"[..]));
    assert_eq!(r(b"* 5 EXISTS\r\n").untagged_keyword(), None);
    assert_eq!(r(b"* 99999999999 EXISTS\r\n").untagged_keyword(), None);
    assert_eq!(r(b"a1 OK x\r\n").untagged_keyword(), None);
    assert_eq!(r(b"*\r\n").untagged_keyword(), None);
}

#[test]
fn raw_is_untouched() {
    let m = b"* 1 FETCH (BODY[] {3}\r\nabc)\r\n";
    assert_eq!(r(m).raw(), m);
}

#[test]
fn every_corpus_message_has_a_sensible_view() {
    for m in crate::imap::framer::tests::corpus() {
        let resp = Response::new(&m);
        match resp.kind() {
            Kind::Tagged => assert!(resp.tag().is_some() && resp.status().is_some()),
            Kind::Untagged => {
                assert!(
                    resp.status().is_some()
                        || resp.untagged_keyword().is_some()
                        || resp.untagged_number().is_some()
                )
            }
            Kind::Continuation => assert_eq!(resp.text(), b"go ahead"),
        }
    }
}

#[test]
fn layout_found_once_matches_every_accessor() {
    // No line end at all, a bare CR, a lone `+ `: the stored layout must
    // stay inside the first line whatever the framing left.
    let a = r(b"a9 NO [ALERT] half");
    assert_eq!((a.tag(), a.status()), (Some(&b"a9"[..]), Some(Status::No)));
    assert_eq!(a.text(), b"[ALERT] half");
    assert_eq!(a.code(), Some((&b"ALERT"[..], &b""[..])));
    let b = r(b"* 7 EXPUNGE\r");
    assert_eq!(b.untagged_number(), Some((7, &b"EXPUNGE"[..])));
    assert_eq!(b.text(), b"7 EXPUNGE");
    let c = r(b"+ \r\n");
    assert_eq!(
        (c.kind(), c.text(), c.status()),
        (Kind::Continuation, &b""[..], None)
    );
    let d = r(b"* SEARCH\r\n");
    assert_eq!(d.untagged_keyword(), Some(&b"SEARCH"[..]));
    assert_eq!((d.status(), d.text()), (None, &b"SEARCH"[..]));
}
