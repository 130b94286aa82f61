//! COMPRESS DEFLATE (RFC 4978), once authenticated: the OK goes out
//! uncompressed, then both directions of the connection are deflated.

use crate::sim::backend::session::{Next, Session};

/// COMPRESS DEFLATE (the only mechanism imap-codec decodes; any other does
/// not parse and is answered BAD): `OK DEFLATE active`, flushed, then the
/// connection switches; a second COMPRESS is `NO [COMPRESSIONACTIVE]`.
pub(super) async fn handle(s: &mut Session, tag: &str) -> Next {
    if s.conn.compressed() {
        s.line(format!(
            "{tag} NO [COMPRESSIONACTIVE] DEFLATE is already active"
        ));
        return Next::Continue;
    }
    s.line(format!("{tag} OK DEFLATE active"));
    if s.flush().await.is_err() {
        return Next::Close;
    }
    s.conn.start_compress();
    Next::Continue
}
