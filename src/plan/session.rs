//! `[session]` -> [`SessionPlan`]: login, command count, think time, the
//! weighted command mix, response validation and user profiles (whose
//! command count, think time and mix use the helpers here too).

use std::time::Duration;

use super::fields::Zero;
use crate::plan::Pacing;
use toml::Spanned;

use super::profiles;
use super::scenario::{IntOrSeq, Opt, RawMix, RawSession, RawThinkTime};
use super::span::Ctx;
use super::{LoginMethod, Overrides, SessionPlan, ThinkTime, Validate};
use crate::command::CommandKind;
use crate::error::InputError;
use crate::imap::url::Security;

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

/// What `[session] security` and `starttls_share` may do. They choose how
/// sessions secure the embedded servers; a real server's URL alone says its
/// security (`imap://` plain, `?starttls`, `imaps://`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecurityKeys {
    /// Embedded topology: the keys apply.
    Allowed,
    /// Real topology from a scenario the user wrote: setting them is bad input.
    Refused,
    /// Real topology over the built-in quickstart (flags made it real): the
    /// quickstart's values are for its embedded servers and are set aside.
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
    let mailbox = match &s.mailbox {
        None => "INBOX".to_string(),
        Some(m) if m.get_ref().trim().is_empty() => {
            return Err(ctx.at(
                m.span(),
                "session.mailbox",
                "empty; give a mailbox name such as \"INBOX\"",
            ))
        }
        Some(m) => m.get_ref().clone(),
    };
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
        None => ctx.choice(
            &s.validate,
            "session.validate",
            &[("light", Validate::Light), ("strict", Validate::Strict)],
            Validate::Light,
        )?,
    };
    Ok(SessionPlan {
        security,
        login: ctx.choice(
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
        )?,
        token_command: token_command(ctx, &s.token_command)?,
        token_ttl: ctx.dur(
            &s.token_ttl,
            "session.token_ttl",
            Zero::Rejected,
            Duration::from_secs(50 * 60),
        )?,
        mailbox,
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
        pacing: ctx.choice(
            &s.pacing,
            "session.pacing",
            &[
                ("after-response", Pacing::AfterResponse),
                ("schedule", Pacing::Schedule),
            ],
            Pacing::AfterResponse,
        )?,
    })
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

/// `commands = n` or `[min, max]` at `key`; `default` when absent.
pub(super) fn commands(
    ctx: &Ctx,
    field: &Opt<IntOrSeq<Spanned<i64>>>,
    key: &str,
    default: (u32, u32),
) -> Result<(u32, u32), InputError> {
    let Some(c) = field else {
        return Ok(default);
    };
    let max = u32::MAX as i64;
    match c.get_ref() {
        IntOrSeq::Int(n) => {
            let n = ctx.int_value(&toml::Spanned::new(c.span(), *n), key, 1, max)? as u32;
            Ok((n, n))
        }
        IntOrSeq::Seq(items) if items.len() == 2 => {
            let lo = ctx.int_value(&items[0], key, 1, max)? as u32;
            let hi = ctx.int_value(&items[1], key, 1, max)? as u32;
            if lo > hi {
                return Err(ctx.at(
                    c.span(),
                    key,
                    format!("[{lo}, {hi}] has min > max; expected [min, max] with min <= max"),
                ));
            }
            Ok((lo, hi))
        }
        IntOrSeq::Seq(_) => Err(ctx.at(c.span(), key, "expected an integer >= 1 or [min, max]")),
    }
}

/// A present `think_time = { dist = ..., ... }` table at `key`.
pub(super) fn think_time(
    ctx: &Ctx,
    t: &RawThinkTime,
    span: std::ops::Range<usize>,
    key: &str,
) -> Result<ThinkTime, InputError> {
    let allowed =
        "dist = \"none\", \"fixed\" (value), \"exponential\" (mean) or \"uniform\" (min, max)";
    let Some(dist) = &t.dist else {
        return Err(ctx.at(
            span,
            format!("{key}.dist"),
            format!("missing; expected {allowed}"),
        ));
    };
    let name = dist.get_ref().as_str();
    let fields = [
        ("value", &t.value),
        ("mean", &t.mean),
        ("min", &t.min),
        ("max", &t.max),
    ];
    let wanted: &[&str] = match name {
        "none" => &[],
        "fixed" => &["value"],
        "exponential" => &["mean"],
        "uniform" => &["min", "max"],
        _ => {
            return Err(ctx.at(
                dist.span(),
                format!("{key}.dist"),
                format!("unknown value \"{name}\"; expected {allowed}"),
            ))
        }
    };
    // Stray keys first: `mean` under "fixed" is more likely a wrong dist than a missing value.
    for (field, value) in fields {
        if let (false, Some(v)) = (wanted.contains(&field), value) {
            let msg = format!("does not apply to dist = \"{name}\"; expected {allowed}");
            return Err(ctx.at(v.span(), format!("{key}.{field}"), msg));
        }
    }
    if let Some((field, _)) = fields
        .iter()
        .find(|(f, v)| wanted.contains(f) && v.is_none())
    {
        let msg = format!("missing; dist = \"{name}\" needs {}", wanted.join(" and "));
        return Err(ctx.at(span.clone(), format!("{key}.{field}"), msg));
    }
    let get = |field: &str, value: &Opt<String>, zero| match value {
        Some(v) => ctx.dur_value(v, &format!("{key}.{field}"), zero),
        None => Ok(Duration::ZERO),
    };
    Ok(match name {
        "none" => ThinkTime::None,
        "fixed" => ThinkTime::Fixed(get("value", &t.value, Zero::Rejected)?),
        "exponential" => ThinkTime::Exponential(get("mean", &t.mean, Zero::Rejected)?),
        _ => {
            let (lo, hi) = (
                get("min", &t.min, Zero::Allowed)?,
                get("max", &t.max, Zero::Rejected)?,
            );
            if hi < lo {
                let max_span = t.max.as_ref().map_or(span, |m| m.span());
                return Err(ctx.at(
                    max_span,
                    format!("{key}.max"),
                    "max is below min; expected min <= max",
                ));
            }
            ThinkTime::Uniform(lo, hi)
        }
    })
}

/// A present mix table at `key` (`session.mix`): label = weight.
pub(super) fn mix(
    ctx: &Ctx,
    table: &Spanned<RawMix>,
    key: &str,
) -> Result<Vec<(CommandKind, u32)>, InputError> {
    let prefix = key;
    let mixable: Vec<&str> = CommandKind::ALL
        .iter()
        .filter(|k| k.mixable())
        .map(|k| k.label())
        .collect();
    let mut out: Vec<(CommandKind, u32)> = Vec::new();
    for (label, weight) in table.get_ref() {
        let key = format!("{prefix}.{}", label.get_ref());
        let kind = match CommandKind::from_label(label.get_ref()) {
            Some(k) if k.mixable() => k,
            Some(k) => {
                return Err(ctx.at(
                    label.span(),
                    key,
                    format!(
                        "{k} is part of every session, not of the mix; allowed: {}",
                        mixable.join(", ")
                    ),
                ))
            }
            None => {
                return Err(ctx.at(
                    label.span(),
                    key,
                    format!("unknown command; allowed: {}", mixable.join(", ")),
                ))
            }
        };
        if out.iter().any(|(k, _)| *k == kind) {
            return Err(ctx.at(
                label.span(),
                key,
                format!("{kind} is given twice (labels are case-insensitive)"),
            ));
        }
        let w = ctx.int_value(weight, &key, 0, u32::MAX as i64)? as u32;
        out.push((kind, w));
    }
    out.retain(|(_, w)| *w > 0);
    if out.is_empty() {
        return Err(ctx.at(
            table.span(),
            prefix,
            "no command has a weight > 0; give at least one, e.g. NOOP = 1",
        ));
    }
    out.sort_by_key(|(k, _)| *k);
    Ok(out)
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
