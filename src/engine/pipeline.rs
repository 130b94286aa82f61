//! Pipelining (RFC 3501 5.5): a session with `session.pipeline` above one
//! sends the mix's commands without waiting for the answers before them, up
//! to that many in flight on its connection, as imaptest does by default and
//! some clients do for fetch bursts and flag stores.
//!
//! - **When a command goes.** It is due a think time after the last answer
//!   or the previous command's due time, whichever is later (with schedule
//!   pacing: after the previous due time). When it is due and a place in the
//!   pipe is free it goes; commands due together leave in one write. While
//!   the next command is not yet due, answers in flight are read first.
//! - **What goes alone.** Kinds that are not [`CommandKind::pipelinable`]
//!   (state changes, expunges, IDLE, APPEND) wait until every earlier answer
//!   is in and then run as without pipelining.
//! - **Tags and answers.** Every command has its own tag; a tagged answer
//!   finishes the command in flight with that tag (in any order, as the RFC
//!   allows); untagged data before it is checked by the oldest command in
//!   flight (servers answer pipelined commands in order) and folded into the
//!   mailbox state. An answer with a tag not in flight is a protocol error.
//! - **Latency.** Each command's corrected latency runs from its own due
//!   time and its service time from the write that carried it, to its own
//!   tagged answer.
//! - **Failures.** A NO or BAD is that command's error and the pipe goes
//!   on. A failure of the connection (timeout, disconnect, protocol error)
//!   fails every command in flight, each counted on its own row; the oldest
//!   is the session's failure.

use std::collections::VecDeque;
use std::time::Instant;

use rand::distr::Distribution;

use crate::command::CommandKind;
use crate::imap::client::Reply;
use crate::imap::conn::Connection;
use crate::imap::encoder::CommandBuf;
use crate::imap::response::{Kind, Status};
use crate::metrics::queue::Outstanding;
use crate::plan::Pacing;
use crate::results::ErrorReason;

use super::cmd::{encode, spec, substitute, EncodeInput, Literal};
use super::due::wait_until;
use super::failure::{CommandError, FailedCommand};
use super::guard::Phase;
use super::mailbox::MailboxState;
use super::session::{Session, SessionEnd};
use super::steps::recoverable;
use super::validate::Check;
use super::wire;

/// One command sent (or batched to be sent) and not answered yet.
pub(super) struct InFlight<'q> {
    tag: u32,
    kind: CommandKind,
    /// Its due time: where its corrected latency starts.
    intended: Instant,
    /// When the write that carried it ended: where its service time starts.
    sent: Instant,
    check: Check,
    /// Counts it in its server's queue until it is answered.
    _queued: Outstanding<'q>,
}

/// The commands in flight and the bytes of those not written yet.
struct Pipe<'q> {
    flight: VecDeque<InFlight<'q>>,
    /// How many of the newest in `flight` are still in the batch.
    unsent: usize,
}

/// A command drawn from the mix and waiting for its turn.
#[derive(Clone, Copy)]
struct Next {
    drawn: CommandKind,
    intended: Instant,
}

impl<'a> Session<'a> {
    /// The mix's `n` commands with up to `session.pipeline` in flight, from
    /// `done` (when the connection became ready). Returns how the mix ended
    /// and when its last answer came; every answer is in by then.
    pub(super) async fn pipelined(
        &mut self,
        conn: &mut Connection,
        n: u32,
        mut done: Instant,
    ) -> Result<(SessionEnd, Instant), FailedCommand> {
        let depth = self.ctx.session.pipeline.max(1) as usize;
        let mut pipe = Pipe {
            flight: VecDeque::with_capacity(depth),
            unsent: 0,
        };
        self.bufs.batch.clear();
        let (mut due, mut left, mut next) = (done, n, None);
        let mut end = SessionEnd::Completed;
        loop {
            if next.is_none() && left > 0 {
                left -= 1;
                next = self.draw(&mut due, done);
                if next.is_none() {
                    (end, left) = (SessionEnd::Stopped, 0);
                }
            }
            let Some(Next { drawn, intended }) = next else {
                break;
            };
            let kind = substitute(drawn, &self.mbox);
            let room = pipe.flight.len() < depth;
            if pipe.flight.is_empty() || (room && kind.pipelinable() && intended <= Instant::now())
            {
                next = None;
                if !wait_until(intended, &self.stop.soft).await {
                    end = SessionEnd::Stopped;
                    break;
                }
                if !kind.pipelinable() {
                    done = match self.simple(conn, kind, intended).await {
                        Err(f) if recoverable(&f) => Instant::now(),
                        other => other?,
                    };
                    continue;
                }
                self.queue(kind, intended, &mut pipe);
                if pipe.flight.len() < depth && left > 0 {
                    continue;
                }
            }
            // Answers that came together are all taken before the pipe is
            // refilled, so their successors leave in one write.
            done = self.complete(conn, &mut pipe).await?;
            while conn.buffered() > 0 && !pipe.flight.is_empty() {
                done = self.complete(conn, &mut pipe).await?;
            }
        }
        while !pipe.flight.is_empty() {
            done = self.complete(conn, &mut pipe).await?;
        }
        Ok((end, done))
    }

    /// The next command from the mix and its due time; `None` when the load
    /// stopped before it (its due time passes the deadline, or the soft stop).
    fn draw(&mut self, due: &mut Instant, done: Instant) -> Option<Next> {
        let base = match self.ctx.session.pacing {
            Pacing::Schedule => *due,
            Pacing::AfterResponse => done.max(*due),
        };
        let intended = base + self.think();
        *due = intended;
        if intended >= self.ctx.deadline || self.stop.soft.is_cancelled() {
            return None;
        }
        let drawn = self.profile.mix[self.profile.mix_index.sample(self.rng)];
        Some(Next { drawn, intended })
    }

    /// Encodes one pipelinable command into the batch and puts it in flight.
    fn queue(&mut self, kind: CommandKind, intended: Instant, pipe: &mut Pipe<'a>) {
        let ctx = self.ctx;
        let queued = ctx.queues.due(self.route, kind);
        let literal_plus = (self.mbox.capabilities.as_ref()).is_some_and(|c| c.literal_plus);
        let input = EncodeInput {
            mbox: &self.mbox,
            mailbox: &ctx.session.mailbox,
            append_msg: &ctx.append_msg,
            literal_plus,
        };
        let enc = encode(kind, &input, self.rng, &mut self.bufs.cmd);
        debug_assert!(
            matches!(enc.literal, Literal::None),
            "pipelinable kinds carry no literal"
        );
        (spec(kind).on_send)(&mut self.mbox);
        self.bufs.batch.extend_from_slice(self.bufs.cmd.as_bytes());
        pipe.flight.push_back(InFlight {
            tag: enc.tag,
            kind,
            intended,
            sent: intended,
            check: self.check(kind),
            _queued: queued,
        });
        pipe.unsent += 1;
    }

    /// Writes the batch (if any), then reads until one command's tagged
    /// answer and records it. Returns when it came. A failure of the
    /// connection fails every command in flight.
    async fn complete(
        &mut self,
        conn: &mut Connection,
        pipe: &mut Pipe<'a>,
    ) -> Result<Instant, FailedCommand> {
        let guard = self.guard();
        let phase = Phase::command();
        let answered = guard
            .run(&phase, async {
                if pipe.unsent > 0 {
                    phase.set_sending(true);
                    conn.send(&self.bufs.batch)
                        .await
                        .map_err(|e| CommandError::transport(&e))?;
                    phase.set_sending(false);
                    let sent = Instant::now();
                    let from = pipe.flight.len() - pipe.unsent;
                    pipe.flight.range_mut(from..).for_each(|f| f.sent = sent);
                    pipe.unsent = 0;
                    self.bufs.batch.clear();
                }
                answer(conn, &mut pipe.flight, &mut self.mbox).await
            })
            .await;
        let (at, status) = match answered {
            Ok(found) => found,
            Err(e) => return Err(self.fail_all(pipe, e)),
        };
        let Some(mut cmd) = pipe.flight.remove(at) else {
            unreachable!("answer returns the index of a command in flight")
        };
        // The status as the command's outcome, as without pipelining.
        match wire::answer(conn, Reply::Tagged(status), &mut cmd.check) {
            Ok(_) => {
                (spec(cmd.kind).on_ok)(&mut self.mbox);
                Ok(self.ok(cmd.kind, cmd.intended, cmd.sent))
            }
            Err(error) => {
                let failed = self.fail(cmd.kind, error);
                if recoverable(&failed) {
                    return Ok(Instant::now());
                }
                // A failed check ends the connection: the rest of the pipe goes too.
                if !pipe.flight.is_empty() {
                    self.fail_all(pipe, failed.error.clone());
                }
                Err(failed)
            }
        }
    }

    /// Records `error` for every command in flight (each on its own row) and
    /// returns the oldest's as the session's failure.
    fn fail_all(&self, pipe: &mut Pipe<'_>, error: CommandError) -> FailedCommand {
        let mut flight = pipe.flight.drain(..);
        let oldest = flight.next().map_or(CommandKind::Noop, |f| f.kind);
        for later in flight {
            self.fail(later.kind, error.clone());
        }
        pipe.unsent = 0;
        self.fail(oldest, error)
    }
}

/// Reads until a tagged answer to a command in `flight`; returns its index
/// and status word. Untagged data goes to the oldest command's check and then
/// into the mailbox state; a BYE, a continuation or a tag not in flight ends
/// the pipe.
async fn answer(
    conn: &mut Connection,
    flight: &mut VecDeque<InFlight<'_>>,
    mbox: &mut MailboxState,
) -> Result<(usize, Option<Status>), CommandError> {
    loop {
        let resp = conn
            .read_response()
            .await
            .map_err(|e| CommandError::transport(&e))?;
        if flight.is_empty() {
            return Err(CommandError::new(
                ErrorReason::Protocol,
                "response with no command in flight",
            ));
        }
        match resp.kind() {
            Kind::Tagged => {
                let tag = resp.tag().unwrap_or_default();
                let at = (flight.iter()).position(|f| CommandBuf::tag_matches(f.tag, tag));
                let Some(at) = at else {
                    return Err(flight[0].check.fail("tagged response with a tag not ours"));
                };
                flight[at].check.observe(&resp, mbox)?;
                return Ok((at, resp.status()));
            }
            Kind::Continuation => return Err(flight[0].check.fail("unexpected continuation")),
            Kind::Untagged if resp.status() == Some(Status::Bye) => {
                let e = CommandError::answer(ErrorReason::Disconnect, "BYE ", resp.text());
                return Err(e);
            }
            Kind::Untagged => {
                flight[0].check.observe(&resp, mbox)?;
                mbox.observe(&resp);
            }
        }
    }
}
