//! Each rule on canned responses: the violation fails, the lawful variant passes.

use super::scan::fetch_items;
use super::*;

fn selected(exists: u32) -> MailboxState {
    MailboxState {
        selected: true,
        exists,
        uid_next: exists + 1,
        ..Default::default()
    }
}

/// Feeds responses as `read_checked` does (check, then fold); finishes at
/// the tagged OK. Returns the outcome and the detail.
fn run(
    kind: CommandKind,
    validate: Validate,
    mbox: &mut MailboxState,
    lines: &[&[u8]],
) -> (Result<(), ErrorReason>, Option<&'static str>) {
    let mut check = Check::new(kind, mbox).with(validate);
    for line in lines {
        let resp = Response::new(line);
        if let Err(e) = check.observe(&resp, mbox) {
            // The message of a failed check is its detail.
            assert_eq!(Some(e.message.as_ref()), check.detail());
            return (Err(e.reason), check.detail());
        }
        mbox.observe(&resp);
    }
    let r = check.finish().map_err(|e| e.reason);
    (r, check.detail())
}

fn light(kind: CommandKind, exists: u32, lines: &[&[u8]]) -> Result<(), &'static str> {
    match run(kind, Validate::Light, &mut selected(exists), lines) {
        (Ok(()), _) => Ok(()),
        (Err(e), detail) => {
            assert_eq!(e, ErrorReason::Protocol);
            Err(detail.expect("a failed check has a detail"))
        }
    }
}

const OK: &[u8] = b"a1 OK done\r\n";

#[test]
fn tagged_status_must_be_ok_no_or_bad() {
    assert_eq!(
        light(CommandKind::Noop, 0, &[b"a1 HELLO there\r\n"]),
        Err("tagged response without OK/NO/BAD")
    );
    assert_eq!(light(CommandKind::Noop, 0, &[b"a1 ok\r\n"]), Ok(()));
    assert_eq!(light(CommandKind::Noop, 0, &[b"a1 NO nope\r\n"]), Ok(()));
}

#[test]
fn unknown_untagged_lines_are_malformed() {
    for bad in [&b"* HELLO world\r\n"[..], b"* 3 BOGUS\r\n", b"*\r\n"] {
        assert_eq!(
            light(CommandKind::Noop, 5, &[bad, OK]),
            Err("unknown untagged response"),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    let good: [&[u8]; 9] = [
        b"* OK [UIDNEXT 9] next\r\n",
        b"* BYE soon\r\n",
        b"* CAPABILITY IMAP4rev1 IDLE\r\n",
        b"* ID NIL\r\n",
        b"* LIST (\\HasNoChildren) \".\" INBOX\r\n",
        b"* SEARCH 1 2\r\n",
        b"* FLAGS (\\Seen)\r\n",
        b"* 2 RECENT\r\n",
        OK,
    ];
    assert_eq!(light(CommandKind::Noop, 5, &good), Ok(()));
}

#[test]
fn exists_may_not_go_down_without_expunge() {
    assert_eq!(
        light(CommandKind::Noop, 5, &[b"* 3 EXISTS\r\n", OK]),
        Err("EXISTS went down without EXPUNGE")
    );
    let shrunk: [&[u8]; 4] = [
        b"* 2 EXPUNGE\r\n",
        b"* 2 EXPUNGE\r\n",
        b"* 3 EXISTS\r\n",
        OK,
    ];
    assert_eq!(light(CommandKind::Noop, 5, &shrunk), Ok(()));
    // The EXPUNGE excuses only the next EXISTS.
    let again: [&[u8]; 4] = [b"* 2 EXPUNGE\r\n", b"* 4 EXISTS\r\n", b"* 2 EXISTS\r\n", OK];
    assert!(light(CommandKind::Noop, 5, &again).is_err());
    assert_eq!(
        light(CommandKind::Noop, 5, &[b"* 7 EXISTS\r\n", OK]),
        Ok(())
    );
}

#[test]
fn fetch_numbers_stay_within_exists() {
    for bad in [
        &b"* 6 FETCH (FLAGS ())\r\n"[..],
        b"* 0 FETCH (FLAGS ())\r\n",
    ] {
        assert_eq!(
            light(CommandKind::Noop, 5, &[bad, OK]),
            Err("FETCH of a message number beyond EXISTS")
        );
    }
    let grown: [&[u8]; 3] = [b"* 6 EXISTS\r\n", b"* 6 FETCH (FLAGS ())\r\n", OK];
    assert_eq!(light(CommandKind::Noop, 5, &grown), Ok(()));
}

#[test]
fn fetch_body_needs_body_with_a_literal() {
    let flags_only: [&[u8]; 2] = [b"* 2 FETCH (FLAGS (\\Seen))\r\n", OK];
    assert_eq!(
        light(CommandKind::FetchBody, 5, &flags_only),
        Err("fetch without BODY[]")
    );
    let quoted: [&[u8]; 2] = [b"* 2 FETCH (BODY[] \"hi\")\r\n", OK];
    assert_eq!(
        light(CommandKind::FetchBody, 5, &quoted),
        Err("BODY[] without a literal")
    );
    // The item names inside a literal do not count.
    let tricky: [&[u8]; 2] = [
        b"* 2 FETCH (FLAGS (\\Seen) BODY[HEADER] {17}\r\nx BODY[] {1}\r\nx\r\n)\r\n",
        OK,
    ];
    assert_eq!(
        light(CommandKind::FetchBody, 5, &tricky),
        Err("fetch without BODY[]")
    );
    // An unsolicited flag update next to the real answer is fine.
    let good: [&[u8]; 3] = [
        b"* 4 FETCH (FLAGS (\\Flagged))\r\n",
        b"* 2 FETCH (FLAGS (\\Seen) BODY[] {7}\r\nhi)\r\n\r\n)\r\n",
        OK,
    ];
    assert_eq!(light(CommandKind::FetchBody, 5, &good), Ok(()));
}

#[test]
fn fetch_headers_needs_header_and_envelope() {
    let env = b"* 1 FETCH (UID 1 ENVELOPE (\"Mon, 1 Jan 2024\" {5}\r\nhi (x NIL NIL NIL NIL NIL NIL NIL \"<a@b>\")";
    let both = [env, &b" BODY[HEADER] {4}\r\na: b)\r\n"[..]].concat();
    let envelope_only = [env, &b")\r\n"[..]].concat();
    assert_eq!(
        light(CommandKind::FetchHeaders, 5, &[&envelope_only, OK]),
        Err("fetch without BODY[HEADER] and ENVELOPE")
    );
    assert_eq!(light(CommandKind::FetchHeaders, 5, &[&both, OK]), Ok(()));
}

#[test]
fn fetch_partial_needs_body_from_offset_zero() {
    let whole: [&[u8]; 2] = [b"* 3 FETCH (BODY[] {2}\r\nab)\r\n", OK];
    assert_eq!(
        light(CommandKind::FetchPartial, 5, &whole),
        Err("fetch without BODY[]<0>")
    );
    let partial: [&[u8]; 2] = [b"* 3 FETCH (BODY[]<0> {2}\r\nab)\r\n", OK];
    assert_eq!(light(CommandKind::FetchPartial, 5, &partial), Ok(()));
}

#[test]
fn fetch_flags_and_uid_fetch_need_uid_and_flags() {
    let no_uid: [&[u8]; 2] = [b"* 1 FETCH (FLAGS ())\r\n", OK];
    assert_eq!(
        light(CommandKind::FetchFlags, 5, &no_uid),
        Err("fetch without UID and FLAGS")
    );
    assert_eq!(
        light(CommandKind::UidFetch, 5, &no_uid),
        Err("UID FETCH response without UID")
    );
    let no_flags: [&[u8]; 2] = [b"* 1 FETCH (UID 4)\r\n", OK];
    assert!(light(CommandKind::UidFetch, 5, &no_flags).is_err());
    let good: [&[u8]; 3] = [
        b"* 1 FETCH (UID 4 FLAGS (\\Seen $Label~1))\r\n",
        b"* 2 FETCH (FLAGS () UID 5)\r\n",
        OK,
    ];
    assert_eq!(light(CommandKind::FetchFlags, 5, &good), Ok(()));
    assert_eq!(light(CommandKind::UidFetch, 5, &good), Ok(()));
}

#[test]
fn fetch_ok_without_data_is_an_error_unless_expunged() {
    for kind in [CommandKind::FetchFlags, CommandKind::FetchBody] {
        assert_eq!(light(kind, 5, &[OK]), Err("fetch OK without FETCH data"));
        assert_eq!(light(kind, 5, &[b"* 1 EXPUNGE\r\n", OK]), Ok(()));
        assert_eq!(light(kind, 0, &[OK]), Ok(()));
    }
    // UIDs may be gone: a UID FETCH may answer nothing.
    assert_eq!(light(CommandKind::UidFetch, 5, &[OK]), Ok(()));
    // Only FETCH commands expect data.
    assert_eq!(light(CommandKind::Noop, 5, &[OK]), Ok(()));
}

#[test]
fn malformed_fetch_responses() {
    for bad in [
        &b"* 1 FETCH (FLAGS (\\Seen)\r\n"[..],
        b"* 1 FETCH FLAGS ()\r\n",
        b"* 1 FETCH (FLAGS)\r\n",
        b"* 1 FETCH (BODY[] {9}\r\nab)\r\n",
        b"* 1 FETCH (UID 1) x\r\n",
        b"* 1 FETCH ( UID 1)\r\n",
    ] {
        assert_eq!(fetch_items(bad), None, "{}", String::from_utf8_lossy(bad));
        assert_eq!(
            light(CommandKind::Noop, 5, &[bad, OK]),
            Err("malformed FETCH response")
        );
    }
    let sect = b"* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)] {3}\r\na\r\n UID 2)\r\n";
    assert_eq!(fetch_items(sect), Some(super::scan::UID));
}

#[test]
fn strict_decodes_every_response() {
    // Light cannot tell that a UID must be a number; imap-codec can.
    let odd: [&[u8]; 2] = [b"* 1 FETCH (UID abc FLAGS ())\r\n", OK];
    let mut m = selected(5);
    assert!(run(CommandKind::Noop, Validate::Light, &mut m, &odd)
        .0
        .is_ok());
    let mut m = selected(5);
    let (r, detail) = run(CommandKind::Noop, Validate::Strict, &mut m, &odd);
    assert_eq!(r, Err(ErrorReason::Protocol));
    assert_eq!(detail, Some("imap-codec: response does not decode"));
    let fine: [&[u8]; 3] = [
        b"* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[] {2}\r\nab)\r\n",
        b"* OK [UIDNEXT 9] Predicted next UID\r\n",
        b"a1 OK [READ-WRITE] SELECT completed\r\n",
    ];
    let mut m = selected(5);
    assert_eq!(
        run(CommandKind::FetchBody, Validate::Strict, &mut m, &fine).0,
        Ok(())
    );
}

#[test]
fn strict_greeting() {
    let good = b"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n";
    assert_eq!(check_greeting(good, Validate::Strict), Ok(()));
    let bad = b"* HELLO ready\r\n";
    assert!(check_greeting(bad, Validate::Strict).is_err());
    assert_eq!(check_greeting(bad, Validate::Light), Ok(()));
}
