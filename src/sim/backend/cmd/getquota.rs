//! GETQUOTA (RFC 9208): decoded by imap-codec but not modelled by the simulator, which
//! does not advertise it; answered BAD, timed on NOOP's row.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::GetQuota { .. }";
/// Not offered.
pub(super) const ADVERTISE: &[&str] = &[];
/// Authenticated or selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row: NOOP's.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Noop)
}

/// BAD: not supported.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    s.bad(tag, "Command not supported by the simulator")
}
