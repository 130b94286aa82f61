//! IDLE (RFC 2177): the session pushes EXISTS / EXPUNGE until DONE (the
//! loop is `backend::idle`).

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Idle";
/// The extension's atom.
pub(super) const ADVERTISE: &[&str] = &["IDLE"];
/// Authenticated or selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// No row: an idling client holds no worker while it waits.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    None
}

/// `+ idling`, changes as they happen, OK after DONE.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    s.idle(tag).await
}
