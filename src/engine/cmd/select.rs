//! Entering and leaving the selected state: SELECT, EXAMINE, CLOSE, UNSELECT.

use super::{need, verb_only, Enc, MailboxState, Spec};

/// SELECT mailbox (RFC 3501 6.3.1), read-write.
pub static SELECT: Spec = Spec {
    instead: need::nothing,
    encode: select,
    need: 0,
    on_send: opening_read_write,
    on_ok: opened,
};

/// EXAMINE mailbox (RFC 3501 6.3.2), read-only.
pub static EXAMINE: Spec = Spec {
    instead: need::nothing,
    encode: select,
    need: 0,
    on_send: opening_read_only,
    on_ok: opened,
};

fn select(e: &mut Enc<'_>) {
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

fn opening_read_only(m: &mut MailboxState) {
    m.exists = 0;
    m.read_only = true;
}

fn opened(m: &mut MailboxState) {
    m.selected = true;
}

/// CLOSE (RFC 3501 6.4.2): expunges silently and leaves the mailbox.
pub static CLOSE: Spec = Spec {
    instead: need::selected,
    encode: verb_only,
    need: 0,
    on_send: leaving,
    on_ok: super::keep,
};

/// Leaving the mailbox: nothing the session sends next may assume it selected.
pub(super) fn leaving(m: &mut MailboxState) {
    m.selected = false;
}

/// UNSELECT (RFC 3691): leaves the mailbox without expunging.
pub static UNSELECT: Spec = Spec {
    instead: need::selected,
    encode: verb_only,
    need: 0,
    on_send: leaving,
    on_ok: super::keep,
};
