//! CAPABILITY (RFC 3501 6.1.1): clients re-asking what the server supports.

use crate::engine::cmd::{keep, need, verb_only, Spec};

/// Its place among the rows.
pub const ROW: u16 = 30;

/// Valid in any state; the answer's list replaces the session's capabilities.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
