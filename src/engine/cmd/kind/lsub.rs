//! LSUB "" "*" (RFC 3501 6.3.9): subscribed folders (older clients).

use super::list::every_folder;
use crate::engine::cmd::{keep, need, Spec};

/// Its place among the rows.
pub const ROW: u16 = 60;

/// Valid in any authenticated state; leaves the selection alone.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: every_folder,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
