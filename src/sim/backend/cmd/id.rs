//! ID (RFC 2971): recognised by its verb (imap-codec 1.0 does not decode
//! it); the client's parameters are not kept.

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Recognised by its verb.
pub(super) const VERB: &str = "ID";
/// The extension's atom.
pub(super) const ADVERTISE: &[&str] = &["ID"];
/// Valid in any state.
pub(super) const STATE: Needs = Needs::Any;

/// Its timing row.
pub(super) fn row(_: &[u8]) -> Option<CommandKind> {
    Some(CommandKind::Id)
}

/// The server's own identification, then OK.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &[u8]) -> Next {
    s.line("* ID (\"name\" \"imapload\" \"vendor\" \"imapload simulator\")");
    s.line(format!("{tag} OK ID completed"));
    Next::Continue
}
