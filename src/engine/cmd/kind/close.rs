//! CLOSE (RFC 3501 6.4.2): expunges silently and leaves the mailbox.

use crate::engine::cmd::{keep, need, verb_only, Spec};
use crate::engine::mailbox::MailboxState;

/// Needs a selected mailbox; the next command selects it again.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::selected,
    encode: verb_only,
    need: 0,
    on_send: leaving,
    on_ok: keep,
};

/// Leaving the mailbox: nothing the session sends next may assume it selected.
pub(crate) fn leaving(m: &mut MailboxState) {
    m.selected = false;
}
