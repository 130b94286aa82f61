//! ENABLE (RFC 5161): the simulator supports no extension that needs
//! enabling, so it enables none.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session, State};

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Enable { .. }";
/// Advertised so clients may send it.
pub(super) const ADVERTISE: &[&str] = &["ENABLE"];
/// Authenticated; the handler refuses it once a mailbox is selected.
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Enable)
}

/// An empty `* ENABLED`, then OK; BAD after SELECT (RFC 5161 3.1).
pub(super) async fn handle(s: &mut Session, tag: &str, _: &CommandBody<'_>) -> Next {
    if matches!(s.state, State::Selected(_)) {
        return s.bad(tag, "ENABLE is valid only before SELECT");
    }
    s.line("* ENABLED");
    s.line(format!("{tag} OK ENABLE completed"));
    Next::Continue
}
