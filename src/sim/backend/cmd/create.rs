//! CREATE name (RFC 3501 6.3.3) of a scratch folder: the load creates,
//! renames and deletes folders of its own, never INBOX or the fixed set, so
//! every account keeps the folders the other commands need.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{mailbox_name, Next, Session};
use crate::sim::store::FolderError;

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Create { .. }";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// Authenticated or selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Create)
}

/// A new, empty scratch folder.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Create { mailbox } = body else {
        return s.misrouted(tag);
    };
    let account = s.account().expect("authenticated");
    let done = account.create(&mailbox_name(mailbox));
    folder_answer(s, tag, "CREATE", done);
    Next::Continue
}

/// The tagged answer of CREATE, DELETE or RENAME, with the RFC 5530
/// response code a refusal carries.
pub(super) fn folder_answer(s: &mut Session, tag: &str, verb: &str, done: Result<(), FolderError>) {
    let line = match done {
        Ok(()) => format!("{tag} OK {verb} completed"),
        Err(FolderError::Fixed) => {
            format!("{tag} NO [CANNOT] INBOX and the fixed folders can't be changed")
        }
        Err(FolderError::Exists) => format!("{tag} NO [ALREADYEXISTS] Mailbox exists"),
        Err(FolderError::Missing) => format!("{tag} NO [NONEXISTENT] No such mailbox"),
    };
    s.line(line);
}
