//! The validated plan of what each session does (login, mix, think time,
//! pacing, checks), built from `[session]` and its profiles by `session.rs`
//! and `profiles.rs`.

use std::time::Duration;

use crate::command::CommandKind;
use crate::results::Security;

/// A user profile (LoadGen's light / medium / heavy): what its sessions do.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Name for reports (`light`).
    pub name: String,
    /// Share of users with this profile (relative weight, > 0).
    pub weight: u32,
    /// Commands from the mix per session, inclusive range.
    pub commands_per_session: (u32, u32),
    /// Pause between commands.
    pub think_time: ThinkTime,
    /// Weighted mix; only mixable kinds, at least one weight > 0.
    pub mix: Vec<(CommandKind, u32)>,
}

/// How a session logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginMethod {
    /// `LOGIN user pass`.
    Login,
    /// `AUTHENTICATE PLAIN` (SASL-IR when the server offers it, else a continuation).
    AuthenticatePlain,
    /// Each session picks LOGIN or AUTHENTICATE PLAIN at random (half each),
    /// so one run covers both, as a population of different clients would.
    Mixed,
    /// `AUTHENTICATE XOAUTH2` with an OAuth 2 access token (Google's format;
    /// what Gmail and Exchange Online accept for IMAP).
    XOAuth2,
    /// `AUTHENTICATE OAUTHBEARER` (RFC 7628) with an OAuth 2 access token.
    OAuthBearer,
}

/// Think time between commands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ThinkTime {
    /// No pause: the next command is due when the last one completes.
    None,
    /// Always the same pause.
    Fixed(Duration),
    /// Exponentially distributed with this mean (a Poisson user).
    Exponential(Duration),
    /// Uniform between the two bounds.
    Uniform(Duration, Duration),
}

/// What one session does, from connect to logout.
#[derive(Debug, Clone)]
pub struct SessionPlan {
    /// Transport security for embedded endpoints (real endpoints carry their own in the URL).
    pub security: Security,
    /// LOGIN, AUTHENTICATE PLAIN, XOAUTH2 or OAUTHBEARER.
    pub login: LoginMethod,
    /// Command run per user for an OAuth 2 access token (`sh -c`, the user
    /// as `$IMAPLOAD_USER` and `$1`; stdout trimmed is the token); `None`
    /// takes tokens from the users.
    pub token_command: Option<String>,
    /// How long a token from `token_command` is reused (an auth failure drops it sooner).
    pub token_ttl: Duration,
    /// Mailbox to SELECT after login.
    pub mailbox: String,
    /// Commands from the mix per session, inclusive range (min, max).
    pub commands_per_session: (u32, u32),
    /// Pause between commands.
    pub think_time: ThinkTime,
    /// Weighted mix; only mixable kinds, at least one weight > 0.
    pub mix: Vec<(CommandKind, u32)>,
    /// A command (or phase) not complete after this is a timeout error.
    pub command_timeout: Duration,
    /// How long an IDLE is held before DONE.
    pub idle_duration: Duration,
    /// Closed model: after a session fails (timeout, disconnect, refused
    /// connection...), its seat waits about this long (uniformly 0.5x..1.5x,
    /// so seats that failed together do not come back together) before it
    /// starts the next session. Without it a dead server would meet a
    /// connect storm from every seat; zero reconnects at once.
    pub reconnect_delay: Duration,
    /// Mean size of APPENDed messages in bytes.
    pub append_size: usize,
    /// User profiles; empty means one profile made of the fields above.
    /// Each user gets one profile (weighted, from the seed) for the whole run.
    pub profiles: Vec<Profile>,
    /// Response checking.
    pub validate: Validate,
    /// Where a command's intended start comes from.
    pub pacing: Pacing,
    /// Commands of the mix a session may have in flight on its connection
    /// at once (RFC 3501 5.5 pipelining); 1, the default, waits for each
    /// answer as most clients do. Only [`CommandKind::pipelinable`] kinds
    /// overlap; the others go alone.
    pub pipeline: u32,
    /// Share of sessions on plain endpoints that upgrade with STARTTLS (0..=1).
    pub starttls_share: f64,
}

/// How the intended start of the next command is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pacing {
    /// Think time starts when the answer arrives, like a person reading mail.
    /// A slow server delays the next command, so latency is mostly service time.
    #[default]
    AfterResponse,
    /// Commands are due on a schedule (previous intended start + think time),
    /// whatever the server does (wrk2 style): a stall makes every command that
    /// fell due meanwhile late, and corrected latency shows it.
    Schedule,
}

/// How closely responses are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Validate {
    /// Light checks on the hot path: tags, expected FETCH items, EXISTS never
    /// going backwards without EXPUNGE, well-formed status lines.
    #[default]
    Light,
    /// Also decode every response with imap-codec (slower; for conformance runs).
    Strict,
}
