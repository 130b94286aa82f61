//! One command's exchange on the wire, through the client exchange
//! ([`crate::imap::client`]): send, then read until its tagged answer, each
//! response checked by the command's [`Check`] and folded into the mailbox
//! state. Every way this can go wrong maps to one [`CommandError`]: an
//! [`ErrorReason`] with a short message. Time bounds are the caller's
//! [`super::guard::Guard`], once around the whole exchange.

use std::time::Instant;

use tokio_util::sync::CancellationToken;

use crate::command::CommandKind;
use crate::imap::client::{
    self, ClientError, Expect, Observer, OnBye, OnContinue, Part, Reply, Tag,
};
use crate::imap::conn::Connection;
use crate::imap::response::{Kind, Response, Status};
use crate::results::ErrorReason;

use super::failure::CommandError;
use super::guard::Phase;
use super::mailbox::MailboxState;
use super::validate::Check;

/// What an exchange came to: its answer, and when its last byte was sent
/// (where service time starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchanged {
    /// The tagged OK ([`Reply::OK`]), or an allowed continuation.
    pub reply: Reply,
    /// When the last part was written.
    pub sent: Instant,
}

/// One command on the wire: its tag, its response check, the mailbox state
/// its answers fold into, and the phase its guard reports on a timeout.
pub struct OnWire<'a> {
    /// The command's tag number.
    pub tag: u32,
    /// The command's response check.
    pub check: &'a mut Check,
    /// The session's mailbox state.
    pub mbox: &'a mut MailboxState,
    /// Sending or waiting, for the guard's timeout message.
    pub phase: &'a Phase,
}

/// The engine's observer: each response is checked, then folded into the
/// mailbox state (continuations are not mailbox data).
struct Fold<'b, 'a> {
    on: &'b mut OnWire<'a>,
}

impl Observer for Fold<'_, '_> {
    type Error = CommandError;

    fn observe(&mut self, resp: &Response<'_>) -> Result<(), CommandError> {
        self.on.check.observe(resp, self.on.mbox)?;
        if resp.kind() != Kind::Continuation {
            self.on.mbox.observe(resp);
        }
        Ok(())
    }

    fn writing(&mut self, busy: bool) {
        self.on.phase.set_sending(busy);
    }
}

/// Sends a command in `parts` (every part but the last ending in a
/// synchronizing literal header) and reads until its tagged answer, or a
/// continuation when `allow_continue`. NO and BAD are errors (with the
/// server's text); an untagged BYE (other than LOGOUT's) is a disconnect at
/// once; a wrong tag, an unexpected continuation, a tagged OK in place of a
/// literal's continuation or a failed check is a protocol error (with the
/// check's detail).
pub async fn exchange(
    conn: &mut Connection,
    parts: &[Part<'_>],
    allow_continue: bool,
    on: &mut OnWire<'_>,
) -> Result<Exchanged, CommandError> {
    let expect = expect(on, allow_continue);
    let sent = client::command(conn, parts, &expect, &mut Fold { on }).await;
    let sent = sent.map_err(|e| failure(e, on.check))?;
    let reply = answer(conn, sent.reply, on.check)?;
    if sent.parts < parts.len() {
        return Err(on.check.fail("no continuation for the literal"));
    }
    Ok(Exchanged {
        reply,
        sent: sent.at,
    })
}

/// Reads (sends nothing) until the tagged answer or, when `allow_continue`,
/// a continuation; the same checks as [`exchange`].
pub async fn read(
    conn: &mut Connection,
    allow_continue: bool,
    on: &mut OnWire<'_>,
) -> Result<Reply, CommandError> {
    let expect = expect(on, allow_continue);
    let reply = client::read(conn, &expect, &mut Fold { on }).await;
    let reply = reply.map_err(|e| failure(e, on.check))?;
    answer(conn, reply, on.check)
}

/// What a read of this command waits for: its tag; LOGOUT expects a BYE.
fn expect(on: &OnWire<'_>, allow_continue: bool) -> Expect<'static> {
    Expect {
        tag: Tag::Numbered(on.tag),
        on_continue: match allow_continue {
            true => OnContinue::Return,
            false => OnContinue::Fail,
        },
        on_bye: if on.check.kind() == CommandKind::Logout {
            OnBye::Observe
        } else {
            OnBye::Fail
        },
    }
}

/// A tagged answer's status as the command's outcome: OK finishes the check;
/// NO, BAD and anything else are the command's error.
pub(super) fn answer(
    conn: &Connection,
    reply: Reply,
    check: &mut Check,
) -> Result<Reply, CommandError> {
    let status = match reply {
        Reply::Continue => return Ok(Reply::Continue),
        Reply::Tagged(status) => status,
    };
    match status {
        Some(Status::Ok) => check.finish().map(|()| Reply::OK),
        Some(Status::No) => Err(CommandError::answer(
            ErrorReason::No,
            "",
            conn.last_response().text(),
        )),
        Some(Status::Bad) => Err(CommandError::answer(
            ErrorReason::Bad,
            "",
            conn.last_response().text(),
        )),
        Some(Status::Bye | Status::Preauth) | None => {
            Err(check.fail("tagged response without OK/NO/BAD"))
        }
    }
}

/// The client exchange's failure as the command's.
fn failure(e: ClientError<CommandError>, check: &mut Check) -> CommandError {
    match e {
        ClientError::Transport(e) => CommandError::transport(&e),
        ClientError::Bye(text) => CommandError::answer(ErrorReason::Disconnect, "BYE ", &text),
        ClientError::WrongTag(_) => check.fail("tagged response with a tag not ours"),
        ClientError::UnexpectedContinuation => check.fail("unexpected continuation"),
        ClientError::OutOfTurn(_) => check.fail("tagged or continuation during IDLE"),
        ClientError::Observer(e) => e,
    }
}

/// Waits for untagged data until `until` (IDLE's hold, with its own timer),
/// checking it with `check` and folding it into the mailbox state. Returns
/// early only on failure or the session's hard stop.
pub async fn hold(
    conn: &mut Connection,
    mbox: &mut MailboxState,
    check: &mut Check,
    until: Instant,
    hard_stop: &CancellationToken,
) -> Result<(), CommandError> {
    let phase = Phase::command();
    let mut on = OnWire {
        tag: 0,
        check,
        mbox,
        phase: &phase,
    };
    let mut fold = Fold { on: &mut on };
    let watch = client::watch(conn, &mut fold);
    let e = tokio::select! {
        biased;
        e = watch => e,
        _ = hard_stop.cancelled() => return Err(CommandError::aborted()),
        _ = tokio::time::sleep_until(until.into()) => return Ok(()),
    };
    Err(failure(e, on.check))
}

#[cfg(test)]
mod tests;
