//! UNSUBSCRIBE imapload-unsubscribed (RFC 3501 6.3.7): a client dropping a
//! folder from its subscription list; here a name imapload never subscribes
//! or creates, so the user's own subscriptions stay as they are.

use crate::engine::cmd::{keep, need, Enc, Spec};

/// Valid in any authenticated state; leaves the selection alone.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: unsubscribe,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn unsubscribe(e: &mut Enc<'_>) {
    e.buf
        .atom(b"UNSUBSCRIBE")
        .sp()
        .astring(b"imapload-unsubscribed")
        .crlf();
}
