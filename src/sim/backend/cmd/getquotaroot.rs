//! GETQUOTAROOT mailbox (RFC 9208 4.3.2): one quota root, "User quota",
//! with a message limit no user reaches; its usage is the mailbox's message
//! count (the store keeps no account-wide total). GETQUOTA and SETQUOTA
//! are not modelled (they answer BAD).

use imap_codec::imap_types::mailbox::Mailbox;

use crate::sim::backend::session::{mailbox_name, Next, Session};
use crate::sim::store::Account;

/// The message limit of the one quota root.
const LIMIT: u64 = 100_000;

/// `* QUOTAROOT`, `* QUOTA`, then OK; `NO [NONEXISTENT]` for an unknown mailbox.
pub(super) fn handle(s: &mut Session, tag: &str, account: &Account, mailbox: &Mailbox<'_>) -> Next {
    let Some(folder) = account.folder(&mailbox_name(mailbox)).cloned() else {
        s.line(format!("{tag} NO [NONEXISTENT] No such mailbox"));
        return Next::Continue;
    };
    let used = folder.lock().messages.len() as u64;
    s.line(format!("* QUOTAROOT {} \"User quota\"", folder.name));
    s.line(format!("* QUOTA \"User quota\" (MESSAGE {used} {LIMIT})"));
    s.line(format!("{tag} OK GETQUOTAROOT completed"));
    Next::Continue
}
