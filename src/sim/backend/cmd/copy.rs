//! COPY and UID COPY (RFC 3501 6.4.7), answered with `[COPYUID]` (RFC 4315).

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::seqset::{format_uids, resolve};
use crate::sim::backend::session::{mailbox_name, Next, Session, State};
use crate::sim::store::{flags, Folder, Message};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Copy { .. }";
/// Base IMAP4rev1 (UIDPLUS is UID EXPUNGE's).
pub(super) const ADVERTISE: &[&str] = &[];
/// A selected mailbox.
pub(super) const STATE: Needs = Needs::Selected;

/// Its timing row (COPY and UID COPY share it).
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Copy)
}

/// Copies into the target, which must exist (NO [TRYCREATE] otherwise).
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Copy {
        sequence_set,
        mailbox,
        uid,
    } = body
    else {
        return s.misrouted(tag);
    };
    s.sync(false);
    let State::Selected(sel) = &s.state else {
        return s.misrouted(tag);
    };
    let Some(dest) = sel.account.folder(&mailbox_name(mailbox)).cloned() else {
        s.line(format!("{tag} NO [TRYCREATE] No such mailbox"));
        return Next::Continue;
    };
    let Ok(targets) = resolve(sequence_set, &sel.view, *uid) else {
        return s.bad(tag, "Invalid message sequence number");
    };
    let msgs: Vec<Message> = {
        let mb = sel.folder.lock();
        targets
            .iter()
            .filter_map(|(_, u)| mb.position(*u).map(|i| mb.messages[i].clone()))
            .collect()
    };
    let src: Vec<u32> = msgs.iter().map(|m| m.uid).collect();
    let filed = file_into(&dest, msgs);
    s.sync(true);
    if src.is_empty() {
        s.line(format!("{tag} OK COPY completed"));
    } else {
        let (from, to) = (format_uids(&src), format_uids(&filed.uids));
        let validity = filed.uid_validity;
        s.line(format!("{tag} OK [COPYUID {validity} {from} {to}] COPY completed"));
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
