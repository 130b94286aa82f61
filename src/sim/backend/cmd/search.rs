//! SEARCH and UID SEARCH (RFC 3501 6.4.4); the criteria are evaluated by
//! `backend::search`.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Search { .. }";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// A selected mailbox.
pub(super) const STATE: Needs = Needs::Selected;

/// UID SEARCH or SEARCH.
pub(super) fn row(body: &CommandBody) -> Option<CommandKind> {
    Some(match body {
        CommandBody::Search { uid: true, .. } => CommandKind::UidSearch,
        _ => CommandKind::Search,
    })
}

/// `* SEARCH n...`, then OK.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Search { criteria, uid, .. } = body else {
        return s.misrouted(tag);
    };
    s.search(tag, criteria, *uid);
    Next::Continue
}
