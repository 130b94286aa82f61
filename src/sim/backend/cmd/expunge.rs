//! EXPUNGE (RFC 3501 6.4.3), which removes the \Deleted messages and
//! reports each with an untagged EXPUNGE, and CLOSE (RFC 3501 6.4.2), which
//! removes them silently and leaves the mailbox.

use crate::sim::backend::session::{InMailbox, Next, Selected, Session};
use crate::sim::store::flags;

/// EXPUNGE: removes and reports; NO on a read-only mailbox.
pub(super) fn expunge(s: &mut InMailbox<'_>, tag: &str) -> Next {
    if !remove_deleted(s.sel) {
        s.line(format!("{tag} NO [READ-ONLY] Mailbox is read-only"));
        return Next::Continue;
    }
    s.sync(true);
    s.line(format!("{tag} OK EXPUNGE completed"));
    Next::Continue
}

/// CLOSE, once `left` is left: expunges it (if writable), then OK.
pub(super) fn close(s: &mut Session, tag: &str, left: Selected) -> Next {
    remove_deleted(&left);
    s.line(format!("{tag} OK CLOSE completed"));
    Next::Continue
}

/// Removes \Deleted messages from a writable mailbox (`false`: read-only);
/// the caller reports them (EXPUNGE lines via sync, or nothing for CLOSE).
fn remove_deleted(sel: &Selected) -> bool {
    if sel.read_only {
        return false;
    }
    let removed = {
        let mut mb = sel.folder.lock();
        let before = mb.messages.len();
        mb.messages.retain(|m| m.flags & flags::DELETED == 0);
        let removed = before != mb.messages.len();
        if removed {
            mb.bump();
        }
        removed
    };
    if removed {
        sel.folder.touch();
    }
    true
}
