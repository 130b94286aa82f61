//! FETCH lo:hi (UID FLAGS): the message list.

use rand::Rng;

use crate::engine::cmd::{keep, need, Enc, Spec};
use crate::engine::validate::scan::{FLAGS, UID};

/// Needs a selected mailbox with a message; every FETCH line must carry UID and FLAGS.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::message,
    encode: fetch_flags,
    need: UID | FLAGS,
    on_send: keep,
    on_ok: keep,
};

/// A message-number window: at most `len` messages within `1..=exists`.
pub(crate) struct Window {
    /// First message number.
    pub lo: u32,
    /// Last message number.
    pub hi: u32,
}

/// A random window of at most `len` messages of the mailbox.
pub(crate) fn window(e: &mut Enc<'_>, len: u32) -> Window {
    let exists = e.exists();
    let lo = e.rng.random_range(1..=exists);
    Window {
        lo,
        hi: (lo + len - 1).min(exists),
    }
}

fn fetch_flags(e: &mut Enc<'_>) {
    let w = window(e, 20);
    e.buf
        .atom(b"FETCH")
        .sp()
        .number(w.lo as u64)
        .atom(b":")
        .number(w.hi as u64)
        .atom(b" (UID FLAGS)")
        .crlf();
}
