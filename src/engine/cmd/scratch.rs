//! Folder management on the session's own scratch folder (`imapload-<n>`):
//! CREATE, RENAME, DELETE. INBOX and the server's other folders are never
//! touched, and each session's names are its own, so the commands are valid
//! whatever the other sessions of the user do.

use super::{keep, Enc, Spec};
use crate::command::CommandKind;
use crate::engine::mailbox::MailboxState;

/// CREATE imapload-n (RFC 3501 6.3.3) when the session has no scratch folder;
/// a DELETE of the one it has otherwise (so a session keeps at most one).
pub static CREATE: Spec = Spec {
    instead: has_none_else_delete,
    encode: create,
    need: 0,
    on_send: keep,
    on_ok: MailboxState::scratch_made,
};

/// RENAME imapload-n imapload-m (RFC 3501 6.3.5) of the scratch folder; a
/// CREATE when the session has none.
pub static RENAME: Spec = Spec {
    instead: has_one_else_create,
    encode: rename,
    need: 0,
    on_send: keep,
    on_ok: MailboxState::scratch_made,
};

/// DELETE imapload-n (RFC 3501 6.3.4) of the scratch folder; a CREATE when
/// the session has none.
pub static DELETE: Spec = Spec {
    instead: has_one_else_create,
    encode: delete,
    need: 0,
    on_send: keep,
    on_ok: deleted,
};

fn has_none_else_delete(m: &MailboxState) -> Option<CommandKind> {
    m.scratch.is_some().then_some(CommandKind::Delete)
}

fn has_one_else_create(m: &MailboxState) -> Option<CommandKind> {
    m.scratch.is_none().then_some(CommandKind::Create)
}

fn create(e: &mut Enc<'_>) {
    let name = MailboxState::scratch_name(e.mbox.scratch_next);
    e.buf.atom(b"CREATE").sp().astring(name.as_bytes()).crlf();
}

fn rename(e: &mut Enc<'_>) {
    let from = MailboxState::scratch_name(e.mbox.scratch.unwrap_or_default());
    let to = MailboxState::scratch_name(e.mbox.scratch_next);
    e.buf
        .atom(b"RENAME")
        .sp()
        .astring(from.as_bytes())
        .sp()
        .astring(to.as_bytes())
        .crlf();
}

fn delete(e: &mut Enc<'_>) {
    let name = MailboxState::scratch_name(e.mbox.scratch.unwrap_or_default());
    e.buf.atom(b"DELETE").sp().astring(name.as_bytes()).crlf();
}

fn deleted(m: &mut MailboxState) {
    m.scratch = None;
}
