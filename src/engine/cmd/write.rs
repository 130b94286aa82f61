//! Changing the selected mailbox: STORE, UID STORE, COPY, MOVE, APPEND,
//! EXPUNGE, UID EXPUNGE.
//! Their new state arrives in the answer's untagged data (EXISTS, EXPUNGE,
//! `[APPENDUID]`), which the mailbox state folds in itself.

use rand::Rng;

use super::{keep, need, verb_only, Enc, Spec};

/// STORE n +FLAGS.SILENT (...): marking seen / flagged / deleted.
pub static STORE: Spec = Spec {
    instead: need::writable_message,
    encode: store,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// UID STORE uid +FLAGS.SILENT (...), never \Deleted.
pub static UID_STORE: Spec = Spec {
    instead: need::writable_message,
    encode: uid_store,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// COPY n mailbox (RFC 3501 6.4.7), into the session's own mailbox.
pub static COPY: Spec = Spec {
    instead: need::message,
    encode: copy,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// MOVE n Archive (RFC 6851): the server's untagged EXPUNGE lowers EXISTS
/// (the mailbox state counts it as an expunge, so no EXISTS goes backwards);
/// substitutes COPY when the server has no MOVE.
pub static MOVE: Spec = Spec {
    instead: need::movable,
    encode: move_to_archive,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// APPEND mailbox (\Seen) {n} (RFC 3501 6.3.11); valid in any authenticated state.
pub static APPEND: Spec = Spec {
    instead: need::nothing,
    encode: append,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// EXPUNGE (RFC 3501 6.4.3).
pub static EXPUNGE: Spec = Spec {
    instead: need::writable,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// UID EXPUNGE lo:hi (RFC 4315 2.1) over a random UID range of the mailbox:
/// removes what STORE marked \\Deleted there; substitutes EXPUNGE without UIDPLUS.
pub static UID_EXPUNGE: Spec = Spec {
    instead: need::uidplus,
    encode: uid_expunge,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

const STORES: [&[u8]; 4] = [
    b"+FLAGS.SILENT (\\Flagged)",
    b"-FLAGS.SILENT (\\Flagged)",
    b"+FLAGS.SILENT (\\Seen)",
    b"+FLAGS.SILENT (\\Deleted)",
];

fn store(e: &mut Enc<'_>) {
    let n = e.rng.random_range(1..=e.exists());
    e.buf.atom(b"STORE").sp().number(n as u64).sp();
    let flags = STORES[e.rng.random_range(0..STORES.len())];
    e.buf.atom(flags).crlf();
}

fn uid_store(e: &mut Enc<'_>) {
    let hi = e.mbox.uid_next.saturating_sub(1).max(1);
    let uid = e.rng.random_range(e.mbox.uid_floor().min(hi)..=hi);
    let flags = STORES[e.rng.random_range(0..3)];
    e.buf
        .atom(b"UID STORE")
        .sp()
        .number(uid as u64)
        .sp()
        .atom(flags)
        .crlf();
}

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

fn append(e: &mut Enc<'_>) {
    e.buf
        .atom(b"APPEND")
        .sp()
        .astring(e.mailbox.as_bytes())
        .atom(b" (\\Seen) ");
    e.buf.literal_header(e.append_msg.len(), e.literal_plus);
    if e.literal_plus {
        e.buf.raw(e.append_msg).crlf();
    } else {
        e.sync_literal = true;
    }
}

fn uid_expunge(e: &mut Enc<'_>) {
    let hi = e.mbox.uid_next.saturating_sub(1).max(1);
    let lo = e.rng.random_range(e.mbox.uid_floor().min(hi)..=hi);
    e.buf
        .atom(b"UID EXPUNGE")
        .sp()
        .number(lo as u64)
        .atom(b":")
        .number(hi as u64)
        .crlf();
}

/// Where MOVE files messages: `Archive`, or `INBOX` when the session works in
/// `Archive` itself (a move needs two different mailboxes).
fn archive(mailbox: &str) -> &'static [u8] {
    if mailbox.eq_ignore_ascii_case("Archive") {
        b"INBOX"
    } else {
        b"Archive"
    }
}

fn move_to_archive(e: &mut Enc<'_>) {
    let n = e.rng.random_range(1..=e.exists());
    e.buf
        .atom(b"MOVE")
        .sp()
        .number(n as u64)
        .sp()
        .astring(archive(e.mailbox))
        .crlf();
}
