//! SUBSCRIBE mailbox (RFC 3501 6.3.6): a client adding a folder to its
//! subscription list; here the session's own mailbox, which real servers
//! already list, so the load leaves no trace.

use crate::engine::cmd::{keep, need, Enc, Spec};

/// Valid in any authenticated state; leaves the selection alone.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: subscribe,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn subscribe(e: &mut Enc<'_>) {
    e.buf
        .atom(b"SUBSCRIBE")
        .sp()
        .astring(e.mailbox.as_bytes())
        .crlf();
}
