//! `run.json`: one typed document, written by a run (and by `merge`) and read
//! back by `health`, `merge`, `compare` and the HTML report. Every field an
//! older release may lack has a default, so results written before a key
//! existed still read; fields are declared in key order, so apart from
//! `schema_version` the file reads exactly as the previous release wrote it.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::results::AlertValue;
use crate::results::ErrorCause;
use crate::results::Security;
use crate::results::SessionTally;
use crate::results::Verdict;
use crate::results::Window;

use super::monitors::{MonitorSettings, MonitorVerdict};
use super::plan::PlanDoc;
use super::shards::{ShardDoc, ShardsDoc};
use super::summary::SummaryRow;

/// The version this release writes. A document without `schema_version` is
/// version 1, the previous release.
pub const SCHEMA_VERSION: u32 = 2;

fn version_1() -> u32 {
    1
}

/// The whole of `run.json`. Every key may be absent: the report draws what a
/// directory left by a killed process or an older release has.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunRecord {
    /// Measured time, seconds.
    pub elapsed_s: f64,
    /// Wall-clock end (RFC 3339).
    pub ended_at: String,
    /// First messages per row and reason (absent before causes were kept).
    pub error_causes: Vec<ErrorCause>,
    /// Faults applied and reverted.
    pub faults: Vec<FaultDoc>,
    /// The open model's generator figures (null in a closed run).
    pub generator: Option<GeneratorDoc>,
    /// Worst monitor state at the end.
    pub health: Option<AlertValue>,
    /// imapload's version.
    pub imapload_version: String,
    /// Settings the monitors were judged with.
    pub monitor_settings: Option<MonitorSettings>,
    /// Each monitor's verdict.
    pub monitors: Vec<MonitorVerdict>,
    /// How the run ended; `running` in the checkpoints written while it runs.
    pub outcome: Option<Outcome>,
    /// A population run: what each client persona did (absent otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<super::personas::PersonaRow>,
    /// The process writing a `running` checkpoint, so a reader can tell a
    /// run still going from one whose process was killed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The effective plan.
    pub plan: PlanDoc,
    /// Version of this document's layout.
    #[serde(default = "version_1")]
    pub schema_version: u32,
    /// Seed of the run (absent in some hand-made files).
    pub seed: Option<u64>,
    /// The servers under test.
    pub servers: Servers,
    /// Session counts.
    pub sessions: SessionsDoc,
    /// Which part of a `--shard K/N` run this is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardDoc>,
    /// A merge's parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<ShardsDoc>,
    /// Wall-clock start (RFC 3339).
    pub started_at: String,
    /// One row per path x server x back end x command, as `summary.csv`.
    pub summary: Vec<SummaryRow>,
    /// Run totals.
    pub totals: Totals,
    /// The overall verdict (absent before verdicts existed).
    pub verdict: Option<Verdict>,
    /// The steady window judged (absent before windows existed: all of it).
    pub window: Option<Window>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Still running (a checkpoint, or a killed process).
    Running,
    /// Ran to the end.
    Completed,
    /// Interrupted (Ctrl-C).
    Partial,
    /// Failed.
    Failed,
}

impl Outcome {
    /// As written in `run.json`.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Completed => "completed",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
        }
    }
}

/// The servers under test, CAS then back ends, each in queue order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Servers {
    /// Back ends.
    pub backends: Vec<ServerDoc>,
    /// CAS servers.
    pub cas: Vec<ServerDoc>,
}

impl Servers {
    /// CAS names, in order.
    pub fn cas_names(&self) -> Vec<String> {
        self.cas.iter().map(|s| s.name.clone()).collect()
    }

    /// Back-end names, in order.
    pub fn backend_names(&self) -> Vec<String> {
        self.backends.iter().map(|s| s.name.clone()).collect()
    }

    /// CAS then back-end names: the order of `queue.csv`.
    pub fn names(&self) -> Vec<String> {
        self.cas
            .iter()
            .chain(&self.backends)
            .map(|s| s.name.clone())
            .collect()
    }
}

/// One server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerDoc {
    /// Address connected to.
    pub addr: String,
    /// Name.
    pub name: String,
    /// How connections to it are secured.
    pub security: Security,
}

/// `sessions`: the engine's tally and the shared-user figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionsDoc {
    /// Started, completed, failed, aborted.
    #[serde(flatten)]
    pub tally: SessionTally,
    /// Sessions that shared a user with another.
    #[serde(default)]
    pub shared_users: u64,
    /// Times a session waited for a free user.
    #[serde(default)]
    pub user_waits: u64,
}

/// `totals`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Totals {
    /// Commands measured, each once.
    pub commands: u64,
    /// Commands per second of measured time.
    pub commands_per_s: f64,
    /// Failed commands.
    pub errors: u64,
}

/// The open model's generator figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratorDoc {
    /// Sessions that arrived.
    pub arrivals: u64,
    /// Most arrivals waiting for a free session.
    pub max_backlog: u64,
    /// Worst start lag, ms.
    pub max_start_lag_ms: f64,
    /// Always `open`.
    pub model: String,
    /// Arrivals never started.
    pub not_started: u64,
    /// The offered load was not delivered.
    pub saturated: bool,
}

/// A fault applied or reverted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultDoc {
    /// Applied (else reverted).
    pub applied: bool,
    /// When, seconds from the run start.
    pub at_s: f64,
    /// The server.
    pub server: String,
    /// What was done.
    pub what: String,
}

impl RunRecord {
    /// The wall-clock start, if it parses.
    pub fn started(&self) -> Option<SystemTime> {
        parse_time(&self.started_at)
    }

    /// The wall-clock end, if it parses.
    pub fn ended(&self) -> Option<SystemTime> {
        parse_time(&self.ended_at)
    }

    /// Measured time.
    pub fn elapsed(&self) -> Duration {
        Duration::from_secs_f64(self.elapsed_s.max(0.0))
    }

    /// The steady window judged (all of it for results from before windows).
    pub fn window(&self) -> Window {
        self.window.unwrap_or(Window::WHOLE)
    }

    /// The monitor settings; results without them cannot be re-judged.
    pub fn monitor_settings(&self) -> Result<&MonitorSettings, String> {
        (self.monitor_settings.as_ref())
            .ok_or_else(|| "no monitor settings: cannot re-judge these results".to_string())
    }

    /// Whether the record is a checkpoint (`running`): the run is still
    /// going, or its process was killed before it could write the end.
    pub fn is_checkpoint(&self) -> bool {
        self.outcome == Some(Outcome::Running)
    }

    /// How far the other files are read: up to the measured time of a
    /// checkpoint (the time series may run a few intervals past it, with
    /// no totals in `summary.csv` to match), everything otherwise.
    pub fn series_until(&self) -> Duration {
        match self.is_checkpoint() {
            true => self.elapsed(),
            false => Duration::MAX,
        }
    }

    /// How the run ended, for people: `running` only while the process
    /// that writes the checkpoints is alive; a checkpoint whose process is
    /// gone (killed, out of memory, a reboot) was cut short.
    pub fn outcome_text(&self) -> String {
        match self.outcome {
            Some(Outcome::Running) if self.writer_alive() => "running".into(),
            Some(Outcome::Running) => format!(
                "cut short at {:.1} s (its process is gone: killed?)",
                self.elapsed_s
            ),
            Some(o) => o.label().into(),
            None => "unknown".into(),
        }
    }

    /// Whether the process that wrote a checkpoint still runs (unknown
    /// counts as alive; only Linux's /proc can tell).
    fn writer_alive(&self) -> bool {
        let proc = std::path::Path::new("/proc");
        match self.pid {
            Some(pid) if proc.is_dir() => proc.join(pid.to_string()).exists(),
            Some(_) => true,
            None => false,
        }
    }

    /// The recording interval, if the plan has a usable one.
    pub fn interval(&self) -> Option<Duration> {
        let s = self.plan.interval_s;
        (s.is_finite() && s > 0.0).then(|| Duration::from_secs_f64(s))
    }
}

/// RFC 3339 UTC timestamp with milliseconds, as `run.json` writes times.
pub fn rfc3339(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse_time(s: &str) -> Option<SystemTime> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(SystemTime::from)
}
