//! `[session]` -> [`SessionPlan`]: login, command count, think time, the
//! weighted command mix, response validation and user profiles (whose
//! command count, think time and mix use the helpers here too).

use std::time::Duration;

use super::fields::Zero;
use crate::plan::Pacing;

use super::profiles;
use super::scenario::{Opt, RawSession};
use super::session_keys::{commands, mix, think_time};
use super::span::Ctx;
use super::{LoginMethod, Overrides, SessionPlan, ThinkTime, Validate};
use crate::command::CommandKind;
use crate::error::InputError;
use crate::results::Security;

/// The mix used when `[session.mix]` is absent: a webmail-like client that
/// mostly lists flags and headers, opens some bodies, and rarely writes.
/// Weights sum to 100 so they read as percentages.
pub const DEFAULT_MIX: [(CommandKind, u32); 15] = [
    (CommandKind::Capability, 2),
    (CommandKind::Noop, 8),
    (CommandKind::List, 5),
    (CommandKind::Status, 5),
    (CommandKind::Select, 3),
    (CommandKind::Examine, 2),
    (CommandKind::FetchFlags, 20),
    (CommandKind::FetchHeaders, 15),
    (CommandKind::FetchBody, 12),
    (CommandKind::UidFetch, 8),
    (CommandKind::Search, 6),
    (CommandKind::Store, 6),
    (CommandKind::Append, 3),
    (CommandKind::Expunge, 2),
    (CommandKind::Idle, 3),
];

/// What `[session] security` and `starttls_share` may do (and, over the
/// built-in quickstart, `login`). They choose how sessions secure the
/// embedded servers; a real server's URL alone says its security (`imap://`
/// plain, `?starttls`, `imaps://`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecurityKeys {
    /// Embedded topology: the keys apply.
    Allowed,
    /// Real topology from a scenario the user wrote: setting them is bad input.
    Refused,
    /// Real topology over the built-in quickstart (flags made it real): the
    /// quickstart's values are for its embedded servers and are set aside:
    /// plain sessions (the URL says the security), no STARTTLS share, and
    /// LOGIN instead of `mixed` (which would send XOAUTH2 / OAUTHBEARER to a
    /// server that may not take them whenever the users file has tokens).
    SetAside,
}

/// Builds the session plan, filling defaults; `--validate` overrides the file.
pub(crate) fn build(
    ctx: &Ctx,
    raw: &Opt<RawSession>,
    ov: &Overrides,
    keys: SecurityKeys,
) -> Result<SessionPlan, InputError> {
    let default = RawSession::default();
    let s = raw.as_ref().map_or(&default, |s| s.get_ref());
    let (security, starttls_share) = security(ctx, s, keys)?;
    let commands_per_session = commands(ctx, &s.commands, "session.commands", (5, 20))?;
    let think_time = match &s.think_time {
        None => ThinkTime::Exponential(Duration::from_millis(200)),
        Some(t) => think_time(ctx, t.get_ref(), t.span(), "session.think_time")?,
    };
    let mix = match &s.mix {
        None => DEFAULT_MIX.to_vec(),
        Some(table) => mix(ctx, table, "session.mix")?,
    };
    let inherited = Inherited {
        commands_per_session,
        think_time,
        mix: &mix,
    };
    let profiles = profiles::build(ctx, &s.profile, &inherited)?;
    let validate = match ov.validate {
        Some(v) => v,
        None => validate(ctx, s)?,
    };
    Ok(SessionPlan {
        security,
        login: match keys {
            SecurityKeys::SetAside => LoginMethod::Login,
            SecurityKeys::Allowed | SecurityKeys::Refused => login(ctx, s)?,
        },
        token_command: token_command(ctx, &s.token_command)?,
        token_ttl: ctx.dur(
            &s.token_ttl,
            "session.token_ttl",
            Zero::Rejected,
            Duration::from_secs(50 * 60),
        )?,
        mailbox: mailbox(ctx, s)?,
        commands_per_session,
        think_time,
        mix,
        command_timeout: ctx.dur(
            &s.command_timeout,
            "session.command_timeout",
            Zero::Rejected,
            Duration::from_secs(30),
        )?,
        idle_duration: ctx.dur(
            &s.idle_duration,
            "session.idle_duration",
            Zero::Rejected,
            Duration::from_secs(2),
        )?,
        reconnect_delay: ctx.dur(
            &s.reconnect_delay,
            "session.reconnect_delay",
            Zero::Allowed,
            Duration::from_millis(300),
        )?,
        append_size: ctx.int(&s.append_size, "session.append_size", 64, 1 << 30, 4096)? as usize,
        profiles,
        validate,
        starttls_share,
        pacing: pacing(ctx, s)?,
        pipeline: ctx.int(&s.pipeline, "session.pipeline", 1, 64, 1)? as u32,
    })
}

/// `session.mailbox`: INBOX when absent, never blank.
fn mailbox(ctx: &Ctx, s: &RawSession) -> Result<String, InputError> {
    match &s.mailbox {
        None => Ok("INBOX".to_string()),
        Some(m) if m.get_ref().trim().is_empty() => Err(ctx.at(
            m.span(),
            "session.mailbox",
            "empty; give a mailbox name such as \"INBOX\"",
        )),
        Some(m) => Ok(m.get_ref().clone()),
    }
}

/// `session.login`: LOGIN unless the scenario picks another method.
fn login(ctx: &Ctx, s: &RawSession) -> Result<LoginMethod, InputError> {
    ctx.choice(
        &s.login,
        "session.login",
        &[
            ("login", LoginMethod::Login),
            ("authenticate-plain", LoginMethod::AuthenticatePlain),
            ("mixed", LoginMethod::Mixed),
            ("xoauth2", LoginMethod::XOAuth2),
            ("oauthbearer", LoginMethod::OAuthBearer),
        ],
        LoginMethod::Login,
    )
}

/// `session.validate`: light checks unless strict ones are asked for.
fn validate(ctx: &Ctx, s: &RawSession) -> Result<Validate, InputError> {
    ctx.choice(
        &s.validate,
        "session.validate",
        &[("light", Validate::Light), ("strict", Validate::Strict)],
        Validate::Light,
    )
}

/// `session.pacing`: think time after the answer unless a schedule is asked for.
fn pacing(ctx: &Ctx, s: &RawSession) -> Result<Pacing, InputError> {
    ctx.choice(
        &s.pacing,
        "session.pacing",
        &[
            ("after-response", Pacing::AfterResponse),
            ("schedule", Pacing::Schedule),
        ],
        Pacing::AfterResponse,
    )
}

/// `session.token_command`: absent, or a non-blank command line.
fn token_command(ctx: &Ctx, raw: &Opt<String>) -> Result<Option<String>, InputError> {
    match raw {
        None => Ok(None),
        Some(c) if c.get_ref().trim().is_empty() => Err(ctx.at(
            c.span(),
            "session.token_command",
            "empty; give a command that prints the token of $IMAPLOAD_USER",
        )),
        Some(c) => Ok(Some(c.get_ref().clone())),
    }
}

/// `session.security` and `session.starttls_share` as `keys` allows them.
fn security(ctx: &Ctx, s: &RawSession, keys: SecurityKeys) -> Result<(Security, f64), InputError> {
    match keys {
        SecurityKeys::Allowed => {}
        SecurityKeys::Refused => refuse_security_keys(ctx, s)?,
        SecurityKeys::SetAside => return Ok((Security::Plain, 0.0)),
    }
    let security = ctx.choice(
        &s.security,
        "session.security",
        &[
            ("plain", Security::Plain),
            ("starttls", Security::StartTls),
            ("tls", Security::Tls),
        ],
        Security::Plain,
    )?;
    let share = match &s.starttls_share {
        None => 0.0,
        Some(v) if (0.0..=1.0).contains(v.get_ref()) => *v.get_ref(),
        Some(v) => {
            return Err(ctx.at(
                v.span(),
                "session.starttls_share",
                "must be between 0.0 and 1.0",
            ));
        }
    };
    Ok((security, share))
}

/// Real servers: `security` or `starttls_share` in `[session]` is bad input,
/// since the URL decides and the user would believe the key does something.
fn refuse_security_keys(ctx: &Ctx, s: &RawSession) -> Result<(), InputError> {
    let why = "only applies to the embedded topology; with real servers the URL decides \
               the security: imap://HOST (plain), imap://HOST?starttls or imaps://HOST";
    if let Some(v) = &s.security {
        return Err(ctx.at(v.span(), "session.security", why));
    }
    if let Some(v) = &s.starttls_share {
        return Err(ctx.at(v.span(), "session.starttls_share", why));
    }
    Ok(())
}

/// The `[session]` values a profile falls back to for keys it leaves out.
pub(super) struct Inherited<'a> {
    /// `session.commands`, resolved.
    pub commands_per_session: (u32, u32),
    /// `session.think_time`, resolved.
    pub think_time: ThinkTime,
    /// `session.mix`, resolved.
    pub mix: &'a [(CommandKind, u32)],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mix_is_mixable_and_sums_to_100() {
        assert!(DEFAULT_MIX.iter().all(|(k, w)| k.mixable() && *w > 0));
        assert_eq!(DEFAULT_MIX.iter().map(|(_, w)| w).sum::<u32>(), 100);
    }
}
