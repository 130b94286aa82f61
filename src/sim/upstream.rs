//! The CAS's side of a proxied session: connect to the user's home back end,
//! read its greeting, upgrade with STARTTLS when it advertises LOGINDISABLED,
//! LOGIN, and then relay bytes both ways.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::imap::client::{self, ClientError, Expect, Part, Reply, Tag};
use crate::imap::conn::{Connection, Parts};
use crate::imap::encoder::CommandBuf;
use crate::imap::framer::Limits;
use crate::imap::response::{Response, Status};
use crate::imap::tls::TlsClient;
use crate::sim::io::Conn;

/// Any bidirectional byte stream (plain TCP or client TLS) to a back end.
pub use crate::imap::conn::Duplex as Upstream;

/// How long the CAS waits for a back end to accept, greet and answer LOGIN.
const BACKEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to `addr` and logs in as `user`, upgrading with STARTTLS first
/// when the greeting says LOGINDISABLED. Returns the stream and any bytes
/// read past the tagged OK (to forward to the client before relaying).
pub async fn login(
    addr: SocketAddr,
    tls: Option<&Arc<rustls::ClientConfig>>,
    user: &str,
    pass: &str,
) -> Result<Parts, String> {
    let work = async {
        let mut conn = Connection::connect(addr, Limits::default())
            .await
            .map_err(|e| e.to_string())?;
        let greeting = client::greeting(&mut conn).await.map_err(|e| match e {
            ClientError::Transport(e) => e.to_string(),
            _ => "unexpected greeting".to_string(),
        })?;
        if greeting.preauth {
            return Err("unexpected greeting".to_string());
        }
        let mut cmd = CommandBuf::new();
        if greeting.capabilities.is_some_and(|c| c.login_disabled) {
            let config = tls.ok_or("back end requires TLS")?;
            let tag = cmd.begin();
            cmd.atom(b"STARTTLS").crlf();
            tagged_ok(&mut conn, tag, &[&[cmd.as_bytes()]]).await?;
            let tls = TlsClient::from_config(config.clone());
            conn.upgrade_tls(&tls, "localhost")
                .await
                .map_err(|e| e.to_string())?;
        }
        // Literal style from nothing the server said before TLS: plain
        // `{N}` with its round trip (only 8-bit credentials need one).
        let (tag, parts) =
            client::encode_login(&mut cmd, user.as_bytes(), pass.as_bytes(), |_| false);
        let parts: Vec<&[&[u8]]> = parts.chunks(1).collect();
        tagged_ok(&mut conn, tag, &parts).await?;
        conn.into_parts().map_err(|e| e.to_string())
    };
    tokio::time::timeout(BACKEND_TIMEOUT, work)
        .await
        .map_err(|_| "timed out".to_string())?
}

/// Sends a command in `parts` and reads until its tagged answer; `Ok` when
/// it is OK, else the answer's line (or what broke) as the reason.
async fn tagged_ok(conn: &mut Connection, tag: u32, parts: &[Part<'_>]) -> Result<(), String> {
    let mut ignore = |_: &Response<'_>| Ok::<(), Infallible>(());
    let sent = client::command(
        conn,
        parts,
        &Expect::tagged(Tag::Numbered(tag)),
        &mut ignore,
    )
    .await
    .map_err(|e| e.to_string())?;
    match sent.reply {
        Reply::Tagged(Some(Status::Ok)) if sent.parts == parts.len() => Ok(()),
        Reply::Tagged(_) | Reply::Continue => {
            let line = conn.last_response().raw();
            Err(String::from_utf8_lossy(line.trim_ascii()).into_owned())
        }
    }
}

/// Relays bytes both ways until either side closes.
pub async fn relay(conn: Conn, backend: Parts) {
    let Parts {
        stream: mut backend,
        leftover: extra,
    } = backend;
    let (mut client, pending) = conn.into_parts();
    if !extra.is_empty() && client.write_all(&extra).await.is_err() {
        return;
    }
    if !pending.is_empty() && backend.write_all(&pending).await.is_err() {
        return;
    }
    let _ = client.flush().await;
    let _ = tokio::io::copy_bidirectional(&mut client, &mut backend).await;
}
