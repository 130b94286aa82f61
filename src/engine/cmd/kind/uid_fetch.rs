//! UID FETCH lo:* (UID FLAGS): clients resyncing by UID.

use crate::engine::cmd::{keep, need, Enc, Spec};
use crate::engine::validate::scan::{FLAGS, UID};

/// Needs a selected mailbox (valid in an empty one); lines carry UID and FLAGS.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::selected,
    encode: uid_fetch,
    need: UID | FLAGS,
    on_send: keep,
    on_ok: keep,
};

fn uid_fetch(e: &mut Enc<'_>) {
    let lo = e.mbox.uid_next.saturating_sub(20).max(1);
    e.buf
        .atom(b"UID FETCH")
        .sp()
        .number(lo as u64)
        .atom(b":* (UID FLAGS)")
        .crlf();
}
