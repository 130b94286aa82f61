//! APPEND mailbox (flags) date {n} (RFC 3501 6.3.11), answered with
//! `[APPENDUID]` (RFC 4315).

use imap_codec::imap_types::core::Literal;
use imap_codec::imap_types::datetime::DateTime;
use imap_codec::imap_types::flag::Flag;
use imap_codec::imap_types::mailbox::Mailbox;

use crate::sim::backend::flags::flag_bits;
use crate::sim::backend::session::{mailbox_name, Next, Session};
use crate::sim::store::{flags, Account, Body, Message};

/// APPEND's fields, as decoded.
pub(super) struct Append<'a> {
    /// The target mailbox.
    pub mailbox: &'a Mailbox<'a>,
    /// The flags the message is stored with (\Recent added).
    pub flags: &'a [Flag<'a>],
    /// Its internal date (now when absent).
    pub date: Option<&'a DateTime>,
    /// The message.
    pub message: &'a Literal<'a>,
}

/// Stores the message as \Recent with the next UID.
pub(super) fn handle(s: &mut Session, tag: &str, account: &Account, append: Append<'_>) -> Next {
    let Append {
        mailbox,
        flags: list,
        date,
        message,
    } = append;
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
        date: date.map_or(now, |d| d.as_ref().timestamp()),
        size: data.len() as u32,
        modseq: 0,
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
