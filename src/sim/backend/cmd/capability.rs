//! CAPABILITY (RFC 3501 6.1.1): the list the greeting also carries.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Capability";
/// IMAP4rev1 and LITERAL+ are the base list (see `backend::capabilities`).
pub(super) const ADVERTISE: &[&str] = &[];
/// Valid in any state.
pub(super) const STATE: Needs = Needs::Any;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Capability)
}

/// `* CAPABILITY ...` for the connection as it is now (STARTTLS until used).
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    let caps = s.caps();
    s.line(format!("* CAPABILITY {caps}"));
    s.line(format!("{tag} OK CAPABILITY completed"));
    Next::Continue
}
