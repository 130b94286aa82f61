//! GETQUOTAROOT mailbox (RFC 9208 4.3.2): one quota root, "User quota",
//! with a message limit no user reaches; its usage is the mailbox's message
//! count (the store keeps no account-wide total). GETQUOTA and SETQUOTA
//! are not modelled (they answer BAD).

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{mailbox_name, Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::GetQuotaRoot { .. }";
/// RFC 9208's atom, so clients send it.
pub(super) const ADVERTISE: &[&str] = &["QUOTA"];
/// Authenticated or selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// The message limit of the one quota root.
const LIMIT: u64 = 100_000;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Getquotaroot)
}

/// `* QUOTAROOT`, `* QUOTA`, then OK; NO [NONEXISTENT] for an unknown mailbox.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::GetQuotaRoot { mailbox } = body else {
        return s.misrouted(tag);
    };
    let account = s.account().expect("authenticated");
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
