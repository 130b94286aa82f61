//! LOGOUT (RFC 3501 6.1.3): BYE, OK, and the connection closes.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Logout";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// Valid in any state.
pub(super) const STATE: Needs = Needs::Any;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Logout)
}

/// BYE and OK; the session loop then closes the connection.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    s.line("* BYE imapload mailbox server logging out");
    s.line(format!("{tag} OK LOGOUT completed"));
    Next::Close
}
