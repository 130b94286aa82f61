//! ENABLE CONDSTORE (RFC 5161): turns on an extension, before SELECT.

use crate::command::CommandKind;
use crate::engine::cmd::{keep, Enc, Extension, Spec};
use crate::engine::mailbox::MailboxState;
use crate::imap::capability::Atom;

/// Only valid in the authenticated state (before SELECT) and only if the
/// server advertises ENABLE. Otherwise the session sends NOOP instead: like
/// ENABLE it leaves the selection alone, where UNSELECT first would add a
/// leave / re-open cycle the mix did not ask for.
pub static SPEC: Spec = Spec {
    extension: Some(Extension {
        atom: Atom::named("ENABLE"),
        otherwise: CommandKind::Noop,
    }),
    instead: noop_while_selected,
    encode: enable,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn noop_while_selected(m: &MailboxState) -> Option<CommandKind> {
    m.selected.then_some(CommandKind::Noop)
}

fn enable(e: &mut Enc<'_>) {
    e.buf.atom(b"ENABLE CONDSTORE").crlf();
}
