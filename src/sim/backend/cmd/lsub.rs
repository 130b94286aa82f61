//! LSUB reference pattern (RFC 3501 6.3.9): every folder counts as
//! subscribed, so it answers what LIST would.

use imap_codec::imap_types::command::CommandBody;

use super::list::{answer, list_pattern};
use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{mailbox_name, Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Lsub { .. }";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// Authenticated or selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Lsub)
}

/// The folders the pattern matches, as `* LSUB` lines.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Lsub {
        reference,
        mailbox_wildcard,
    } = body
    else {
        return s.misrouted(tag);
    };
    let pattern = list_pattern(mailbox_wildcard);
    answer(s, tag, "LSUB", &mailbox_name(reference), &pattern);
    Next::Continue
}
