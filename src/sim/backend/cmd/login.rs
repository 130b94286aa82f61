//! LOGIN user password (RFC 3501 6.2.3), with the LOGINDISABLED and
//! refuse-logins rules (see `backend::auth`).

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Login { .. }";
/// Base IMAP4rev1 (LOGINDISABLED is added while it is refused).
pub(super) const ADVERTISE: &[&str] = &[];
/// Any state: a second login is answered BAD by the login rules.
pub(super) const STATE: Needs = Needs::Any;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Login)
}

/// Checks the credentials against the store.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Login { username, password } = body else {
        return s.misrouted(tag);
    };
    let user = String::from_utf8_lossy(username.as_ref()).into_owned();
    let pass = String::from_utf8_lossy(password.declassify().as_ref()).into_owned();
    s.login(tag, &user, &pass);
    Next::Continue
}
