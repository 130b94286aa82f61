//! APPEND mailbox (flags) date {n} (RFC 3501 6.3.11), answered with
//! `[APPENDUID]` (RFC 4315).

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::flags::flag_bits;
use crate::sim::backend::session::{mailbox_name, Next, Session};
use crate::sim::store::{flags, Body, Message};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Append { .. }";
/// Base IMAP4rev1 (LITERAL+ is in the base list).
pub(super) const ADVERTISE: &[&str] = &[];
/// Authenticated or selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Append)
}

/// Stores the message as \Recent with the next UID.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Append {
        mailbox,
        flags: list,
        date,
        message,
    } = body
    else {
        return s.misrouted(tag);
    };
    let account = s.account().expect("authenticated");
    let Some(folder) = account.folder(&mailbox_name(mailbox)).cloned() else {
        s.line(format!("{tag} NO [TRYCREATE] No such mailbox"));
        return Next::Continue;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let data = message.data();
    let msg = Message {
        uid: 0,
        flags: flag_bits(list) | flags::RECENT,
        date: date.as_ref().map_or(now, |d| d.as_ref().timestamp()),
        size: data.len() as u32,
        body: Body::Stored(s.be.append_body(data)),
    };
    let (validity, uid) = {
        let mut mb = folder.lock();
        let uid = mb.push(msg);
        (mb.uid_validity, uid)
    };
    folder.touch();
    s.sync(true);
    s.line(format!(
        "{tag} OK [APPENDUID {validity} {uid}] APPEND completed"
    ));
    Next::Continue
}
