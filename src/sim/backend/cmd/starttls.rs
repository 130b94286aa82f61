//! STARTTLS (RFC 3501 6.2.1): recognised by its verb before decoding (the
//! TLS handshake follows the answer on the same connection).

use crate::sim::backend::session::{Next, Session, State};

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
