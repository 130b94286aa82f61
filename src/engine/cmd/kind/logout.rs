//! LOGOUT (RFC 3501 6.1.3).

use crate::engine::cmd::{keep, need, verb_only, Spec};

/// Last among the rows.
pub const ROW: u16 = 1000;

/// Every session ends with it; it is not drawn from the mix.
pub const MIXABLE: bool = false;

/// Valid in any state.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
