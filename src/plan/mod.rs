//! The run plan: a scenario file plus command-line flags, validated, with every
//! default filled in. Everything after this layer trusts the plan and never
//! re-validates; every mistake a user can make is caught here with its file,
//! line and key (see [`crate::error::InputError`]).

mod duration;
pub mod expr;
mod faults;
mod fields;
mod health;
mod listen;
mod load;
mod load_model;
mod load_plan;
mod monitors;
mod name;
mod overrides;
pub mod persona;
mod persona_line;
mod persona_read;
pub mod population;
mod profiles;
mod record;
mod scenario;
pub mod select;
mod session;
mod session_keys;
mod session_plan;
pub mod shard;
mod source;
mod span;
mod stages;
mod steady;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fields;
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
pub use listen::parse_listen;
pub use load::{load, load_str, QUICKSTART, QUICKSTART_ORIGIN};
pub use load_plan::{Arrivals, LoadModel, LoadPlan, Stage};
pub use overrides::Overrides;
pub use persona::Persona;
pub use population::PopulationPlan;
pub use session::DEFAULT_MIX;
pub use session_plan::{LoginMethod, Pacing, Profile, SessionPlan, ThinkTime, Validate};
pub use shard::{Shard, ShardPlan};
pub use span::line_of;
pub use thresholds::{Threshold, ThresholdPlan};
pub use users::{embedded_token, load_users_csv, UNKNOWN_BACKEND};

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::command::CommandKind;
use crate::imap::url::Endpoint;

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
    /// Recording interval: on this tick the workers' samples are added into
    /// one histogram per row.
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
    pub thresholds: crate::plan::ThresholdPlan,
    /// Client personas the users run (`None`: the session mix).
    pub population: Option<population::PopulationPlan>,
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
    /// The mail set every account holds (`None`: the fixed synthetic set).
    /// A population run's back ends hold the set `imapload populate`
    /// stores with its default settings, so personas find the same folders
    /// (Junk, Archive...) as on a populated real server.
    pub mailset: Option<crate::mailset::MailSet>,
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
    /// The end-of-run tables go to stderr: stdout carries `--summary-json -`.
    pub tables_on_stderr: bool,
    /// `--metrics-listen`: where the live Prometheus endpoint listens (off when `None`).
    pub metrics_listen: Option<std::net::SocketAddr>,
}
