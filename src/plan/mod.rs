//! The run plan: a scenario file plus command-line flags, validated, with every
//! default filled in. Everything after this layer trusts the plan and never
//! re-validates; every mistake a user can make is caught here with its file,
//! line and key (see [`crate::error::InputError`]).

mod duration;
mod faults;
mod fields;
mod health;
mod load;
mod load_model;
mod monitors;
mod overrides;
mod profiles;
mod scenario;
mod session;
pub mod shard;
mod source;
mod span;
mod steady;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_load_model;
#[cfg(test)]
mod tests_monitors;
#[cfg(test)]
mod tests_overrides;
#[cfg(test)]
mod tests_profiles;
#[cfg(test)]
mod tests_scenarios;
#[cfg(test)]
mod tests_security;
mod thresholds;
mod topology;
mod users;

pub use duration::{format_duration, parse_duration};
pub use health::{MonitorPlan, ProbeMonitor, ProbePlan, QueueRule, ThresholdMonitor};
pub use load::{load, load_str, QUICKSTART, QUICKSTART_ORIGIN};
pub use overrides::Overrides;
pub use session::DEFAULT_MIX;
pub use shard::{Shard, ShardPlan};
pub use span::line_of;
pub use users::{embedded_token, load_users_csv, UNKNOWN_BACKEND};

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::command::CommandKind;
use crate::imap::url::{Endpoint, Security};

/// One synthetic user: credentials plus the mailbox server that holds the mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Password (never printed or logged).
    pub password: String,
    /// Name of the home back end (`mbx1`), as in the topology.
    pub backend: String,
    /// OAuth 2 access token for XOAUTH2 / OAUTHBEARER (never printed or
    /// logged): the users file's optional `token` column, or `tok-<user>` for
    /// pattern users (what the embedded servers accept). `None` when the
    /// users file gives none; `[session] token_command` then supplies it.
    pub token: Option<String>,
}

/// The validated plan of one run.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// The scenario file this came from (`None` for the built-in quickstart).
    pub scenario: Option<PathBuf>,
    /// Scenario name, for reports.
    pub name: String,
    /// Seed for every random choice (users, paths, mix, think times, messages).
    pub seed: u64,
    /// How long sessions are started for; in-flight sessions then log out.
    pub duration: Duration,
    /// Recording interval: per-worker histograms are merged on this tick.
    pub interval: Duration,
    /// Where the servers are.
    pub topology: TopologyPlan,
    /// The user population, expanded (pattern) or loaded (CSV). Never empty.
    pub users: Vec<User>,
    /// The load model.
    pub load: LoadPlan,
    /// What each session does.
    pub session: SessionPlan,
    /// Client TLS settings.
    pub tls: TlsPlan,
    /// Where and how results are written.
    pub output: OutputPlan,
    /// Health monitors and their settings (Exchange's defaults unless overridden).
    pub monitors: MonitorPlan,
    /// Probes run on their own schedule during the run.
    pub probes: ProbePlan,
    /// Faults injected into the embedded topology on a schedule (empty for real servers).
    pub faults: Vec<FaultPlan>,
    /// `--shard K/N`: this plan is one part of the scenario (`None`: the whole).
    pub shard: Option<ShardPlan>,
    /// The run's pass/fail rules: default error gates and thresholds.
    pub thresholds: crate::verdict::ThresholdPlan,
}

/// What a fault does to a server while it lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// Service times multiplied by this factor.
    Slow(f64),
    /// This much added to every command's service time.
    Delay(Duration),
    /// Commands wait (no answer) until the fault ends.
    Stall,
    /// LOGIN / AUTHENTICATE answered NO.
    RefuseLogins,
    /// Existing and new connections are closed.
    DropConnections,
    /// The worker pool shrinks to this many.
    Workers(usize),
    /// The server is killed: its listeners close (connects refused) and every
    /// connection drops; when the fault ends it restarts on the same ports.
    Kill,
}

/// One scheduled fault on one embedded server.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    /// Server name (`mbx2`, `cas1`).
    pub server: String,
    /// Start, from the run start.
    pub at: Duration,
    /// How long it lasts; `None` = until the end of the run.
    pub duration: Option<Duration>,
    /// What it does.
    pub kind: FaultKind,
}

/// Embedded servers started by imapload itself, or real ones.
#[derive(Debug, Clone)]
pub enum TopologyPlan {
    /// Start CAS + back ends on loopback for this run.
    Embedded(EmbeddedPlan),
    /// Real endpoints given in the scenario or by `--cas` / `--backend`.
    Real(RealPlan),
}

/// Knobs of the embedded topology (CAS proxies + mailbox back ends).
#[derive(Debug, Clone)]
pub struct EmbeddedPlan {
    /// Number of CAS proxies, named `cas1..`.
    pub cas: usize,
    /// Number of mailbox back ends, named `mbx1..`.
    pub backends: usize,
    /// Address the servers bind (loopback unless told otherwise).
    pub listen: IpAddr,
    /// Commands a back end serves at once; more wait in its queue.
    pub workers_per_backend: usize,
    /// Synthetic messages in each user's INBOX at start.
    pub messages_per_mailbox: u32,
    /// Mean size of a synthetic message in bytes.
    pub message_size: usize,
    /// Service time of each command on a back end.
    pub service: ServiceTimes,
    /// Refuse LOGIN / AUTHENTICATE before STARTTLS on plain ports (LOGINDISABLED).
    pub login_disabled_without_tls: bool,
}

/// A service-time distribution: log-normal given by its median and p99.
/// A zero median means "no added time" (only real processing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceTime {
    /// Median service time.
    pub median: Duration,
    /// 99th percentile; must be >= median.
    pub p99: Duration,
}

/// Service times per command on an embedded back end.
#[derive(Debug, Clone)]
pub struct ServiceTimes {
    /// Used for commands without an entry of their own.
    pub default: ServiceTime,
    /// Per-command overrides.
    pub per_command: HashMap<CommandKind, ServiceTime>,
}

impl ServiceTimes {
    /// The service time of `kind`.
    pub fn of(&self, kind: CommandKind) -> ServiceTime {
        self.per_command.get(&kind).copied().unwrap_or(self.default)
    }
}

/// Real servers to load.
#[derive(Debug, Clone)]
pub struct RealPlan {
    /// CAS endpoints by name (`cas1` unless named).
    pub cas: Vec<(String, Endpoint)>,
    /// Back ends by name; users' `backend` column refers to these names.
    pub backends: Vec<(String, Endpoint)>,
    /// Back ends with no URL, named only in the users file (or `unknown`):
    /// reachable only through a CAS (mailbox servers behind a firewall), so
    /// their rows are the CAS's commands attributed to them. Filled only when
    /// no back end has a URL (a CAS-only run).
    pub behind_cas: Vec<String>,
}

/// The load model. (Closed: a fixed number of concurrent sessions.)
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Concurrent sessions (closed model): each slot starts a new session when
    /// its last one ends.
    pub sessions: usize,
    /// Share of sessions that go via a CAS (0.0..=1.0); the rest go directly to
    /// the user's home back end.
    pub cas_share: f64,
    /// Slots are started evenly over this time, so a run does not open
    /// thousands of connections in one instant.
    pub ramp_up: Duration,
    /// Closed (fixed concurrency) or open (arrival rate).
    pub model: LoadModel,
    /// Open model: session arrivals per second (Poisson) when there are no stages.
    pub rate: f64,
    /// Ramp stages (k6 style): each moves the target (sessions for closed,
    /// arrivals/s for open) linearly from the previous stage's target (0 before
    /// the first) to its own over its duration; after the last stage the last
    /// target holds until the run's duration. Empty: constant load.
    pub stages: Vec<Stage>,
    /// Open model: at most this many sessions at once; arrivals beyond it wait
    /// (counted as backlog, their latency still runs from the arrival) and past
    /// 1.5 x this are not started at all (counted): the generator's own limit,
    /// reported as "generator saturated", never hidden.
    pub max_sessions: usize,
    /// Open model: Poisson arrivals (default) or evenly spaced ones.
    pub arrivals: Arrivals,
    /// Allow two live sessions of one user (default false: a session waits for
    /// a free user only if all are busy, and that is counted).
    pub allow_shared_users: bool,
    /// Local addresses sessions connect from, in turn (empty: the OS picks).
    /// Each address has its own ~28,000 ephemeral ports, so more addresses
    /// mean more concurrent connections from one machine.
    pub source_addresses: Vec<std::net::IpAddr>,
    /// Time from the start that thresholds and monitors leave out (connections
    /// opening, caches filling); measured and written all the same.
    pub warmup: Duration,
    /// Time before the load stops that thresholds and monitors leave out;
    /// `None`: only the drain after the load stops is left out.
    pub cooldown: Option<Duration>,
}

/// How open-model arrivals are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arrivals {
    /// Exponential gaps: independent users.
    #[default]
    Poisson,
    /// Gaps of exactly 1/rate: a constant-rate pacer.
    Uniform,
}

/// The load model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadModel {
    /// N concurrent sessions; each slot starts its next session when the last ends.
    Closed,
    /// Sessions arrive as a Poisson process at a rate, whatever the servers do.
    Open,
}

/// One ramp stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    /// How long the stage lasts.
    pub duration: Duration,
    /// Target at the end of the stage (sessions, or arrivals per second).
    pub target: f64,
}

impl LoadPlan {
    /// The load target at `t` from the run start: sessions (closed) or
    /// arrivals/s (open), following the stages.
    pub fn target_at(&self, t: Duration) -> f64 {
        let constant = match self.model {
            LoadModel::Closed => self.sessions as f64,
            LoadModel::Open => self.rate,
        };
        if self.stages.is_empty() {
            return constant;
        }
        let mut from = 0.0;
        let mut start = Duration::ZERO;
        for s in &self.stages {
            let end = start + s.duration;
            if t < end {
                let f = (t - start).as_secs_f64() / s.duration.as_secs_f64().max(1e-9);
                return from + (s.target - from) * f;
            }
            from = s.target;
            start = end;
        }
        from
    }
}

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
    /// connection...), its slot waits about this long (uniformly 0.5x..1.5x,
    /// so slots that failed together do not come back together) before it
    /// starts the next session. Without it a dead server would meet a
    /// connect storm from every slot; zero reconnects at once.
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

/// Client-side TLS settings.
#[derive(Debug, Clone, Default)]
pub struct TlsPlan {
    /// Extra trust anchors (PEM). For the embedded topology its own CA is added.
    pub ca_file: Option<PathBuf>,
    /// Skip certificate verification (must be asked for).
    pub insecure: bool,
    /// `--tls-server-name`: the name every real endpoint's certificate is
    /// checked against (servers reached by IP whose certificate names a host).
    pub server_name: Option<String>,
}

/// Where results go.
#[derive(Debug, Clone, Default)]
pub struct OutputPlan {
    /// Results directory; `None` picks `results/<name>-<timestamp>`.
    pub out: Option<PathBuf>,
    /// Overwrite an existing results directory.
    pub force: bool,
    /// No progress lines and no summary table on stdout.
    pub quiet: bool,
    /// `--protocol-log`: where sampled sessions' raw exchanges go (off when `None`).
    pub protocol_log: Option<crate::imap::protolog::Settings>,
}
