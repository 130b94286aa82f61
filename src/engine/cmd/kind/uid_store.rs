//! UID STORE uid +FLAGS.SILENT (...): the same by UID, never \Deleted.

use rand::Rng;

use super::store::CHANGES;
use crate::engine::cmd::{keep, need, Enc, Spec};

/// Needs a writable selected mailbox with a message.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::writable_message,
    encode: uid_store,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn uid_store(e: &mut Enc<'_>) {
    let hi = e.mbox.uid_next.saturating_sub(1).max(1);
    let uid = e.rng.random_range(e.mbox.uid_floor().min(hi)..=hi);
    let flags = CHANGES[e.rng.random_range(0..3)];
    e.buf
        .atom(b"UID STORE")
        .sp()
        .number(uid as u64)
        .sp()
        .atom(flags)
        .crlf();
}
