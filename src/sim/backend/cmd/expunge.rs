//! EXPUNGE (RFC 3501 6.4.3): removes the \Deleted messages, each reported
//! with an untagged EXPUNGE.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session, State};
use crate::sim::store::flags;

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Expunge";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// A selected mailbox.
pub(super) const STATE: Needs = Needs::Selected;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Expunge)
}

/// Removes and reports; NO on a read-only mailbox.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    if !remove_deleted(s) {
        s.line(format!("{tag} NO [READ-ONLY] Mailbox is read-only"));
        return Next::Continue;
    }
    s.sync(true);
    s.line(format!("{tag} OK EXPUNGE completed"));
    Next::Continue
}

/// Removes \Deleted messages from a writable selected mailbox (`false`:
/// none selected, or read-only); the caller reports them (EXPUNGE lines via
/// sync, or nothing for CLOSE).
pub(super) fn remove_deleted(s: &mut Session) -> bool {
    let State::Selected(sel) = &s.state else {
        return false;
    };
    if sel.read_only {
        return false;
    }
    let removed = {
        let mut mb = sel.folder.lock();
        let before = mb.messages.len();
        mb.messages.retain(|m| m.flags & flags::DELETED == 0);
        before != mb.messages.len()
    };
    if removed {
        sel.folder.touch();
    }
    true
}
