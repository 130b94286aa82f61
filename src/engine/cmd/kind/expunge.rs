//! EXPUNGE (RFC 3501 6.4.3): emptying deleted messages.

use crate::engine::cmd::{keep, need, verb_only, Spec};

/// Its place among the rows.
pub const ROW: u16 = 190;

/// Needs a writable selected mailbox; the untagged EXPUNGEs lower EXISTS.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::writable,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
