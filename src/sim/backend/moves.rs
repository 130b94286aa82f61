//! MOVE and UID MOVE (RFC 6851): a COPY, then an expunge of the moved
//! messages from the source, answered with `[COPYUID]` and untagged EXPUNGEs,
//! as one command so a client filing mail does not need STORE + EXPUNGE.

use imap_codec::imap_types::sequence::SequenceSet;

use super::seqset::{format_uids, resolve};
use super::session::{Session, State};
use crate::sim::store::{flags, Folder, Message};

impl Session {
    /// Moves the messages `set` names into `target` (which must exist: the
    /// simulator's folders are fixed, `Archive` among them).
    pub(super) fn move_to(&mut self, tag: &str, set: &SequenceSet, target: &str, uid: bool) {
        self.sync(false);
        let State::Selected(sel) = &self.state else {
            return;
        };
        if sel.read_only {
            self.line(format!("{tag} NO [READ-ONLY] Mailbox is read-only"));
            return;
        }
        let Some(dest) = sel.account.folder(target).cloned() else {
            self.line(format!("{tag} NO [TRYCREATE] No such mailbox"));
            return;
        };
        if std::sync::Arc::ptr_eq(&dest, &sel.folder) {
            self.line(format!("{tag} NO [CANNOT] Source and target are the same"));
            return;
        }
        let Ok(targets) = resolve(set, &sel.view, uid) else {
            self.bad(tag, "Invalid message sequence number");
            return;
        };
        let msgs: Vec<Message> = {
            let mut mb = sel.folder.lock();
            let picked: Vec<Message> = targets
                .iter()
                .filter_map(|(_, u)| mb.position(*u).map(|i| mb.messages[i].clone()))
                .collect();
            mb.messages
                .retain(|m| picked.iter().all(|p| p.uid != m.uid));
            picked
        };
        let src: Vec<u32> = msgs.iter().map(|m| m.uid).collect();
        let (validity, dst) = file_into(&dest, msgs);
        sel.folder.touch();
        if !src.is_empty() {
            let (s, d) = (format_uids(&src), format_uids(&dst));
            self.line(format!("* OK [COPYUID {validity} {s} {d}] Moved"));
        }
        self.sync(true);
        self.line(format!("{tag} OK MOVE completed"));
    }
}

/// Appends copies of `msgs` to `dest` as \Recent messages with new UIDs (COPY
/// and MOVE); returns the target's UIDVALIDITY and the new UIDs, in order, for
/// `[COPYUID]`.
pub(super) fn file_into(dest: &Folder, msgs: Vec<Message>) -> (u32, Vec<u32>) {
    let (validity, dst) = {
        let mut mb = dest.lock();
        let dst: Vec<u32> = msgs
            .into_iter()
            .map(|mut m| {
                m.flags |= flags::RECENT;
                mb.push(m)
            })
            .collect();
        (mb.uid_validity, dst)
    };
    dest.touch();
    (validity, dst)
}
