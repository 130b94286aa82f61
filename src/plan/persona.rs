//! Client personas as data: how one kind of mail client (Thunderbird, iOS
//! Mail, K-9...) behaves on the wire, read from a persona file
//! (`personas/<name>.toml`, built in) or a scenario's `[persona.<name>]`
//! table. The facts and their sources are in each file's comments
//! (`docs/clients.md` holds the survey they come from).
//!
//! A persona is its connect sequence, its folder discovery, what it does on
//! each of its pooled connections (IDLE, polling or short sessions), how it
//! fetches new mail and opens a message, and how it backs off after a
//! failure. Commands are written as the client writes them (verbs, case,
//! arguments); see [`Line`] for the placeholders and conditions.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::fields::Zero;
use super::persona_line::parse_lines;
pub use super::persona_line::Line;
use super::persona_read::{actions, chunked, share};
pub use super::persona_read::{Action, Chunked, RawAction};
use super::scenario::Opt;
use super::span::Ctx;
use crate::error::InputError;

pub use super::persona_line::{parse as parse_line, Condition, Placeholder, Segment};

/// The built-in personas: name and file text.
pub const BUILTIN: [(&str, &str); 7] = [
    (
        "thunderbird",
        include_str!("../../personas/thunderbird.toml"),
    ),
    ("ios", include_str!("../../personas/ios.toml")),
    ("applemail", include_str!("../../personas/applemail.toml")),
    ("outlook", include_str!("../../personas/outlook.toml")),
    ("k9", include_str!("../../personas/k9.toml")),
    ("fairemail", include_str!("../../personas/fairemail.toml")),
    ("webmail", include_str!("../../personas/webmail.toml")),
];

/// One client persona, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Persona {
    /// Its name in reports (`thunderbird`).
    pub name: String,
    /// Where its facts come from (one line).
    pub source: String,
    /// What its tags start with (`A` for `A1`, empty for `1`).
    pub tag_prefix: String,
    /// After the greeting, on every connection: capability, login, ID...
    pub connect: Vec<Line>,
    /// Once per device, on its first connection after `connect`.
    pub discover: Vec<Line>,
    /// Its connections, each with its own life.
    pub connections: Vec<ConnectionSpec>,
    /// Run when new mail is seen (`* N EXISTS` while idling, or found by a poll).
    pub new_mail: Vec<Line>,
    /// Opening one new message (the user reads it).
    pub read: Vec<Line>,
    /// Share of new messages the user opens (0..=1).
    pub read_share: f64,
    /// How long after the new-mail fetch a message is opened.
    pub read_delay: Duration,
    /// Reading a message over `chunk.above` bytes in parts (Thunderbird).
    pub chunked: Option<Chunked>,
    /// What the user may do with a message after reading it (one at most).
    pub after_read: Vec<Action>,
    /// Sending one message (`APPEND` to Sent), at the population's send rate.
    pub send: Vec<Line>,
    /// Ending a connection.
    pub logout: Vec<Line>,
    /// Waits before reconnecting after consecutive failures (the last repeats).
    pub backoff: Vec<Duration>,
    /// Lines of a list it may have in flight at once (1: each waits for the
    /// one before; more: consecutive pipelinable lines go out together).
    pub pipeline: u32,
}

impl Persona {
    /// How many connections one device of this persona holds at most.
    pub fn pool(&self) -> u32 {
        self.connections.iter().map(|c| c.count).sum()
    }
}

/// How a connection lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Stays connected in IDLE; leaves it (DONE) for new mail and for its
    /// poll every `every`.
    Idle,
    /// Stays connected without IDLE; runs its poll every `every`.
    Poll,
    /// Connects every `every`, runs its work, logs out (iOS "Fetch").
    Session,
}

/// One kind of connection a persona keeps (`count` alike).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionSpec {
    /// What the connection is for, in reports (`inbox`, `autosync`).
    pub role: String,
    /// How many of these one device holds.
    pub count: u32,
    /// The mailbox it opens (`{mailbox}`).
    pub mailbox: String,
    /// The folders its poll walks (`{folder}` lines repeat once per folder);
    /// with `count` > 1, instance k opens `folders[k]` instead of `mailbox`.
    pub folders: Vec<String>,
    /// How it lives.
    pub mode: Mode,
    /// After connect (and discovery): opening its mailbox.
    pub open: Vec<Line>,
    /// Every `every`: the poll (Idle leaves IDLE for it first).
    pub poll: Vec<Line>,
    /// The poll interval (Session: the time between sessions).
    pub every: Duration,
    /// Each interval is drawn uniformly within ±this share of `every`.
    pub jitter: f64,
    /// Whether new mail seen here runs the persona's `new_mail` lines.
    pub new_mail: bool,
    /// Idle and Poll: the connection logs out after this long and comes back
    /// at its next poll (Thunderbird's 29-minute cached-connection timeout).
    pub lifetime: Option<Duration>,
}

/// A persona file or `[persona.<name>]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPersona {
    /// Where the facts come from.
    pub source: Opt<String>,
    /// Tag prefix.
    pub tag_prefix: Opt<String>,
    /// Lines in flight at once.
    pub pipeline: Opt<i64>,
    /// Connect lines.
    pub connect: Opt<Vec<Spanned<String>>>,
    /// Discovery lines.
    pub discover: Opt<Vec<Spanned<String>>>,
    /// `[[connection]]` blocks.
    pub connection: Opt<Vec<Spanned<RawConnection>>>,
    /// New-mail lines.
    pub new_mail: Opt<Vec<Spanned<String>>>,
    /// Read lines.
    pub read: Opt<Vec<Spanned<String>>>,
    /// Read share.
    pub read_share: Opt<f64>,
    /// Read delay.
    pub read_delay: Opt<String>,
    /// Chunked read lines.
    pub read_chunked: Opt<Vec<Spanned<String>>>,
    /// Bytes per chunk.
    pub chunk_size: Opt<i64>,
    /// Chunked above this size.
    pub chunk_above: Opt<i64>,
    /// `[[after_read]]` blocks.
    pub after_read: Opt<Vec<Spanned<RawAction>>>,
    /// Send lines.
    pub send: Opt<Vec<Spanned<String>>>,
    /// Logout lines.
    pub logout: Opt<Vec<Spanned<String>>>,
    /// Back-off durations.
    pub backoff: Opt<Vec<Spanned<String>>>,
}

/// One `[[connection]]` block as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConnection {
    /// Role name.
    pub role: Opt<String>,
    /// How many.
    pub count: Opt<i64>,
    /// Mailbox.
    pub mailbox: Opt<String>,
    /// Folders the poll walks.
    pub folders: Opt<Vec<Spanned<String>>>,
    /// `idle`, `poll` or `session`.
    pub mode: Opt<String>,
    /// Open lines.
    pub open: Opt<Vec<Spanned<String>>>,
    /// Poll lines.
    pub poll: Opt<Vec<Spanned<String>>>,
    /// Interval.
    pub every: Opt<String>,
    /// Jitter share.
    pub jitter: Opt<f64>,
    /// New mail handled here.
    pub new_mail: Opt<bool>,
    /// Lifetime.
    pub lifetime: Opt<String>,
}

/// Parses a built-in persona's file.
pub fn builtin(name: &str) -> Option<Result<Persona, InputError>> {
    let (n, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
    let origin = std::path::PathBuf::from(format!("personas/{n}.toml"));
    let ctx = Ctx::new(&origin, text);
    let raw: Result<RawPersona, _> = toml::from_str(text);
    Some(
        raw.map_err(|e| ctx.toml_error(&e, None))
            .and_then(|raw| build(&ctx, n, "", &raw)),
    )
}

/// Validates one persona; `key` prefixes its keys in errors (`persona.mine.`).
pub fn build(ctx: &Ctx, name: &str, key: &str, raw: &RawPersona) -> Result<Persona, InputError> {
    let lines = |v: &Opt<Vec<Spanned<String>>>, k: &str| parse_lines(ctx, v, &format!("{key}{k}"));
    let connections = match &raw.connection {
        Some(list) if !list.get_ref().is_empty() => list
            .get_ref()
            .iter()
            .enumerate()
            .map(|(i, c)| connection(ctx, &format!("{key}connection[{}]", i + 1), c))
            .collect::<Result<Vec<_>, _>>()?,
        Some(list) => return Err(ctx.at(list.span(), format!("{key}connection"), NO_CONNECTION)),
        None => return Err(ctx.missing(None, format!("{key}connection"), NO_CONNECTION)),
    };
    let read_share = share(ctx, &raw.read_share, &format!("{key}read_share"), 0.0)?;
    let backoff = match &raw.backoff {
        None => vec![Duration::from_secs(5)],
        Some(list) => list
            .get_ref()
            .iter()
            .enumerate()
            .map(|(i, d)| ctx.dur_value(d, &format!("{key}backoff[{}]", i + 1), Zero::Allowed))
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(Persona {
        name: name.to_string(),
        source: raw
            .source
            .as_ref()
            .map(|s| s.get_ref().clone())
            .unwrap_or_default(),
        tag_prefix: raw
            .tag_prefix
            .as_ref()
            .map(|s| s.get_ref().clone())
            .unwrap_or_default(),
        connect: lines(&raw.connect, "connect")?,
        discover: lines(&raw.discover, "discover")?,
        connections,
        new_mail: lines(&raw.new_mail, "new_mail")?,
        read: lines(&raw.read, "read")?,
        read_share,
        read_delay: ctx.dur(
            &raw.read_delay,
            &format!("{key}read_delay"),
            Zero::Allowed,
            Duration::from_secs(30),
        )?,
        chunked: chunked(
            ctx,
            key,
            &raw.read_chunked,
            &raw.chunk_size,
            &raw.chunk_above,
        )?,
        after_read: actions(ctx, key, &raw.after_read)?,
        send: lines(&raw.send, "send")?,
        logout: lines(&raw.logout, "logout")?,
        backoff: if backoff.is_empty() {
            vec![Duration::from_secs(5)]
        } else {
            backoff
        },
        pipeline: ctx.int(&raw.pipeline, &format!("{key}pipeline"), 1, 64, 1)? as u32,
    })
}

const NO_CONNECTION: &str =
    "a persona needs at least one [[connection]] block (mode = \"idle\", \"poll\" or \"session\")";

fn connection(
    ctx: &Ctx,
    key: &str,
    raw: &Spanned<RawConnection>,
) -> Result<ConnectionSpec, InputError> {
    let c = raw.get_ref();
    let mode = ctx.choice(
        &c.mode,
        &format!("{key}.mode"),
        &[
            ("idle", Mode::Idle),
            ("poll", Mode::Poll),
            ("session", Mode::Session),
        ],
        Mode::Idle,
    )?;
    let every = ctx.dur(
        &c.every,
        &format!("{key}.every"),
        Zero::Rejected,
        Duration::from_secs(600),
    )?;
    let lifetime = c
        .lifetime
        .as_ref()
        .map(|l| ctx.dur_value(l, &format!("{key}.lifetime"), Zero::Rejected))
        .transpose()?;
    let folders = c
        .folders
        .as_ref()
        .map(|f| f.get_ref().iter().map(|s| s.get_ref().clone()).collect())
        .unwrap_or_default();
    Ok(ConnectionSpec {
        role: c
            .role
            .as_ref()
            .map(|r| r.get_ref().clone())
            .unwrap_or_else(|| "inbox".into()),
        count: ctx.int(&c.count, &format!("{key}.count"), 1, 16, 1)? as u32,
        mailbox: c
            .mailbox
            .as_ref()
            .map(|m| m.get_ref().clone())
            .unwrap_or_else(|| "INBOX".into()),
        folders,
        mode,
        open: parse_lines(ctx, &c.open, &format!("{key}.open"))?,
        poll: parse_lines(ctx, &c.poll, &format!("{key}.poll"))?,
        every,
        jitter: share(ctx, &c.jitter, &format!("{key}.jitter"), 0.1)?,
        new_mail: c.new_mail.as_ref().is_none_or(|b| *b.get_ref()),
        lifetime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_persona_parses_with_a_pool_and_a_source() {
        for (name, _) in BUILTIN {
            let p = builtin(name)
                .unwrap()
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(p.pool() >= 1, "{name}");
            assert!(
                !p.source.is_empty(),
                "{name} says where its facts come from"
            );
            assert!(!p.connect.is_empty(), "{name} has a connect sequence");
        }
        assert!(builtin("nokia").is_none());
    }
}
