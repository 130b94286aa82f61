//! FETCH of a partial body (BODY.PEEK[]<0.2048>): a preview.

use rand::Rng;

use crate::engine::cmd::{keep, need, Enc, Spec};
use crate::engine::validate::scan::PARTIAL0;

/// Needs a selected mailbox with a message; the answer must carry `BODY[]<0>`.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::message,
    encode: fetch_partial,
    need: PARTIAL0,
    on_send: keep,
    on_ok: keep,
};

fn fetch_partial(e: &mut Enc<'_>) {
    let n = e.rng.random_range(1..=e.exists());
    e.buf
        .atom(b"FETCH")
        .sp()
        .number(n as u64)
        .atom(b" BODY.PEEK[]<0.2048>")
        .crlf();
}
