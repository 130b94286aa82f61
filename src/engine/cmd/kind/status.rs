//! STATUS mailbox (MESSAGES UIDNEXT UNSEEN) (RFC 3501 6.3.10): unread counts.

use crate::engine::cmd::{keep, need, Enc, Spec};

/// Valid in any authenticated state; leaves the selection alone.
pub static SPEC: Spec = Spec {
    extension: None,
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
