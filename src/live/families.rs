//! The exported metric families, all prefixed `imapload_`, and their labels.
//!
//! Label values come from the topology (server names), the command list and
//! the error reasons, so the number of series is bounded by the run's rows:
//! nothing a server says (messages, user names) becomes a label.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

use super::buckets::HdrBuckets;

/// A float gauge.
pub type FGauge = Gauge<f64, AtomicU64>;

/// One output row: `path` (`cas` or `direct`), the server it counts toward,
/// the home back end behind it, and what was timed.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RowLabels {
    /// `cas` or `direct`.
    pub path: String,
    /// The server the row counts toward.
    pub server: String,
    /// The home back end behind it (the server itself for back-end rows).
    pub backend: String,
    /// The command (or CONNECT, TLS, GREETING, LOGIN...).
    pub command: String,
}

/// A row and an error reason.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    /// `cas` or `direct`.
    pub path: String,
    /// The server the row counts toward.
    pub server: String,
    /// The home back end behind it.
    pub backend: String,
    /// The command.
    pub command: String,
    /// `no`, `bad`, `timeout`, `disconnect`, `protocol`, `tls`, `connect`, `aborted`.
    pub reason: String,
}

/// One server.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ServerLabels {
    /// Server name (cas1, mbx2...).
    pub server: String,
}

/// One monitor on one server.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MonitorLabels {
    /// Server name.
    pub server: String,
    /// Monitor name as Exchange spells it.
    pub monitor: String,
}

/// One of the run's thresholds (k6-style), by its expression as written.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ThresholdLabels {
    /// The expression, e.g. `p99(cas.*.*.LOGIN) < 500ms` or `errors.rate <= 1%`.
    pub threshold: String,
}

/// What the run is: the info metric's labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RunLabels {
    /// The scenario's name.
    pub scenario: String,
    /// The run's seed.
    pub seed: String,
    /// `K/N` of a sharded run, `1/1` otherwise.
    pub shard: String,
}

/// Handles to every family; each is shared with the registry, so updating
/// one here is what the next scrape shows.
#[derive(Debug, Default)]
pub struct Families {
    /// Commands per row, successful and failed.
    pub commands: Family<RowLabels, Counter>,
    /// Failed commands per row and reason.
    pub errors: Family<ErrorLabels, Counter>,
    /// Corrected latency per row.
    pub latency: Family<RowLabels, HdrBuckets>,
    /// Service time per row.
    pub service: Family<RowLabels, HdrBuckets>,
    /// Modelled queue depth per server (mean of the last interval).
    pub queue: Family<ServerLabels, FGauge>,
    /// Modelled queue depth per server (highest reading of the last interval).
    pub queue_max: Family<ServerLabels, Gauge>,
    /// An embedded server's own queue (commands waiting for a worker).
    pub server_queued: Family<ServerLabels, FGauge>,
    /// An embedded server's busy workers.
    pub server_busy: Family<ServerLabels, FGauge>,
    /// An embedded server's worker limit (`serve` only).
    pub server_workers: Family<ServerLabels, Gauge>,
    /// An embedded server's open client connections (`serve` only).
    pub server_connections: Family<ServerLabels, Gauge>,
    /// Commands an embedded server started (`serve` only).
    pub server_commands: Family<ServerLabels, Counter>,
    /// Sessions open now.
    pub sessions_active: Gauge,
    /// Sessions started.
    pub sessions_started: Counter,
    /// Sessions that ended by a failure.
    pub sessions_failed: Counter,
    /// Open model: arrivals scheduled.
    pub arrivals: Counter,
    /// Open model: arrivals never started.
    pub arrivals_not_started: Counter,
    /// Open model: the most arrivals waiting for a free session at once.
    pub backlog_max: Gauge,
    /// Open model: 1 when the generator could not deliver the offered load.
    pub saturated: Gauge,
    /// Monitor state: 0 Healthy, 1 Degraded, 2 Unhealthy.
    pub monitor_state: Family<MonitorLabels, Gauge>,
    /// The last complete sample's value.
    pub monitor_value: Family<MonitorLabels, FGauge>,
    /// The threshold a sample is compared with.
    pub monitor_threshold: Family<MonitorLabels, FGauge>,
    /// 1 when the last complete sample was over the threshold.
    pub monitor_over: Family<MonitorLabels, Gauge>,
    /// Seconds measured since the run started (the end of the last interval).
    pub elapsed: FGauge,
    /// 1 while a threshold of the run holds on the steady window so far, 0 when crossed.
    pub threshold_passing: Family<ThresholdLabels, Gauge>,
    /// What a threshold measures so far (its metric's base unit: a fraction, µs, per s, a count).
    pub threshold_measured: Family<ThresholdLabels, FGauge>,
    /// A population run's per-persona families.
    pub personas: super::personas::PersonaFamilies,
}

/// Name, help and family of every metric except the info metric, in the
/// order a scrape lists them. Names carry no prefix (the registry adds
/// `imapload_`) and counters no `_total` (the encoder adds it).
macro_rules! register_all {
    ($reg:expr, $f:expr, $( $name:literal, $help:literal, $field:ident; )*) => {
        $( $reg.register($name, $help, $f.$field.clone()); )*
    };
}

impl Families {
    /// A registry (prefix `imapload`) exporting every family, plus the run's
    /// info metric when `run` is given (`serve` has no run).
    pub fn register(&self, run: Option<RunLabels>) -> Registry {
        let mut reg = Registry::with_prefix("imapload");
        if let Some(run) = run {
            reg.register("run", "The run: scenario, seed and shard", Info::new(run));
        }
        register_all!(reg, self,
            "commands", "Commands per path x server x backend x command, successful and failed; a via-CAS command counts on the CAS row and on the row of its back end (server = backend)", commands;
            "errors", "Failed commands per row and reason; never in the latency histograms", errors;
            "latency_seconds", "Corrected latency (from the intended start to the tagged completion) per row", latency;
            "service_seconds", "Service time (from the last byte sent to the tagged completion) per row", service;
            "queue_depth", "Modelled queue depth per server: commands outstanding on connections through it plus commands due and not sent (mean of the last interval's readings)", queue;
            "queue_depth_max", "Highest queue depth reading of the last interval per server", queue_max;
            "server_queued", "An embedded server's own queue: commands waiting for a worker", server_queued;
            "server_busy_workers", "An embedded server's workers serving a command", server_busy;
            "server_workers", "An embedded server's worker limit", server_workers;
            "server_connections", "An embedded server's open client connections", server_connections;
            "server_commands", "Commands an embedded server started", server_commands;
            "sessions_active", "IMAP sessions open", sessions_active;
            "sessions_started", "IMAP sessions started", sessions_started;
            "sessions_failed", "IMAP sessions ended by a failure", sessions_failed;
            "arrivals", "Open model: session arrivals scheduled", arrivals;
            "arrivals_not_started", "Open model: arrivals never started (generator saturated)", arrivals_not_started;
            "arrivals_backlog_max", "Open model: most arrivals waiting for a free session at once", backlog_max;
            "generator_saturated", "Open model: 1 when the generator could not deliver the offered load (LoadGen's rule)", saturated;
            "monitor_state", "Exchange monitor state per server and monitor: 0 Healthy, 1 Degraded, 2 Unhealthy", monitor_state;
            "monitor_sample_value", "The monitor's last complete sample (ms for command time, commands for queue depth)", monitor_value;
            "monitor_threshold", "The threshold a monitor's samples are compared with", monitor_threshold;
            "monitor_over_threshold", "1 when the monitor's last complete sample was over its threshold", monitor_over;
            "elapsed_seconds", "Seconds measured since the run started", elapsed;
            "threshold_passing", "1 while a threshold of the run holds on the steady window so far, 0 once crossed (judged every 5 s; no data counts as 0, as at the end)", threshold_passing;
            "threshold_measured", "What a threshold measures on the steady window so far (a fraction, microseconds, per second or a count)", threshold_measured;
        );
        self.personas.register(&mut reg);
        reg
    }
}

/// The names a scrape shows for the families (`imapload_commands_total`,
/// `imapload_latency_seconds_bucket`...), for checking that a dashboard's
/// queries name only exported metrics.
pub fn exported_names(registry: &Registry) -> Vec<String> {
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, registry).is_err() {
        return Vec::new();
    }
    let mut names: Vec<String> = (text.lines())
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| {
            let mut parts = l.split(' ');
            let (name, kind) = (parts.next()?, parts.next()?);
            Some(match kind {
                "counter" => vec![format!("{name}_total")],
                "histogram" => ["bucket", "sum", "count"]
                    .iter()
                    .map(|s| format!("{name}_{s}"))
                    .collect(),
                "info" => vec![format!("{name}_info")],
                _ => vec![name.to_string()],
            })
        })
        .flatten()
        .collect();
    names.sort();
    names
}

/// Every name a scrape can show, read from a registry in which each family
/// holds one placeholder series (an empty family is left out of a scrape).
pub fn every_name() -> Vec<String> {
    let f = Families::default();
    let row = RowLabels {
        path: "cas".into(),
        server: "s".into(),
        backend: "b".into(),
        command: "NOOP".into(),
    };
    let server = ServerLabels { server: "s".into() };
    let monitor = MonitorLabels {
        server: "s".into(),
        monitor: "m".into(),
    };
    f.commands.get_or_create(&row).inc();
    let _ = f.errors.get_or_create(&ErrorLabels {
        path: row.path.clone(),
        server: row.server.clone(),
        backend: row.backend.clone(),
        command: row.command.clone(),
        reason: "no".into(),
    });
    let _ = f.latency.get_or_create(&row);
    let _ = f.service.get_or_create(&row);
    for g in [&f.queue, &f.server_queued, &f.server_busy] {
        let _ = g.get_or_create(&server);
    }
    for g in [&f.queue_max, &f.server_workers, &f.server_connections] {
        let _ = g.get_or_create(&server);
    }
    let _ = f.server_commands.get_or_create(&server);
    let threshold = ThresholdLabels {
        threshold: "errors.rate <= 1%".into(),
    };
    let _ = f.threshold_passing.get_or_create(&threshold);
    let _ = f.threshold_measured.get_or_create(&threshold);
    for g in [&f.monitor_value, &f.monitor_threshold] {
        let _ = g.get_or_create(&monitor);
    }
    for g in [&f.monitor_state, &f.monitor_over] {
        let _ = g.get_or_create(&monitor);
    }
    f.personas.placeholders();
    let run = RunLabels {
        scenario: "s".into(),
        seed: "1".into(),
        shard: "1/1".into(),
    };
    exported_names(&f.register(Some(run)))
}

#[cfg(test)]
mod tests {
    /// Every name a scrape shows, sorted: each family once, with its suffixes.
    const EXPECTED: &[&str] = &[
        "imapload_arrivals_backlog_max",
        "imapload_arrivals_not_started_total",
        "imapload_arrivals_total",
        "imapload_commands_total",
        "imapload_elapsed_seconds",
        "imapload_errors_total",
        "imapload_generator_saturated",
        "imapload_latency_seconds_bucket",
        "imapload_latency_seconds_count",
        "imapload_latency_seconds_sum",
        "imapload_monitor_over_threshold",
        "imapload_monitor_sample_value",
        "imapload_monitor_state",
        "imapload_monitor_threshold",
        "imapload_persona_commands_total",
        "imapload_persona_connections",
        "imapload_persona_connections_opened_total",
        "imapload_persona_deliveries_total",
        "imapload_persona_devices",
        "imapload_persona_errors_total",
        "imapload_persona_exists_pushed_total",
        "imapload_persona_latency_seconds_bucket",
        "imapload_persona_latency_seconds_count",
        "imapload_persona_latency_seconds_sum",
        "imapload_persona_new_mail_fetches_total",
        "imapload_persona_reads_total",
        "imapload_persona_sends_total",
        "imapload_persona_users",
        "imapload_queue_depth",
        "imapload_queue_depth_max",
        "imapload_run_info",
        "imapload_server_busy_workers",
        "imapload_server_commands_total",
        "imapload_server_connections",
        "imapload_server_queued",
        "imapload_server_workers",
        "imapload_service_seconds_bucket",
        "imapload_service_seconds_count",
        "imapload_service_seconds_sum",
        "imapload_sessions_active",
        "imapload_sessions_failed_total",
        "imapload_sessions_started_total",
        "imapload_threshold_measured",
        "imapload_threshold_passing",
    ];

    #[test]
    fn every_family_is_named_once_with_its_suffixes() {
        let names = super::every_name();
        let mut once = names.clone();
        once.dedup();
        assert_eq!(names, once, "a name is exported twice");
        assert_eq!(names, EXPECTED, "the exported names changed");
    }
}
