//! Command-line flags that override the scenario file (`imapload run`'s
//! flags, flattened into the CLI as they are): one type, so a new flag is
//! declared once and reaches the plan without being copied field by field.
//! `None`, `false` or empty keeps the file's value. Every flag can also be
//! given as `IMAPLOAD_<FLAG>` (see `cli::env`); a repeatable one's variable
//! (and flag) takes a comma-separated list, except `--threshold`.

use std::path::PathBuf;

/// The flags of `imapload run` that override the scenario.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Overrides {
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
    /// Extra trust anchors for TLS (PEM).
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Do not verify server certificates (only for test servers you control).
    #[arg(long)]
    pub insecure: bool,
    /// The name every server's certificate is checked against (and sent as SNI),
    /// for servers reached by IP whose certificate names a host; per server: URL `?sni=NAME`.
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,
    /// No progress lines and no summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Open model at R session arrivals per second (replaces the scenario's model, rate and stages).
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// Response checking: `light` (fast checks on the hot path) or `strict` (decode every response).
    #[arg(long, value_name = "light|strict", value_parser = clap::builder::TypedValueParser::map(
        clap::builder::PossibleValuesParser::new(["light", "strict"]),
        |s| if s == "strict" { super::Validate::Strict } else { super::Validate::Light }))]
    pub validate: Option<super::Validate>,
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
    /// A threshold the run must meet, e.g. 'p99(cas.*.*.LOGIN) < 500ms' or
    /// 'errors.rate < 0.1%'; repeatable, added to the scenario's (exit 5 when one fails).
    #[arg(long = "threshold", value_name = "EXPR", allow_hyphen_values = true)]
    pub thresholds: Vec<String>,
    /// Stop the run as soon as a threshold is crossed (after `[thresholds] abort_delay`).
    #[arg(long)]
    pub abort_on_fail: bool,
    /// Serve live Prometheus/OpenMetrics metrics at http://ADDR:PORT/metrics during the run
    /// (`:PORT` or `PORT` is loopback; port 0 picks a free one, printed at the start).
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics_listen: Option<String>,
}
