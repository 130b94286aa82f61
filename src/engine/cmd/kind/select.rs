//! SELECT mailbox (RFC 3501 6.3.1): opens it read-write.

use crate::engine::cmd::{need, Enc, Spec};
use crate::engine::mailbox::MailboxState;

/// Valid in any authenticated state; the answer's EXISTS replaces the count.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: verb_and_mailbox,
    need: 0,
    on_send: opening_read_write,
    on_ok: opened,
};

/// `SELECT mailbox` / `EXAMINE mailbox`: the verb is the kind's label.
pub(crate) fn verb_and_mailbox(e: &mut Enc<'_>) {
    e.buf
        .atom(e.kind.label().as_bytes())
        .sp()
        .astring(e.mailbox.as_bytes())
        .crlf();
}

/// The answer's EXISTS replaces the count; the mode is the verb's until a
/// `[READ-ONLY]` / `[READ-WRITE]` code says otherwise.
fn opening_read_write(m: &mut MailboxState) {
    m.exists = 0;
    m.read_only = false;
}

/// Once SELECT or EXAMINE completed, commands of the selected state are valid.
pub(crate) fn opened(m: &mut MailboxState) {
    m.selected = true;
}
