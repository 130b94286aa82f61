//! Logging in, timed as its own row: LOGIN, or AUTHENTICATE (PLAIN, XOAUTH2,
//! OAUTHBEARER) on the AUTHENTICATE row, with SASL-IR when the server offers
//! it, else after its `+` continuation. Credentials cannot change the command
//! stream: 8-bit names and passwords go as literals, and CR, LF and NUL never
//! get this far (the plan refuses them).
//!
//! A server refusing an OAuth 2 token sends a `+ <base64 JSON error>`
//! continuation first (Gmail, Exchange Online, Dovecot); the session answers
//! it as the mechanism says (an empty line for XOAUTH2, `^A` for OAUTHBEARER,
//! RFC 7628 section 3.2.3) and records the tagged NO with the decoded JSON in
//! its message, so the results say why the token was refused.

use std::time::Instant;

use base64::Engine as _;
use rand::Rng;

use crate::command::CommandKind;
use crate::imap::conn::Connection;
use crate::imap::encoder::{sasl_oauthbearer, sasl_plain, sasl_xoauth2};
use crate::metrics::ErrorReason;
use crate::plan::{LoginMethod, UNKNOWN_BACKEND};

use super::failure::{CommandError, FailedCommand, LOGIN_DISABLED};
use super::session::Session;
use super::wire::{read_challenge, read_checked, send, Answer, Read};

/// One SASL exchange: the mechanism, and how to answer a server's error
/// challenge (`None`: the mechanism has none, a continuation after the
/// response is a protocol error).
struct Sasl {
    mechanism: &'static [u8],
    error_reply: Option<&'static [u8]>,
}

impl Session<'_> {
    /// Logs in with the plan's method; returns when it completed.
    pub(super) async fn login(
        &mut self,
        conn: &mut Connection,
        intended: Instant,
    ) -> Result<Instant, FailedCommand> {
        let ctx = self.ctx;
        let method = match ctx.session.login {
            LoginMethod::Mixed => self.mixed_method(),
            m => m,
        };
        let kind = match method {
            LoginMethod::Login | LoginMethod::Mixed => CommandKind::Login,
            LoginMethod::AuthenticatePlain | LoginMethod::XOAuth2 | LoginMethod::OAuthBearer => {
                CommandKind::Authenticate
            }
        };
        let login_disabled = self
            .mbox
            .capabilities
            .as_ref()
            .is_some_and(|c| c.login_disabled);
        if !conn.is_tls() && login_disabled {
            // Never a credential in the clear to a server that forbids it (LOGINDISABLED).
            crate::imap::capability::warn_login_disabled();
            let e = CommandError::new(ErrorReason::Tls, LOGIN_DISABLED);
            return Err(self.fail(kind, e));
        }
        let mut intended = intended;
        let (user, pass) = (self.user.name.as_str(), self.user.password.as_str());
        self.bufs.scratch.clear();
        let (sasl, from_command) = match method {
            LoginMethod::Login | LoginMethod::Mixed => (None, false),
            LoginMethod::AuthenticatePlain => {
                sasl_plain(user, pass, &mut self.bufs.scratch);
                let plain = Sasl {
                    mechanism: b"PLAIN",
                    error_reply: None,
                };
                (Some(plain), false)
            }
            LoginMethod::XOAuth2 | LoginMethod::OAuthBearer => {
                let token = ctx.tokens.get(self.user).await;
                let token = token.map_err(|e| self.fail(kind, e))?;
                if token.fetched_now {
                    // The token command's run time is not the server's latency.
                    intended = Instant::now();
                }
                let sasl = if method == LoginMethod::XOAuth2 {
                    sasl_xoauth2(user, &token.value, &mut self.bufs.scratch);
                    Sasl {
                        mechanism: b"XOAUTH2",
                        error_reply: Some(b""),
                    }
                } else {
                    sasl_oauthbearer(user, &token.value, &mut self.bufs.scratch);
                    Sasl {
                        mechanism: b"OAUTHBEARER",
                        error_reply: Some(b"AQ=="),
                    }
                };
                (Some(sasl), token.from_command)
            }
        };
        let _queued = ctx.queues.due(self.route, kind);
        self.want_home_hint();
        let r = match sasl {
            None => self.login_command(conn).await,
            Some(sasl) => self.authenticate(conn, sasl).await,
        };
        self.bufs.scratch.clear();
        self.follow_home_hint();
        match r {
            Ok(sent) => Ok(self.ok(kind, intended, sent)),
            Err(e) => {
                if from_command && e.reason == ErrorReason::No {
                    ctx.tokens.invalidate(&self.user.name);
                }
                Err(self.fail(kind, e))
            }
        }
    }

    /// `login = "mixed"`: each session picks one of the methods this user has
    /// credentials for, uniformly: LOGIN and AUTHENTICATE PLAIN always, and
    /// XOAUTH2 and OAUTHBEARER when the user has a token (every user of the
    /// embedded topology does) or a `token_command` can fetch one.
    fn mixed_method(&mut self) -> LoginMethod {
        const ALL: [LoginMethod; 4] = [
            LoginMethod::Login,
            LoginMethod::AuthenticatePlain,
            LoginMethod::XOAuth2,
            LoginMethod::OAuthBearer,
        ];
        let oauth = self.user.token.is_some() || self.ctx.session.token_command.is_some();
        let n = if oauth { 4 } else { 2 };
        ALL[self.rng.random_range(0..n)]
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
    async fn login_command(&mut self, conn: &mut Connection) -> Result<Instant, CommandError> {
        let ctx = self.ctx;
        let deadline = self.deadline();
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

    /// `AUTHENTICATE` with the initial response in `bufs.scratch`; returns
    /// when the last client line was sent.
    async fn authenticate(
        &mut self,
        conn: &mut Connection,
        sasl: Sasl,
    ) -> Result<Instant, CommandError> {
        let ctx = self.ctx;
        let sasl_ir = self.mbox.capabilities.as_ref().is_some_and(|c| c.sasl_ir);
        let tag = self.bufs.cmd.begin();
        self.bufs
            .cmd
            .atom(b"AUTHENTICATE")
            .sp()
            .atom(sasl.mechanism);
        if sasl_ir {
            self.bufs.cmd.sp().raw(&self.bufs.scratch);
        }
        self.bufs.cmd.crlf();
        let mut check = self.check(CommandKind::Authenticate);
        let read = Read {
            tag,
            deadline: self.deadline(),
            hard_stop: &ctx.hard_stop,
        };
        let mut sent = send(
            conn,
            self.bufs.cmd.as_bytes(),
            read.deadline,
            read.hard_stop,
        )
        .await?;
        let mut challenge = Vec::new();
        if !sasl_ir {
            let mbox = &mut self.mbox;
            match read_challenge(conn, &read, mbox, &mut check, &mut challenge).await? {
                Answer::Continue => {}
                Answer::Done => return Err(check.fail("no continuation for SASL")),
            }
            self.bufs.scratch.extend_from_slice(b"\r\n");
            sent = send(conn, &self.bufs.scratch, read.deadline, read.hard_stop).await?;
        }
        let mbox = &mut self.mbox;
        let Some(reply) = sasl.error_reply else {
            read_checked(
                conn,
                tag,
                mbox,
                &mut check,
                false,
                read.deadline,
                read.hard_stop,
            )
            .await?;
            return Ok(sent);
        };
        match read_challenge(conn, &read, mbox, &mut check, &mut challenge).await? {
            Answer::Done => return Ok(sent),
            Answer::Continue => {}
        }
        // The server refused the token and said why: answer, then read its NO.
        self.bufs.scratch.clear();
        self.bufs.scratch.extend_from_slice(reply);
        self.bufs.scratch.extend_from_slice(b"\r\n");
        send(conn, &self.bufs.scratch, read.deadline, read.hard_stop).await?;
        let mbox = &mut self.mbox;
        let r = read_checked(
            conn,
            tag,
            mbox,
            &mut check,
            false,
            read.deadline,
            read.hard_stop,
        );
        match r.await {
            Ok(_) => Err(check.fail("OK after an OAuth 2 error challenge")),
            Err(e) => Err(with_oauth_error(e, &challenge)),
        }
    }
}

/// `e` (the server's NO) with the server's decoded OAuth 2 error JSON before its text.
fn with_oauth_error(e: CommandError, challenge: &[u8]) -> CommandError {
    if !matches!(e.reason, ErrorReason::No | ErrorReason::Bad) {
        return e;
    }
    let b64 = challenge.trim_ascii();
    let json = base64::engine::general_purpose::STANDARD.decode(b64);
    let shown = json.unwrap_or_else(|_| b64.to_vec());
    let mut text = shown;
    text.push(b' ');
    text.extend_from_slice(e.message.as_bytes());
    CommandError::answer(e.reason, "", &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_errors_lead_with_the_decoded_json() {
        let no = CommandError::new(ErrorReason::No, "[AUTHENTICATIONFAILED] failed.");
        let b64 = base64::engine::general_purpose::STANDARD.encode(r#"{"status":"401"}"#);
        let e = with_oauth_error(no.clone(), b64.as_bytes());
        assert_eq!(
            e.message,
            r#"{"status":"401"} [AUTHENTICATIONFAILED] failed."#
        );
        let t = CommandError::new(ErrorReason::Timeout, "no answer within 30s");
        assert_eq!(with_oauth_error(t.clone(), b64.as_bytes()), t);
    }
}
