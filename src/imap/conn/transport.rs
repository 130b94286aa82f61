//! The transport under a [`super::Connection`]: plain TCP or TLS, written
//! and read either as is or through the COMPRESS=DEFLATE streams.

use std::io::IoSlice;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::ImapError;
use crate::imap::deflate::Deflate;

/// The transport under the IMAP stream.
pub(super) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// Placeholder while the TCP stream is moved into a TLS handshake; stays
    /// here if the handshake fails, making the connection unusable.
    Upgrading,
}

impl Stream {
    /// Writes every byte of `parts` (compressed as one message when
    /// `deflate` is given) and flushes.
    pub(super) async fn write(
        &mut self,
        parts: &[&[u8]],
        deflate: Option<&mut Deflate>,
    ) -> Result<(), ImapError> {
        match (self, deflate) {
            (Stream::Upgrading, _) => return Err(unusable()),
            (Stream::Plain(s), None) => write_gather(s, parts).await?,
            (Stream::Tls(s), None) => write_gather(s.as_mut(), parts).await?,
            (Stream::Plain(s), Some(z)) => z.write(s, parts).await?,
            (Stream::Tls(s), Some(z)) => z.write(s.as_mut(), parts).await?,
        }
        Ok(())
    }

    /// Reads what arrives into `buf`'s spare capacity (inflated when
    /// `deflate` is given): how many bytes were added, 0 at EOF.
    pub(super) async fn read(
        &mut self,
        buf: &mut BytesMut,
        deflate: Option<&mut Deflate>,
    ) -> std::io::Result<usize> {
        match (self, deflate) {
            (Stream::Upgrading, _) => Err(std::io::Error::other(unusable().to_string())),
            (Stream::Plain(s), None) => s.read_buf(buf).await,
            (Stream::Tls(s), None) => s.read_buf(buf).await,
            (Stream::Plain(s), Some(z)) => z.fill(s, buf).await,
            (Stream::Tls(s), Some(z)) => z.fill(s.as_mut(), buf).await,
        }
    }
}

/// The error of a connection whose TLS handshake failed half way.
pub(super) fn unusable() -> ImapError {
    ImapError::Tls("connection unusable after a failed TLS handshake".to_string())
}

/// The most parts one gathered write takes (a command, a literal, its CRLF).
const MAX_GATHER: usize = 4;

/// Writes every byte of `parts` with vectored writes, then flushes.
async fn write_gather<W: AsyncWrite + Unpin>(w: &mut W, parts: &[&[u8]]) -> std::io::Result<()> {
    if let [one] = parts {
        w.write_all(one).await?;
        return w.flush().await;
    }
    if parts.len() > MAX_GATHER {
        return Err(std::io::Error::other("too many parts for one write"));
    }
    let mut slices = [IoSlice::new(&[]); MAX_GATHER];
    for (slice, part) in slices.iter_mut().zip(parts) {
        *slice = IoSlice::new(part);
    }
    let mut left = &mut slices[..parts.len()];
    while !left.is_empty() {
        let n = w.write_vectored(left).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        IoSlice::advance_slices(&mut left, n);
    }
    w.flush().await
}
