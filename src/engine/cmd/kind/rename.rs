//! RENAME imapload-n imapload-m (RFC 3501 6.3.5): renames the scratch folder.

use super::create::has_one_else_create;
use crate::engine::cmd::{keep, Enc, Spec};
use crate::engine::mailbox::MailboxState;

/// Of the scratch folder; a CREATE when the session has none.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: has_one_else_create,
    encode: rename,
    need: 0,
    on_send: keep,
    on_ok: MailboxState::scratch_made,
};

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
