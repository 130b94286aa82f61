//! STATUS mailbox (items) (RFC 3501 6.3.10): counts of a folder without
//! selecting it.

use imap_codec::imap_types::mailbox::Mailbox;
use imap_codec::imap_types::status::StatusDataItemName;

use crate::sim::backend::session::{mailbox_name, Next, Session};
use crate::sim::store::{flags, Account, Message};

/// `* STATUS name (...)` with the items the store knows, then OK.
pub(super) fn handle(
    s: &mut Session,
    tag: &str,
    account: &Account,
    mailbox: &Mailbox<'_>,
    item_names: &[StatusDataItemName],
) -> Next {
    let Some(folder) = account.folder(&mailbox_name(mailbox)).cloned() else {
        s.line(format!("{tag} NO [NONEXISTENT] No such mailbox"));
        return Next::Continue;
    };
    let parts: Vec<String> = {
        let mb = folder.lock();
        let with = |bit: u8| mb.messages.iter().filter(|m| m.flags & bit != 0).count() as u64;
        let without = |m: &&Message| m.flags & flags::SEEN == 0;
        item_names
            .iter()
            .filter_map(|item| match item {
                StatusDataItemName::Messages => Some(("MESSAGES", mb.messages.len() as u64)),
                StatusDataItemName::Recent => Some(("RECENT", with(flags::RECENT))),
                StatusDataItemName::UidNext => Some(("UIDNEXT", mb.uid_next as u64)),
                StatusDataItemName::UidValidity => Some(("UIDVALIDITY", mb.uid_validity as u64)),
                StatusDataItemName::Unseen => {
                    Some(("UNSEEN", mb.messages.iter().filter(without).count() as u64))
                }
                StatusDataItemName::Deleted => Some(("DELETED", with(flags::DELETED))),
                _ => None,
            })
            .map(|(label, value)| format!("{label} {value}"))
            .collect()
    };
    let (mut parts, highest) = (parts, folder.lock().highest_modseq);
    if s.modifiers.status_only_highestmodseq {
        parts.clear();
    }
    if s.modifiers.status_highestmodseq {
        parts.push(format!("HIGHESTMODSEQ {highest}"));
    }
    s.line(format!("* STATUS {} ({})", folder.name, parts.join(" ")));
    s.line(format!("{tag} OK STATUS completed"));
    Next::Continue
}
