//! Turns a command kind from the mix into bytes valid for the mailbox as the
//! session knows it. Where the drawn command cannot be valid now (FETCH in an
//! empty mailbox, STORE after EXAMINE, anything after CLOSE), the session sends
//! what a real client would do first instead, and that is what gets counted.

use rand::Rng;

use crate::command::CommandKind;
use crate::imap::encoder::CommandBuf;

use super::mailbox::MailboxState;

/// A command ready to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoded {
    /// The kind actually sent (after substitution).
    pub kind: CommandKind,
    /// Its tag number.
    pub tag: u32,
    /// For APPEND with a synchronizing literal: the literal is sent after the
    /// server's continuation, not with the command line.
    pub sync_literal: bool,
}

/// The kind to send instead of `kind` given the mailbox state.
pub fn substitute(kind: CommandKind, mbox: &MailboxState, idle_supported: bool) -> CommandKind {
    use CommandKind::*;
    let needs_selected = matches!(
        kind,
        FetchFlags
            | FetchHeaders
            | FetchBody
            | FetchPartial
            | UidFetch
            | Search
            | UidSearch
            | Store
            | UidStore
            | Copy
            | Expunge
            | Close
    );
    let needs_message = matches!(
        kind,
        FetchFlags | FetchHeaders | FetchBody | FetchPartial | Store | UidStore | Copy
    );
    let needs_write = matches!(kind, Store | UidStore | Expunge);
    if (needs_selected && !mbox.selected) || (needs_write && mbox.read_only) {
        Select
    } else if needs_message && mbox.exists == 0 {
        Append
    } else if kind == Idle && !idle_supported {
        Noop
    } else {
        kind
    }
}

const SEARCHES: [&[u8]; 5] = [
    b"UNSEEN",
    b"FLAGGED",
    b"SINCE 1-Jan-2024",
    b"LARGER 4096",
    b"OR SEEN ANSWERED",
];
const STORES: [&[u8]; 4] = [
    b"+FLAGS.SILENT (\\Flagged)",
    b"-FLAGS.SILENT (\\Flagged)",
    b"+FLAGS.SILENT (\\Seen)",
    b"+FLAGS.SILENT (\\Deleted)",
];

/// Writes `kind` (already substituted) into `buf`. APPEND writes the literal
/// header; with LITERAL+ the literal data follows in the same buffer.
pub fn encode(
    kind: CommandKind,
    mbox: &MailboxState,
    mailbox: &str,
    append_msg: &[u8],
    literal_plus: bool,
    rng: &mut impl Rng,
    buf: &mut CommandBuf,
) -> Encoded {
    use CommandKind::*;
    let tag = buf.begin();
    let exists = mbox.exists.max(1);
    let mut sync_literal = false;
    match kind {
        Capability => {
            buf.atom(b"CAPABILITY");
        }
        Noop => {
            buf.atom(b"NOOP");
        }
        List => {
            buf.atom(b"LIST \"\" \"*\"");
        }
        Lsub => {
            buf.atom(b"LSUB \"\" \"*\"");
        }
        Status => {
            buf.atom(b"STATUS")
                .sp()
                .astring(mailbox.as_bytes())
                .sp()
                .atom(b"(MESSAGES UIDNEXT UNSEEN)");
        }
        Select | Examine => {
            buf.atom(if kind == Select {
                b"SELECT"
            } else {
                b"EXAMINE"
            })
            .sp()
            .astring(mailbox.as_bytes());
        }
        FetchFlags => {
            let (lo, hi) = window(rng, exists, 20);
            buf.atom(b"FETCH")
                .sp()
                .number(lo as u64)
                .atom(b":")
                .number(hi as u64)
                .atom(b" (UID FLAGS)");
        }
        FetchHeaders => {
            let (lo, hi) = window(rng, exists, 5);
            buf.atom(b"FETCH")
                .sp()
                .number(lo as u64)
                .atom(b":")
                .number(hi as u64);
            buf.atom(b" (UID FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[HEADER])");
        }
        FetchBody => {
            buf.atom(b"FETCH")
                .sp()
                .number(rng.random_range(1..=exists) as u64)
                .atom(b" BODY[]");
        }
        FetchPartial => {
            buf.atom(b"FETCH")
                .sp()
                .number(rng.random_range(1..=exists) as u64)
                .atom(b" BODY.PEEK[]<0.2048>");
        }
        UidFetch => {
            let lo = mbox.uid_next.saturating_sub(20).max(1);
            buf.atom(b"UID FETCH")
                .sp()
                .number(lo as u64)
                .atom(b":* (UID FLAGS)");
        }
        Search | UidSearch => {
            buf.atom(if kind == Search {
                b"SEARCH"
            } else {
                b"UID SEARCH"
            });
            buf.sp().atom(SEARCHES[rng.random_range(0..SEARCHES.len())]);
        }
        Store => {
            buf.atom(b"STORE")
                .sp()
                .number(rng.random_range(1..=exists) as u64)
                .sp();
            buf.atom(STORES[rng.random_range(0..STORES.len())]);
        }
        UidStore => {
            let hi = mbox.uid_next.saturating_sub(1).max(1);
            let uid = rng.random_range(mbox.uid_floor().min(hi)..=hi);
            buf.atom(b"UID STORE")
                .sp()
                .number(uid as u64)
                .sp()
                .atom(STORES[rng.random_range(0..3)]);
        }
        Copy => {
            buf.atom(b"COPY")
                .sp()
                .number(rng.random_range(1..=exists) as u64)
                .sp()
                .astring(mailbox.as_bytes());
        }
        Append => {
            buf.atom(b"APPEND")
                .sp()
                .astring(mailbox.as_bytes())
                .atom(b" (\\Seen) ");
            buf.literal_header(append_msg.len(), literal_plus);
            if literal_plus {
                buf.raw(append_msg).crlf();
            } else {
                sync_literal = true;
            }
            return Encoded {
                kind,
                tag,
                sync_literal,
            };
        }
        Expunge => {
            buf.atom(b"EXPUNGE");
        }
        Close => {
            buf.atom(b"CLOSE");
        }
        Idle => {
            buf.atom(b"IDLE");
        }
        Logout => {
            buf.atom(b"LOGOUT");
        }
        Connect | Tls | Greeting | StartTls | Login | Authenticate => {
            unreachable!("{kind} is a session phase, not a mix command")
        }
    }
    buf.crlf();
    Encoded {
        kind,
        tag,
        sync_literal,
    }
}

/// A random window of at most `len` messages within `1..=exists`.
fn window(rng: &mut impl Rng, exists: u32, len: u32) -> (u32, u32) {
    let lo = rng.random_range(1..=exists);
    (lo, (lo + len - 1).min(exists))
}

/// A plain-text message of about `size` bytes for APPEND, made once per session slot.
pub fn synthetic_message(size: usize, seed: u64) -> Vec<u8> {
    let mut m = format!(
        "From: imapload <load@imapload.test>\r\nTo: user <user@imapload.test>\r\n\
         Subject: imapload appended message {seed}\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n\
         Message-ID: <{seed}@imapload.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    .into_bytes();
    let line = b"The quick brown fox jumps over the lazy dog, again and again.\r\n";
    while m.len() + line.len() <= size {
        m.extend_from_slice(line);
    }
    m.extend_from_slice(b"-- \r\n");
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn commands_stay_valid_for_the_mailbox() {
        let empty = MailboxState {
            selected: true,
            ..Default::default()
        };
        assert_eq!(
            substitute(CommandKind::FetchBody, &empty, true),
            CommandKind::Append
        );
        let ro = MailboxState {
            selected: true,
            read_only: true,
            exists: 5,
            uid_next: 6,
            ..Default::default()
        };
        assert_eq!(
            substitute(CommandKind::Expunge, &ro, true),
            CommandKind::Select
        );
        let closed = MailboxState::default();
        assert_eq!(
            substitute(CommandKind::Search, &closed, true),
            CommandKind::Select
        );
        assert_eq!(substitute(CommandKind::Idle, &ro, false), CommandKind::Noop);
        let mut rng = rand::rngs::SmallRng::seed_from_u64(1);
        let mut buf = CommandBuf::new();
        let mbox = MailboxState {
            selected: true,
            read_only: false,
            exists: 3,
            uid_next: 10,
            ..Default::default()
        };
        for _ in 0..100 {
            let e = encode(
                CommandKind::FetchFlags,
                &mbox,
                "INBOX",
                b"",
                false,
                &mut rng,
                &mut buf,
            );
            let s = String::from_utf8(buf.as_bytes().to_vec()).unwrap();
            let range = s.split(' ').nth(2).unwrap();
            let (lo, hi) = range.split_once(':').unwrap();
            assert!(
                lo.parse::<u32>().unwrap() >= 1 && hi.parse::<u32>().unwrap() <= 3,
                "{s}"
            );
            assert_eq!(e.kind, CommandKind::FetchFlags);
        }
        let e = encode(
            CommandKind::Append,
            &mbox,
            "INBOX",
            b"hello",
            false,
            &mut rng,
            &mut buf,
        );
        assert!(e.sync_literal);
        assert!(buf.as_bytes().ends_with(b"APPEND INBOX (\\Seen) {5}\r\n"));
    }
}
