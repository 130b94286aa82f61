//! EXAMINE mailbox (RFC 3501 6.3.2): opens it read-only, \Recent kept.

use imap_codec::imap_types::command::CommandBody;

use super::select::open;
use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{mailbox_name, Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Examine { .. }";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// Authenticated or selected (a new EXAMINE replaces the selection).
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Examine)
}

/// Opens the mailbox read-only.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Examine { mailbox } = body else {
        return s.misrouted(tag);
    };
    open(s, tag, &mailbox_name(mailbox), true);
    Next::Continue
}
