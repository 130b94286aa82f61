//! COMPRESS=DEFLATE (RFC 4978): one connection's deflate and inflate
//! streams, shared by the client connection and the embedded servers.
//!
//! Raw deflate (no zlib header), as the RFC requires; every write ends with
//! a sync flush, so the peer can inflate each command or response as soon
//! as it arrives. Compressed input is read in chunks of [`CHUNK`] bytes.
//! With flate2's default (miniz_oxide) back end the deflate state costs
//! 319,326 bytes and the inflate state 43,296 bytes per connection
//! (flate2 1.1, measured with a counting global allocator around
//! `Compress::new` / `Decompress::new`); that back end has no smaller
//! window, so a compressed session costs about 355 KiB on top of its
//! buffers, whatever the level, while it is busy. A parked session (IDLE,
//! think time) gives its deflate state back: every write ended with a sync
//! flush, so the peer holds everything sent, and a new deflate state's
//! blocks (raw deflate has no stream header) never refer to what an old one
//! sent; the next write makes a fresh one. The inflate state stays: the
//! peer's next bytes may refer to its last 32 KiB.

use std::io;

use bytes::{Buf, BytesMut};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Compressed bytes read from the socket at a time.
pub const CHUNK: usize = 4096;
/// The most inflated bytes one inflate step writes (bounds the zeroing of
/// buffer space a step may not use).
const MAX_STEP: usize = 32 * 1024;
/// Above this, the compressed-output scratch buffer is given back after a write.
const SHRINK_ABOVE: usize = 16 * 1024;

/// One direction pair of RFC 4978 compression on a connection.
pub struct Deflate {
    /// The deflate state (`None` while parked: made again by the next write).
    tx: Option<Compress>,
    rx: Decompress,
    /// Compressed bytes received and not inflated yet.
    zin: BytesMut,
    /// Scratch for the compressed form of one write.
    zout: Vec<u8>,
}

impl std::fmt::Debug for Deflate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflate")
            .field("pending_in", &self.zin.len())
            .finish_non_exhaustive()
    }
}

impl Deflate {
    /// Fresh streams; `pending` are bytes that arrived (compressed) right
    /// after the command that started compression, to inflate first.
    pub fn new(pending: &[u8]) -> Deflate {
        let mut zin = BytesMut::new();
        zin.extend_from_slice(pending);
        Deflate {
            tx: None,
            rx: Decompress::new(false),
            zin,
            zout: Vec::new(),
        }
    }

    /// Compresses `parts` as one message ending with a sync flush, into
    /// the returned scratch buffer (valid until the next call).
    pub fn compress(&mut self, parts: &[&[u8]]) -> io::Result<&[u8]> {
        self.zout.clear();
        let tx = self
            .tx
            .get_or_insert_with(|| Compress::new(Compression::default(), false));
        let total: usize = parts.iter().map(|p| p.len()).sum();
        self.zout.reserve(total / 2 + 64);
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.iter().enumerate() {
            let flush = if i == last {
                FlushCompress::Sync
            } else {
                FlushCompress::None
            };
            let start = tx.total_in();
            loop {
                let done = usize::try_from(tx.total_in() - start).unwrap_or(usize::MAX);
                if self.zout.capacity() - self.zout.len() < 64 {
                    self.zout.reserve(self.zout.capacity().max(256));
                }
                tx.compress_vec(&part[done.min(part.len())..], &mut self.zout, flush)
                    .map_err(io::Error::other)?;
                let done = usize::try_from(tx.total_in() - start).unwrap_or(usize::MAX);
                // A flush is complete when it left output space unused.
                if done >= part.len() && self.zout.len() < self.zout.capacity() {
                    break;
                }
            }
        }
        Ok(&self.zout)
    }

    /// Writes `parts` compressed and flushes the transport.
    pub async fn write<W: AsyncWrite + Unpin + ?Sized>(
        &mut self,
        w: &mut W,
        parts: &[&[u8]],
    ) -> io::Result<()> {
        let bytes = self.compress(parts)?;
        w.write_all(bytes).await?;
        w.flush().await?;
        if self.zout.capacity() > SHRINK_ABOVE {
            self.zout = Vec::new();
        }
        Ok(())
    }

    /// Inflates what is pending into the spare capacity of `out` (at least
    /// some must be there); returns how many bytes it added.
    pub fn inflate(&mut self, out: &mut BytesMut) -> io::Result<usize> {
        let old = out.len();
        let room = (out.capacity() - old).min(MAX_STEP);
        out.resize(old + room, 0);
        let (in0, out0) = (self.rx.total_in(), self.rx.total_out());
        let r = self
            .rx
            .decompress(&self.zin, &mut out[old..], FlushDecompress::None);
        let used = usize::try_from(self.rx.total_in() - in0).unwrap_or(0);
        let made = usize::try_from(self.rx.total_out() - out0).unwrap_or(0);
        out.truncate(old + made);
        self.zin.advance(used.min(self.zin.len()));
        r.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        Ok(made)
    }

    /// Reads and inflates until at least one byte was added to `out`
    /// (given spare capacity if it has none); `Ok(0)` at EOF. Cancel-safe:
    /// what was read is kept in `self` before any other await.
    pub async fn fill<R: AsyncRead + Unpin + ?Sized>(
        &mut self,
        r: &mut R,
        out: &mut BytesMut,
    ) -> io::Result<usize> {
        if out.capacity() == out.len() {
            out.reserve(CHUNK);
        }
        loop {
            let made = self.inflate(out)?;
            if made > 0 {
                return Ok(made);
            }
            if self.zin.capacity() - self.zin.len() < CHUNK / 4 {
                if self.zin.is_empty() {
                    self.zin = BytesMut::with_capacity(CHUNK);
                } else {
                    self.zin.reserve(CHUNK);
                }
            }
            if r.read_buf(&mut self.zin).await? == 0 {
                return Ok(0);
            }
        }
    }

    /// A parked session: gives back the deflate state (see the module doc)
    /// and the compressed input buffer when nothing is pending in it.
    pub fn park(&mut self) {
        self.tx = None;
        if self.zin.is_empty() {
            self.zin = BytesMut::new();
        }
    }
}

#[cfg(test)]
mod tests;
