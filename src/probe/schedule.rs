//! Probes on Exchange's schedule during a run, and their `probes.csv`.
//!
//! Each (probe kind, target) pair is its own tokio task, as each Exchange
//! probe definition has its own recurrence: a slow CAS must not delay the
//! back-end probes. The first run of each is staggered within its interval
//! (deterministically from the seed) so that all probes do not hit the
//! servers in the same instant, as Exchange's own start offsets do.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{run_probe, FailureClass, ProbeKind};
use crate::imap::tls::TlsClient;
use crate::imap::url::Endpoint;
use crate::plan::ProbePlan;

/// Shortest interval a probe is scheduled at, whatever the scale: keeps a
/// scale of ~0 from turning probes into a busy loop against the servers.
const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// One server a probe runs against, with the account the full probes log in as.
#[derive(Debug, Clone)]
pub struct ProbeTarget {
    /// Server name for reports (`cas1`, `mbx2`).
    pub name: String,
    /// Where to connect.
    pub endpoint: Endpoint,
    /// Probe account (Exchange uses a dedicated monitoring mailbox).
    pub user: String,
    /// Its password (never logged).
    pub password: String,
}

/// One scheduled probe execution, as the probe monitors consume it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeAttempt {
    /// Which probe.
    pub kind: ProbeKind,
    /// Target server name.
    pub server: String,
    /// When the probe finished, from the run start (monitors order by this).
    pub at: Duration,
    /// Succeeded.
    pub ok: bool,
    /// Elapsed time of the final attempt (the sample value).
    pub latency: Duration,
    /// The step that broke, when failed.
    pub failure: Option<FailureClass>,
    /// One line, without the password.
    pub error: Option<String>,
    /// The mailbox server that answered, when known.
    pub mailbox_server: Option<String>,
}

/// Starts one task per (probe kind, target): CTP and ProxyTest against every
/// CAS target, DeepTest and SelfTest against every back-end target. Each runs
/// its probe every `kind.exchange_interval() * plan.interval_scale` (at least
/// 10 ms), the first time after an offset within the first interval that is
/// deterministic from `seed`, with the plan's light/full timeout and
/// Exchange's one retry, until `stop` is cancelled (a probe in flight is then
/// abandoned and not recorded). Attempts are appended to the returned log,
/// locked once per attempt (probes are rare, so no hot-path concern). The
/// handle ends when every probe task has.
pub fn schedule(
    plan: &ProbePlan,
    cas: Vec<ProbeTarget>,
    backends: Vec<ProbeTarget>,
    tls: TlsClient,
    start: Instant,
    seed: u64,
    stop: CancellationToken,
) -> (JoinHandle<()>, Arc<Mutex<Vec<ProbeAttempt>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (k, kind) in ProbeKind::ALL.into_iter().enumerate() {
        let targets = if kind.targets_cas() { &cas } else { &backends };
        let interval = kind
            .exchange_interval()
            .mul_f64(plan.interval_scale.max(0.0))
            .max(MIN_INTERVAL);
        let timeout = if kind.light() {
            plan.timeout_light
        } else {
            plan.timeout_full
        };
        for (t, target) in targets.iter().enumerate() {
            let offset = interval.mul_f64(unit(seed, k as u64, t as u64));
            let job = Job {
                kind,
                target: target.clone(),
                tls: tls.clone(),
                first: start + offset,
                interval,
                timeout,
                start,
            };
            tasks.push(tokio::spawn(job.run(log.clone(), stop.clone())));
        }
    }
    let handle = tokio::spawn(async move {
        for t in tasks {
            let _ = t.await;
        }
    });
    (handle, log)
}

/// One (kind, target) recurrence.
struct Job {
    kind: ProbeKind,
    target: ProbeTarget,
    tls: TlsClient,
    first: Instant,
    interval: Duration,
    timeout: Duration,
    start: Instant,
}

impl Job {
    async fn run(self, log: Arc<Mutex<Vec<ProbeAttempt>>>, stop: CancellationToken) {
        let mut next = self.first;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {}
                _ = stop.cancelled() => return,
            }
            let probe = run_probe(
                self.kind,
                &self.target.name,
                &self.target.endpoint,
                &self.tls,
                &self.target.user,
                &self.target.password,
                self.timeout,
                true,
            );
            let r = tokio::select! {
                r = probe => r,
                _ = stop.cancelled() => return,
            };
            let attempt = ProbeAttempt {
                kind: r.kind,
                server: r.server,
                at: self.start.elapsed(),
                ok: r.ok,
                latency: r.latency,
                failure: r.failure,
                error: r.error,
                mailbox_server: r.mailbox_server,
            };
            log.lock().unwrap_or_else(|e| e.into_inner()).push(attempt);
            // Fixed rate like Exchange's recurrence; a probe that overran its
            // period starts the next one right away instead of piling up.
            next += self.interval;
            let now = Instant::now();
            if next < now {
                next = now;
            }
        }
    }
}

/// A number in [0, 1) from (seed, kind, target): splitmix64, so offsets are
/// spread and reproducible without sharing an RNG between tasks.
fn unit(seed: u64, kind: u64, target: u64) -> f64 {
    let mut z = seed
        ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ target.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}
