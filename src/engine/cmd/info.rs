//! Session-level information a client asks for once it is connected: ID,
//! NAMESPACE, ENABLE.

use super::{keep, need, verb_only, CommandKind, Enc, MailboxState, Spec};

/// ID ("name" "imapload") (RFC 2971): valid in any state.
pub static ID: Spec = Spec {
    instead: need::nothing,
    encode: id,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn id(e: &mut Enc<'_>) {
    e.buf.atom(b"ID (\"name\" \"imapload\")").crlf();
}

/// NAMESPACE (RFC 2342): the session is always authenticated when it draws it.
pub static NAMESPACE: Spec = Spec {
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// ENABLE CONDSTORE (RFC 5161): only valid in the authenticated state (before
/// SELECT) and only if the server advertises ENABLE. Otherwise the session
/// sends NOOP instead: like ENABLE it leaves the selection alone, where
/// UNSELECT first would add a leave / re-open cycle the mix did not ask for.
pub static ENABLE: Spec = Spec {
    instead: enable_or_noop,
    encode: enable,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn enable_or_noop(m: &MailboxState) -> Option<CommandKind> {
    let offered = m.capabilities.as_ref().is_none_or(|c| c.enable);
    (m.selected || !offered).then_some(CommandKind::Noop)
}

fn enable(e: &mut Enc<'_>) {
    e.buf.atom(b"ENABLE CONDSTORE").crlf();
}
