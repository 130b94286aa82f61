//! Probes on Exchange's schedule during a run, and their `probes.csv`.
//!
//! Each (probe kind, target) pair is its own tokio task, as each Exchange
//! probe definition has its own recurrence: a slow CAS must not delay the
//! back-end probes. The first run of each is staggered within its interval
//! (deterministically from the seed) so that all probes do not hit the
//! servers in the same instant, as Exchange's own start offsets do.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{run_probe, FailureClass, ProbeKind};
use crate::imap::tls::TlsClient;
use crate::imap::url::Endpoint;
use crate::plan::ProbePlan;
use crate::results::cells;
use crate::results::probes::{ProbeResult, ProbeRow};

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
            // slot starts the next one right away instead of piling up.
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

/// `probes.csv` text: one [`ProbeRow`] per attempt sorted by finish time;
/// times to the microsecond so that [`from_csv`] gives back what was measured.
pub fn to_csv(attempts: &[ProbeAttempt]) -> anyhow::Result<Vec<u8>> {
    let mut sorted: Vec<&ProbeAttempt> = attempts.iter().collect();
    sorted.sort_by_key(|a| a.at);
    let rows: Vec<ProbeRow> = (sorted.into_iter())
        .map(|a| ProbeRow {
            t_s: a.at.as_secs_f64(),
            probe: a.kind.name().to_string(),
            health_set: a.kind.health_set().to_string(),
            server: a.server.clone(),
            result: if a.ok {
                ProbeResult::Succeeded
            } else {
                ProbeResult::Failed
            },
            latency_ms: a.latency.as_secs_f64() * 1000.0,
            failure: a.failure.map(|f| f.to_string()).unwrap_or_default(),
            error: a.error.clone().unwrap_or_default(),
            mailbox_server: a.mailbox_server.clone().unwrap_or_default(),
        })
        .collect();
    cells::to_csv(&rows)
}

/// Reads `probes.csv` back, for re-evaluating the probe monitors of a saved
/// run; errors name the line that is wrong.
pub fn from_csv(bytes: &[u8]) -> anyhow::Result<Vec<ProbeAttempt>> {
    let header = csv::Reader::from_reader(bytes).headers()?.clone();
    let expected = cells::header::<ProbeRow>();
    if header.iter().ne(expected.iter()) {
        bail!(
            "probes.csv header is `{}`, expected `{}`",
            header.iter().collect::<Vec<_>>().join(","),
            expected.join(",")
        );
    }
    let rows: Vec<ProbeRow> = cells::from_csv(bytes).context(crate::results::files::PROBES_CSV)?;
    (rows.iter().enumerate())
        .map(|(i, r)| attempt(r).with_context(|| format!("probes.csv line {}", i + 2)))
        .collect()
}

/// The attempt a `probes.csv` row records.
fn attempt(r: &ProbeRow) -> anyhow::Result<ProbeAttempt> {
    let micros = |v: f64, scale: f64, what: &str| -> anyhow::Result<Duration> {
        if !(v.is_finite() && v >= 0.0) {
            bail!("{what} `{v}` is not a non-negative number");
        }
        Ok(Duration::from_micros((v * scale).round() as u64))
    };
    let kind = ProbeKind::parse(&r.probe).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !r.health_set.eq_ignore_ascii_case(kind.health_set()) {
        bail!(
            "health set `{}` does not match probe {}",
            r.health_set,
            kind.name()
        );
    }
    let failure = match r.failure.as_str() {
        "" => None,
        s => Some(FailureClass::parse(s).with_context(|| format!("unknown failure class `{s}`"))?),
    };
    let text = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    Ok(ProbeAttempt {
        kind,
        server: r.server.clone(),
        at: micros(r.t_s, 1e6, ProbeRow::T_S)?,
        ok: match r.result {
            ProbeResult::Succeeded => true,
            ProbeResult::Failed => false,
        },
        latency: micros(r.latency_ms, 1e3, ProbeRow::LATENCY_MS)?,
        failure,
        error: text(&r.error),
        mailbox_server: text(&r.mailbox_server),
    })
}
