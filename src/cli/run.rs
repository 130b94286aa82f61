//! The flags of `imapload run`, and the ones `replay` shares with it: each
//! overrides the scenario file. They become [`plan::Overrides`], the plain
//! data the plan applies. Every one can also be given as `IMAPLOAD_<FLAG>`
//! (see [`super::env`]); a repeatable one's variable (and flag) takes a
//! comma-separated list, except `--threshold`.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::flags::{FailOnFlag, ThresholdFlags, TlsFlags};
use crate::plan::{self, Validate};

/// Flags of `imapload run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the built-in scenarios/quickstart.toml.
    pub scenario: Option<PathBuf>,
    /// Flags that override the scenario.
    #[command(flatten)]
    pub overrides: OverrideFlags,
    /// Exit 3 on an Unhealthy monitor or not.
    #[command(flatten)]
    pub fail_on: FailOnFlag,
    /// Also write the run's totals, rows, monitors and verdict as JSON to FILE,
    /// or to stdout with `-` (the tables then go to stderr); schema: docs/summary.schema.json.
    #[arg(long, value_name = "FILE|-")]
    pub summary_json: Option<PathBuf>,
}

/// The flags of `imapload run` (and `replay`) that override the scenario.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OverrideFlags {
    /// Results directory (default results/<name>-<UTC time>).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Replace the results directory if it exists.
    #[arg(long)]
    pub force: bool,
    /// Run duration, e.g. 30s, 5m, 1.5s.
    #[arg(long, short = 'd', allow_hyphen_values = true)]
    pub duration: Option<String>,
    /// Concurrent sessions (closed model).
    #[arg(long, short = 's')]
    pub sessions: Option<usize>,
    /// Seed for every random choice.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Users CSV file: user,password,backend.
    #[arg(long)]
    pub users: Option<PathBuf>,
    /// A real CAS: URL or NAME=URL (imap://host:143[?starttls] or imaps://host:993). Repeatable, or comma-separated.
    #[arg(long = "cas", value_name = "[NAME=]URL", value_delimiter = ',')]
    pub cas: Vec<String>,
    /// A real back end: NAME=URL. Repeatable, or comma-separated; users' backend column names these.
    #[arg(long = "backend", value_name = "NAME=URL", value_delimiter = ',')]
    pub backends: Vec<String>,
    /// TLS trust for every server.
    #[command(flatten)]
    pub tls: TlsFlags,
    /// No progress lines and no summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Share of sessions that go via a CAS, 0 to 1 (the rest go straight to the user's
    /// back end); replaces load.cas_share (left out of both: 0.8 with a CAS and back-end URLs,
    /// 1 with only a CAS, 0 with only back ends).
    #[arg(long, value_name = "FRACTION", allow_hyphen_values = true)]
    pub cas_share: Option<f64>,
    /// Open model at R session arrivals per second (replaces the scenario's model, rate and stages).
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// Response checking: `light` (fast checks on the hot path) or `strict` (decode every response).
    #[arg(long, value_name = "light|strict", value_parser = PossibleValuesParser::new(["light", "strict"])
        .map(|s| if s == "strict" { Validate::Strict } else { Validate::Light }))]
    pub validate: Option<Validate>,
    /// Local address (or IPv4 range a-b) to connect from, repeatable; spreads
    /// sessions over more ephemeral ports (replaces load.source_addresses).
    #[arg(long = "source-address", value_name = "IP|A-B", value_delimiter = ',')]
    pub source_addresses: Vec<String>,
    /// Run only part K of N of the scenario (1 <= K <= N), e.g. 2/4; merge with `imapload merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Write the raw IMAP exchange of a sample of sessions into DIR, one file each, credentials redacted.
    #[arg(long, value_name = "DIR")]
    pub protocol_log: Option<PathBuf>,
    /// Share of sessions --protocol-log records (default 0.01: the first session and every 100th).
    #[arg(long, value_name = "F")]
    pub protocol_log_sample: Option<f64>,
    /// Thresholds added to the scenario's.
    #[command(flatten)]
    pub thresholds: ThresholdFlags,
    /// Stop the run as soon as a threshold is crossed (after `[thresholds] abort_delay`).
    #[arg(long)]
    pub abort_on_fail: bool,
    /// Serve live Prometheus/OpenMetrics metrics at http://ADDR:PORT/metrics during the run
    /// (`:PORT` or `PORT` is loopback; port 0 picks a free one, printed at the start).
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics_listen: Option<String>,
    /// Users run these client personas: NAME[=SHARE],... (thunderbird, ios, applemail,
    /// outlook, k9, fairemail, webmail, or a [persona.NAME] of the scenario); --sessions
    /// then counts users.
    #[arg(long, value_name = "NAME[=SHARE],...")]
    pub persona: Option<String>,
    /// Client timers (polls, IDLE refresh, reading, deliveries) run N times faster:
    /// --time-scale 60 plays an hour of client behaviour in a minute.
    #[arg(long, value_name = "N")]
    pub time_scale: Option<f64>,
    /// Deliver the population's mail by LMTP to HOST:PORT (a real server's LMTP listener).
    #[arg(long, value_name = "HOST:PORT")]
    pub lmtp: Option<String>,
}

impl From<OverrideFlags> for plan::Overrides {
    /// Every flag, by name: a flag added to [`OverrideFlags`] and not passed
    /// on here is an unused variable, which the build rejects.
    fn from(f: OverrideFlags) -> plan::Overrides {
        let OverrideFlags {
            out,
            force,
            duration,
            sessions,
            seed,
            users,
            cas,
            backends,
            tls:
                TlsFlags {
                    ca_file,
                    insecure,
                    tls_server_name,
                },
            quiet,
            cas_share,
            rate,
            validate,
            source_addresses,
            shard,
            protocol_log,
            protocol_log_sample,
            thresholds: ThresholdFlags { thresholds },
            abort_on_fail,
            metrics_listen,
            persona,
            time_scale,
            lmtp,
        } = f;
        plan::Overrides {
            out,
            force,
            duration,
            sessions,
            seed,
            users,
            cas,
            backends,
            ca_file,
            insecure,
            tls_server_name,
            quiet,
            cas_share,
            rate,
            validate,
            source_addresses,
            shard,
            protocol_log,
            protocol_log_sample,
            thresholds,
            abort_on_fail,
            metrics_listen,
            persona,
            time_scale,
            lmtp,
        }
    }
}
