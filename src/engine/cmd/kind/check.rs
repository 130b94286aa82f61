//! CHECK (RFC 3501 6.4.1): a checkpoint of the selected mailbox (older
//! clients send it before a poll).

use crate::engine::cmd::{keep, need, verb_only, Spec};

/// Its place among the rows.
pub const ROW: u16 = 330;

/// Needs a selected mailbox (Dovecot answers BAD without one).
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::selected,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
