//! FETCH and UID FETCH (RFC 3501 6.4.5, 6.4.8); the items are rendered by
//! `backend::fetch`.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::fetch::kind_of_items;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Fetch { .. }";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// A selected mailbox.
pub(super) const STATE: Needs = Needs::Selected;

/// UID FETCH, or by its items: whole bodies, partials, headers or flags.
pub(super) fn row(body: &CommandBody) -> Option<CommandKind> {
    Some(match body {
        CommandBody::Fetch { uid: true, .. } => CommandKind::UidFetch,
        CommandBody::Fetch {
            macro_or_item_names,
            ..
        } => kind_of_items(macro_or_item_names),
        _ => CommandKind::FetchFlags,
    })
}

/// One `* n FETCH (...)` per message, then OK.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Fetch {
        sequence_set,
        macro_or_item_names,
        uid,
    } = body
    else {
        return s.misrouted(tag);
    };
    s.fetch(tag, sequence_set, macro_or_item_names, *uid);
    Next::Continue
}
