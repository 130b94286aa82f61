//! RENAME from to (RFC 3501 6.3.5) of a scratch folder (never INBOX or the
//! fixed set).

use imap_codec::imap_types::command::CommandBody;

use super::create::folder_answer;
use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{mailbox_name, Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Rename { .. }";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// Authenticated or selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Rename)
}

/// Renames the scratch folder.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Rename { from, to } = body else {
        return s.misrouted(tag);
    };
    let account = s.account().expect("authenticated");
    let done = account.rename(&mailbox_name(from), &mailbox_name(to));
    folder_answer(s, tag, "RENAME", done);
    Next::Continue
}
