//! UNSUBSCRIBE mailbox (RFC 3501 6.3.7): the embedded folders count as
//! subscribed whatever the client asks, so it is acknowledged and changes
//! nothing; timed on its own row.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Unsubscribe { .. }";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// Authenticated or selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Unsubscribe)
}

/// OK, subscriptions unchanged.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    s.line(format!("{tag} OK Subscriptions are fixed"));
    Next::Continue
}
