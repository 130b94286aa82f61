//! UNSELECT (RFC 3691): leave the mailbox without expunging.

use super::close::leaving;
use crate::engine::cmd::{keep, need, verb_only, Spec};

/// Needs a selected mailbox. Every server imapload meets offers UNSELECT, so
/// it does not look for the atom.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::selected,
    encode: verb_only,
    need: 0,
    on_send: leaving,
    on_ok: keep,
};
