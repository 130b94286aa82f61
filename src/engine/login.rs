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
use crate::imap::client::{self, Reply};
use crate::imap::conn::Connection;
use crate::imap::encoder::{sasl_oauthbearer, sasl_plain, sasl_xoauth2};
use crate::plan::{LoginMethod, UNKNOWN_BACKEND};
use crate::results::ErrorReason;

use super::failure::{CommandError, FailedCommand, LOGIN_DISABLED};
use super::guard::Phase;
use super::session::{SeatBuffers, Session};
use super::wire::{exchange, OnWire};

/// What a login sends, made ready before it is timed.
struct Credentials {
    /// The SASL mechanism, or `None` for LOGIN.
    sasl: Option<Sasl>,
    /// The token came from `token_command` (a refusal has it fetched anew).
    from_command: bool,
    /// When the login is due: later than planned when fetching a token took time.
    intended: Instant,
}

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
        let method = match self.over.login.unwrap_or(ctx.session.login) {
            LoginMethod::Mixed => self.mixed_method(),
            m @ (LoginMethod::Login
            | LoginMethod::AuthenticatePlain
            | LoginMethod::XOAuth2
            | LoginMethod::OAuthBearer) => m,
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
        let creds = self.credentials(method, intended).await;
        let Credentials {
            sasl,
            from_command,
            intended,
        } = creds.map_err(|e| self.fail(kind, e))?;
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

    /// Makes ready what a login with `method` sends (the SASL initial
    /// response in `bufs.scratch`), fetching an OAuth 2 token when it needs
    /// one; the token command's run time moves the login's intended start.
    async fn credentials(
        &mut self,
        method: LoginMethod,
        intended: Instant,
    ) -> Result<Credentials, CommandError> {
        let (user, pass) = (self.user.name.as_str(), self.user.password.as_str());
        self.bufs.scratch.clear();
        let mut creds = Credentials {
            sasl: None,
            from_command: false,
            intended,
        };
        match method {
            LoginMethod::Login | LoginMethod::Mixed => {}
            LoginMethod::AuthenticatePlain => {
                sasl_plain(user, pass, &mut self.bufs.scratch);
                creds.sasl = Some(Sasl {
                    mechanism: b"PLAIN",
                    error_reply: None,
                });
            }
            LoginMethod::XOAuth2 | LoginMethod::OAuthBearer => {
                let token = self.ctx.tokens.get(self.user).await?;
                if token.fetched_now {
                    // The token command's run time is not the server's latency.
                    creds.intended = Instant::now();
                }
                creds.from_command = token.from_command;
                creds.sasl = Some(if method == LoginMethod::XOAuth2 {
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
                });
            }
        }
        Ok(creds)
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
        let mut check = self.check(CommandKind::Login);
        let (guard, phase) = (self.guard(), Phase::command());
        let (caps, user) = (self.mbox.capabilities, self.user);
        let non_sync = |len: usize| caps.is_some_and(|c| c.non_sync_literal_ok(len));
        let (name, pass) = (user.name.as_bytes(), user.password.as_bytes());
        let (tag, parts) = client::encode_login(&mut self.bufs.cmd, name, pass, non_sync);
        let parts: Vec<&[&[u8]]> = parts.chunks(1).collect();
        let mut on = OnWire {
            tag,
            check: &mut check,
            mbox: &mut self.mbox,
            phase: &phase,
        };
        let done = guard
            .run(&phase, exchange(conn, &parts, false, &mut on))
            .await?;
        Ok(done.sent)
    }

    /// `AUTHENTICATE` with the initial response in `bufs.scratch`, under one
    /// guard for the whole exchange; returns when the last client line was sent.
    async fn authenticate(
        &mut self,
        conn: &mut Connection,
        sasl: Sasl,
    ) -> Result<Instant, CommandError> {
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
        let (guard, phase) = (self.guard(), Phase::command());
        let mut on = OnWire {
            tag,
            check: &mut check,
            mbox: &mut self.mbox,
            phase: &phase,
        };
        let work = sasl_exchange(conn, &mut on, self.bufs, &sasl, sasl_ir);
        guard.run(&phase, work).await
    }
}

/// The AUTHENTICATE command in `bufs.cmd` and its SASL exchange: the
/// initial response after the server's `+` unless it went inline
/// (SASL-IR), then the server's error challenge answered as the mechanism
/// says, if the server refuses with one. Returns when the last client line
/// was sent.
async fn sasl_exchange(
    conn: &mut Connection,
    on: &mut OnWire<'_>,
    bufs: &mut SeatBuffers,
    sasl: &Sasl,
    sasl_ir: bool,
) -> Result<Instant, CommandError> {
    let error_challenge = sasl.error_reply.is_some();
    let command: &[&[u8]] = &[bufs.cmd.as_bytes()];
    let mut done = exchange(conn, &[command], !sasl_ir || error_challenge, on).await?;
    if !sasl_ir {
        if done.reply == Reply::OK {
            return Err(on.check.fail("no continuation for SASL"));
        }
        bufs.scratch.extend_from_slice(b"\r\n");
        let reply: &[&[u8]] = &[bufs.scratch.as_slice()];
        done = exchange(conn, &[reply], error_challenge, on).await?;
    }
    let sent = done.sent;
    let Some(reply) = sasl.error_reply else {
        return Ok(sent);
    };
    if done.reply == Reply::OK {
        return Ok(sent);
    }
    // The server refused the token and said why: answer, then read its NO.
    let challenge = conn.last_response().text().to_vec();
    bufs.scratch.clear();
    bufs.scratch.extend_from_slice(reply);
    bufs.scratch.extend_from_slice(b"\r\n");
    let answer: &[&[u8]] = &[bufs.scratch.as_slice()];
    match exchange(conn, &[answer], false, on).await {
        Ok(_) => Err(on.check.fail("OK after an OAuth 2 error challenge")),
        Err(e) => Err(with_oauth_error(e, &challenge)),
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
