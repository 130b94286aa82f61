//! Logging in: LOGIN or AUTHENTICATE PLAIN, never a password in the clear to
//! a server that forbids it, and credentials that cannot change the command
//! stream (8-bit names and passwords go as literals; CR, LF and NUL never get
//! this far: the plan refuses them).

use std::time::Instant;

use crate::command::CommandKind;
use crate::imap::conn::Connection;
use crate::imap::encoder::sasl_plain;
use crate::metrics::ErrorReason;
use crate::plan::{LoginMethod, UNKNOWN_BACKEND};

use super::failure::{CommandError, FailedCommand, LOGIN_DISABLED};
use super::session::Session;
use super::wire::{read_checked, send, Answer, Deadline};

impl Session<'_> {
    /// Logs in with the scenario's method; `intended` is its intended start.
    pub(super) async fn login(
        &mut self,
        conn: &mut Connection,
        intended: Instant,
    ) -> Result<Instant, FailedCommand> {
        let ctx = self.ctx;
        let method = match ctx.session.login {
            LoginMethod::Mixed if rand::Rng::random_bool(self.rng, 0.5) => {
                LoginMethod::AuthenticatePlain
            }
            LoginMethod::Mixed => LoginMethod::Login,
            m => m,
        };
        let kind = match method {
            LoginMethod::AuthenticatePlain => CommandKind::Authenticate,
            LoginMethod::Login | LoginMethod::Mixed => CommandKind::Login,
        };
        if !conn.is_tls()
            && self
                .mbox
                .capabilities
                .as_ref()
                .is_some_and(|c| c.login_disabled)
        {
            // Never a password in the clear to a server that forbids it (LOGINDISABLED).
            crate::imap::capability::warn_login_disabled();
            let e = CommandError::new(ErrorReason::Tls, LOGIN_DISABLED);
            return Err(self.fail(kind, e));
        }
        let _queued = ctx.queues.due(self.route, kind);
        self.want_home_hint();
        let deadline = self.deadline();
        let r = match method {
            LoginMethod::AuthenticatePlain => self.authenticate_plain(conn, deadline).await,
            LoginMethod::Login | LoginMethod::Mixed => self.login_command(conn, deadline).await,
        };
        let sent = r.map_err(|e| self.fail(kind, e))?;
        self.follow_home_hint();
        Ok(self.ok(kind, intended, sent))
    }

    /// Arms the `[Proxy=NAME]` watch of a login through a CAS to a user whose
    /// home back end is unknown.
    fn want_home_hint(&mut self) {
        let layout = self.ctx.recorder.layout();
        self.mbox.want_home_hint = self.route.cas.is_some()
            && layout.backend_names[self.route.backend as usize] == UNKNOWN_BACKEND;
        self.mbox.home_hint = None;
    }

    /// Attributes the rest of the session (the login included) to the back
    /// end the CAS named, when the run knows it; else it stays `unknown`.
    fn follow_home_hint(&mut self) {
        self.mbox.want_home_hint = false;
        let Some(name) = self.mbox.home_hint.take() else {
            return;
        };
        let layout = self.ctx.recorder.layout();
        if let Some(i) = layout.backend_names.iter().position(|n| *n == name) {
            self.route.backend = i as u16;
        }
    }

    /// `LOGIN user pass`, with each value as an atom, a quoted string or (8-bit)
    /// a literal: `{N+}` when the server takes LITERAL+, else `{N}` and a wait
    /// for its `+` before the bytes. Returns when the last byte was written.
    async fn login_command(
        &mut self,
        conn: &mut Connection,
        deadline: Deadline,
    ) -> Result<Instant, CommandError> {
        let ctx = self.ctx;
        let (user, pass) = (self.user.name.as_bytes(), self.user.password.as_bytes());
        let caps = self.mbox.capabilities.as_ref();
        let non_sync = |len: usize| caps.is_some_and(|c| c.non_sync_literal_ok(len));
        let (user_plus, pass_plus) = (non_sync(user.len()), non_sync(pass.len()));
        let cmd = &mut self.bufs.cmd;
        let tag = cmd.begin();
        cmd.atom(b"LOGIN").sp();
        let user_cut = cmd.astring_or_literal(user, user_plus);
        cmd.sp();
        let pass_cut = cmd.astring_or_literal(pass, pass_plus);
        cmd.crlf();
        let mut check = self.check(CommandKind::Login);
        let mut from = 0;
        for cut in [user_cut, pass_cut].into_iter().flatten() {
            let part = &self.bufs.cmd.as_bytes()[from..cut];
            send(conn, part, deadline, &ctx.hard_stop).await?;
            let mbox = &mut self.mbox;
            match read_checked(conn, tag, mbox, &mut check, true, deadline, &ctx.hard_stop).await? {
                Answer::Continue => from = cut,
                Answer::Done => return Err(check.fail("no continuation for the literal")),
            }
        }
        let rest = &self.bufs.cmd.as_bytes()[from..];
        let sent = send(conn, rest, deadline, &ctx.hard_stop).await?;
        let mbox = &mut self.mbox;
        read_checked(conn, tag, mbox, &mut check, false, deadline, &ctx.hard_stop).await?;
        Ok(sent)
    }

    /// `AUTHENTICATE PLAIN`, with the initial response when the server offers
    /// SASL-IR. Returns when the last byte was written.
    async fn authenticate_plain(
        &mut self,
        conn: &mut Connection,
        deadline: Deadline,
    ) -> Result<Instant, CommandError> {
        let ctx = self.ctx;
        let sasl_ir = self.mbox.capabilities.as_ref().is_some_and(|c| c.sasl_ir);
        self.bufs.scratch.clear();
        sasl_plain(&self.user.name, &self.user.password, &mut self.bufs.scratch);
        let tag = self.bufs.cmd.begin();
        self.bufs.cmd.atom(b"AUTHENTICATE PLAIN");
        if sasl_ir {
            self.bufs.cmd.sp().raw(&self.bufs.scratch.clone());
        }
        self.bufs.cmd.crlf();
        let mut check = self.check(CommandKind::Authenticate);
        let check = &mut check;
        let mut sent = send(conn, self.bufs.cmd.as_bytes(), deadline, &ctx.hard_stop).await?;
        if !sasl_ir {
            let mbox = &mut self.mbox;
            match read_checked(conn, tag, mbox, check, true, deadline, &ctx.hard_stop).await? {
                Answer::Continue => {}
                Answer::Done => return Err(check.fail("no continuation for SASL")),
            }
            self.bufs.scratch.extend_from_slice(b"\r\n");
            sent = send(conn, &self.bufs.scratch, deadline, &ctx.hard_stop).await?;
        }
        let mbox = &mut self.mbox;
        read_checked(conn, tag, mbox, check, false, deadline, &ctx.hard_stop).await?;
        Ok(sent)
    }
}
