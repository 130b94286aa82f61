//! MOVE n Archive (RFC 6851): filing a message, which leaves the mailbox.

use rand::Rng;

use crate::command::CommandKind;
use crate::engine::cmd::{keep, need, Enc, Extension, Spec};
use crate::imap::capability::Atom;

/// Needs a writable selected mailbox with a message; the server's untagged
/// EXPUNGE lowers EXISTS (the mailbox state counts it as an expunge, so no
/// EXISTS goes backwards). COPY where the server has no MOVE.
pub static SPEC: Spec = Spec {
    extension: Some(Extension {
        atom: Atom::named("MOVE"),
        otherwise: CommandKind::Copy,
    }),
    instead: need::writable_message,
    encode: move_to_archive,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// Where MOVE files messages: `Archive`, or `INBOX` when the session works in
/// `Archive` itself (a move needs two different mailboxes).
fn archive(mailbox: &str) -> &'static [u8] {
    if mailbox.eq_ignore_ascii_case("Archive") {
        b"INBOX"
    } else {
        b"Archive"
    }
}

fn move_to_archive(e: &mut Enc<'_>) {
    let n = e.rng.random_range(1..=e.exists());
    e.buf
        .atom(b"MOVE")
        .sp()
        .number(n as u64)
        .sp()
        .astring(archive(e.mailbox))
        .crlf();
}
