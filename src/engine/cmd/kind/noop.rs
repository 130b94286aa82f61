//! NOOP (RFC 3501 6.1.2): a keep-alive and poll for new mail.

use crate::engine::cmd::{keep, need, verb_only, Spec};

/// Its place among the rows.
pub const ROW: u16 = 40;

/// Valid in any state.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
