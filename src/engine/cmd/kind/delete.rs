//! DELETE imapload-n (RFC 3501 6.3.4): removes the session's scratch folder.

use super::create::has_one_else_create;
use crate::engine::cmd::{keep, Enc, Spec};
use crate::engine::mailbox::MailboxState;

/// Of the scratch folder; a CREATE when the session has none.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: has_one_else_create,
    encode: delete,
    need: 0,
    on_send: keep,
    on_ok: deleted,
};

fn delete(e: &mut Enc<'_>) {
    let name = MailboxState::scratch_name(e.mbox.scratch.unwrap_or_default());
    e.buf.atom(b"DELETE").sp().astring(name.as_bytes()).crlf();
}

fn deleted(m: &mut MailboxState) {
    m.scratch = None;
}
