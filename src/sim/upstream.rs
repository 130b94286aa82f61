//! The CAS's side of a proxied session: connect to the user's home back end,
//! read its greeting, upgrade with STARTTLS when it advertises LOGINDISABLED,
//! LOGIN, and then relay bytes both ways.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::sim::io::{Conn, MAX_LINE};

/// Any bidirectional byte stream (plain TCP or client TLS) to a back end.
pub trait Upstream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Upstream for T {}

/// How long the CAS waits for a back end to accept, greet and answer LOGIN.
const BACKEND_TIMEOUT: Duration = Duration::from_secs(10);

/// A LOGIN argument: quoted when possible, a LITERAL+ literal otherwise.
fn astring(s: &str) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        format!("{{{}+}}\r\n{s}", s.len())
    }
}

/// Reads one line through `buf`; what follows stays in `buf`.
async fn read_line<S: AsyncRead + Unpin>(s: &mut S, buf: &mut Vec<u8>) -> Result<Vec<u8>, String> {
    loop {
        if let Some(i) = memchr::memchr(b'\n', buf) {
            return Ok(buf.drain(..=i).collect());
        }
        if buf.len() > MAX_LINE {
            return Err("back-end line too long".to_string());
        }
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("back end closed the connection".to_string());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Reads lines until the one tagged `tag`; `Ok` when it is OK.
async fn tagged_ok<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut Vec<u8>,
    tag: &str,
) -> Result<(), String> {
    loop {
        let line = read_line(s, buf).await?;
        if line.starts_with(format!("{tag} OK").as_bytes()) {
            return Ok(());
        }
        if line.starts_with(format!("{tag} ").as_bytes()) {
            return Err(String::from_utf8_lossy(line.trim_ascii()).into_owned());
        }
    }
}

/// Connects to `addr` and logs in as `user`, upgrading with STARTTLS first
/// when the greeting says LOGINDISABLED. Returns the stream and any bytes
/// read past the tagged OK (to forward to the client before relaying).
pub async fn login(
    addr: SocketAddr,
    tls: Option<&Arc<rustls::ClientConfig>>,
    user: &str,
    pass: &str,
) -> Result<(Box<dyn Upstream>, Vec<u8>), String> {
    let work = async {
        let mut tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let _ = tcp.set_nodelay(true);
        let mut buf = Vec::with_capacity(1024);
        let greeting = read_line(&mut tcp, &mut buf).await?;
        if !greeting.starts_with(b"* OK") {
            return Err("unexpected greeting".to_string());
        }
        let stream: Box<dyn Upstream> =
            if memchr::memmem::find(&greeting, b"LOGINDISABLED").is_some() {
                let config = tls.ok_or("back end requires TLS")?.clone();
                tcp.write_all(b"P0 STARTTLS\r\n")
                    .await
                    .map_err(|e| e.to_string())?;
                tagged_ok(&mut tcp, &mut buf, "P0").await?;
                buf.clear();
                let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
                let tls = tokio_rustls::TlsConnector::from(config)
                    .connect(name, tcp)
                    .await
                    .map_err(|e| e.to_string())?;
                Box::new(tls)
            } else {
                Box::new(tcp)
            };
        finish_login(stream, buf, user, pass).await
    };
    tokio::time::timeout(BACKEND_TIMEOUT, work)
        .await
        .map_err(|_| "timed out".to_string())?
}

async fn finish_login(
    mut stream: Box<dyn Upstream>,
    mut buf: Vec<u8>,
    user: &str,
    pass: &str,
) -> Result<(Box<dyn Upstream>, Vec<u8>), String> {
    let cmd = format!("P1 LOGIN {} {}\r\n", astring(user), astring(pass));
    stream
        .write_all(cmd.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    stream.flush().await.map_err(|e| e.to_string())?;
    tagged_ok(&mut stream, &mut buf, "P1").await?;
    Ok((stream, buf))
}

/// Relays bytes both ways until either side closes.
pub async fn relay(conn: Conn, mut backend: Box<dyn Upstream>, extra: Vec<u8>) {
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
