//! Evaluates every monitor on every server it applies to, from samples and
//! probe attempts, into Get-ServerHealth style results with transitions.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::plan::{MonitorPlan, ProbeMonitor, ProbePlan, QueueRule, ThresholdMonitor};

use super::rules::{consecutive_failures, consecutive_over, failures_within, Attempt, Sample};
use super::state::{chain, final_state, Transition};
use crate::results::AlertValue;

/// What a server is, for choosing its monitors and target resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerRole {
    /// A client access (proxy) server: MSExchangeImap4.
    Cas,
    /// A mailbox back end: MSExchangeImap4BE.
    Backend,
}

impl ServerRole {
    /// Exchange's target resource for the IMAP service of this role.
    pub fn target_resource(self) -> &'static str {
        match self {
            ServerRole::Cas => "MSExchangeImap4",
            ServerRole::Backend => "MSExchangeImap4BE",
        }
    }
}

/// The probe monitors: name, health set, role of the server probed, probe name.
pub const PROBE_MONITORS: [(&str, &str, ServerRole, &str); 4] = [
    ("ImapCTPMonitor", "IMAP", ServerRole::Cas, "ImapCTPProbe"),
    (
        "ImapProxyTestMonitor",
        "IMAP.Proxy",
        ServerRole::Cas,
        "ImapProxyTestProbe",
    ),
    (
        "ImapDeepTestMonitor",
        "IMAP.Protocol",
        ServerRole::Backend,
        "ImapDeepTestProbe",
    ),
    (
        "ImapSelfTestMonitor",
        "IMAP.Protocol",
        ServerRole::Backend,
        "ImapSelfTestProbe",
    ),
];

/// AverageCommandProcessingTime's Exchange name.
pub const COMMAND_TIME: &str = "AverageCommandProcessingTimeGt60sMonitor";
/// RequestsQueued's Exchange name (a model for IMAP).
pub const REQUESTS_QUEUED: &str = "RequestsQueuedGt500Monitor";

/// One monitor on one server.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorResult {
    /// Server name.
    pub server: String,
    /// Health set (IMAP, IMAP.Proxy, IMAP.Protocol).
    pub health_set: String,
    /// Monitor name as Exchange spells it.
    pub monitor: String,
    /// Target resource (MSExchangeImap4 / MSExchangeImap4BE).
    pub target_resource: String,
    /// The rule with its actual numbers, e.g. "mean corrected latency > 200 ms on 2 consecutive 5 s samples".
    pub rule: String,
    /// State changes over the run.
    pub transitions: Vec<Transition>,
    /// State at the end of the run.
    pub alert_value: AlertValue,
    /// The values the rule judged: sample values, or 1/0 per probe attempt (failed/succeeded).
    pub values: Vec<(Duration, Option<f64>)>,
    /// For a CAS's command-time monitor that fired: the back ends behind it by
    /// mean latency while it fired, slowest first ("mbx2 931 ms, mbx1 4 ms").
    pub behind: String,
}

impl MonitorResult {
    /// The worst state the monitor reached during the run.
    pub fn worst(&self) -> AlertValue {
        self.transitions
            .iter()
            .map(|t| t.to)
            .max()
            .unwrap_or(AlertValue::Healthy)
    }
}

/// Everything monitors read.
#[derive(Debug, Clone, Default)]
pub struct HealthInput {
    /// Servers and their roles, CAS first.
    pub servers: Vec<(String, ServerRole)>,
    /// Mean corrected latency (ms) per server per sample.
    pub latency: BTreeMap<String, Vec<Sample>>,
    /// Queue depth per server per sample (already reduced by the queue rule).
    pub queue: BTreeMap<String, Vec<Sample>>,
    /// Per CAS, per back end behind it: (corrected latency sum µs, commands) per sample.
    pub behind: BTreeMap<String, BTreeMap<String, Vec<(u64, u64)>>>,
    /// Probe attempts by (probe name, server).
    pub probes: BTreeMap<(String, String), Vec<Attempt>>,
    /// End of the measured run.
    pub end: Duration,
}

fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

/// A threshold monitor's result; `times` is (escalation delay, run end).
fn threshold_result(
    (server, role): (&str, ServerRole),
    monitor: &str,
    rule: String,
    samples: &[Sample],
    m: &ThresholdMonitor,
    (escalation, end): (Duration, Duration),
) -> MonitorResult {
    let transitions = chain(
        &consecutive_over(samples, m.threshold, m.consecutive),
        escalation,
        end,
    );
    MonitorResult {
        server: server.to_string(),
        health_set: "IMAP".into(),
        monitor: monitor.into(),
        target_resource: role.target_resource().into(),
        rule,
        alert_value: final_state(&transitions),
        transitions,
        values: samples.iter().map(|s| (s.end, s.value)).collect(),
        behind: String::new(),
    }
}

/// Names the back ends behind a CAS by their mean latency over the samples
/// in which the CAS's monitor was over its threshold.
fn blame(
    per_backend: &BTreeMap<String, Vec<(u64, u64)>>,
    samples: &[Sample],
    threshold: f64,
) -> String {
    let over: Vec<usize> = samples
        .iter()
        .enumerate()
        .filter(|(_, s)| s.value.is_some_and(|v| v > threshold))
        .map(|(i, _)| i)
        .collect();
    let mut means: Vec<(f64, &String)> = per_backend
        .iter()
        .filter_map(|(name, sums)| {
            let (sum, n) = over
                .iter()
                .filter_map(|&i| sums.get(i))
                .fold((0u64, 0u64), |a, b| (a.0 + b.0, a.1 + b.1));
            (n > 0).then(|| (sum as f64 / n as f64 / 1000.0, name))
        })
        .collect();
    means.sort_by(|a, b| b.0.total_cmp(&a.0));
    means
        .iter()
        .map(|(ms, name)| format!("{name} {ms:.0} ms"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Evaluates every enabled monitor on every server it applies to.
pub fn evaluate(
    monitors: &MonitorPlan,
    probes: &ProbePlan,
    input: &HealthInput,
) -> Vec<MonitorResult> {
    let mut out = Vec::new();
    let period = fmt_secs(monitors.sample_period);
    for (server, role) in &input.servers {
        if monitors.command_time.enabled {
            out.push(command_time(server, *role, monitors, input, &period));
        }
        if monitors.requests_queued.enabled {
            out.push(requests_queued(server, *role, monitors, input, &period));
        }
        if probes.enabled {
            for (monitor, set, probe_role, probe) in PROBE_MONITORS {
                if probe_role != *role {
                    continue;
                }
                let kind = ProbeMonitorKind {
                    monitor,
                    health_set: set,
                    probe,
                };
                let escalation = monitors.escalation_delay;
                out.push(probe_result(server, *role, kind, probes, escalation, input));
            }
        }
    }
    out
}

/// AverageCommandProcessingTime on `server`; a CAS's that fired names the
/// back ends behind it.
fn command_time(
    server: &str,
    role: ServerRole,
    monitors: &MonitorPlan,
    input: &HealthInput,
    period: &str,
) -> MonitorResult {
    let ct = &monitors.command_time;
    let samples = input
        .latency
        .get(server)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let rule = format!(
        "mean corrected command latency > {} ms on {} consecutive {period} samples",
        ct.threshold, ct.consecutive
    );
    let mut r = threshold_result(
        (server, role),
        COMMAND_TIME,
        rule,
        samples,
        ct,
        (monitors.escalation_delay, input.end),
    );
    if let Some(per_backend) = input
        .behind
        .get(server)
        .filter(|_| !r.transitions.is_empty())
    {
        r.behind = blame(per_backend, samples, ct.threshold);
    }
    r
}

/// RequestsQueued on `server`, on the queue readings the plan's rule reduced.
fn requests_queued(
    server: &str,
    role: ServerRole,
    monitors: &MonitorPlan,
    input: &HealthInput,
    period: &str,
) -> MonitorResult {
    let rq = &monitors.requests_queued;
    let samples = input
        .queue
        .get(server)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let how = match monitors.queue_rule {
        QueueRule::Mean => "mean",
        QueueRule::Max => "max",
    };
    let rule = format!(
        "{how} queued commands (10 Hz readings) > {} on {} consecutive {period} samples (a model)",
        rq.threshold, rq.consecutive
    );
    threshold_result(
        (server, role),
        REQUESTS_QUEUED,
        rule,
        samples,
        rq,
        (monitors.escalation_delay, input.end),
    )
}

/// One entry of [`PROBE_MONITORS`], named.
#[derive(Debug, Clone, Copy)]
struct ProbeMonitorKind {
    /// The monitor's Exchange name.
    monitor: &'static str,
    /// Its health set.
    health_set: &'static str,
    /// The probe whose attempts it judges.
    probe: &'static str,
}

/// A probe monitor on `server`, from that probe's attempts there.
fn probe_result(
    server: &str,
    role: ServerRole,
    kind: ProbeMonitorKind,
    probes: &ProbePlan,
    escalation: Duration,
    input: &HealthInput,
) -> MonitorResult {
    let ProbeMonitorKind {
        monitor,
        health_set,
        probe,
    } = kind;
    let rule_of: &ProbeMonitor = match monitor {
        "ImapCTPMonitor" => &probes.ctp,
        "ImapProxyTestMonitor" => &probes.proxy_test,
        "ImapDeepTestMonitor" => &probes.deep_test,
        _ => &probes.self_test,
    };
    let attempts = input
        .probes
        .get(&(probe.to_string(), server.to_string()))
        .map(Vec::as_slice)
        .unwrap_or_default();
    let (spans, rule) = match rule_of.window {
        None => (
            consecutive_failures(attempts, rule_of.failures),
            format!("{} consecutive {probe} failures", rule_of.failures),
        ),
        Some(w) => (
            failures_within(attempts, rule_of.failures, w),
            format!(
                "{} {probe} failures within {}",
                rule_of.failures,
                fmt_secs(w)
            ),
        ),
    };
    let transitions = chain(&spans, escalation, input.end);
    MonitorResult {
        server: server.to_string(),
        health_set: health_set.into(),
        monitor: monitor.into(),
        target_resource: role.target_resource().into(),
        rule,
        alert_value: final_state(&transitions),
        transitions,
        values: attempts
            .iter()
            .map(|a| (a.at, Some(if a.ok { 0.0 } else { 1.0 })))
            .collect(),
        behind: String::new(),
    }
}

/// The worst final state over all results (Healthy when there are none).
pub fn worst_final(results: &[MonitorResult]) -> AlertValue {
    results
        .iter()
        .map(|r| r.alert_value)
        .max()
        .unwrap_or(AlertValue::Healthy)
}
