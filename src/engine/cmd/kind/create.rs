//! CREATE imapload-n (RFC 3501 6.3.3): a scratch folder of the session's own.
//!
//! Folder management works on the session's own scratch folder
//! (`imapload-<n>`): INBOX and the server's other folders are never touched,
//! and each session's names are its own, so CREATE, RENAME and DELETE are
//! valid whatever the other sessions of the user do.

use crate::command::CommandKind;
use crate::engine::cmd::{keep, Enc, Spec};
use crate::engine::mailbox::MailboxState;

/// When the session has no scratch folder; a DELETE of the one it has
/// otherwise (so a session keeps at most one).
pub static SPEC: Spec = Spec {
    extension: None,
    instead: has_none_else_delete,
    encode: create,
    need: 0,
    on_send: keep,
    on_ok: MailboxState::scratch_made,
};

fn has_none_else_delete(m: &MailboxState) -> Option<CommandKind> {
    m.scratch.is_some().then_some(CommandKind::Delete)
}

/// RENAME and DELETE need a scratch folder; without one they CREATE it.
pub(crate) fn has_one_else_create(m: &MailboxState) -> Option<CommandKind> {
    m.scratch.is_none().then_some(CommandKind::Create)
}

fn create(e: &mut Enc<'_>) {
    let name = MailboxState::scratch_name(e.mbox.scratch_next);
    e.buf.atom(b"CREATE").sp().astring(name.as_bytes()).crlf();
}
