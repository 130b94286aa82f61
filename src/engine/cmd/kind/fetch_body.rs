//! FETCH of a whole message (BODY[]): opening a message.

use rand::Rng;

use crate::engine::cmd::{keep, need, Enc, Spec};
use crate::engine::validate::scan::{BODY, BODY_LITERAL};

/// Needs a selected mailbox with a message; the answer must carry the body as a literal.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::message,
    encode: fetch_body,
    need: BODY | BODY_LITERAL,
    on_send: keep,
    on_ok: keep,
};

fn fetch_body(e: &mut Enc<'_>) {
    let n = e.rng.random_range(1..=e.exists());
    e.buf
        .atom(b"FETCH")
        .sp()
        .number(n as u64)
        .atom(b" BODY[]")
        .crlf();
}
