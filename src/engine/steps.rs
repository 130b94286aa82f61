//! The authenticated part of a session: capabilities, login, select, the
//! command mix with think time, and logout.

use std::time::{Duration, Instant};

use rand::distr::Distribution;
use rand::Rng;

use crate::command::CommandKind;
use crate::imap::client::{Part, Reply};
use crate::imap::conn::Connection;
use crate::plan::{Pacing, ThinkTime};
use crate::results::ErrorReason;

use super::cmd::{encode, spec, substitute, EncodeInput, Literal};
use super::due::wait_until;
use super::failure::{CommandError, FailedCommand};
use super::guard::{Deadline, Guard, Phase};
use super::session::{Session, SessionEnd};
use super::validate::Check;
use super::wire::{exchange, hold, OnWire};

/// A wait at least this long gives the receive buffer back first (see
/// `Connection::park`); shorter ones keep it, so busy sessions never
/// allocate per command.
const PARK_AFTER: Duration = Duration::from_millis(250);

/// Failures after which the connection is still usable: the server said no.
pub(super) fn recoverable(failed: &FailedCommand) -> bool {
    matches!(failed.error.reason, ErrorReason::No | ErrorReason::Bad)
}

impl Session<'_> {
    /// Everything after the greeting, on an open connection; `ready` is when
    /// the connection became usable (the intended start of the first command).
    /// Ends `Stopped` when the load stopped before its last command (its next
    /// one would have passed the deadline, or the soft stop came): it logs out
    /// at once, and its seat starts no other session.
    pub(super) async fn work(
        &mut self,
        conn: &mut Connection,
        ready: Instant,
    ) -> Result<SessionEnd, FailedCommand> {
        let mut done = ready;
        if self.mbox.capabilities.is_none() {
            done = self.simple(conn, CommandKind::Capability, done).await?;
        }
        if !self.preauth {
            // A PREAUTH greeting: the connection is authenticated already.
            // Boxed for the same reason as opening: held only while it runs.
            done = Box::pin(self.login(conn, done)).await?;
        }
        done = match self.simple(conn, CommandKind::Select, done).await {
            Err(f) if recoverable(&f) => Instant::now(),
            other => other?,
        };
        let (lo, hi) = self.profile.commands;
        let n = self.rng.random_range(lo..=hi);
        let (end, done) = match self.ctx.session.pipeline {
            0 | 1 => self.one_at_a_time(conn, n, done).await?,
            // Boxed: most sessions do not pipeline and need no room for it.
            _ => Box::pin(self.pipelined(conn, n, done)).await?,
        };
        self.simple(conn, CommandKind::Logout, done).await?;
        Ok(end)
    }

    /// The mix's `n` commands, each sent when the one before is answered
    /// and its think time has passed. Returns how the mix ended and when its
    /// last answer came.
    async fn one_at_a_time(
        &mut self,
        conn: &mut Connection,
        n: u32,
        mut done: Instant,
    ) -> Result<(SessionEnd, Instant), FailedCommand> {
        // With schedule pacing each command is due a think time after the last
        // one was due, whatever the server did; otherwise after its answer.
        let mut due = done;
        let mut end = SessionEnd::Completed;
        for _ in 0..n {
            let base = match self.ctx.session.pacing {
                Pacing::Schedule => due,
                Pacing::AfterResponse => done,
            };
            let intended = base + self.think();
            due = intended;
            if intended >= self.ctx.deadline || self.ctx.watch.soft_stopped() {
                end = SessionEnd::Stopped;
                break;
            }
            // Due no later than the last answer: it goes at once, without
            // reading the clock (the usual case with no think time).
            if intended > done {
                if intended.saturating_duration_since(Instant::now()) >= PARK_AFTER {
                    conn.park();
                }
                if !wait_until(intended, &self.stop.soft).await {
                    end = SessionEnd::Stopped;
                    break;
                }
            }
            let drawn = self.profile.mix[self.profile.mix_index.sample(self.rng)];
            let kind = substitute(drawn, &self.mbox);
            done = match self.simple(conn, kind, intended).await {
                Err(f) if recoverable(&f) => Instant::now(),
                other => other?,
            };
        }
        Ok((end, done))
    }

    /// The response check of one command of `kind`, sent now.
    pub(super) fn check(&self, kind: CommandKind) -> Check {
        Check::new(kind, &self.mbox).with(self.ctx.session.validate)
    }

    pub(super) fn think(&mut self) -> Duration {
        match self.profile.think {
            ThinkTime::None => Duration::ZERO,
            ThinkTime::Fixed(d) => d,
            ThinkTime::Exponential(mean) => {
                let u: f64 = self.rng.random_range(f64::EPSILON..1.0);
                mean.mul_f64(-u.ln())
            }
            ThinkTime::Uniform(a, b) => {
                Duration::from_secs_f64(self.rng.random_range(a.as_secs_f64()..=b.as_secs_f64()))
            }
        }
    }

    /// Sends one command of `kind` and waits for its answer, keeping the
    /// mailbox state. Returns when it completed.
    pub(super) async fn simple(
        &mut self,
        conn: &mut Connection,
        kind: CommandKind,
        intended: Instant,
    ) -> Result<Instant, FailedCommand> {
        let _queued = self.ctx.queues.due(self.route, kind);
        let r = self.exchange(conn, kind, intended).await;
        r.map_err(|e| self.fail(kind, e))
    }

    async fn exchange(
        &mut self,
        conn: &mut Connection,
        kind: CommandKind,
        intended: Instant,
    ) -> Result<Instant, CommandError> {
        let ctx = self.ctx;
        let literal_plus = self
            .mbox
            .capabilities
            .as_ref()
            .is_some_and(|c| c.literal_plus);
        // A replayed command may name its mailbox and bring its own message.
        let (mailbox, own_msg) = (self.over.mailbox.clone(), self.over.append.clone());
        let append_msg: &[u8] = own_msg.as_deref().unwrap_or(&ctx.append_msg);
        let input = EncodeInput {
            mbox: &self.mbox,
            mailbox: mailbox.as_deref().unwrap_or(&ctx.session.mailbox),
            append_msg,
            literal_plus,
        };
        let enc = encode(kind, &input, self.rng, &mut self.bufs.cmd);
        (spec(kind).on_send)(&mut self.mbox);
        let mut check = self.check(kind);
        if kind == CommandKind::Idle {
            return self.idle(conn, enc.tag, &mut check, intended).await;
        }
        // One timer and one stop wait for the whole exchange, literal included.
        let guard = self.guard();
        let phase = Phase::command();
        // The literal goes out from the run's one message, never copied:
        // with the command line (LITERAL+) or after the server's `+`.
        let (line, literal): (&[&[u8]], &[&[u8]]) =
            (&[self.bufs.cmd.as_bytes()], &[append_msg, b"\r\n"]);
        let together: [&[u8]; 3] = [line[0], literal[0], literal[1]];
        let parts: &[Part<'_>] = match enc.literal {
            Literal::None => &[line],
            Literal::WithCommand => &[&together],
            Literal::AfterContinue => &[line, literal],
        };
        let mut on = OnWire {
            tag: enc.tag,
            check: &mut check,
            mbox: &mut self.mbox,
            phase: &phase,
        };
        // Not boxed: a box per command cost 0.13 µs of CPU per command (2.5%)
        // for 0.5 KB less per idle session; IDLE's own steps are boxed below.
        let done = guard
            .run(&phase, exchange(conn, parts, false, &mut on))
            .await?;
        (spec(kind).on_ok)(&mut self.mbox);
        Ok(self.ok(kind, intended, done.sent))
    }

    /// IDLE: time to the continuation plus time from DONE to the tagged OK;
    /// the hold in between is the user's choice, not latency.
    async fn idle(
        &mut self,
        conn: &mut Connection,
        tag: u32,
        check: &mut Check,
        intended: Instant,
    ) -> Result<Instant, CommandError> {
        let (ctx, stop) = (self.ctx, self.stop);
        let guard = self.guard();
        let phase = Phase::command();
        let mut on = OnWire {
            tag,
            check,
            mbox: &mut self.mbox,
            phase: &phase,
        };
        let command: &[&[u8]] = &[self.bufs.cmd.as_bytes()];
        // Entering and leaving are boxed: held only while they run, so an
        // idle session's future keeps room for the hold alone.
        let began = Box::pin(guard.run(&phase, exchange(conn, &[command], true, &mut on))).await?;
        if began.reply == Reply::OK {
            return Err(on.check.fail("IDLE ended without a continuation"));
        }
        let entered = Instant::now();
        let held_for = self.over.idle_hold.unwrap_or(ctx.session.idle_duration);
        let until = (entered + held_for).min(ctx.deadline.max(entered));
        conn.park();
        let held = ctx.queues.hold(self.route, CommandKind::Idle);
        // The load stopping ends the hold like its time running out: DONE, then logout.
        tokio::select! {
            r = hold(conn, on.mbox, on.check, until, &stop.hard) => r?,
            _ = stop.soft.cancelled() => {}
        }
        drop(held);
        let guard = Guard {
            deadline: Deadline::after(ctx.session.command_timeout),
            post: &stop.post,
        };
        let finish = exchange(conn, &[&[b"DONE\r\n"]], false, &mut on);
        let done_sent = Box::pin(guard.run(&phase, finish)).await?.sent;
        let now = Instant::now();
        let tail = now.saturating_duration_since(done_sent);
        ctx.recorder.record_ok(
            self.route,
            CommandKind::Idle,
            entered.saturating_duration_since(intended) + tail,
            entered.saturating_duration_since(began.sent) + tail,
        );
        Ok(now)
    }
}
