//! Allocation-free views of one framed server message.
//!
//! The engine reads tens of thousands of responses per second and only needs
//! a handful of facts from each (tag, status, a response code, an untagged
//! count), so these accessors slice the raw bytes instead of building a tree.

pub use super::capability::Capabilities;

/// The outcome word of a status response; drives success/failure counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Command succeeded.
    Ok,
    /// Command failed for an operational reason (bad password, no such mailbox).
    No,
    /// The server did not understand the command: a client bug or protocol mismatch.
    Bad,
    /// The server is closing the connection.
    Bye,
    /// Greeting only: the connection is already authenticated.
    Preauth,
}

/// Which of the three response shapes a message is; decides who it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Ends a command (`a1 OK ...`).
    Tagged,
    /// Data or a status the server volunteers (`* ...`).
    Untagged,
    /// The server asks for more of the command (`+ ...`).
    Continuation,
}

/// One complete message as returned by the framer, CRLF and literals included,
/// with its first line's layout found once when it is framed: the engine asks
/// each response for its kind, tag, status and text several times, and every
/// one of those is a stored value, not a rescan of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'a> {
    raw: &'a [u8],
    kind: Kind,
    status: Option<Status>,
    /// End of the first line, its CR LF (or bare LF) left out.
    line_end: usize,
    /// End of the first word (the tag, `*` or `+`).
    word_end: usize,
    /// Start of what follows the first word and one space.
    rest: usize,
    /// Start of [`Response::text`].
    text: usize,
}

impl<'a> Response<'a> {
    /// Wraps one framed message, reading its first line's layout once.
    pub fn new(raw: &'a [u8]) -> Self {
        let kind = match raw.first() {
            Some(b'*') => Kind::Untagged,
            Some(b'+') => Kind::Continuation,
            _ => Kind::Tagged,
        };
        let line_end = match memchr::memchr(b'\n', raw) {
            Some(i) if i > 0 && raw[i - 1] == b'\r' => i - 1,
            Some(i) => i,
            None if raw.last() == Some(&b'\r') => raw.len() - 1,
            None => raw.len(),
        };
        let line = &raw[..line_end];
        let (word_end, rest) = match kind {
            Kind::Continuation => (1, if line.get(1) == Some(&b' ') { 2 } else { 1 }),
            _ => match memchr::memchr(b' ', line) {
                Some(i) => (i, i + 1),
                None => (line_end, line_end),
            },
        };
        let (status, text) = match kind {
            Kind::Continuation => (None, rest),
            _ => {
                let after = &line[rest..];
                let (word, next) = match memchr::memchr(b' ', after) {
                    Some(i) => (&after[..i], rest + i + 1),
                    None => (after, line_end),
                };
                match parse_status(word) {
                    Some(s) => (Some(s), next),
                    None => (None, rest),
                }
            }
        };
        Response {
            raw,
            kind,
            status,
            line_end,
            word_end,
            rest,
            text,
        }
    }

    /// The whole message, for logging and for callers that parse literals themselves.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// `*` starts untagged data, `+` a continuation request, anything else is a tag.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The tag of a tagged response, to match it with the command that caused it.
    pub fn tag(&self) -> Option<&'a [u8]> {
        match self.kind {
            Kind::Tagged => Some(&self.raw[..self.word_end]),
            Kind::Untagged | Kind::Continuation => None,
        }
    }

    /// `OK`/`NO`/`BAD`/`BYE`/`PREAUTH` after the tag or `*`, case-insensitive;
    /// `None` for continuations and untagged data such as `* 5 EXISTS`.
    pub fn status(&self) -> Option<Status> {
        self.status
    }

    /// The rest of the first line after the status (or after `+`, or after `*`
    /// for untagged data), without the line end; includes any `[resp-code]`.
    /// For a message with literals this stops at the first literal header.
    pub fn text(&self) -> &'a [u8] {
        &self.raw[self.text..self.line_end]
    }

    /// The response code at the start of [`Response::text`], split into its
    /// name and arguments: `[UIDNEXT 42]` -> (`UIDNEXT`, `42`), `[ALERT]` -> (`ALERT`, ``).
    pub fn code(&self) -> Option<(&'a [u8], &'a [u8])> {
        if self.kind == Kind::Untagged && self.status.is_none() {
            return None;
        }
        let inner = self.text().strip_prefix(b"[")?;
        let close = memchr::memchr(b']', inner)?;
        let (name, args) = split_word(&inner[..close]);
        Some((name, args))
    }

    /// Message-number data: `* 5 EXISTS` -> (5, `EXISTS`), `* 3 FETCH (...)` -> (3, `FETCH`).
    pub fn untagged_number(&self) -> Option<(u32, &'a [u8])> {
        if self.kind != Kind::Untagged {
            return None;
        }
        let (num, rest) = split_word(self.after_first_word());
        let n = parse_u32(num)?;
        let (keyword, _) = split_word(rest);
        (!keyword.is_empty()).then_some((n, keyword))
    }

    /// The keyword of untagged data that does not start with a number:
    /// `* CAPABILITY ...` -> `CAPABILITY`, `* SEARCH 1 2` -> `SEARCH`
    /// (and `* OK ...` -> `OK`, since status words are keywords too).
    pub fn untagged_keyword(&self) -> Option<&'a [u8]> {
        if self.kind != Kind::Untagged {
            return None;
        }
        let (word, _) = split_word(self.after_first_word());
        (!word.iter().all(u8::is_ascii_digit)).then_some(word)
    }

    /// The first line after the tag, `*` or `+` and one space.
    fn after_first_word(&self) -> &'a [u8] {
        &self.raw[self.rest..self.line_end]
    }
}

/// Splits at the first space: (word, rest after the space).
fn split_word(s: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr(b' ', s) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, &[]),
    }
}

fn parse_status(word: &[u8]) -> Option<Status> {
    let eq = |s: &[u8]| word.eq_ignore_ascii_case(s);
    if eq(b"OK") {
        Some(Status::Ok)
    } else if eq(b"NO") {
        Some(Status::No)
    } else if eq(b"BAD") {
        Some(Status::Bad)
    } else if eq(b"BYE") {
        Some(Status::Bye)
    } else if eq(b"PREAUTH") {
        Some(Status::Preauth)
    } else {
        None
    }
}

/// Decimal digits only, no sign, must fit a u32 (IMAP's nz-number / number).
pub(crate) fn parse_u32(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 10 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    u32::try_from(n).ok()
}

#[cfg(test)]
mod tests;
