//! COPY and UID COPY (RFC 3501 6.4.7), answered with `[COPYUID]` (RFC 4315).

use imap_codec::imap_types::mailbox::Mailbox;
use imap_codec::imap_types::sequence::SequenceSet;

use crate::sim::backend::seqset::{format_uids, resolve};
use crate::sim::backend::session::{mailbox_name, InMailbox, Next};
use crate::sim::store::{flags, Folder, Message};

/// Copies into the target, which must exist (`NO [TRYCREATE]` otherwise).
pub(super) fn handle(
    s: &mut InMailbox<'_>,
    tag: &str,
    set: &SequenceSet,
    mailbox: &Mailbox<'_>,
    uid: bool,
) -> Next {
    s.sync(false);
    let Some(dest) = s.sel.account.folder(&mailbox_name(mailbox)).cloned() else {
        s.line(format!("{tag} NO [TRYCREATE] No such mailbox"));
        return Next::Continue;
    };
    let Ok(targets) = resolve(set, &s.sel.view, uid) else {
        return s.bad(tag, "Invalid message sequence number");
    };
    let msgs: Vec<Message> = {
        let mb = s.sel.folder.lock();
        targets
            .iter()
            .filter_map(|(_, u)| mb.position(*u).map(|i| mb.messages[i].clone()))
            .collect()
    };
    let src: Vec<u32> = msgs.iter().map(|msg| msg.uid).collect();
    let filed = file_into(&dest, msgs);
    s.sync(true);
    if src.is_empty() {
        s.line(format!("{tag} OK COPY completed"));
    } else {
        let (from, to) = (format_uids(&src), format_uids(&filed.uids));
        let validity = filed.uid_validity;
        s.line(format!(
            "{tag} OK [COPYUID {validity} {from} {to}] COPY completed"
        ));
    }
    Next::Continue
}

/// Where COPY or MOVE put the messages, for `[COPYUID]`.
pub(super) struct Filed {
    /// The target's UIDVALIDITY.
    pub uid_validity: u32,
    /// The new UIDs, in the order of the messages.
    pub uids: Vec<u32>,
}

/// Appends copies of `msgs` to `dest` as \Recent messages with new UIDs.
pub(super) fn file_into(dest: &Folder, msgs: Vec<Message>) -> Filed {
    let filed = {
        let mut mb = dest.lock();
        let uids: Vec<u32> = msgs
            .into_iter()
            .map(|mut m| {
                m.flags |= flags::RECENT;
                mb.push(m)
            })
            .collect();
        Filed {
            uid_validity: mb.uid_validity,
            uids,
        }
    };
    dest.touch();
    filed
}
