//! The one IMAP client exchange every client in imapload goes through: the
//! engine's sessions, the probes and the embedded CAS's login to a back end.
//!
//! It sends a command (in parts when it carries synchronizing literals,
//! waiting for the server's `+` between them), reads until the tagged answer
//! to the command's tag, stops at an untagged BYE, and applies a caller's
//! continuation policy. Callers plug their own checks in as an [`Observer`]
//! that sees every response before the exchange acts on it: the engine
//! validates and folds mailbox state there, the probe watches capabilities.
//!
//! Timers and cancellation are the caller's: one deadline around the whole
//! exchange costs one timer per command instead of one per read.

use std::time::Instant;

use super::capability::Capabilities;
use super::conn::{Connection, ImapError};
use super::encoder::CommandBuf;
use super::response::{Kind, Response, Status};

/// The tag a read waits for; a tagged answer with any other tag is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag<'a> {
    /// A tag numbered by [`CommandBuf::begin`] (the engine's hot path: no formatting).
    Numbered(u32),
    /// A tag as written (`z1`, `P0`), matched case-insensitively.
    Text(&'a [u8]),
}

impl Tag<'_> {
    /// Whether the server's tag `got` is this one.
    pub fn matches(&self, got: &[u8]) -> bool {
        match *self {
            Tag::Numbered(n) => CommandBuf::tag_matches(n, got),
            Tag::Text(t) => got.eq_ignore_ascii_case(t),
        }
    }
}

/// What a read does with a `+` continuation request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnContinue {
    /// It is an error ([`ClientError::UnexpectedContinuation`]).
    Fail,
    /// It ends the read ([`Reply::Continue`]); its text is in [`Connection::last_response`].
    Return,
}

/// What a read does with an untagged BYE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBye {
    /// It ends the exchange at once ([`ClientError::Bye`]): no tagged answer
    /// will come, and a server that keeps the socket open after BYE must not
    /// turn this into a timeout.
    Fail,
    /// It is expected (LOGOUT) and goes to the observer like other data.
    Observe,
}

/// Which answer a read waits for and how it treats the server's interruptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect<'a> {
    /// The command's tag.
    pub tag: Tag<'a>,
    /// What a continuation request does.
    pub on_continue: OnContinue,
    /// What an untagged BYE does.
    pub on_bye: OnBye,
}

impl<'a> Expect<'a> {
    /// The tagged answer to `tag`; a continuation or a BYE is an error.
    pub fn tagged(tag: Tag<'a>) -> Self {
        Expect {
            tag,
            on_continue: OnContinue::Fail,
            on_bye: OnBye::Fail,
        }
    }
}

/// What ended a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// The tagged answer with its status word (`None`: none of OK/NO/BAD/...).
    /// Its text is in [`Connection::last_response`] until the next read.
    Tagged(Option<Status>),
    /// A continuation request the caller allowed.
    Continue,
}

impl Reply {
    /// The tagged OK.
    pub const OK: Reply = Reply::Tagged(Some(Status::Ok));
}

/// What sending a command came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// What ended the last read.
    pub reply: Reply,
    /// When the last part's bytes were written (a service-time clock start).
    pub at: Instant,
    /// How many parts went out: fewer than given when the server answered a
    /// synchronizing literal with a tagged answer instead of `+`.
    pub parts: usize,
}

/// Why an exchange ended without the answer it waited for.
#[derive(Debug, thiserror::Error)]
pub enum ClientError<E> {
    /// The transport failed or the server closed.
    #[error("{0}")]
    Transport(#[from] ImapError),
    /// The server sent an untagged BYE; its text after `BYE`.
    #[error("server said BYE {}", String::from_utf8_lossy(.0))]
    Bye(Vec<u8>),
    /// A tagged answer with someone else's tag (the tag it had).
    #[error("answer with tag `{}`", String::from_utf8_lossy(.0))]
    WrongTag(Vec<u8>),
    /// A continuation request where none was allowed.
    #[error("unexpected continuation request")]
    UnexpectedContinuation,
    /// A tagged answer or a continuation while only untagged data may come
    /// (an IDLE being held), or a first message that is not a greeting.
    #[error("unexpected {0:?} response")]
    OutOfTurn(Kind),
    /// The caller's observer refused a response.
    #[error("refused by the caller's check")]
    Observer(E),
}

/// A caller's check, run on every response of an exchange (untagged data,
/// continuations and the tagged answer) before the exchange acts on it.
/// Closures `FnMut(&Response) -> Result<(), E>` are observers.
pub trait Observer {
    /// What a refusal carries back to the caller.
    type Error;

    /// Sees one response; an error ends the exchange with [`ClientError::Observer`].
    fn observe(&mut self, resp: &Response<'_>) -> Result<(), Self::Error>;

    /// Told when the exchange starts (`true`) and ends (`false`) writing, so
    /// a caller's timeout can say whether it was the send or the answer
    /// that took too long.
    fn writing(&mut self, _busy: bool) {}
}

impl<E, F: FnMut(&Response<'_>) -> Result<(), E>> Observer for F {
    type Error = E;

    fn observe(&mut self, resp: &Response<'_>) -> Result<(), E> {
        self(resp)
    }
}

/// Reads responses until the tagged answer to `expect.tag` (or a
/// continuation, when allowed), showing each to `obs` first. A tagged answer
/// with another tag, an untagged BYE (unless expected) and a continuation
/// (unless allowed) end the read before the observer sees them.
pub async fn read<O: Observer>(
    conn: &mut Connection,
    expect: &Expect<'_>,
    obs: &mut O,
) -> Result<Reply, ClientError<O::Error>> {
    loop {
        let resp = conn.read_response().await?;
        match resp.kind() {
            Kind::Tagged if !resp.tag().is_some_and(|t| expect.tag.matches(t)) => {
                return Err(ClientError::WrongTag(
                    resp.tag().unwrap_or_default().to_vec(),
                ));
            }
            Kind::Untagged
                if expect.on_bye == OnBye::Fail && resp.status() == Some(Status::Bye) =>
            {
                return Err(ClientError::Bye(resp.text().to_vec()));
            }
            _ => {}
        }
        obs.observe(&resp).map_err(ClientError::Observer)?;
        match resp.kind() {
            Kind::Untagged => {}
            Kind::Continuation => {
                return match expect.on_continue {
                    OnContinue::Fail => Err(ClientError::UnexpectedContinuation),
                    OnContinue::Return => Ok(Reply::Continue),
                }
            }
            Kind::Tagged => return Ok(Reply::Tagged(resp.status())),
        }
    }
}

/// One piece of a command sent in one write: its byte slices, gathered (a
/// command line with a non-synchronizing literal header, the literal's
/// bytes where they live, the closing CRLF), so nothing is copied to send it.
pub type Part<'a> = &'a [&'a [u8]];

/// Sends a command in `parts` and reads its answer as `expect` says. Every
/// part but the last must end in a synchronizing literal header (`{n}\r\n`):
/// the next part goes only after the server's `+`, and a tagged answer in
/// its place (a NO to the literal) ends the exchange early, with
/// [`Sent::parts`] saying how far it got. No parts: only the read.
pub async fn command<O: Observer>(
    conn: &mut Connection,
    parts: &[Part<'_>],
    expect: &Expect<'_>,
    obs: &mut O,
) -> Result<Sent, ClientError<O::Error>> {
    // When the last part went out; read once per part, after its write.
    let mut at = None;
    let literal = Expect {
        on_continue: OnContinue::Return,
        ..*expect
    };
    for (i, part) in parts.iter().enumerate() {
        obs.writing(true);
        conn.send_gather(part).await?;
        let now = Instant::now();
        at = Some(now);
        obs.writing(false);
        if i + 1 == parts.len() {
            break;
        }
        match read(conn, &literal, obs).await? {
            Reply::Continue => {}
            reply @ Reply::Tagged(_) => {
                return Ok(Sent {
                    reply,
                    at: now,
                    parts: i + 1,
                })
            }
        }
    }
    let reply = read(conn, expect, obs).await?;
    Ok(Sent {
        reply,
        at: at.unwrap_or_else(Instant::now),
        parts: parts.len(),
    })
}

/// Reads untagged data, showing each to `obs`, until something ends it:
/// only errors do (an untagged BYE, a tagged answer or a continuation, the
/// transport, the observer), so the caller bounds it with its own timer
/// (IDLE's hold).
pub async fn watch<O: Observer>(conn: &mut Connection, obs: &mut O) -> ClientError<O::Error> {
    loop {
        let resp = match conn.read_response().await {
            Ok(resp) => resp,
            Err(e) => return ClientError::Transport(e),
        };
        match resp.kind() {
            Kind::Untagged if resp.status() == Some(Status::Bye) => {
                return ClientError::Bye(resp.text().to_vec())
            }
            Kind::Untagged => {
                if let Err(e) = obs.observe(&resp) {
                    return ClientError::Observer(e);
                }
            }
            kind @ (Kind::Tagged | Kind::Continuation) => return ClientError::OutOfTurn(kind),
        }
    }
}

/// Encodes `LOGIN user pass` into `cmd` (a new tag), each value an atom, a
/// quoted string or (8-bit) a literal: `{N+}` when `non_sync(len)` says the
/// server takes it, else a synchronizing `{N}`. Returns the tag and the
/// command's parts for [`command`] (one more per synchronizing literal).
pub fn encode_login<'c>(
    cmd: &'c mut CommandBuf,
    user: &[u8],
    pass: &[u8],
    non_sync: impl Fn(usize) -> bool,
) -> (u32, Vec<&'c [u8]>) {
    let tag = cmd.begin();
    cmd.atom(b"LOGIN").sp();
    let user_cut = cmd.astring_or_literal(user, non_sync(user.len()));
    cmd.sp();
    let pass_cut = cmd.astring_or_literal(pass, non_sync(pass.len()));
    cmd.crlf();
    let bytes = cmd.as_bytes();
    let mut parts = Vec::with_capacity(3);
    let mut from = 0;
    for cut in [user_cut, pass_cut].into_iter().flatten() {
        parts.push(&bytes[from..cut]);
        from = cut;
    }
    parts.push(&bytes[from..]);
    (tag, parts)
}

/// What a usable greeting says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Greeting {
    /// `* PREAUTH`: the connection is authenticated already (no login).
    pub preauth: bool,
    /// Capabilities from its `[CAPABILITY ...]` code, if any.
    pub capabilities: Option<Capabilities>,
}

/// Reads the server's greeting: an untagged OK or PREAUTH. An untagged BYE
/// is [`ClientError::Bye`]; anything else is [`ClientError::OutOfTurn`]
/// (the message stays in [`Connection::last_response`] for a report).
pub async fn greeting(conn: &mut Connection) -> Result<Greeting, ClientError<()>> {
    let resp = conn.read_response().await?;
    match (resp.kind(), resp.status()) {
        (Kind::Untagged, Some(status @ (Status::Ok | Status::Preauth))) => Ok(Greeting {
            preauth: status == Status::Preauth,
            capabilities: Capabilities::from_response(&resp),
        }),
        (Kind::Untagged, Some(Status::Bye)) => Err(ClientError::Bye(resp.text().to_vec())),
        (kind, _) => Err(ClientError::OutOfTurn(kind)),
    }
}

/// An observer that keeps the capabilities the server announced on the way
/// (a `* CAPABILITY` line or a `[CAPABILITY ...]` code), refusing nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CapabilityWatch {
    /// The last capabilities seen, if any.
    pub seen: Option<Capabilities>,
}

impl Observer for CapabilityWatch {
    type Error = std::convert::Infallible;

    fn observe(&mut self, resp: &Response<'_>) -> Result<(), Self::Error> {
        if let Some(caps) = Capabilities::from_response(resp) {
            self.seen = Some(caps);
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests;
