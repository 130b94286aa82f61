//! UID EXPUNGE (RFC 4315 2.1): like EXPUNGE, but only the \Deleted messages
//! whose UIDs are in the given set go, so a client does not expunge what
//! another client sharing the mailbox marked. imap-codec 1.0 does not decode
//! it; the session recognises it by its two words.

use std::str::FromStr;

use imap_codec::imap_types::sequence::SequenceSet;

use crate::sim::backend::seqset::{contains, ranges};
use crate::sim::backend::session::{InMailbox, Next};
use crate::sim::store::flags;

/// The UID set argument of `tag UID EXPUNGE set\r\n`, if it parses.
fn uid_set(raw: &[u8]) -> Option<SequenceSet> {
    let line = raw.split(|b| *b == b'\r' || *b == b'\n').next()?;
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split(' ');
    let (_tag, _uid, _expunge) = (words.next()?, words.next()?, words.next()?);
    let set = words.next()?;
    if words.next().is_some() {
        return None;
    }
    SequenceSet::from_str(set).ok()
}

/// Removes the \Deleted messages in the UID set and reports each with an
/// untagged EXPUNGE (through `sync`).
pub(super) fn handle(s: &mut InMailbox<'_>, tag: &str, raw: &[u8]) -> Next {
    let Some(set) = uid_set(raw) else {
        return s.bad(tag, "Invalid UID EXPUNGE command");
    };
    let sel = &*s.sel;
    if sel.read_only {
        s.line(format!("{tag} NO [READ-ONLY] Mailbox is read-only"));
        return Next::Continue;
    }
    let removed = {
        let mut mb = sel.folder.lock();
        let r = ranges(&set, mb.uid_next.saturating_sub(1));
        let before = mb.messages.len();
        mb.messages
            .retain(|m| m.flags & flags::DELETED == 0 || !contains(&r, m.uid));
        let removed = before != mb.messages.len();
        if removed {
            mb.bump();
        }
        removed
    };
    if removed {
        sel.folder.touch();
    }
    s.sync(true);
    s.line(format!("{tag} OK UID EXPUNGE completed"));
    Next::Continue
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_uid_set() {
        assert!(uid_set(b"a1 UID EXPUNGE 3:7,9\r\n").is_some());
        assert!(uid_set(b"a1 UID EXPUNGE 1:*\r\n").is_some());
        assert!(uid_set(b"a1 UID EXPUNGE\r\n").is_none());
        assert!(uid_set(b"a1 UID EXPUNGE 0:x\r\n").is_none());
        assert!(uid_set(b"a1 UID EXPUNGE 1 2\r\n").is_none());
    }
}
