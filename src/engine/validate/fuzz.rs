//! Server bytes are not to be trusted: random IMAP-ish and random binary
//! input, framed, parsed, checked for every command kind and folded into the
//! mailbox state, must never panic (a panic would kill a session task and
//! lose its outcome instead of counting an error).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::imap::framer::{Framer, Limits};

const TOKENS: &[&[u8]] = &[
    b"*",
    b"+",
    b"a1",
    b"A0001",
    b"OK",
    b"NO",
    b"BAD",
    b"BYE",
    b"PREAUTH",
    b"FETCH",
    b"EXISTS",
    b"EXPUNGE",
    b"RECENT",
    b"VANISHED",
    b"(",
    b")",
    b"[",
    b"]",
    b"{5}",
    b"{0}",
    b"{3+}",
    b"{99999999999999999999}",
    b"UID",
    b"FLAGS",
    b"BODY[]",
    b"BODY[HEADER]",
    b"RFC822.SIZE",
    b"ENVELOPE",
    b"UIDNEXT",
    b"UIDVALIDITY",
    b"CAPABILITY",
    b"IMAP4rev1",
    b"0",
    b"1",
    b"4294967295",
    b"4294967296",
    b"-1",
    b"NIL",
    b"\"",
    b"\\Seen",
    b" ",
    b" ",
    b"\r\n",
    b"\n",
    b"\r",
    b"\x00",
    b"\xff",
    b"<0>",
    b"SEARCH",
    b"LIST",
    b"STATUS",
    b"ALERT",
];

fn random_stream(rng: &mut SmallRng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.random_range(1..200) {
        if rng.random_bool(0.1) {
            let n = rng.random_range(1..20);
            out.extend((0..n).map(|_| rng.random::<u8>()));
        } else {
            out.extend_from_slice(TOKENS[rng.random_range(0..TOKENS.len())]);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[test]
fn random_server_bytes_never_panic_the_client_side() {
    let limits = Limits {
        max_line: 512,
        max_literal: 64,
    };
    let mut rng = SmallRng::seed_from_u64(7);
    for _ in 0..20_000 {
        let stream = random_stream(&mut rng);
        let kind = CommandKind::ALL[rng.random_range(0..CommandKind::ALL.len())];
        let validate = if rng.random_bool(0.5) {
            Validate::Strict
        } else {
            Validate::Light
        };
        let mut mbox = MailboxState {
            selected: rng.random_bool(0.8),
            exists: rng.random_range(0..5),
            uid_next: rng.random_range(0..10),
            ..Default::default()
        };
        let mut check = Check::new(kind, &mbox).with(validate);
        let _ = check_greeting(&stream, validate);
        let mut framer = Framer::new(limits);
        let mut buf = &stream[..];
        while let Ok(Some(n)) = framer.scan(buf) {
            let resp = Response::new(&buf[..n]);
            let _ = (resp.tag(), resp.status(), resp.code(), resp.text());
            let _ = (resp.untagged_number(), resp.untagged_keyword());
            if check.observe(&resp, &mbox).is_err() {
                break;
            }
            mbox.observe(&resp);
            buf = &buf[n..];
        }
        let _ = check.finish();
    }
}
