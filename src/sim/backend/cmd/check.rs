//! CHECK (RFC 3501 6.4.1): a checkpoint; the in-memory store has nothing to
//! flush, so it is answered like NOOP, timed on its own row.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Check";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// A selected mailbox (RFC 3501 6.4: selected state only).
pub(super) const STATE: Needs = Needs::Selected;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Check)
}

/// Reports what other sessions changed, then OK.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    s.sync(true);
    s.line(format!("{tag} OK CHECK completed"));
    Next::Continue
}
