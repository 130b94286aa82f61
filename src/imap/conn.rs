//! One IMAP connection over plain TCP or TLS, upgradable in place (STARTTLS).
//!
//! The connection owns the receive buffer and the framer, so the engine sees
//! whole messages only. Memory per connection stays at ~1 KiB unless a big
//! literal arrives, and drops back afterwards: thousands of idle sessions
//! must not each keep the largest message they ever saw.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::deflate::Deflate;
use super::framer::{FrameError, Framer, Limits};
use super::protolog::SessionLog;
use super::response::Response;
use super::tls::TlsClient;
use transport::{unusable, Stream};

/// Receive buffer size to start with: enough for ordinary answers; a
/// session that gets bigger ones grows it once and keeps it.
const INITIAL_CAPACITY: usize = 1024;
/// The most the receive buffer grows by in one read, whatever a literal announces.
const MAX_RESERVE_STEP: usize = 256 * 1024;
/// Above this, an emptied receive buffer is given back to the allocator.
const SHRINK_ABOVE: usize = 64 * 1024;
/// How long [`Connection::shutdown`] may wait for the peer to take our close.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Why a connection operation failed; every variant ends the connection.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// A socket read or write failed (reset, timeout set by the OS, ...).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The server closed the connection (EOF), possibly mid-message.
    #[error("server closed the connection")]
    Closed,
    /// The server's bytes could not be framed (limits exceeded).
    #[error("protocol error: {0}")]
    Frame(#[from] FrameError),
    /// The TLS handshake failed, the server name was unusable, or the
    /// STARTTLS injection guard tripped.
    #[error("TLS error: {0}")]
    Tls(String),
}

impl ImapError {
    /// A short, stable slug for error counters and reports, so that errors
    /// can be grouped without parsing messages.
    pub fn reason(&self) -> &'static str {
        match self {
            ImapError::Io(_) => "io",
            ImapError::Closed => "closed",
            ImapError::Frame(_) => "protocol",
            ImapError::Tls(_) => "tls",
        }
    }
}

/// Any bidirectional byte stream a connection can hand over (plain TCP or client TLS).
pub trait Duplex: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Duplex for T {}

/// A connection taken apart by [`Connection::into_parts`].
pub struct Parts {
    /// The transport, past any TLS handshake.
    pub stream: Box<dyn Duplex>,
    /// Bytes received but not yet returned as a message, to go first.
    pub leftover: Vec<u8>,
}

/// An IMAP connection: transport, receive buffer and framer.
pub struct Connection {
    stream: Stream,
    rbuf: BytesMut,
    /// Length of the message last returned by `read_response`, still at the front of `rbuf`.
    consumed: usize,
    framer: Framer,
    /// This session's protocol log, when it was sampled (`--protocol-log`).
    log: Option<Box<SessionLog>>,
    /// COMPRESS=DEFLATE streams, once [`Connection::start_compress`] ran.
    deflate: Option<Box<Deflate>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("tls", &self.is_tls())
            .field("buffered", &self.buffered())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Connects to a resolved address with TCP_NODELAY set, since IMAP
    /// commands are small and latency is what is being measured.
    pub async fn connect(addr: SocketAddr, limits: Limits) -> std::io::Result<Connection> {
        Self::from_tcp(TcpStream::connect(addr).await?, limits)
    }

    /// Connects from a chosen local address (`None`: the OS picks), so runs
    /// with more sessions than one address has ephemeral ports can spread
    /// them over several (e.g. 127.0.0.1-127.0.0.8 on loopback).
    pub async fn connect_from(
        addr: SocketAddr,
        source: Option<std::net::IpAddr>,
        limits: Limits,
    ) -> std::io::Result<Connection> {
        let Some(ip) = source else {
            return Self::connect(addr, limits).await;
        };
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.bind(SocketAddr::new(ip, 0))?;
        Self::from_tcp(socket.connect(addr).await?, limits)
    }

    /// Connects to `host:port`, resolving the name with tokio's resolver.
    pub async fn connect_host(authority: &str, limits: Limits) -> std::io::Result<Connection> {
        Self::from_tcp(TcpStream::connect(authority).await?, limits)
    }

    fn from_tcp(tcp: TcpStream, limits: Limits) -> std::io::Result<Connection> {
        tcp.set_nodelay(true)?;
        Ok(Connection {
            stream: Stream::Plain(tcp),
            rbuf: BytesMut::with_capacity(INITIAL_CAPACITY),
            consumed: 0,
            framer: Framer::new(limits),
            log: None,
            deflate: None,
        })
    }

    /// Runs the TLS handshake on this connection: right after connecting for
    /// implicit TLS, or after a tagged OK to STARTTLS. `server_name` may be a
    /// DNS name or an IP literal and is what the certificate is checked against.
    ///
    /// Refuses (with [`ImapError::Tls`]) if bytes arrived after the last
    /// returned message: they were sent in the clear and would otherwise be
    /// taken as coming over TLS (the STARTTLS command injection of CVE-2011-0411 style).
    pub async fn upgrade_tls(
        &mut self,
        tls: &TlsClient,
        server_name: &str,
    ) -> Result<(), ImapError> {
        self.consume();
        if self.deflate.is_some() {
            return Err(ImapError::Tls(
                "TLS cannot start inside a compressed stream".to_string(),
            ));
        }
        if !self.rbuf.is_empty() {
            return Err(ImapError::Tls(format!(
                "server sent {} unexpected bytes before the TLS handshake (possible STARTTLS injection)",
                self.rbuf.len()
            )));
        }
        let name = ServerName::try_from(server_name.to_string())
            .map_err(|e| ImapError::Tls(format!("invalid server name `{server_name}`: {e}")))?;
        match std::mem::replace(&mut self.stream, Stream::Upgrading) {
            Stream::Plain(tcp) => match tls.connector().connect(name, tcp).await {
                Ok(s) => {
                    if let Some(log) = &mut self.log {
                        log.note("TLS established");
                    }
                    self.stream = Stream::Tls(Box::new(s));
                    Ok(())
                }
                Err(e) => Err(ImapError::Tls(super::verify::describe_tls_error(&e))),
            },
            other => {
                self.stream = other;
                Err(ImapError::Tls(
                    "connection is already TLS or unusable".to_string(),
                ))
            }
        }
    }

    /// Logs this connection's traffic from now on (a sampled session).
    pub fn set_protocol_log(&mut self, log: SessionLog) {
        self.log = Some(Box::new(log));
    }

    /// Writes an event line (`-- error: ...`) into this connection's
    /// protocol log, when the session is sampled; nothing otherwise.
    pub fn log_note(&mut self, what: &str) {
        if let Some(log) = &mut self.log {
            log.note(what);
        }
    }

    /// Compresses everything sent and inflates everything received from now
    /// on (RFC 4978), for the engine to call after the tagged OK of
    /// `COMPRESS DEFLATE`. Bytes already received after that OK are
    /// compressed ones and are inflated first. The protocol log keeps
    /// showing the uncompressed text. A no-op when already compressing.
    /// It costs about 355 KiB of deflate and inflate state (see
    /// [`crate::imap::deflate`]) for as long as the connection lives.
    pub fn start_compress(&mut self) {
        if self.deflate.is_some() {
            return;
        }
        self.consume();
        let pending = self.rbuf.split();
        self.deflate = Some(Box::new(Deflate::new(&pending)));
        if let Some(log) = &mut self.log {
            log.note("COMPRESS=DEFLATE active");
        }
    }

    /// Whether COMPRESS=DEFLATE is active on this connection.
    pub fn is_compressed(&self) -> bool {
        self.deflate.is_some()
    }

    /// Whether the transport is TLS now (after a successful upgrade).
    pub fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }

    /// Sends one complete command (or literal data) and flushes it, so the
    /// latency clock starts when the bytes are really on their way.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), ImapError> {
        if let Some(log) = &mut self.log {
            log.client(bytes);
        }
        self.stream
            .write(&[bytes], self.deflate.as_deref_mut())
            .await
    }

    /// Sends one complete command made of `parts` (a command line, a
    /// message, its CRLF) with vectored writes, so a literal goes out from
    /// wherever it lives without being copied into the command first, and
    /// flushes it.
    pub async fn send_gather(&mut self, parts: &[&[u8]]) -> Result<(), ImapError> {
        if let [one] = parts {
            return self.send(one).await;
        }
        if let Some(log) = &mut self.log {
            log.client(&parts.concat());
        }
        self.stream.write(parts, self.deflate.as_deref_mut()).await
    }

    /// Reads the next complete response message. The previous message
    /// returned is consumed (dropped from the buffer) on this call, so the
    /// engine can hold a Response until it asks for the next one.
    pub async fn read_response(&mut self) -> Result<Response<'_>, ImapError> {
        self.consume();
        let n = loop {
            if let Some(n) = self.framer.scan(&self.rbuf)? {
                break n;
            }
            self.fill().await?;
        };
        self.consumed = n;
        if let Some(log) = &mut self.log {
            log.server(&self.rbuf[..n]);
        }
        Ok(Response::new(&self.rbuf[..n]))
    }

    /// The message the last `read_response` returned, again (an empty view
    /// before the first): for a caller that learned from a read's summary
    /// that it wants the text after all (a NO's reason, a SASL challenge).
    pub fn last_response(&self) -> Response<'_> {
        Response::new(&self.rbuf[..self.consumed])
    }

    /// Gives up the IMAP framing: the transport as a plain byte stream, and
    /// the bytes that arrived after the last returned message, which belong
    /// in front of whatever is read from the stream next (a proxy relaying
    /// the rest of a session after logging in for it).
    pub fn into_parts(mut self) -> Result<Parts, ImapError> {
        self.consume();
        if self.deflate.is_some() {
            return Err(ImapError::Tls(
                "a compressed connection cannot be handed over".to_string(),
            ));
        }
        let stream: Box<dyn Duplex> = match self.stream {
            Stream::Plain(s) => Box::new(s),
            Stream::Tls(s) => s,
            Stream::Upgrading => return Err(unusable()),
        };
        Ok(Parts {
            stream,
            leftover: self.rbuf.to_vec(),
        })
    }

    /// Bytes that arrived after the last returned message (must be empty
    /// before a TLS upgrade: the STARTTLS injection guard).
    pub fn buffered(&self) -> usize {
        self.rbuf.len() - self.consumed
    }

    /// Best-effort close: sends TLS close_notify / TCP FIN, waiting at most a
    /// couple of seconds so a stuck peer cannot hold up the end of a run.
    pub async fn shutdown(&mut self) {
        let close = async {
            match &mut self.stream {
                Stream::Plain(s) => s.shutdown().await,
                Stream::Tls(s) => s.shutdown().await,
                Stream::Upgrading => Ok(()),
            }
        };
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, close).await;
    }

    /// Gives the receive buffer back while the session waits a long time
    /// (think time, IDLE), if no partial message is in it. A parked
    /// connection, plain or TLS, waits for readability with no buffer at all
    /// and takes a fresh one when bytes arrive: thousands of idle sessions
    /// then cost their task and socket (and TLS state), not a buffer each.
    /// A no-op when bytes are pending.
    pub fn park(&mut self) {
        self.consume();
        if self.rbuf.is_empty() {
            self.rbuf = BytesMut::new();
        }
        if let Some(z) = &mut self.deflate {
            z.park();
        }
    }

    /// Drops the last returned message and gives back memory a big literal took.
    fn consume(&mut self) {
        if self.consumed == 0 {
            return;
        }
        self.rbuf.advance(self.consumed);
        self.consumed = 0;
        if self.rbuf.is_empty() && self.rbuf.capacity() > SHRINK_ABOVE {
            self.rbuf = BytesMut::with_capacity(INITIAL_CAPACITY);
        }
    }

    /// Reads at least one byte into the buffer, growing it toward the rest
    /// of a literal being received (in steps of at most 256 KiB).
    async fn fill(&mut self) -> Result<(), ImapError> {
        if self.rbuf.capacity() == 0 && self.deflate.is_none() {
            // Parked: wait on the socket without a buffer. Over TLS only
            // when rustls holds no plaintext (nor a close_notify) to hand
            // out, which must be read without waiting for more bytes.
            match &self.stream {
                Stream::Plain(s) => s.readable().await?,
                Stream::Tls(s) => {
                    let (tcp, tls) = s.get_ref();
                    if tls.wants_read() {
                        tcp.readable().await?;
                    }
                }
                Stream::Upgrading => {}
            }
        }
        let spare = self.rbuf.capacity() - self.rbuf.len();
        if spare < 512 {
            let literal = usize::try_from(self.framer.literal_remaining()).unwrap_or(usize::MAX);
            // Grow toward the announced literal, but by at most a step: a
            // server announcing 60 MB and sending nothing costs 256 KiB, not 60 MB.
            self.rbuf
                .reserve(literal.clamp(INITIAL_CAPACITY, MAX_RESERVE_STEP));
        }
        let read = self
            .stream
            .read(&mut self.rbuf, self.deflate.as_deref_mut())
            .await;
        match read {
            Ok(0) => Err(ImapError::Closed),
            Ok(_) => Ok(()),
            // rustls reports a peer that closed without close_notify this way.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(ImapError::Closed),
            Err(e) => Err(ImapError::Io(e)),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_compress;
#[cfg(test)]
mod tests_park;
mod transport;
