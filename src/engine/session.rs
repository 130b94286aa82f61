//! One synthetic session: connect, TLS, greeting, STARTTLS, login, select, a
//! weighted mix of commands with think time, logout. Every phase and command
//! is timed from its intended start (corrected) and from its last byte sent
//! (service), and every failure is recorded on its own row with its reason.

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::Rng;

use crate::command::CommandKind;
use crate::imap::conn::Connection;
use crate::imap::encoder::CommandBuf;
use crate::imap::response::{Capabilities, Kind, Status};
use crate::imap::url::Security;
use crate::metrics::{ErrorReason, Route};
use crate::plan::User;

use super::mailbox::MailboxState;
use super::wire::{read_answer, reason_of, send};
use super::{Ctx, ProfileRt};

/// Buffers a session slot reuses from one session to the next.
#[derive(Debug)]
pub struct SlotBuffers {
    /// Command encoder (also numbers the tags).
    pub cmd: CommandBuf,
    /// The message APPEND sends; made on the first APPEND, so slots whose
    /// mix has none (or has not drawn one yet) do not carry it.
    pub append_msg: Vec<u8>,
    append_size: usize,
    seed: u64,
    /// Scratch for SASL responses.
    pub scratch: Vec<u8>,
}

impl SlotBuffers {
    /// Buffers for a slot (or an open-model session) with its APPEND message.
    pub fn new(append_size: usize, seed: u64) -> Self {
        SlotBuffers {
            cmd: CommandBuf::new(),
            append_msg: Vec::new(),
            append_size,
            seed,
            scratch: Vec::new(),
        }
    }

    /// Makes the message APPEND sends, once, before the first APPEND.
    pub fn prepare_append(&mut self) {
        if self.append_msg.is_empty() {
            self.append_msg = super::commands::synthetic_message(self.append_size, self.seed);
        }
    }
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Logged out normally (possibly with NO/BAD answers on the way).
    Completed,
    /// Logged out before its last command because the load stopped (its
    /// next command would have passed the deadline, or the soft stop came).
    /// Its slot ends: a new session could only log in and out again.
    Stopped,
    /// Ended early by a failure of this reason.
    Failed(ErrorReason),
}

/// One live session's context.
pub struct Session<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) route: Route,
    pub(super) user: &'a User,
    pub(super) profile: &'a ProfileRt,
    pub(super) bufs: &'a mut SlotBuffers,
    pub(super) rng: &'a mut SmallRng,
    pub(super) mbox: MailboxState,
}

impl<'a> Session<'a> {
    /// A session of `user` (with its profile) over `route`.
    pub fn new(
        ctx: &'a Ctx,
        route: Route,
        user: &'a User,
        profile: &'a ProfileRt,
        bufs: &'a mut SlotBuffers,
        rng: &'a mut SmallRng,
    ) -> Self {
        Session {
            ctx,
            route,
            user,
            profile,
            bufs,
            rng,
            mbox: MailboxState::default(),
        }
    }

    pub(super) fn ok(&self, kind: CommandKind, intended: Instant, sent: Instant) -> Instant {
        let now = Instant::now();
        self.ctx.recorder.record_ok(
            self.route,
            kind,
            now.saturating_duration_since(intended),
            now.saturating_duration_since(sent),
        );
        now
    }

    pub(super) fn fail(&self, kind: CommandKind, reason: ErrorReason) -> ErrorReason {
        self.ctx.recorder.record_error(self.route, kind, reason);
        reason
    }

    pub(super) fn deadline(&self) -> Instant {
        Instant::now() + self.ctx.session.command_timeout
    }

    /// Runs the whole session; `start` is its intended start.
    pub async fn run(mut self, start: Instant) -> SessionEnd {
        let (mut conn, ready) = match self.open(start).await {
            Ok(c) => c,
            Err(reason) => return SessionEnd::Failed(reason),
        };
        let end = self
            .work(&mut conn, ready)
            .await
            .unwrap_or_else(SessionEnd::Failed);
        conn.shutdown().await;
        end
    }

    /// Connect, TLS, greeting and STARTTLS: everything before the first command.
    async fn open(&mut self, start: Instant) -> Result<(Connection, Instant), ErrorReason> {
        let ctx = self.ctx;
        let target = match self.route.cas {
            Some(c) => &ctx.targets.cas[c as usize],
            None => &ctx.targets.backends[self.route.backend as usize],
        };
        let t = Instant::now();
        let mut conn = tokio::select! {
            r = tokio::time::timeout_at(self.deadline().into(), Connection::connect_from(target.addr, ctx.next_source(), ctx.limits)) => match r {
                Err(_) => return Err(self.fail(CommandKind::Connect, ErrorReason::Timeout)),
                Ok(Err(_)) => return Err(self.fail(CommandKind::Connect, ErrorReason::Connect)),
                Ok(Ok(c)) => c,
            },
            _ = ctx.hard_stop.cancelled() => return Err(self.fail(CommandKind::Connect, ErrorReason::Aborted)),
        };
        if let Some(log) = ctx
            .protolog
            .as_ref()
            .and_then(|p| p.session(&self.user.name, &target.name))
        {
            conn.set_protocol_log(log);
        }
        let mut done = self.ok(CommandKind::Connect, start, t);
        if target.security == Security::Tls {
            done = self.handshake(&mut conn, &target.server_name, done).await?;
        }
        let t = Instant::now();
        let greeting = tokio::select! {
            r = tokio::time::timeout_at(self.deadline().into(), conn.read_response()) => match r {
                Err(_) => Err(ErrorReason::Timeout),
                Ok(Err(e)) => Err(reason_of(&e)),
                Ok(Ok(resp)) => match (resp.kind(), resp.status()) {
                    (Kind::Untagged, Some(Status::Ok | Status::Preauth))
                        if super::validate::check_greeting(resp.raw(), ctx.session.validate).is_ok() =>
                    {
                        Ok(resp.code().filter(|(c, _)| c.eq_ignore_ascii_case(b"CAPABILITY")).map(|(_, list)| Capabilities::parse(list)))
                    }
                    (Kind::Untagged, Some(Status::Bye)) => Err(ErrorReason::Disconnect),
                    _ => Err(ErrorReason::Protocol),
                },
            },
            _ = ctx.hard_stop.cancelled() => Err(ErrorReason::Aborted),
        };
        self.mbox.capabilities = greeting.map_err(|r| self.fail(CommandKind::Greeting, r))?;
        done = self.ok(CommandKind::Greeting, done, t);
        let share = ctx.session.starttls_share;
        let upgrade = target.security == Security::StartTls
            || (target.security == Security::Plain && share > 0.0 && self.rng.random_bool(share));
        if upgrade {
            let enc_tag = self.bufs.cmd.begin();
            self.bufs.cmd.atom(b"STARTTLS").crlf();
            let deadline = self.deadline();
            let sent = send(
                &mut conn,
                self.bufs.cmd.as_bytes(),
                deadline,
                &ctx.hard_stop,
            )
            .await
            .map_err(|r| self.fail(CommandKind::StartTls, r))?;
            read_answer(
                &mut conn,
                enc_tag,
                &mut self.mbox,
                false,
                deadline,
                &ctx.hard_stop,
            )
            .await
            .map_err(|r| self.fail(CommandKind::StartTls, r))?;
            done = self.ok(CommandKind::StartTls, done, sent);
            if conn.buffered() > 0 {
                // Bytes after the STARTTLS answer would be injected into the TLS session.
                return Err(self.fail(CommandKind::Tls, ErrorReason::Protocol));
            }
            done = self.handshake(&mut conn, &target.server_name, done).await?;
            self.mbox.capabilities = None; // capabilities before TLS are not to be trusted after it
        }
        Ok((conn, done))
    }

    async fn handshake(
        &self,
        conn: &mut Connection,
        server_name: &str,
        intended: Instant,
    ) -> Result<Instant, ErrorReason> {
        let t = Instant::now();
        let r = tokio::select! {
            r = tokio::time::timeout_at(self.deadline().into(), conn.upgrade_tls(&self.ctx.tls, server_name)) => match r {
                Err(_) => Err(ErrorReason::Timeout),
                Ok(Err(e)) => Err(match reason_of(&e) { ErrorReason::Disconnect => ErrorReason::Disconnect, _ => ErrorReason::Tls }),
                Ok(Ok(())) => Ok(()),
            },
            _ = self.ctx.hard_stop.cancelled() => Err(ErrorReason::Aborted),
        };
        r.map_err(|reason| self.fail(CommandKind::Tls, reason))?;
        Ok(self.ok(CommandKind::Tls, intended, t))
    }
}
