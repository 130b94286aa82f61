//! The flags of `imapload replay`: each overrides the scenario's `[replay]`
//! table; the topology, users, TLS and output flags are `run`'s.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use super::flags::FailOnFlag;
use super::run::OverrideFlags;
use crate::replay::options::{ReplayOptions, Via};

/// Flags of `imapload replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Logs to replay: files, directories (walked) or globs such as 'logs/IMAP4*.LOG'
    /// (Exchange IMAP4 logs, Dovecot rawlogs, imapload protocol logs; the format is read from the content).
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Scenario file whose topology, users, monitors and `[replay]` table apply
    /// (default: the built-in quickstart's embedded topology).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Log seconds per run second (default 1; 20 replays an hour in 3 minutes).
    #[arg(long)]
    pub speed: Option<f64>,
    /// Replay from this log time: RFC 3339 (2026-11-20T09:40:00Z) or HH:MM[:SS] on the logs' first day (UTC).
    #[arg(long)]
    pub from: Option<String>,
    /// Replay up to this log time (same forms as --from).
    #[arg(long)]
    pub to: Option<String>,
    /// Share of the logged sessions replayed, in (0, 1] (chosen by a stable hash of the session).
    #[arg(long)]
    pub sample: Option<f64>,
    /// CSV `logged_user,user`: logged users mapped onto the run's users by name
    /// (others by name when the run has them, else by a stable hash).
    #[arg(long, value_name = "FILE")]
    pub user_map: Option<PathBuf>,
    /// Send folder DELETE and RENAME to real servers too (skipped there by default).
    #[arg(long)]
    pub allow_destructive: bool,
    /// Replay Exchange's own probe sessions (tag z, HealthMailbox users) too.
    #[arg(long)]
    pub include_probes: bool,
    /// Every session via a CAS or direct (default: front-end logs via a CAS, back-end logs direct).
    #[arg(long, value_name = "VIA", value_parser = via_parser())]
    pub via: Option<Via>,
    /// Most replayed sessions open at once (default 2000); more wait and are reported as generator saturation.
    #[arg(long)]
    pub max_sessions: Option<usize>,
    /// Flags as for `run`: topology, users, TLS, output.
    #[command(flatten)]
    pub overrides: OverrideFlags,
    /// Exit 3 on an Unhealthy monitor or not.
    #[command(flatten)]
    pub fail_on: FailOnFlag,
}

/// `--via`'s values, each with its meaning (shown by `--help`).
fn via_parser() -> impl TypedValueParser<Value = Via> {
    PossibleValuesParser::new([
        PossibleValue::new("cas").help("Every session through a CAS"),
        PossibleValue::new("direct").help("Every session straight to its user's home back end"),
    ])
    .map(|s| if s == "cas" { Via::Cas } else { Via::Direct })
}

impl From<ReplayArgs> for ReplayOptions {
    fn from(a: ReplayArgs) -> ReplayOptions {
        ReplayOptions {
            sources: a.sources,
            scenario: a.scenario,
            speed: a.speed,
            from: a.from,
            to: a.to,
            sample: a.sample,
            user_map: a.user_map,
            allow_destructive: a.allow_destructive,
            include_probes: a.include_probes,
            via: a.via,
            max_sessions: a.max_sessions,
            overrides: a.overrides.into(),
            fail_on: a.fail_on.fail_on,
        }
    }
}
