//! NAMESPACE (RFC 2342): recognised by its verb (imap-codec 1.0 does not
//! decode it); one personal namespace, no others.

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};

/// Recognised by its verb.
pub(super) const VERB: &str = "NAMESPACE";
/// The extension's atom.
pub(super) const ADVERTISE: &[&str] = &["NAMESPACE"];
/// Authenticated or selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row.
pub(super) fn row(_: &[u8]) -> Option<CommandKind> {
    Some(CommandKind::Namespace)
}

/// The personal namespace (`""`, separator `/`), then OK.
pub(super) async fn handle(s: &mut Session, tag: &str, _: &[u8]) -> Next {
    s.line("* NAMESPACE ((\"\" \"/\")) NIL NIL");
    s.line(format!("{tag} OK NAMESPACE completed"));
    Next::Continue
}
