//! EXAMINE mailbox (RFC 3501 6.3.2): opens it read-only.

use super::select::{opened, verb_and_mailbox};
use crate::engine::cmd::{need, Spec};
use crate::engine::mailbox::MailboxState;

/// Valid in any authenticated state; leaves the mailbox read-only.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: verb_and_mailbox,
    need: 0,
    on_send: opening_read_only,
    on_ok: opened,
};

fn opening_read_only(m: &mut MailboxState) {
    m.exists = 0;
    m.read_only = true;
}
