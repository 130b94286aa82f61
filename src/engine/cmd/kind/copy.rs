//! COPY n mailbox (RFC 3501 6.4.7): filing a message, into the session's own mailbox.

use rand::Rng;

use crate::engine::cmd::{keep, need, Enc, Spec};

/// Needs a selected mailbox with a message (read-only will do).
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::message,
    encode: copy,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn copy(e: &mut Enc<'_>) {
    let n = e.rng.random_range(1..=e.exists());
    e.buf
        .atom(b"COPY")
        .sp()
        .number(n as u64)
        .sp()
        .astring(e.mailbox.as_bytes())
        .crlf();
}
