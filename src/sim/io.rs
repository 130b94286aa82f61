//! Connection I/O shared by the back end and the CAS: a stream that can be
//! upgraded to TLS in place (STARTTLS), and a bounded reader of IMAP command
//! lines with their literals.
//!
//! Framing is done here (lines and `{n}` / `{n+}` literals, with limits) and
//! parsing is left to imap-codec on the complete command bytes: the limits
//! must be enforced before any byte is buffered, which a parser that reports
//! `LiteralFound` after the fact cannot do by itself.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use crate::imap::deflate::Deflate;

/// Longest command line accepted (without literal data).
pub const MAX_LINE: usize = 64 * 1024;
/// Largest literal accepted.
pub const MAX_LITERAL: u64 = 64 * 1024 * 1024;
/// An over-long line is skipped up to this many bytes; a client still sending
/// the same line after that gets `* BYE` and is disconnected, so an endless
/// line costs neither memory nor a server reading forever.
pub const MAX_SKIP: usize = 1024 * 1024;
/// Read buffers start (and shrink back to) this size.
const BUF_START: usize = 4096;

/// A client connection, plain or TLS.
pub enum Stream {
    /// Cleartext TCP.
    Plain(TcpStream),
    /// TLS over TCP (implicit TLS or after STARTTLS).
    Tls(Box<TlsStream<TcpStream>>),
    /// Transitional state while upgrading; never read or written.
    Gone,
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Gone => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Gone => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Gone => Poll::Ready(Ok(())),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Gone => Poll::Ready(Ok(())),
        }
    }
}

/// What [`Conn::read_command`] produced.
#[derive(Debug)]
pub enum Incoming {
    /// A complete command: its line(s) and literal data, CRLF-terminated.
    Command(Vec<u8>),
    /// A line over [`MAX_LINE`] (already skipped); answer BAD.
    LineTooLong,
    /// A synchronizing literal over [`MAX_LITERAL`] was announced and refused
    /// (no continuation sent, so the client sends no data); answer BAD.
    LiteralRefused(Vec<u8>),
    /// A non-synchronizing literal over the limit: its data is on the way
    /// and cannot be skipped safely, so the connection must close (RFC 7888).
    LiteralTooLarge(Vec<u8>),
    /// The peer closed the connection.
    Eof,
}

/// A connection with its read buffer.
pub struct Conn {
    /// The transport.
    pub stream: Stream,
    buf: BytesMut,
    /// Whether TLS is active.
    pub tls: bool,
    /// COMPRESS=DEFLATE streams, once [`Conn::start_compress`] ran.
    deflate: Option<Box<Deflate>>,
}

impl Conn {
    /// Wraps a stream.
    pub fn new(stream: Stream) -> Conn {
        let tls = matches!(stream, Stream::Tls(_));
        Conn {
            stream,
            buf: BytesMut::with_capacity(BUF_START),
            tls,
            deflate: None,
        }
    }

    /// Writes and flushes.
    pub async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(z) = &mut self.deflate {
            return z.write(&mut self.stream, &[bytes]).await;
        }
        self.stream.write_all(bytes).await?;
        self.stream.flush().await
    }

    /// Compresses everything sent and inflates everything read from now on
    /// (RFC 4978), right after the OK to `COMPRESS DEFLATE` was sent; bytes
    /// the client pipelined after its command are already compressed.
    pub fn start_compress(&mut self) {
        let pending = self.buf.split();
        self.deflate = Some(Box::new(Deflate::new(&pending)));
    }

    /// Whether COMPRESS=DEFLATE is active.
    pub fn compressed(&self) -> bool {
        self.deflate.is_some()
    }

    /// Upgrades a plain connection to TLS. Bytes the client pipelined after
    /// STARTTLS are discarded (they were sent in clear text: RFC 3501 6.2.1).
    pub async fn start_tls(&mut self, acceptor: &tokio_rustls::TlsAcceptor) -> io::Result<()> {
        if self.deflate.is_some() {
            return Err(io::Error::other("compression is active"));
        }
        self.buf.clear();
        match std::mem::replace(&mut self.stream, Stream::Gone) {
            Stream::Plain(tcp) => {
                let tls = acceptor.accept(tcp).await?;
                self.stream = Stream::Tls(Box::new(tls));
                self.tls = true;
                Ok(())
            }
            other => {
                self.stream = other;
                Err(io::Error::other("already TLS"))
            }
        }
    }

    /// Takes the transport and any bytes already read (for relaying; never
    /// called on a compressed connection, whose state would be lost).
    pub fn into_parts(self) -> (Stream, BytesMut) {
        (self.stream, self.buf)
    }

    async fn fill(&mut self) -> io::Result<bool> {
        if self.buf.capacity() - self.buf.len() < 1024 {
            self.buf.reserve(BUF_START);
        }
        let n = match &mut self.deflate {
            Some(z) => z.fill(&mut self.stream, &mut self.buf).await?,
            None => self.stream.read_buf(&mut self.buf).await?,
        };
        Ok(n > 0)
    }

    /// Reads one line including its LF (`None` at EOF). A line longer than
    /// `max` is skipped up to its end and reported as `Err(())`.
    pub async fn read_line(&mut self, max: usize) -> io::Result<Option<Result<Vec<u8>, ()>>> {
        let mut scanned = 0;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[scanned..]) {
                let end = scanned + i + 1;
                if end > max {
                    self.buf.advance(end);
                    return Ok(Some(Err(())));
                }
                let line = self.buf.split_to(end).to_vec();
                self.shrink();
                return Ok(Some(Ok(line)));
            }
            scanned = self.buf.len();
            if scanned > max {
                // Skip the rest of this over-long line without keeping it.
                let mut skipped = 0;
                loop {
                    if let Some(i) = memchr::memchr(b'\n', &self.buf) {
                        self.buf.advance(i + 1);
                        self.shrink();
                        return Ok(Some(Err(())));
                    }
                    skipped += self.buf.len();
                    self.buf.clear();
                    if skipped > MAX_SKIP {
                        let _ = self.send(b"* BYE Command line too long\r\n").await;
                        let e = format!("a command line went on past {MAX_SKIP} bytes");
                        return Err(io::Error::new(io::ErrorKind::InvalidData, e));
                    }
                    if !self.fill().await? {
                        return Ok(None);
                    }
                }
            }
            if !self.fill().await? {
                return Ok(None);
            }
        }
    }

    /// Reads exactly `n` bytes onto `out`.
    async fn read_exact_into(&mut self, n: usize, out: &mut Vec<u8>) -> io::Result<()> {
        out.reserve(n.min(1 << 20));
        let mut left = n;
        while left > 0 {
            if self.buf.is_empty() && !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let take = left.min(self.buf.len());
            out.extend_from_slice(&self.buf[..take]);
            self.buf.advance(take);
            left -= take;
        }
        self.shrink();
        Ok(())
    }

    fn shrink(&mut self) {
        if self.buf.is_empty() && self.buf.capacity() > 4 * BUF_START {
            self.buf = BytesMut::with_capacity(BUF_START);
        }
    }

    /// Reads one command with all its literals. Synchronizing literals get a
    /// `+ Ready` continuation; LITERAL+ (`{n+}`) literals are read directly.
    pub async fn read_command(&mut self) -> io::Result<Incoming> {
        let mut cmd = Vec::new();
        let mut literals = 0;
        loop {
            let line = match self.read_line(MAX_LINE).await? {
                None => return Ok(Incoming::Eof),
                Some(Err(())) => return Ok(Incoming::LineTooLong),
                Some(Ok(l)) => l,
            };
            cmd.extend_from_slice(&line);
            let Some((len, sync)) = literal_announcement(&line) else {
                return Ok(Incoming::Command(cmd));
            };
            literals += 1;
            if len > MAX_LITERAL
                || cmd.len() as u64 + len > MAX_LITERAL + MAX_LINE as u64
                || literals > 64
            {
                return Ok(if sync {
                    Incoming::LiteralRefused(cmd)
                } else {
                    Incoming::LiteralTooLarge(cmd)
                });
            }
            if sync {
                self.send(b"+ Ready for literal data\r\n").await?;
            }
            self.read_exact_into(len as usize, &mut cmd).await?;
        }
    }
}

/// `{n}` / `{n+}` at the end of a line: (n, synchronizing). A number too big
/// for u64 reads as `u64::MAX` so it is refused, not misparsed.
pub fn literal_announcement(line: &[u8]) -> Option<(u64, bool)> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = line.strip_suffix(b"}")?;
    let open = memchr::memrchr(b'{', inner)?;
    let mut digits = &inner[open + 1..];
    let sync = match digits.strip_suffix(b"+") {
        Some(d) => {
            digits = d;
            false
        }
        None => true,
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits.iter().try_fold(0u64, |n, d| {
        n.checked_mul(10)?.checked_add((d - b'0') as u64)
    });
    Some((n.unwrap_or(u64::MAX), sync))
}

/// The tag of a raw command, if its first word is a valid tag; `*` otherwise
/// (what a BAD for an unparsable line is tagged with).
pub fn tag_of(cmd: &[u8]) -> String {
    let end = cmd
        .iter()
        .position(|b| *b == b' ' || *b == b'\r' || *b == b'\n')
        .unwrap_or(cmd.len());
    let tag = &cmd[..end];
    let ok = !tag.is_empty()
        && tag.len() <= 64
        && tag
            .iter()
            .all(|b| b.is_ascii_graphic() && !b"(){%*\"\\+]".contains(b));
    if ok {
        String::from_utf8_lossy(tag).into_owned()
    } else {
        "*".to_string()
    }
}

/// The command word (second word) of a raw command, upper-cased; used to
/// catch STARTTLS (which imap-codec only parses with a feature this crate
/// does not enable) and to name commands in BAD answers.
pub fn verb_of(cmd: &[u8]) -> String {
    let line_end = memchr::memchr(b'\n', cmd).unwrap_or(cmd.len());
    let line = &cmd[..line_end];
    let mut words = line
        .split(|b| *b == b' ')
        .map(|w| w.strip_suffix(b"\r").unwrap_or(w));
    words.next();
    let verb = words.next().unwrap_or_default();
    String::from_utf8_lossy(&verb[..verb.len().min(32)]).to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_announcements() {
        assert_eq!(
            literal_announcement(b"a APPEND INBOX {12}\r\n"),
            Some((12, true))
        );
        assert_eq!(
            literal_announcement(b"a APPEND INBOX {12+}\r\n"),
            Some((12, false))
        );
        assert_eq!(
            literal_announcement(b"a APPEND INBOX {999999999999999999999999}\r\n"),
            Some((u64::MAX, true))
        );
        assert_eq!(literal_announcement(b"a LOGIN {x}\r\n"), None);
        assert_eq!(literal_announcement(b"a NOOP\r\n"), None);
        assert_eq!(tag_of(b"a1 NOOP\r\n"), "a1");
        assert_eq!(tag_of(b"{bad NOOP\r\n"), "*");
        assert_eq!(verb_of(b"a1 starttls\r\n"), "STARTTLS");
    }
}
