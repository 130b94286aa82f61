//! UNSELECT (RFC 3691): leaves the mailbox without expunging.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Unselect";
/// The extension's atom.
pub(super) const ADVERTISE: &[&str] = &["UNSELECT"];
/// A selected mailbox.
pub(super) const STATE: Needs = Needs::Selected;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Unselect)
}

/// Back to the authenticated state.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    s.leave_mailbox();
    s.line(format!("{tag} OK UNSELECT completed"));
    Next::Continue
}
