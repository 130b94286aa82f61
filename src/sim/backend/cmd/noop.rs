//! NOOP (RFC 3501 6.1.2): a poll; new mail and expunges arrive with its answer.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Noop";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// Valid in any state.
pub(super) const STATE: Needs = Needs::Any;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Noop)
}

/// Reports what other sessions changed, then OK.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    s.sync(true);
    s.line(format!("{tag} OK NOOP completed"));
    Next::Continue
}
