//! NAMESPACE (RFC 2342): where the personal and shared folders are.

use crate::engine::cmd::{keep, need, verb_only, Spec};

/// Its place among the rows.
pub const ROW: u16 = 240;

/// The session is always authenticated when it draws it.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
