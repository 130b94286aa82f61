//! The names of the files in a results directory, spelt once for the writer
//! and every reader.

/// The run record ([`super::RunRecord`]).
pub const RUN_JSON: &str = "run.json";
/// One [`super::SummaryRow`] per path x server x back end x command.
pub const SUMMARY_CSV: &str = "summary.csv";
/// First messages per row and reason ([`crate::results::ErrorCause`]).
pub const ERRORS_CSV: &str = "errors.csv";
/// One [`super::timeseries::TimeseriesRow`] per row and interval.
pub const TIMESERIES_CSV: &str = "timeseries.csv";
/// One [`super::timeseries::QueueRow`] per server and interval.
pub const QUEUE_CSV: &str = "queue.csv";
/// One [`super::probes::ProbeRow`] per probe attempt.
pub const PROBES_CSV: &str = "probes.csv";
/// One [`super::probes::HealthRow`] per monitor.
pub const HEALTH_CSV: &str = "health.csv";
/// Corrected latency histograms per interval and row ([`super::hlog`]).
pub const LATENCY_HLOG: &str = "latency.hlog";
/// Service-time histograms per interval and row.
pub const SERVICE_HLOG: &str = "service.hlog";
/// The self-contained HTML report.
pub const REPORT_HTML: &str = "report.html";
/// `imapload replay`: one [`super::replay::ReplayRow`] per logged command.
pub const REPLAY_CSV: &str = "replay.csv";
