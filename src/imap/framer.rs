//! Incremental response framer: finds where one IMAP server message ends.
//!
//! The engine only needs message boundaries to time commands, so instead of
//! parsing the whole grammar we track the one thing that makes IMAP framing
//! hard: literals (`{n}` / `{n+}` at the end of a line, followed by `n` raw
//! bytes that may contain anything, CRLF included). Everything else is "a
//! line that ends in CRLF".

use memchr::memchr;

/// Upper bounds that keep a misbehaving server from making us buffer without
/// end: a load tester runs thousands of connections, so one bad peer must not
/// be able to eat the memory of all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line segment in bytes, CRLF included, literal data excluded.
    pub max_line: usize,
    /// Largest single literal a server may announce.
    pub max_literal: usize,
}

impl Default for Limits {
    /// 64 KiB lines and 64 MiB literals: far above what real servers send,
    /// low enough to bound memory per connection.
    fn default() -> Self {
        Limits {
            max_line: 64 * 1024,
            max_literal: 64 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// Largest whole message (its lines and literals together): two
    /// literals of the largest size (a FETCH of a body and its header) and a
    /// line. Without it a server chaining literals (`{0}` after `{0}`, or
    /// one big body after another in the same FETCH) would be buffered without end.
    pub fn max_message(&self) -> u64 {
        (self.max_literal as u64)
            .saturating_mul(2)
            .saturating_add(self.max_line as u64)
    }
}

/// Why a byte stream cannot be framed; the connection is unusable after any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A line segment grew past [`Limits::max_line`] without a line end.
    #[error("server sent a line longer than {limit} bytes")]
    LineTooLong {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A literal announced more bytes than [`Limits::max_literal`] (or more than fits in a u64).
    #[error("server announced a {size}-byte literal, above the limit of {limit} bytes")]
    LiteralTooLarge {
        /// The announced size (`u64::MAX` when the digits overflowed).
        size: u64,
        /// The limit that was exceeded.
        limit: usize,
    },
    /// One message grew past [`Limits::max_message`] (chained literals).
    #[error("server sent a message longer than {limit} bytes")]
    MessageTooLarge {
        /// The limit that was exceeded.
        limit: u64,
    },
    /// The stream broke an invariant the framer relies on.
    #[error("malformed server response: {0}")]
    Malformed(&'static str),
}

/// Resumable scanner over a growing receive buffer.
///
/// Holds how far the current message has been scanned, so appending bytes and
/// calling [`Framer::scan`] again costs only the new bytes, not a rescan.
#[derive(Debug, Clone)]
pub struct Framer {
    limits: Limits,
    /// Bytes of the current message already scanned.
    pos: usize,
    /// Start of the current line segment (after the last literal).
    seg_start: usize,
    /// Literal bytes still to skip before the line continues.
    literal_left: u64,
}

impl Framer {
    /// A framer positioned at a message boundary.
    pub fn new(limits: Limits) -> Self {
        Framer {
            limits,
            pos: 0,
            seg_start: 0,
            literal_left: 0,
        }
    }

    /// Literal bytes still expected for the message being scanned, so a reader
    /// can reserve buffer space for a big literal in one step.
    pub fn literal_remaining(&self) -> u64 {
        self.literal_left
    }

    /// Looks at the unconsumed bytes `buf` (which always start at a message
    /// boundary) and returns `Ok(Some(n))` when the first `n` bytes are one
    /// complete response message (a line ending CRLF, including any `{n}` /
    /// `{n+}` literals it announces and the line continuation after each
    /// literal), `Ok(None)` if more bytes are needed.
    ///
    /// Resumable: between calls `buf` may only grow at the end; the state is
    /// reset when a message is returned, after which the caller drops those
    /// `n` bytes from the front. A bare LF (no CR) is accepted as a line end:
    /// IMAP requires CRLF, but being lenient costs nothing and a load tester
    /// should report slow servers, not pedantic ones.
    ///
    /// A literal is only recognised as `{digits}` or `{digits+}` right before
    /// the line end, which is the only place the grammar allows one.
    pub fn scan(&mut self, buf: &[u8]) -> Result<Option<usize>, FrameError> {
        if buf.len() < self.pos {
            return Err(FrameError::Malformed(
                "receive buffer shrank while a message was being framed",
            ));
        }
        loop {
            if self.literal_left > 0 {
                let avail = (buf.len() - self.pos) as u64;
                let take = avail.min(self.literal_left);
                // `take <= avail`, which is a usize, so the cast is lossless.
                self.pos += take as usize;
                self.literal_left -= take;
                if self.literal_left > 0 {
                    return Ok(None);
                }
                self.seg_start = self.pos;
            }
            let Some(lf) = memchr(b'\n', &buf[self.pos..]) else {
                self.pos = buf.len();
                if buf.len() - self.seg_start > self.limits.max_line {
                    return Err(FrameError::LineTooLong {
                        limit: self.limits.max_line,
                    });
                }
                return Ok(None);
            };
            let line_end = self.pos + lf + 1;
            let too_big = || {
                Err(FrameError::MessageTooLarge {
                    limit: self.limits.max_message(),
                })
            };
            if line_end as u64 > self.limits.max_message() {
                return too_big();
            }
            if line_end - self.seg_start > self.limits.max_line {
                return Err(FrameError::LineTooLong {
                    limit: self.limits.max_line,
                });
            }
            let mut content = &buf[self.seg_start..line_end - 1];
            if let [rest @ .., b'\r'] = content {
                content = rest;
            }
            match literal_size(content) {
                Some(Ok(size))
                    if size <= self.limits.max_literal as u64
                        && line_end as u64 + size > self.limits.max_message() =>
                {
                    return too_big()
                }
                Some(Ok(size)) if size <= self.limits.max_literal as u64 => {
                    self.literal_left = size;
                    self.pos = line_end;
                    self.seg_start = line_end;
                }
                Some(Ok(size)) => {
                    return Err(FrameError::LiteralTooLarge {
                        size,
                        limit: self.limits.max_literal,
                    })
                }
                Some(Err(())) => {
                    return Err(FrameError::LiteralTooLarge {
                        size: u64::MAX,
                        limit: self.limits.max_literal,
                    })
                }
                None => {
                    self.pos = 0;
                    self.seg_start = 0;
                    return Ok(Some(line_end));
                }
            }
        }
    }
}

/// The size announced by a `{digits}` / `{digits+}` suffix of `line`,
/// `Some(Err(()))` when the digits overflow a u64, `None` without a literal.
fn literal_size(line: &[u8]) -> Option<Result<u64, ()>> {
    let inner = line.strip_suffix(b"}")?;
    let inner = inner.strip_suffix(b"+").unwrap_or(inner);
    let open = inner.iter().rposition(|&b| !b.is_ascii_digit())?;
    if inner[open] != b'{' || open + 1 == inner.len() {
        return None;
    }
    let mut size: u64 = 0;
    for &d in &inner[open + 1..] {
        size = match size
            .checked_mul(10)
            .and_then(|s| s.checked_add(u64::from(d - b'0')))
        {
            Some(s) => s,
            None => return Some(Err(())),
        };
    }
    Some(Ok(size))
}

#[cfg(test)]
pub(crate) mod tests;
