//! STARTTLS (RFC 3501 6.2.1): recognised by its verb before decoding (the
//! TLS handshake follows the answer on the same connection).

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session, State};

/// Recognised by its verb.
pub(super) const VERB: &str = "STARTTLS";
/// Advertised by `backend::capabilities` only where it can still be used.
pub(super) const ADVERTISE: &[&str] = &[];
/// Checked by the handler (it answers BAD after login itself).
pub(super) const STATE: Needs = Needs::Any;

/// Its timing row.
pub(super) fn row(_: &[u8]) -> Option<CommandKind> {
    Some(CommandKind::StartTls)
}

/// OK, then the handshake; BAD with arguments, after TLS or after login.
pub(super) async fn handle(s: &mut Session, tag: &str, raw: &[u8]) -> Next {
    let line_end = raw
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .unwrap_or(raw.len());
    if raw[..line_end].split(|b| *b == b' ').count() != 2 {
        return s.bad(tag, "STARTTLS takes no arguments");
    }
    let Some(acceptor) = s.be.acceptor.clone().filter(|_| !s.conn.tls) else {
        return s.bad(tag, "STARTTLS not available on this connection");
    };
    if !matches!(s.state, State::NotAuth) {
        return s.bad(tag, "STARTTLS only before authentication");
    }
    s.line(format!("{tag} OK Begin TLS negotiation now"));
    if s.flush().await.is_err() || s.conn.start_tls(&acceptor).await.is_err() {
        return Next::Close;
    }
    Next::Continue
}
