//! FETCH of envelope + header section (BODY.PEEK[HEADER]): the list view.

use super::fetch_flags::window;
use crate::engine::cmd::{keep, need, Enc, Spec};
use crate::engine::validate::scan::{ENVELOPE, HEADER};

/// Needs a selected mailbox with a message; the answer must carry headers and envelopes.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::message,
    encode: fetch_headers,
    need: HEADER | ENVELOPE,
    on_send: keep,
    on_ok: keep,
};

fn fetch_headers(e: &mut Enc<'_>) {
    let w = window(e, 5);
    e.buf
        .atom(b"FETCH")
        .sp()
        .number(w.lo as u64)
        .atom(b":")
        .number(w.hi as u64);
    e.buf
        .atom(b" (UID FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[HEADER])")
        .crlf();
}
