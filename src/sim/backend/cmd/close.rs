//! CLOSE (RFC 3501 6.4.2): expunges silently (no untagged EXPUNGE) and
//! leaves the mailbox.

use imap_codec::imap_types::command::CommandBody;

use super::expunge::remove_deleted;
use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Close";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// A selected mailbox.
pub(super) const STATE: Needs = Needs::Selected;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Close)
}

/// Expunges (if writable), then back to the authenticated state.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    remove_deleted(s);
    s.leave_mailbox();
    s.line(format!("{tag} OK CLOSE completed"));
    Next::Continue
}
