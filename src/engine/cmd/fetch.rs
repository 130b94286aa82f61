//! Reading the selected mailbox: the FETCH variants, UID FETCH, SEARCH and
//! UID SEARCH. Each FETCH names the items its answer must carry.

use rand::Rng;

use super::super::validate::scan::{BODY, BODY_LITERAL, ENVELOPE, FLAGS, HEADER, PARTIAL0, UID};
use super::{keep, need, Enc, Spec};

/// FETCH lo:hi (UID FLAGS): the message list.
pub static FETCH_FLAGS: Spec = Spec {
    instead: need::message,
    encode: fetch_flags,
    need: UID | FLAGS,
    on_send: keep,
    on_ok: keep,
};

/// FETCH lo:hi (... ENVELOPE BODY.PEEK[HEADER]): the list view.
pub static FETCH_HEADERS: Spec = Spec {
    instead: need::message,
    encode: fetch_headers,
    need: HEADER | ENVELOPE,
    on_send: keep,
    on_ok: keep,
};

/// FETCH n BODY[]: opening a message.
pub static FETCH_BODY: Spec = Spec {
    instead: need::message,
    encode: fetch_body,
    need: BODY | BODY_LITERAL,
    on_send: keep,
    on_ok: keep,
};

/// FETCH n BODY.PEEK[]<0.2048>: a preview.
pub static FETCH_PARTIAL: Spec = Spec {
    instead: need::message,
    encode: fetch_partial,
    need: PARTIAL0,
    on_send: keep,
    on_ok: keep,
};

/// UID FETCH lo:* (UID FLAGS): a resync by UID (valid in an empty mailbox).
pub static UID_FETCH: Spec = Spec {
    instead: need::selected,
    encode: uid_fetch,
    need: UID | FLAGS,
    on_send: keep,
    on_ok: keep,
};

/// SEARCH with one of a few typical criteria.
pub static SEARCH: Spec = Spec {
    instead: need::selected,
    encode: search,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// UID SEARCH, the same answered with UIDs.
pub static UID_SEARCH: Spec = Spec {
    instead: need::selected,
    encode: search,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

const SEARCHES: [&[u8]; 5] = [
    b"UNSEEN",
    b"FLAGGED",
    b"SINCE 1-Jan-2024",
    b"LARGER 4096",
    b"OR SEEN ANSWERED",
];

/// A random window of at most `len` messages within `1..=exists`.
fn window(e: &mut Enc<'_>, len: u32) -> (u32, u32) {
    let exists = e.exists();
    let lo = e.rng.random_range(1..=exists);
    (lo, (lo + len - 1).min(exists))
}

fn fetch_flags(e: &mut Enc<'_>) {
    let (lo, hi) = window(e, 20);
    e.buf
        .atom(b"FETCH")
        .sp()
        .number(lo as u64)
        .atom(b":")
        .number(hi as u64)
        .atom(b" (UID FLAGS)")
        .crlf();
}

fn fetch_headers(e: &mut Enc<'_>) {
    let (lo, hi) = window(e, 5);
    e.buf
        .atom(b"FETCH")
        .sp()
        .number(lo as u64)
        .atom(b":")
        .number(hi as u64);
    e.buf
        .atom(b" (UID FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[HEADER])")
        .crlf();
}

fn fetch_body(e: &mut Enc<'_>) {
    let n = e.rng.random_range(1..=e.exists());
    e.buf
        .atom(b"FETCH")
        .sp()
        .number(n as u64)
        .atom(b" BODY[]")
        .crlf();
}

fn fetch_partial(e: &mut Enc<'_>) {
    let n = e.rng.random_range(1..=e.exists());
    e.buf
        .atom(b"FETCH")
        .sp()
        .number(n as u64)
        .atom(b" BODY.PEEK[]<0.2048>")
        .crlf();
}

fn uid_fetch(e: &mut Enc<'_>) {
    let lo = e.mbox.uid_next.saturating_sub(20).max(1);
    e.buf
        .atom(b"UID FETCH")
        .sp()
        .number(lo as u64)
        .atom(b":* (UID FLAGS)")
        .crlf();
}

fn search(e: &mut Enc<'_>) {
    e.buf.atom(if e.kind == super::CommandKind::Search {
        b"SEARCH"
    } else {
        b"UID SEARCH"
    });
    let criteria = SEARCHES[e.rng.random_range(0..SEARCHES.len())];
    e.buf.sp().atom(criteria).crlf();
}
