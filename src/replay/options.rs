//! What `imapload replay` is asked to do (its flags, parsed by
//! `cli::replay`): each overrides the scenario's `[replay]` table; the
//! topology, users, TLS and output settings are `run`'s.

use std::path::PathBuf;

use crate::error::FailOn;
use crate::plan::Overrides;

/// Which path replayed sessions take, whatever their log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Every session through a CAS.
    Cas,
    /// Every session straight to its user's home back end.
    Direct,
}

/// The settings of one `imapload replay`; `None` keeps the scenario's value.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Logs to replay: files, directories (walked) or globs.
    pub sources: Vec<String>,
    /// Scenario file whose topology, users, monitors and `[replay]` table apply.
    pub scenario: Option<PathBuf>,
    /// Log seconds per run second.
    pub speed: Option<f64>,
    /// Replay from this log time (RFC 3339 or HH:MM[:SS]).
    pub from: Option<String>,
    /// Replay up to this log time.
    pub to: Option<String>,
    /// Share of the logged sessions replayed, in (0, 1].
    pub sample: Option<f64>,
    /// CSV `logged_user,user` mapping logged users onto the run's.
    pub user_map: Option<PathBuf>,
    /// Send folder DELETE and RENAME to real servers too.
    pub allow_destructive: bool,
    /// Replay Exchange's own probe sessions too.
    pub include_probes: bool,
    /// Every session via a CAS or direct (default: as logged).
    pub via: Option<Via>,
    /// Most replayed sessions open at once.
    pub max_sessions: Option<usize>,
    /// `run`'s settings: topology, users, TLS, output.
    pub overrides: Overrides,
    /// When an Unhealthy monitor fails the process.
    pub fail_on: FailOn,
}
