//! `run.json`'s `plan`: the effective plan a run executed (passwords left
//! out), typed so that `health`, `merge`, `compare` and the HTML report read
//! it by field rather than by string key. Fields are declared in key order so
//! the file reads exactly as the previous release wrote it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Security;

/// The effective plan. Every field has a default so that results written by
/// older releases, which lacked some keys, still read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanDoc {
    /// Planned measuring time, seconds.
    pub duration_s: f64,
    /// Recording interval, seconds: the length of a `timeseries.csv` row.
    pub interval_s: f64,
    /// The load model (of this run or shard).
    pub load: LoadDoc,
    /// Scenario name, shown by `compare` and the report.
    pub name: String,
    /// A population run: its groups and time scale (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<PopulationDoc>,
    /// Session profiles with their weights.
    pub profiles: Vec<ProfileDoc>,
    /// Scenario file the plan came from, when there was one.
    pub scenario: Option<String>,
    /// Seed of this run (a shard's own seed for a shard).
    pub seed: u64,
    /// Session behaviour.
    pub session: SessionDoc,
    /// TLS settings.
    pub tls: TlsDoc,
    /// Servers under test (embedded or real).
    pub topology: TopologyDoc,
    /// Number of users.
    pub users: usize,
}

/// `plan.load` (and a shard's whole-scenario `shard.load`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadDoc {
    /// Several sessions may log in as one user.
    pub allow_shared_users: bool,
    /// Arrival process of the open model (`poisson`, `uniform`).
    pub arrivals: String,
    /// Share of sessions via a CAS.
    pub cas_share: f64,
    /// Cool-down at the end, seconds, if any.
    pub cooldown_s: Option<f64>,
    /// Open model's session cap.
    pub max_sessions: usize,
    /// `closed`, `open`, ...
    pub model: String,
    /// Ramp-up time, seconds.
    pub ramp_up_s: f64,
    /// Open model's arrival rate per second.
    pub rate: f64,
    /// Closed model's concurrent sessions.
    pub sessions: usize,
    /// Load stages.
    pub stages: Vec<StageDoc>,
    /// Warm-up excluded from the verdict, seconds.
    pub warmup_s: f64,
}

/// One load stage: hold or ramp to `target` for `duration_s`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageDoc {
    /// Stage length, seconds.
    pub duration_s: f64,
    /// Sessions or rate to reach.
    pub target: f64,
}

/// A session profile and its weight.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileDoc {
    /// Profile name.
    pub name: String,
    /// Relative weight.
    pub weight: u32,
}

/// `plan.session`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionDoc {
    /// Bytes of each APPEND.
    pub append_size: usize,
    /// Command timeout, seconds.
    pub command_timeout_s: f64,
    /// Commands per session, at least and at most.
    pub commands_per_session: [u32; 2],
    /// IDLE length, seconds.
    pub idle_duration_s: f64,
    /// Login method (its debug spelling, e.g. `Login`).
    pub login: String,
    /// Mailbox selected.
    pub mailbox: String,
    /// Command mix: label to weight.
    pub mix: BTreeMap<String, u32>,
    /// Pacing (debug spelling).
    pub pacing: String,
    /// Commands in flight per connection; left out when 1 (no pipelining),
    /// so results of releases before pipelining read back as they were.
    #[serde(skip_serializing_if = "no_pipelining")]
    pub pipeline: u32,
    /// Delay before reconnecting, seconds.
    pub reconnect_delay_s: f64,
    /// Embedded servers' security.
    pub security: Security,
    /// Share of plain sessions upgraded with STARTTLS.
    pub starttls_share: f64,
    /// Think time between commands.
    pub think_time: ThinkDoc,
    /// Response validation (debug spelling).
    pub validate: String,
}

impl Default for SessionDoc {
    fn default() -> Self {
        SessionDoc {
            append_size: 0,
            command_timeout_s: 0.0,
            commands_per_session: [0, 0],
            idle_duration_s: 0.0,
            login: String::new(),
            mailbox: String::new(),
            mix: BTreeMap::new(),
            pacing: String::new(),
            pipeline: 1,
            reconnect_delay_s: 0.0,
            security: Security::Plain,
            starttls_share: 0.0,
            think_time: ThinkDoc::None,
            validate: String::new(),
        }
    }
}

/// Think time, tagged by `dist`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum ThinkDoc {
    /// No think time.
    #[default]
    None,
    /// Always `value_s`.
    Fixed {
        /// Seconds.
        value_s: f64,
    },
    /// Exponential around `mean_s`.
    Exponential {
        /// Seconds.
        mean_s: f64,
    },
    /// Uniform between the two.
    Uniform {
        /// Seconds.
        max_s: f64,
        /// Seconds.
        min_s: f64,
    },
}

/// `plan.tls`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TlsDoc {
    /// Extra CA file trusted.
    pub ca_file: Option<String>,
    /// Certificates not checked.
    pub insecure: bool,
}

/// `plan.topology`, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TopologyDoc {
    /// Embedded servers started by imapload.
    Embedded(EmbeddedDoc),
    /// Real servers given by URL.
    Real {
        /// Back ends.
        backends: Vec<NamedUrl>,
        /// CAS servers.
        cas: Vec<NamedUrl>,
    },
}

impl Default for TopologyDoc {
    fn default() -> Self {
        TopologyDoc::Real {
            backends: Vec::new(),
            cas: Vec::new(),
        }
    }
}

/// The embedded topology's settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmbeddedDoc {
    /// Number of back ends.
    pub backends: usize,
    /// Number of CAS.
    pub cas: usize,
    /// Listen address.
    pub listen: String,
    /// LOGIN refused before TLS.
    pub login_disabled_without_tls: bool,
    /// Bytes per message.
    pub message_size: usize,
    /// Messages per mailbox.
    pub messages_per_mailbox: u32,
    /// Default service time: median and p99, ms.
    pub service_default_ms: [f64; 2],
    /// Worker threads per back end.
    pub workers_per_backend: usize,
}

/// A real server: name and URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedUrl {
    /// Server name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

/// A population run's plan: who runs which personas, how fast client time runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PopulationDoc {
    /// Each group: its share and its devices' personas (`"40: thunderbird+ios"`).
    pub groups: Vec<String>,
    /// Client time per wall time.
    pub time_scale: f64,
    /// Messages received per user per day.
    pub received_per_day: f64,
    /// Messages sent per user per day.
    pub sent_per_day: f64,
}

/// Whether `pipeline` is the default of one command in flight.
fn no_pipelining(pipeline: &u32) -> bool {
    *pipeline == 1
}
