//! MOVE and UID MOVE (RFC 6851): a COPY, then an expunge of the moved
//! messages from the source, answered with `[COPYUID]` and untagged EXPUNGEs,
//! as one command so a client filing mail does not need STORE + EXPUNGE.

use imap_codec::imap_types::mailbox::Mailbox;
use imap_codec::imap_types::sequence::SequenceSet;

use super::copy::file_into;
use crate::sim::backend::seqset::{format_uids, resolve};
use crate::sim::backend::session::{mailbox_name, InMailbox, Next};
use crate::sim::store::Message;

/// Moves the messages into the target (which must exist: the simulator's
/// fixed folders include `Archive`).
pub(super) fn handle(
    s: &mut InMailbox<'_>,
    tag: &str,
    sequence_set: &SequenceSet,
    mailbox: &Mailbox<'_>,
    uid: bool,
) -> Next {
    s.sync(false);
    let sel = &*s.sel;
    if sel.read_only {
        s.line(format!("{tag} NO [READ-ONLY] Mailbox is read-only"));
        return Next::Continue;
    }
    let Some(dest) = sel.account.folder(&mailbox_name(mailbox)).cloned() else {
        s.line(format!("{tag} NO [TRYCREATE] No such mailbox"));
        return Next::Continue;
    };
    if std::sync::Arc::ptr_eq(&dest, &sel.folder) {
        s.line(format!("{tag} NO [CANNOT] Source and target are the same"));
        return Next::Continue;
    }
    let Ok(targets) = resolve(sequence_set, &sel.view, uid) else {
        return s.bad(tag, "Invalid message sequence number");
    };
    let msgs: Vec<Message> = {
        let mut mb = sel.folder.lock();
        let picked: Vec<Message> = targets
            .iter()
            .filter_map(|(_, u)| mb.position(*u).map(|i| mb.messages[i].clone()))
            .collect();
        mb.messages
            .retain(|m| picked.iter().all(|p| p.uid != m.uid));
        if !picked.is_empty() {
            mb.bump();
        }
        picked
    };
    let src: Vec<u32> = msgs.iter().map(|m| m.uid).collect();
    let filed = file_into(&dest, msgs);
    sel.folder.touch();
    if !src.is_empty() {
        let (from, to) = (format_uids(&src), format_uids(&filed.uids));
        let validity = filed.uid_validity;
        s.line(format!("* OK [COPYUID {validity} {from} {to}] Moved"));
    }
    s.sync(true);
    s.line(format!("{tag} OK MOVE completed"));
    Next::Continue
}
