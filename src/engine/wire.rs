//! One command's exchange on the wire: send, then read until its tagged answer,
//! folding untagged data into the mailbox state, under a deadline and the
//! run's hard stop. Every way this can go wrong maps to one [`ErrorReason`].

use std::time::Instant;

use tokio_util::sync::CancellationToken;

use crate::command::CommandKind;
use crate::imap::conn::{Connection, ImapError};
use crate::imap::encoder::CommandBuf;
use crate::imap::response::{Kind, Status};
use crate::metrics::ErrorReason;

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

/// Maps a transport failure to its error reason.
pub fn reason_of(e: &ImapError) -> ErrorReason {
    match e {
        ImapError::Frame(_) => ErrorReason::Protocol,
        ImapError::Tls(_) => ErrorReason::Tls,
        ImapError::Io(_) | ImapError::Closed => ErrorReason::Disconnect,
    }
}

/// Sends bytes, failing with the right reason on timeout, hard stop or I/O error.
pub async fn send(
    conn: &mut Connection,
    bytes: &[u8],
    deadline: Instant,
    hard_stop: &CancellationToken,
) -> Result<Instant, ErrorReason> {
    tokio::select! {
        r = tokio::time::timeout_at(deadline.into(), conn.send(bytes)) => match r {
            Err(_) => Err(ErrorReason::Timeout),
            Ok(Err(e)) => Err(reason_of(&e)),
            Ok(Ok(())) => Ok(Instant::now()),
        },
        _ = hard_stop.cancelled() => Err(ErrorReason::Aborted),
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
    deadline: Instant,
    hard_stop: &CancellationToken,
) -> Result<Answer, ErrorReason> {
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
/// errors; an untagged BYE (other than LOGOUT's) is a disconnect at once; a wrong tag, an unexpected continuation or a failed check is a
/// protocol error (its detail stays in `check`).
pub async fn read_checked(
    conn: &mut Connection,
    tag: u32,
    mailbox: &mut MailboxState,
    check: &mut Check,
    allow_continue: bool,
    deadline: Instant,
    hard_stop: &CancellationToken,
) -> Result<Answer, ErrorReason> {
    loop {
        let resp = tokio::select! {
            r = tokio::time::timeout_at(deadline.into(), conn.read_response()) => match r {
                Err(_) => return Err(ErrorReason::Timeout),
                Ok(Err(e)) => return Err(reason_of(&e)),
                Ok(Ok(resp)) => resp,
            },
            _ = hard_stop.cancelled() => return Err(ErrorReason::Aborted),
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
            return Err(ErrorReason::Disconnect);
        }
        check.observe(&resp, mailbox)?;
        match resp.kind() {
            Kind::Untagged => mailbox.observe(&resp),
            Kind::Continuation if allow_continue => return Ok(Answer::Continue),
            Kind::Continuation => return Err(check.fail("unexpected continuation")),
            Kind::Tagged => {
                mailbox.observe(&resp);
                return match resp.status() {
                    Some(Status::Ok) => check.finish().map(|()| Answer::Done),
                    Some(Status::No) => Err(ErrorReason::No),
                    Some(Status::Bad) => Err(ErrorReason::Bad),
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
) -> Result<(), ErrorReason> {
    loop {
        let resp = tokio::select! {
            r = tokio::time::timeout_at(until.into(), conn.read_response()) => match r {
                Err(_) => return Ok(()),
                Ok(Err(e)) => return Err(reason_of(&e)),
                Ok(Ok(resp)) => resp,
            },
            _ = hard_stop.cancelled() => return Err(ErrorReason::Aborted),
        };
        match resp.kind() {
            Kind::Untagged if resp.status() == Some(Status::Bye) => {
                return Err(ErrorReason::Disconnect)
            }
            Kind::Untagged => {
                check.observe(&resp, mailbox)?;
                mailbox.observe(&resp);
            }
            _ => return Err(check.fail("tagged or continuation during IDLE")),
        }
    }
}
