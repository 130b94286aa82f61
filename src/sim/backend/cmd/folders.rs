//! CREATE, DELETE and RENAME (RFC 3501 6.3.3 - 6.3.5) of scratch folders:
//! the load creates, renames and deletes folders of its own, never INBOX or
//! the fixed set, so every account keeps the folders the other commands need.

use imap_codec::imap_types::mailbox::Mailbox;

use crate::sim::backend::session::{mailbox_name, Next, Session};
use crate::sim::store::{Account, FolderError};

/// CREATE: a new, empty scratch folder.
pub(super) fn create(s: &mut Session, tag: &str, account: &Account, mailbox: &Mailbox) -> Next {
    let done = account.create(&mailbox_name(mailbox));
    answer(s, tag, "CREATE", done)
}

/// DELETE: removes a scratch folder.
pub(super) fn delete(s: &mut Session, tag: &str, account: &Account, mailbox: &Mailbox) -> Next {
    let done = account.delete(&mailbox_name(mailbox));
    answer(s, tag, "DELETE", done)
}

/// RENAME: renames a scratch folder.
pub(super) fn rename(
    s: &mut Session,
    tag: &str,
    account: &Account,
    from: &Mailbox,
    to: &Mailbox,
) -> Next {
    let done = account.rename(&mailbox_name(from), &mailbox_name(to));
    answer(s, tag, "RENAME", done)
}

/// The tagged answer of CREATE, DELETE or RENAME, with the RFC 5530
/// response code a refusal carries.
fn answer(s: &mut Session, tag: &str, verb: &str, done: Result<(), FolderError>) -> Next {
    let line = match done {
        Ok(()) => format!("{tag} OK {verb} completed"),
        Err(FolderError::Fixed) => {
            format!("{tag} NO [CANNOT] INBOX and the fixed folders can't be changed")
        }
        Err(FolderError::Exists) => format!("{tag} NO [ALREADYEXISTS] Mailbox exists"),
        Err(FolderError::Missing) => format!("{tag} NO [NONEXISTENT] No such mailbox"),
    };
    s.line(line);
    Next::Continue
}
