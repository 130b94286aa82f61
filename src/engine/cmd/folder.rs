//! Folder-level commands of the authenticated state that leave the selection
//! alone: LIST, LSUB, STATUS.

use super::{keep, need, Enc, Spec};

/// LIST "" "*" (RFC 3501 6.3.8): the folder tree.
pub static LIST: Spec = Spec {
    instead: need::nothing,
    encode: list,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// LSUB "" "*" (RFC 3501 6.3.9): subscribed folders.
pub static LSUB: Spec = Spec {
    instead: need::nothing,
    encode: list,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn list(e: &mut Enc<'_>) {
    e.buf
        .atom(e.kind.label().as_bytes())
        .atom(b" \"\" \"*\"")
        .crlf();
}

/// STATUS mailbox (MESSAGES UIDNEXT UNSEEN) (RFC 3501 6.3.10).
pub static STATUS: Spec = Spec {
    instead: need::nothing,
    encode: status,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn status(e: &mut Enc<'_>) {
    e.buf
        .atom(b"STATUS")
        .sp()
        .astring(e.mailbox.as_bytes())
        .sp()
        .atom(b"(MESSAGES UIDNEXT UNSEEN)")
        .crlf();
}
