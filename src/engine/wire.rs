//! One command's exchange on the wire: send, then read until its tagged answer,
//! folding untagged data into the mailbox state, under a deadline and the
//! run's hard stop. Every way this can go wrong maps to one [`CommandError`]:
//! an [`ErrorReason`] with a short message.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::command::CommandKind;
use crate::imap::conn::Connection;
use crate::imap::encoder::CommandBuf;
use crate::imap::response::{Kind, Status};
use crate::metrics::ErrorReason;

use super::failure::CommandError;
use super::mailbox::MailboxState;
use super::validate::Check;

/// What ended a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The tagged OK of our command.
    Done,
    /// A `+` continuation request (only when the caller allowed it).
    Continue,
}

/// When a command must be done, and the limit it came from (for the
/// message of a timeout: `no answer within 30s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The instant the command times out.
    pub at: Instant,
    /// The command timeout that set it.
    pub limit: Duration,
}

impl Deadline {
    /// A deadline `limit` from now.
    pub fn after(limit: Duration) -> Self {
        Deadline {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// The timeout failure of waiting for `what` until this deadline.
    pub fn missed(&self, what: &str) -> CommandError {
        CommandError::timeout(what, self.limit)
    }
}

/// Sends bytes, failing with the right reason on timeout, hard stop or I/O error.
pub async fn send(
    conn: &mut Connection,
    bytes: &[u8],
    deadline: Deadline,
    hard_stop: &CancellationToken,
) -> Result<Instant, CommandError> {
    tokio::select! {
        r = tokio::time::timeout_at(deadline.at.into(), conn.send(bytes)) => match r {
            Err(_) => Err(deadline.missed("could not send")),
            Ok(Err(e)) => Err(CommandError::transport(&e)),
            Ok(Ok(())) => Ok(Instant::now()),
        },
        _ = hard_stop.cancelled() => Err(CommandError::aborted()),
    }
}

/// Reads responses until the tagged answer to `tag` (or a continuation when
/// `allow_continue`), with the light checks of a command that asks for no
/// data (STARTTLS, and callers that have no [`Check`] of their own).
pub async fn read_answer(
    conn: &mut Connection,
    tag: u32,
    mailbox: &mut MailboxState,
    allow_continue: bool,
    deadline: Deadline,
    hard_stop: &CancellationToken,
) -> Result<Answer, CommandError> {
    let mut check = Check::new(CommandKind::Noop, mailbox);
    read_checked(
        conn,
        tag,
        mailbox,
        &mut check,
        allow_continue,
        deadline,
        hard_stop,
    )
    .await
}

/// Reads responses until the tagged answer to `tag` (or a continuation when
/// `allow_continue`), feeding each to `check` before folding it into the
/// mailbox state, and finishing `check` at a tagged OK. NO and BAD are
/// errors (with the server's text); an untagged BYE (other than LOGOUT's) is
/// a disconnect at once; a wrong tag, an unexpected continuation or a failed
/// check is a protocol error (with the check's detail).
pub async fn read_checked(
    conn: &mut Connection,
    tag: u32,
    mailbox: &mut MailboxState,
    check: &mut Check,
    allow_continue: bool,
    deadline: Deadline,
    hard_stop: &CancellationToken,
) -> Result<Answer, CommandError> {
    let read = Read {
        tag,
        deadline,
        hard_stop,
    };
    let on_continue = match allow_continue {
        true => OnContinue::Return,
        false => OnContinue::Fail,
    };
    read_until(conn, &read, mailbox, check, on_continue).await
}

/// What a read does with a `+` continuation.
enum OnContinue<'b> {
    /// It is a protocol error.
    Fail,
    /// It ends the read.
    Return,
    /// It ends the read, its text copied here.
    Capture(&'b mut Vec<u8>),
}

/// [`read_checked`] allowing a continuation, whose text (after `+ `) is
/// copied into `challenge`: a SASL server's challenge, or its error report.
pub async fn read_challenge(
    conn: &mut Connection,
    read: &Read<'_>,
    mailbox: &mut MailboxState,
    check: &mut Check,
    challenge: &mut Vec<u8>,
) -> Result<Answer, CommandError> {
    read_until(conn, read, mailbox, check, OnContinue::Capture(challenge)).await
}

/// Which tagged answer a read waits for, until when, and what aborts it.
pub struct Read<'a> {
    /// The command's tag number.
    pub tag: u32,
    /// When waiting becomes a timeout.
    pub deadline: Deadline,
    /// The run's hard stop.
    pub hard_stop: &'a CancellationToken,
}

async fn read_until(
    conn: &mut Connection,
    read: &Read<'_>,
    mailbox: &mut MailboxState,
    check: &mut Check,
    mut on_continue: OnContinue<'_>,
) -> Result<Answer, CommandError> {
    let Read {
        tag,
        deadline,
        hard_stop,
    } = *read;
    loop {
        let resp = tokio::select! {
            r = tokio::time::timeout_at(deadline.at.into(), conn.read_response()) => match r {
                Err(_) => return Err(deadline.missed("no answer")),
                Ok(Err(e)) => return Err(CommandError::transport(&e)),
                Ok(Ok(resp)) => resp,
            },
            _ = hard_stop.cancelled() => return Err(CommandError::aborted()),
        };
        if resp.kind() == Kind::Tagged
            && !resp.tag().is_some_and(|t| CommandBuf::tag_matches(tag, t))
        {
            return Err(check.fail("tagged response with a tag not ours"));
        }
        if resp.kind() == Kind::Untagged
            && resp.status() == Some(Status::Bye)
            && check.kind() != CommandKind::Logout
        {
            // The server is going away: no tagged answer will come, and a
            // server that keeps the socket open after BYE must not turn this
            // into a timeout.
            return Err(CommandError::answer(
                ErrorReason::Disconnect,
                "BYE ",
                resp.text(),
            ));
        }
        check.observe(&resp, mailbox)?;
        match resp.kind() {
            Kind::Untagged => mailbox.observe(&resp),
            Kind::Continuation => match &mut on_continue {
                OnContinue::Fail => return Err(check.fail("unexpected continuation")),
                OnContinue::Return => return Ok(Answer::Continue),
                OnContinue::Capture(text) => {
                    text.clear();
                    text.extend_from_slice(resp.text());
                    return Ok(Answer::Continue);
                }
            },
            Kind::Tagged => {
                mailbox.observe(&resp);
                return match resp.status() {
                    Some(Status::Ok) => check.finish().map(|()| Answer::Done),
                    Some(Status::No) => Err(CommandError::answer(ErrorReason::No, "", resp.text())),
                    Some(Status::Bad) => {
                        Err(CommandError::answer(ErrorReason::Bad, "", resp.text()))
                    }
                    _ => Err(check.fail("tagged response without OK/NO/BAD")),
                };
            }
        }
    }
}

/// Waits for untagged data until `until` (IDLE's hold), checking it with
/// `check` and folding it into the mailbox state. Returns early only on
/// failure or hard stop.
pub async fn hold(
    conn: &mut Connection,
    mailbox: &mut MailboxState,
    check: &mut Check,
    until: Instant,
    hard_stop: &CancellationToken,
) -> Result<(), CommandError> {
    loop {
        let resp = tokio::select! {
            r = tokio::time::timeout_at(until.into(), conn.read_response()) => match r {
                Err(_) => return Ok(()),
                Ok(Err(e)) => return Err(CommandError::transport(&e)),
                Ok(Ok(resp)) => resp,
            },
            _ = hard_stop.cancelled() => return Err(CommandError::aborted()),
        };
        match resp.kind() {
            Kind::Untagged if resp.status() == Some(Status::Bye) => {
                return Err(CommandError::answer(
                    ErrorReason::Disconnect,
                    "BYE ",
                    resp.text(),
                ))
            }
            Kind::Untagged => {
                check.observe(&resp, mailbox)?;
                mailbox.observe(&resp);
            }
            _ => return Err(check.fail("tagged or continuation during IDLE")),
        }
    }
}
