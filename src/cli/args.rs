//! The flags of the subcommands that read results or serve, as clap parses
//! them (`run`'s are in [`super::run`], `replay`'s in [`super::replay`], the
//! generators' in [`super::generate`]); [`super::Command`] names the
//! subcommands and `dispatch` hands each its flags.

use std::net::IpAddr;
use std::path::PathBuf;

use super::flags::{ThresholdFlags, TlsFlags};

/// Flags of `imapload merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shards' results directories (one per K of `--shard K/N`).
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// The merged results directory.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Replace the merged directory if it exists.
    #[arg(long)]
    pub force: bool,
    /// Merge even if some shards are missing (the merge then covers less than the scenario).
    #[arg(long)]
    pub allow_missing: bool,
    /// No summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Thresholds judged on the merged results, besides the shards' own.
    #[command(flatten)]
    pub thresholds: ThresholdFlags,
}

impl MergeArgs {
    /// The shards' directories, and what `merge` does with them.
    pub fn into_parts(self) -> (Vec<PathBuf>, crate::merge::MergeOptions) {
        let options = crate::merge::MergeOptions {
            out: self.out,
            force: self.force,
            allow_missing: self.allow_missing,
            quiet: self.quiet,
            thresholds: self.thresholds.thresholds,
        };
        (self.shards, options)
    }
}

/// Flags of `imapload compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// BASELINE CURRENT (one run each), or the baseline's runs followed by
    /// `--` and the current runs (`compare b1 b2 b3 -- c1 c2 c3`); a quoted
    /// glob (`'base-*'`) names every directory it matches.
    #[arg(required = true, value_name = "BASELINE")]
    pub runs: Vec<PathBuf>,
    /// The current runs, after `--`.
    #[arg(last = true, value_name = "CURRENT")]
    pub current: Vec<PathBuf>,
    /// Largest allowed growth of the judged percentile, e.g. 10%.
    #[arg(long, default_value = "10%")]
    pub max_regression: String,
    /// The highest statistic judged: p50, p90, p99, p99.9, max or mean
    /// (corrected latency); a row too small for it is judged at the highest
    /// percentile below it that it supports (10 samples beyond it). p90 by
    /// default: a single run's p99 moves by tens of percent between twins.
    #[arg(long, default_value = "p90")]
    pub metric: crate::compare::Metric,
    /// Significance level of the whole comparison (Holm-adjusted over every row).
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// text, markdown (for a pull-request comment), json (one document on stdout) or html (a page of the two runs side by side).
    #[arg(long, default_value = "text")]
    pub format: crate::compare::Format,
    /// Rows with fewer latencies on either side are shown, not judged
    /// (default: 20, what a median needs).
    #[arg(long)]
    pub min_samples: Option<u64>,
    /// Changes smaller than this are never regressions (e.g. 1ms; 0s to judge everything).
    #[arg(long, default_value = "1ms")]
    pub min_delta: String,
}

/// Flags of `imapload report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A results directory written by `imapload run`.
    pub results: PathBuf,
}

/// Flags of `imapload probe`.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// `IMAP\ImapCTPProbe`, `IMAP.Proxy\ImapProxyTestProbe`, `IMAP.Protocol\ImapDeepTestProbe` or `IMAP.Protocol\ImapSelfTestProbe`.
    pub probe: String,
    /// Server URL: imap://host:143[?starttls] or imaps://host:993.
    #[arg(long)]
    pub server: String,
    /// Probe account (full probes log in).
    #[arg(long, default_value = "")]
    pub user: String,
    /// Its password (never printed). Visible in `ps` and shell history:
    /// prefer --password-file or IMAPLOAD_PASSWORD.
    #[arg(
        long,
        default_value = "",
        env = "IMAPLOAD_PASSWORD",
        hide_env_values = true
    )]
    pub password: String,
    /// Read the password from this file (its first line); beats --password and IMAPLOAD_PASSWORD.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// TLS trust.
    #[command(flatten)]
    pub tls: TlsFlags,
    /// Timeout (default: Exchange's, 55 s light / 110 s full).
    #[arg(long)]
    pub timeout: Option<String>,
}

/// Flags of `imapload health`.
#[derive(Debug, clap::Args)]
pub struct HealthArgs {
    /// A results directory written by `imapload run`.
    pub results: PathBuf,
    /// Take the monitor and probe settings from this scenario instead of the run's.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// AverageCommandProcessingTime threshold, e.g. 60s or 500ms.
    #[arg(long)]
    pub command_time_threshold: Option<String>,
    /// RequestsQueued threshold (queued commands).
    #[arg(long)]
    pub queue_threshold: Option<f64>,
    /// Sample period, e.g. 300s.
    #[arg(long)]
    pub sample_period: Option<String>,
    /// Degraded -> Unhealthy delay, e.g. 2m.
    #[arg(long)]
    pub escalation_delay: Option<String>,
    /// Thresholds judged besides the run's own.
    #[command(flatten)]
    pub thresholds: ThresholdFlags,
}

impl HealthArgs {
    /// The results directory, and the settings to re-judge it with.
    pub fn into_parts(self) -> (PathBuf, crate::health::HealthOptions) {
        let options = crate::health::HealthOptions {
            scenario: self.scenario,
            command_time_threshold: self.command_time_threshold,
            queue_threshold: self.queue_threshold,
            sample_period: self.sample_period,
            escalation_delay: self.escalation_delay,
            thresholds: self.thresholds.thresholds,
        };
        (self.results, options)
    }
}

/// Flags of `imapload serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Number of mailbox back ends (mbx1..).
    #[arg(long, default_value_t = 2)]
    pub backends: usize,
    /// Number of CAS proxies (cas1..).
    #[arg(long, default_value_t = 1)]
    pub cas: usize,
    /// Address to listen on (loopback unless you say otherwise).
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// First port; servers take consecutive ports (plain, TLS) from here. Default: ephemeral.
    #[arg(long)]
    pub port_base: Option<u16>,
    /// Number of users in the users file.
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// Seed for the synthetic mailboxes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Commands a back end serves at once.
    #[arg(long, default_value_t = 16)]
    pub workers: usize,
    /// Where to write users.csv and ca.pem (default: a new temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Back-end service time per command, log-normal: MEDIAN/P99, e.g.
    /// `1ms/5ms` (the default) or `0` for none (to measure the generator).
    #[arg(long, default_value = "1ms/5ms", value_name = "MEDIAN/P99")]
    pub service_time: String,
    /// Run only these servers (comma-separated, e.g. `mbx2`), keeping the
    /// whole topology's port numbering: one topology over several processes,
    /// each with its own open-file limit. Needs --port-base.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub only: Option<Vec<String>>,
    /// Advertise LOGINDISABLED and refuse LOGIN / AUTHENTICATE on plain connections until STARTTLS.
    #[arg(long)]
    pub login_disabled_without_tls: bool,
    /// Serve the servers' own queue and worker gauges for Prometheus at http://ADDR:PORT/metrics
    /// (`:PORT` or `PORT` is loopback; printed as a `METRICS` line).
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics_listen: Option<String>,
}
