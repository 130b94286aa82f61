//! One synthetic session: connect, TLS, greeting, STARTTLS, login, select, a
//! weighted mix of commands with think time, logout. Every phase and command
//! is timed from its intended start (corrected) and from its last byte sent
//! (service), and every failure is recorded on its own row with its reason.

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::Rng;

use crate::command::CommandKind;
use crate::imap::client::{self, ClientError};
use crate::imap::conn::Connection;
use crate::imap::encoder::CommandBuf;
use crate::metrics::Route;
use crate::plan::User;
use crate::results::ErrorReason;
use crate::results::Security;

use super::failure::{CommandError, FailedCommand};
use super::guard::{Deadline, Guard, Phase, SessionStop};
use super::mailbox::MailboxState;
use super::validate::Check;
use super::wire::{exchange, OnWire};
use super::{Ctx, ProfileRt};

/// Buffers a session seat reuses from one session to the next.
#[derive(Debug, Default)]
pub struct SeatBuffers {
    /// Command encoder (also numbers the tags).
    pub cmd: CommandBuf,
    /// Scratch for SASL responses.
    pub scratch: Vec<u8>,
    /// Pipelined commands waiting for their one write.
    pub batch: Vec<u8>,
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Logged out normally (possibly with NO/BAD answers on the way).
    Completed,
    /// Logged out before its last command because the load stopped (its
    /// next command would have passed the deadline, or the soft stop came).
    /// Its seat ends: a new session could only log in and out again.
    Stopped,
    /// Ended early by a failure of this reason.
    Failed(ErrorReason),
}

/// One live session's context.
pub struct Session<'a> {
    pub(super) ctx: &'a Ctx,
    /// This session's own stops (children of the run's).
    pub(super) stop: &'a SessionStop,
    pub(super) route: Route,
    pub(super) user: &'a User,
    pub(super) profile: &'a ProfileRt,
    pub(super) bufs: &'a mut SeatBuffers,
    pub(super) rng: &'a mut SmallRng,
    pub(super) mbox: MailboxState,
    /// The server greeted with `* PREAUTH`: no login.
    pub(super) preauth: bool,
    /// What a scripted (replayed) session asks of its next command instead
    /// of the plan's choices; empty for the synthetic mix.
    pub(super) over: super::scripted::Overrides,
}

impl<'a> Session<'a> {
    /// A session of `user` (with its profile) over `route`, stopped by `stop`.
    pub fn new(
        ctx: &'a Ctx,
        stop: &'a SessionStop,
        route: Route,
        user: &'a User,
        profile: &'a ProfileRt,
        bufs: &'a mut SeatBuffers,
        rng: &'a mut SmallRng,
    ) -> Self {
        let mbox = MailboxState::with_scratch_seed(rng.random());
        Session {
            ctx,
            stop,
            route,
            user,
            profile,
            bufs,
            rng,
            mbox,
            preauth: false,
            over: Default::default(),
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

    /// Records a failure of `kind` (its reason and message) and names it.
    pub(super) fn fail(&self, kind: CommandKind, error: CommandError) -> FailedCommand {
        self.ctx
            .recorder
            .record_error(self.route, kind, error.reason, &error.message);
        FailedCommand { kind, error }
    }

    pub(super) fn deadline(&self) -> Deadline {
        Deadline::after(self.ctx.session.command_timeout)
    }

    /// The bounds of one command sent now: the command timeout and this
    /// session's hard stop.
    pub(super) fn guard(&self) -> Guard<'a> {
        Guard {
            deadline: self.deadline(),
            post: &self.stop.post,
        }
    }

    /// Runs the whole session; `start` is its intended start.
    pub async fn run(mut self, start: Instant) -> SessionEnd {
        let (mut conn, connected) = match self.connect(start).await {
            Ok(c) => c,
            Err(failed) => return self.ended(None, failed),
        };
        // Opening (greeting, TLS, STARTTLS) is the largest state of a
        // session's future; boxed, it takes its memory only while it runs,
        // not for the whole life of every idle session.
        let r = match Box::pin(self.open(&mut conn, connected)).await {
            Ok(ready) => self.work(&mut conn, ready).await,
            Err(failed) => Err(failed),
        };
        let end = match r {
            Ok(end) => end,
            Err(failed) => self.ended(Some(&mut conn), failed),
        };
        conn.shutdown().await;
        end
    }

    /// A session that failed: says so in its protocol log (when sampled) and
    /// in the debug trace.
    pub(super) fn ended(&self, conn: Option<&mut Connection>, failed: FailedCommand) -> SessionEnd {
        tracing::debug!(user = %self.user.name, route = ?self.route, "session failed: {failed}");
        if let Some(conn) = conn {
            conn.log_note(&format!("error: {failed}"));
        }
        SessionEnd::Failed(failed.error.reason)
    }

    /// The TCP connection to the route's first server. A sampled session's
    /// protocol log is opened first, so a failed connect is logged too.
    pub(super) async fn connect(
        &mut self,
        start: Instant,
    ) -> Result<(Connection, Instant), FailedCommand> {
        let ctx = self.ctx;
        let target = self.target();
        let mut log = ctx
            .protolog
            .as_ref()
            .and_then(|p| p.session(&self.user.name, &target.name));
        let t = Instant::now();
        let connect = async {
            Connection::connect_from(target.addr, ctx.next_source(), ctx.limits)
                .await
                .map_err(|e| CommandError::new(ErrorReason::Connect, e.to_string()))
        };
        let r = self
            .guard()
            .run(&Phase::waiting("no connection"), connect)
            .await;
        let mut conn = match r {
            Ok(c) => c,
            Err(e) => {
                let failed = self.fail(CommandKind::Connect, e);
                if let Some(log) = log.as_mut() {
                    log.note(&format!("error: {failed}"));
                }
                return Err(failed);
            }
        };
        if let Some(log) = log {
            conn.set_protocol_log(log);
        }
        Ok((conn, self.ok(CommandKind::Connect, start, t)))
    }

    fn target(&self) -> &'a super::Target {
        let targets = &self.ctx.targets;
        match self.route.cas {
            Some(c) => &targets.cas[c as usize],
            None => &targets.backends[self.route.backend as usize],
        }
    }

    /// TLS, greeting and STARTTLS: everything between connecting and the
    /// first command; `connected` is when the connection was made.
    pub(super) async fn open(
        &mut self,
        conn: &mut Connection,
        connected: Instant,
    ) -> Result<Instant, FailedCommand> {
        let ctx = self.ctx;
        let target = self.target();
        let mut done = connected;
        if target.security == Security::Tls {
            done = self.handshake(conn, &target.server_name, done).await?;
        }
        let t = Instant::now();
        let read = async {
            let greeting = client::greeting(conn).await.map_err(greeting_error)?;
            super::validate::check_greeting(conn.last_response().raw(), ctx.session.validate)
                .map_err(|detail| CommandError::new(ErrorReason::Protocol, detail))?;
            Ok(greeting)
        };
        let greeting = self.guard().run(&Phase::waiting("no greeting"), read).await;
        let greeting = greeting.map_err(|e| self.fail(CommandKind::Greeting, e))?;
        self.mbox.capabilities = greeting.capabilities;
        self.preauth = greeting.preauth;
        done = self.ok(CommandKind::Greeting, done, t);
        // Real targets have a share of 0: only their URL (`?starttls`) upgrades.
        let share = target.starttls_share;
        let upgrade = target.security == Security::StartTls
            || (target.security == Security::Plain
                && match self.over.starttls {
                    Some(logged) => logged,
                    None => share > 0.0 && self.rng.random_bool(share),
                });
        if upgrade {
            let sent = self.starttls(conn).await;
            let sent = sent.map_err(|e| self.fail(CommandKind::StartTls, e))?;
            done = self.ok(CommandKind::StartTls, done, sent);
            if conn.buffered() > 0 {
                // Bytes after the STARTTLS answer would be injected into the TLS session.
                let e = CommandError::new(
                    ErrorReason::Protocol,
                    "bytes after the STARTTLS answer, before the TLS handshake (possible injection)",
                );
                return Err(self.fail(CommandKind::Tls, e));
            }
            done = self.handshake(conn, &target.server_name, done).await?;
            self.mbox.capabilities = None; // capabilities before TLS are not to be trusted after it
        }
        Ok(done)
    }

    async fn handshake(
        &self,
        conn: &mut Connection,
        server_name: &str,
        intended: Instant,
    ) -> Result<Instant, FailedCommand> {
        let t = Instant::now();
        let upgrade = async {
            let r = conn.upgrade_tls(&self.ctx.tls, server_name).await;
            r.map_err(|e| CommandError::transport(&e))
        };
        let phase = Phase::waiting("TLS handshake not done");
        let r = self.guard().run(&phase, upgrade).await;
        r.map_err(|e| self.fail(CommandKind::Tls, e))?;
        Ok(self.ok(CommandKind::Tls, intended, t))
    }

    /// `STARTTLS` and its tagged OK, with the light checks of a command that
    /// asks for no data; returns when it was sent.
    async fn starttls(&mut self, conn: &mut Connection) -> Result<Instant, CommandError> {
        let guard = self.guard();
        let tag = self.bufs.cmd.begin();
        self.bufs.cmd.atom(b"STARTTLS").crlf();
        let mut check = Check::new(CommandKind::Noop, &self.mbox);
        let phase = Phase::command();
        let mut on = OnWire {
            tag,
            check: &mut check,
            mbox: &mut self.mbox,
            phase: &phase,
        };
        let command: &[&[u8]] = &[self.bufs.cmd.as_bytes()];
        let parts = [command];
        let work = exchange(conn, &parts, false, &mut on);
        Ok(guard.run(&phase, work).await?.sent)
    }
}

/// Why the greeting is not usable: a BYE with the server's text, the
/// transport's error, or what broke the protocol.
fn greeting_error(e: ClientError<()>) -> CommandError {
    match e {
        ClientError::Transport(e) => CommandError::transport(&e),
        ClientError::Bye(text) => CommandError::answer(ErrorReason::Disconnect, "BYE ", &text),
        ClientError::WrongTag(_)
        | ClientError::UnexpectedContinuation
        | ClientError::OutOfTurn(_)
        | ClientError::Observer(()) => CommandError::new(
            ErrorReason::Protocol,
            "greeting is not an untagged OK, PREAUTH or BYE",
        ),
    }
}
