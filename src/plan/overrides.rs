//! What the command line overrides in the scenario file (`imapload run`'s
//! and `replay`'s flags, parsed by `cli::run`): plain data the plan applies
//! as it is built. `None`, `false` or empty keeps the file's value.

use std::path::PathBuf;

/// The scenario settings a run's flags override.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Results directory (default results/<name>-<UTC time>).
    pub out: Option<PathBuf>,
    /// Replace the results directory if it exists.
    pub force: bool,
    /// Run duration, e.g. 30s, 5m, 1.5s.
    pub duration: Option<String>,
    /// Concurrent sessions (closed model).
    pub sessions: Option<usize>,
    /// Seed for every random choice.
    pub seed: Option<u64>,
    /// Users CSV file: user,password,backend.
    pub users: Option<PathBuf>,
    /// Real CASes: URL or NAME=URL each.
    pub cas: Vec<String>,
    /// Real back ends: NAME=URL each.
    pub backends: Vec<String>,
    /// Extra trust anchors for TLS (PEM).
    pub ca_file: Option<PathBuf>,
    /// Do not verify server certificates.
    pub insecure: bool,
    /// The name every server's certificate is checked against (and sent as SNI).
    pub tls_server_name: Option<String>,
    /// No progress lines and no summary table.
    pub quiet: bool,
    /// Share of sessions that go via a CAS (the rest go straight to the home back end).
    pub cas_share: Option<f64>,
    /// Open model at this many session arrivals per second.
    pub rate: Option<f64>,
    /// Response checking.
    pub validate: Option<super::Validate>,
    /// Local addresses (or IPv4 ranges a-b) to connect from.
    pub source_addresses: Vec<String>,
    /// Run only part K of N of the scenario (`K/N`).
    pub shard: Option<String>,
    /// Write the raw IMAP exchange of a sample of sessions into this directory.
    pub protocol_log: Option<PathBuf>,
    /// Share of sessions the protocol log records.
    pub protocol_log_sample: Option<f64>,
    /// Threshold expressions added to the scenario's.
    pub thresholds: Vec<String>,
    /// Stop the run as soon as a threshold is crossed.
    pub abort_on_fail: bool,
    /// Serve live metrics at this `ADDR:PORT`.
    pub metrics_listen: Option<String>,
    /// `--persona NAME[=SHARE],...`: a population of these personas.
    pub persona: Option<String>,
    /// `--time-scale N`: client timers of a population run N times faster.
    pub time_scale: Option<f64>,
    /// `--lmtp HOST:PORT`: a real server's LMTP for the population's deliveries.
    pub lmtp: Option<String>,
}
