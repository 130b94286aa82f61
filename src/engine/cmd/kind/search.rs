//! SEARCH with one of a few typical criteria.

use rand::Rng;

use crate::engine::cmd::{keep, need, Enc, Spec};

/// Needs a selected mailbox.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::selected,
    encode: search,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

const CRITERIA: [&[u8]; 5] = [
    b"UNSEEN",
    b"FLAGGED",
    b"SINCE 1-Jan-2024",
    b"LARGER 4096",
    b"OR SEEN ANSWERED",
];

/// One of the typical criteria, at random, after the verb and a space.
pub(crate) fn criteria(e: &mut Enc<'_>) {
    let criteria = CRITERIA[e.rng.random_range(0..CRITERIA.len())];
    e.buf.sp().atom(criteria).crlf();
}

fn search(e: &mut Enc<'_>) {
    e.buf.atom(b"SEARCH");
    criteria(e);
}
