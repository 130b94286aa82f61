//! Framer tests: a recorded-style corpus fed at every split point, checked
//! against imap-codec, plus limits and a no-panic property.

use super::*;
use imap_codec::decode::Decoder;
use imap_codec::{GreetingCodec, ResponseCodec};
use proptest::prelude::*;

/// `prefix {len}` CRLF `data` `suffix` CRLF, with the length computed.
fn with_literal(prefix: &str, data: &[u8], plus: bool, suffix: &str) -> Vec<u8> {
    let mut m = format!(
        "{prefix}{{{}{}}}\r\n",
        data.len(),
        if plus { "+" } else { "" }
    )
    .into_bytes();
    m.extend_from_slice(data);
    m.extend_from_slice(suffix.as_bytes());
    m.extend_from_slice(b"\r\n");
    m
}

/// A session's worth of server output, one entry per message; the first is the greeting.
pub(crate) fn corpus() -> Vec<Vec<u8>> {
    let body310: Vec<u8> = {
        let mut b = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\n\r\n".to_vec();
        while b.len() < 308 {
            b.push(b'a' + (b.len() % 26) as u8);
        }
        b.extend_from_slice(b"\r\n");
        b
    };
    assert_eq!(body310.len(), 310);
    let lines: &[&str] = &[
        "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR IDLE STARTTLS AUTH=PLAIN] Dovecot ready.",
        "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR IDLE AUTH=PLAIN",
        "a1 OK Pre-login capabilities listed, post-login capabilities have more.",
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.",
        "* 5 EXISTS",
        "* 0 RECENT",
        "* OK [UIDVALIDITY 1700000000] UIDs valid",
        "* OK [UIDNEXT 42] Predicted next UID",
        "a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).",
    ];
    let mut out: Vec<Vec<u8>> = lines
        .iter()
        .map(|l| format!("{l}\r\n").into_bytes())
        .collect();
    out.push(with_literal(
        "* 1 FETCH (FLAGS (\\Seen) UID 4 RFC822.SIZE 1234 BODY[] ",
        &body310,
        false,
        ")",
    ));
    // Two literals: the second line segment starts right after the first literal.
    let mut two = with_literal(
        "* 2 FETCH (UID 5 BODY[HEADER] ",
        b"Subject: two\r\n\r\n",
        false,
        "",
    );
    two.truncate(two.len() - 2);
    two.extend_from_slice(&with_literal(" BODY[TEXT] ", b"hello\r\nworld", false, ")"));
    out.push(two);
    out.push(with_literal(
        "* 3 FETCH (UID 6 BODY[] ",
        b"hello",
        true,
        ")",
    ));
    out.push(b"+ go ahead\r\n".to_vec());
    out.push(with_literal(
        "* 4 FETCH (UID 7 BODY[] ",
        b"line one {3}\r\nabc\r\n{7}\r\n",
        false,
        ")",
    ));
    out.push(b"* SEARCH 1 2 3\r\n".to_vec());
    out.push(b"a3 NO [TRYCREATE] Mailbox doesn't exist: Nope\r\n".to_vec());
    out.push(b"a4 BAD Error in IMAP command: Unknown command.\r\n".to_vec());
    out.push(b"* BYE Logging out\r\n".to_vec());
    out.push(b"a5 OK Logout completed.\r\n".to_vec());
    out
}

/// Feeds `chunks` the way a connection does (append, scan, drop each message) and returns the messages.
fn frame_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<Vec<u8>> {
    let mut framer = Framer::new(Limits::default());
    let mut buf: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(n) = framer.scan(&buf).expect("corpus frames cleanly") {
            out.push(buf.drain(..n).collect());
        }
        assert_eq!(
            framer.pos,
            buf.len(),
            "framer must remember how far it scanned"
        );
    }
    assert!(
        buf.is_empty(),
        "left over: {:?}",
        String::from_utf8_lossy(&buf)
    );
    out
}

#[test]
fn whole_corpus_frames_into_its_messages() {
    let msgs = corpus();
    let all = msgs.concat();
    assert_eq!(frame_chunks([&all[..]]), msgs);
}

#[test]
fn every_two_chunk_split_gives_the_same_messages() {
    let msgs = corpus();
    let all = msgs.concat();
    for i in 0..=all.len() {
        assert_eq!(frame_chunks([&all[..i], &all[i..]]), msgs, "split at {i}");
    }
}

#[test]
fn byte_by_byte_gives_the_same_messages() {
    let msgs = corpus();
    let all = msgs.concat();
    assert_eq!(frame_chunks(all.chunks(1)), msgs);
}

#[test]
fn imap_codec_agrees_on_every_boundary() {
    let msgs = corpus();
    let (rest, _) = GreetingCodec::default()
        .decode(&msgs[0])
        .expect("greeting decodes");
    assert!(rest.is_empty());
    for m in &msgs[1..] {
        let text = String::from_utf8_lossy(m);
        let (rest, _) = ResponseCodec::default()
            .decode(m)
            .unwrap_or_else(|e| panic!("{e:?}: {text}"));
        assert!(
            rest.is_empty(),
            "imap-codec left {} bytes of {text}",
            rest.len()
        );
        // And one byte short is not a complete message for either side.
        assert!(ResponseCodec::default().decode(&m[..m.len() - 1]).is_err());
        assert_eq!(
            Framer::new(Limits::default()).scan(&m[..m.len() - 1]),
            Ok(None)
        );
    }
}

#[test]
fn bare_lf_ends_a_line() {
    let mut f = Framer::new(Limits::default());
    assert_eq!(f.scan(b"* 1 EXISTS\n* 2"), Ok(Some(11)));
    assert_eq!(f.scan(b"* 1 FETCH (BODY[] {2}\nab)\nx"), Ok(Some(26)));
}

#[test]
fn zero_length_and_literal_lookalikes() {
    let mut f = Framer::new(Limits::default());
    assert_eq!(f.scan(b"* 1 FETCH (BODY[] {0}\r\n)\r\n"), Ok(Some(26)));
    // Not literals: no digits, a sign, text after the brace.
    assert_eq!(f.scan(b"* OK {}\r\n"), Ok(Some(9)));
    assert_eq!(f.scan(b"* OK {-1}\r\n"), Ok(Some(11)));
    assert_eq!(f.scan(b"* OK {5} x\r\n"), Ok(Some(12)));
    assert_eq!(f.scan(b"* OK {5++}\r\n"), Ok(Some(12)));
}

#[test]
fn long_line_errors_before_its_end_arrives() {
    let limits = Limits {
        max_line: 16,
        max_literal: 100,
    };
    let mut f = Framer::new(limits);
    assert_eq!(
        f.scan(b"* OK 0123456789\r\n"),
        Err(FrameError::LineTooLong { limit: 16 })
    );
    let mut f = Framer::new(limits);
    assert_eq!(
        f.scan(b"* OK 012345678\r\n"),
        Ok(Some(16)),
        "exactly at the limit is fine"
    );
    assert_eq!(f.scan(b"* OK 0123456789"), Ok(None));
    assert_eq!(
        f.scan(b"* OK 0123456789ab"),
        Err(FrameError::LineTooLong { limit: 16 })
    );
    // The limit is per segment: a literal resets it.
    let mut f = Framer::new(limits);
    let msg = b"* 1 (B {3}\r\nabc UID 12345)\r\n";
    assert_eq!(f.scan(msg), Ok(Some(msg.len())));
}

#[test]
fn big_literal_errors_on_its_header() {
    let limits = Limits {
        max_line: 1024,
        max_literal: 100,
    };
    let mut f = Framer::new(limits);
    assert_eq!(f.scan(b"* 1 FETCH (BODY[] {100}\r\n"), Ok(None));
    assert_eq!(f.literal_remaining(), 100);
    let mut f = Framer::new(limits);
    assert_eq!(
        f.scan(b"* 1 FETCH (BODY[] {101}\r\n"),
        Err(FrameError::LiteralTooLarge {
            size: 101,
            limit: 100
        })
    );
    let mut f = Framer::new(limits);
    assert_eq!(
        f.scan(b"* 1 FETCH (BODY[] {99999999999999999999999}\r\n"),
        Err(FrameError::LiteralTooLarge {
            size: u64::MAX,
            limit: 100
        })
    );
}

#[test]
fn error_messages_are_readable() {
    let e = FrameError::LiteralTooLarge {
        size: 101,
        limit: 100,
    };
    assert_eq!(
        e.to_string(),
        "server announced a 101-byte literal, above the limit of 100 bytes"
    );
    assert_eq!(
        FrameError::LineTooLong { limit: 5 }.to_string(),
        "server sent a line longer than 5 bytes"
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512),
                                   cut in 0usize..512, small in any::<bool>()) {
        let limits = if small { Limits { max_line: 8, max_literal: 8 } } else { Limits::default() };
        let cut = cut.min(data.len());
        let mut f = Framer::new(limits);
        let mut buf = data[..cut].to_vec();
        let mut appended = false;
        loop {
            match f.scan(&buf) {
                Ok(Some(n)) => { prop_assert!(n > 0 && n <= buf.len()); buf.drain(..n); }
                Ok(None) if !appended => { buf.extend_from_slice(&data[cut..]); appended = true; }
                Ok(None) | Err(_) => break,
            }
        }
    }

    #[test]
    fn structured_noise_frames_like_whole(parts in proptest::collection::vec(
        prop_oneof![Just(&b"{3}\r\n"[..]), Just(&b"\r\n"[..]), Just(&b"{0+}\n"[..]), Just(&b"x"[..]), Just(&b"}"[..])], 0..40),
        cut in 0usize..200) {
        let data = parts.concat();
        let cut = cut.min(data.len());
        let whole = run(&data, data.len());
        prop_assert_eq!(run(&data, cut), whole);
    }
}

/// Frames `data` given in two chunks cut at `cut`; returns the message lengths and the final result.
fn run(data: &[u8], cut: usize) -> (Vec<usize>, Result<(), FrameError>) {
    let mut f = Framer::new(Limits::default());
    let mut buf = data[..cut].to_vec();
    let mut lens = Vec::new();
    let mut appended = false;
    loop {
        match f.scan(&buf) {
            Ok(Some(n)) => lens.push(buf.drain(..n).count()),
            Ok(None) if !appended => {
                buf.extend_from_slice(&data[cut..]);
                appended = true;
            }
            Ok(None) => return (lens, Ok(())),
            Err(e) => return (lens, Err(e)),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any bytes in any chunking: the same messages as in one piece, and
    /// never more buffered than one message may take (chained literals included).
    #[test]
    fn any_chunking_frames_alike_and_buffers_at_most_one_message(
        parts in proptest::collection::vec(prop_oneof![
            2 => proptest::collection::vec(any::<u8>(), 0..12),
            3 => Just(b"{3}\r\n".to_vec()), 3 => Just(b"{0}\r\n".to_vec()), 2 => Just(b"{2+}\n".to_vec()),
            2 => Just(b"\r\n".to_vec()), 1 => Just(b"* 1 FETCH (BODY[] ".to_vec())], 0..80),
        chunks in proptest::collection::vec(1usize..40, 1..12)) {
        let limits = Limits { max_line: 24, max_literal: 8 };
        let data = parts.concat();
        // Two literals and a line per message, plus the line being received.
        let cap = 2 * limits.max_literal + 2 * limits.max_line;
        let (mut f, mut buf, mut lens, mut at) = (Framer::new(limits), Vec::new(), Vec::new(), 0);
        let mut sizes = chunks.iter().cycle();
        let failed = loop {
            match f.scan(&buf) {
                Ok(Some(n)) => lens.push(buf.drain(..n).count()),
                Ok(None) if at == data.len() => break false,
                Ok(None) => {
                    prop_assert!(buf.len() <= cap, "{} bytes buffered, cap {}", buf.len(), cap);
                    let c = (*sizes.next().unwrap()).min(data.len() - at);
                    buf.extend_from_slice(&data[at..at + c]);
                    at += c;
                }
                Err(_) => break true,
            }
        };
        let (whole, result) = run_with(&data, limits);
        prop_assert_eq!(lens, whole);
        prop_assert_eq!(failed, result.is_err());
    }
}

/// Frames `data` given whole, with `limits`.
fn run_with(data: &[u8], limits: Limits) -> (Vec<usize>, Result<(), FrameError>) {
    let mut f = Framer::new(limits);
    let mut buf = data.to_vec();
    let mut lens = Vec::new();
    loop {
        match f.scan(&buf) {
            Ok(Some(n)) => lens.push(buf.drain(..n).count()),
            Ok(None) => return (lens, Ok(())),
            Err(e) => return (lens, Err(e)),
        }
    }
}

#[test]
fn chained_literals_cannot_grow_a_message_without_end() {
    let limits = Limits {
        max_line: 100,
        max_literal: 10,
    };
    let mut f = Framer::new(limits);
    let data = b"* 1 FETCH (X {0}\r\n".repeat(20);
    assert_eq!(
        f.scan(&data),
        Err(FrameError::MessageTooLarge { limit: 120 })
    );
}
