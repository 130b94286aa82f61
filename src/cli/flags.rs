//! Flag groups that several subcommands take, each declared once and
//! flattened (`#[command(flatten)]`) wherever it is given, so a flag reads
//! and parses the same on every subcommand.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use crate::error::FailOn;

/// TLS trust: `run` and `replay` (for every server) and `probe`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TlsFlags {
    /// Extra trust anchors for TLS (PEM).
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Do not verify server certificates (only for test servers you control).
    #[arg(long)]
    pub insecure: bool,
    /// The name the servers' certificates are checked against (and sent as SNI) instead
    /// of the URL's host, for servers reached by IP whose certificate names a host;
    /// per server: URL `?sni=NAME`.
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,
}

/// Thresholds to judge: `run` and `replay` (besides the scenario's), `merge`
/// (besides the shards') and `health` (besides the saved run's).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ThresholdFlags {
    /// A threshold to judge besides the scenario's or the saved run's own, e.g.
    /// 'p99(cas.*.*.LOGIN) < 500ms' or 'errors.rate < 0.1%'; repeatable (exit 5 when one fails).
    #[arg(long = "threshold", value_name = "EXPR", allow_hyphen_values = true)]
    pub thresholds: Vec<String>,
}

/// When an Unhealthy monitor fails the process: `run` and `replay`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct FailOnFlag {
    /// Exit 3 when a monitor ended Unhealthy (`unhealthy`, the default) or never.
    #[arg(long, value_name = "FAIL_ON", default_value = "unhealthy", value_parser = fail_on_parser())]
    pub fail_on: FailOn,
}

/// `--fail-on`'s values, each with its meaning (shown by `--help`).
fn fail_on_parser() -> impl TypedValueParser<Value = FailOn> {
    PossibleValuesParser::new([
        PossibleValue::new("unhealthy").help("Exit 3 when a monitor ended Unhealthy"),
        PossibleValue::new("never").help("Never exit 3 because of monitors"),
    ])
    .map(|s| {
        if s == "never" {
            FailOn::Never
        } else {
            FailOn::Unhealthy
        }
    })
}
