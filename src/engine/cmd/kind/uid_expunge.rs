//! UID EXPUNGE uid-set (RFC 4315 UIDPLUS): expunges only the \Deleted
//! messages in the set, so clients sharing a mailbox don't expunge each
//! other's deletions.

use rand::Rng;

use crate::command::CommandKind;
use crate::engine::cmd::{keep, need, Enc, Extension, Spec};
use crate::imap::capability::Atom;

/// `UID EXPUNGE lo:hi` over a random UID range of a writable selected
/// mailbox: removes what STORE marked \Deleted there; EXPUNGE without UIDPLUS.
pub static SPEC: Spec = Spec {
    extension: Some(Extension {
        atom: Atom::named("UIDPLUS"),
        otherwise: CommandKind::Expunge,
    }),
    instead: need::writable,
    encode: uid_expunge,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn uid_expunge(e: &mut Enc<'_>) {
    let hi = e.mbox.uid_next.saturating_sub(1).max(1);
    let lo = e.rng.random_range(e.mbox.uid_floor().min(hi)..=hi);
    e.buf
        .atom(b"UID EXPUNGE")
        .sp()
        .number(lo as u64)
        .atom(b":")
        .number(hi as u64)
        .crlf();
}
