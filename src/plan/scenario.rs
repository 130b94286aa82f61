//! The scenario file exactly as written: serde structs with every field
//! optional and wrapped in [`Spanned`] so that semantic checks (done later, in
//! the builders) can still point at the line. Unknown keys are rejected by
//! serde (`deny_unknown_fields`), whose message lists the allowed keys.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

pub use super::faults::RawFault;
pub use super::monitors::{RawMonitors, RawProbes};
pub use super::profiles::RawProfile;
pub use super::stages::RawStage;

/// A spanned optional value, the shape of nearly every raw field.
pub type Opt<T> = Option<Spanned<T>>;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Scenario name; defaults to the file stem.
    pub name: Opt<String>,
    /// Seed for every random choice.
    pub seed: Opt<i64>,
    /// Run length (text duration).
    pub duration: Opt<String>,
    /// Recording interval (text duration).
    pub interval: Opt<String>,
    /// `[topology]`.
    pub topology: Opt<RawTopology>,
    /// `[users]`.
    pub users: Opt<RawUsers>,
    /// `[load]`.
    pub load: Opt<RawLoad>,
    /// `[session]`.
    pub session: Opt<RawSession>,
    /// `[tls]`.
    pub tls: Opt<RawTls>,
    /// `[output]`.
    pub output: Opt<RawOutput>,
    /// `[monitors]`.
    pub monitors: Opt<RawMonitors>,
    /// `[probes]`.
    pub probes: Opt<RawProbes>,
    /// `[[faults]]` blocks.
    pub faults: Opt<Vec<Spanned<RawFault>>>,
    /// `[thresholds]`.
    pub thresholds: Opt<super::thresholds::RawThresholds>,
    /// `[population]`: the personas users run (issue 24).
    pub population: Opt<super::population::RawPopulation>,
    /// `[persona.<name>]`: personas defined in the scenario.
    pub persona: Opt<std::collections::BTreeMap<String, Spanned<super::persona::RawPersona>>>,
    /// `[replay]`: read by `imapload replay` (`crate::replay::plan`); `run` passes over it.
    #[allow(dead_code)]
    pub replay: Opt<toml::Value>,
}

/// `[topology]`: embedded knobs or real endpoints, told apart by `kind`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopology {
    /// `"embedded"` or `"real"`.
    pub kind: Opt<String>,
    /// Embedded: a CAS count. Real: `[[topology.cas]]` blocks. One key, two shapes.
    pub cas: Opt<IntOrSeq<Spanned<RawEndpoint>>>,
    /// Embedded: back-end count.
    pub backends: Opt<i64>,
    /// Real: `[[topology.backend]]` blocks.
    pub backend: Opt<Vec<Spanned<RawEndpoint>>>,
    /// Embedded: bind address.
    pub listen: Opt<String>,
    /// Embedded: concurrent commands per back end.
    pub workers_per_backend: Opt<i64>,
    /// Embedded: messages in each INBOX.
    pub messages_per_mailbox: Opt<i64>,
    /// Embedded: mean message size in bytes.
    pub message_size: Opt<i64>,
    /// Embedded: LOGINDISABLED before STARTTLS.
    pub login_disabled_without_tls: Opt<bool>,
    /// Embedded: service times by command label (or `default`).
    pub service: Opt<BTreeMap<Spanned<String>, Spanned<RawServiceTime>>>,
}

/// One `[[topology.cas]]` or `[[topology.backend]]` block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    /// Name users and reports refer to.
    pub name: Opt<String>,
    /// `imap://` or `imaps://` URL.
    pub url: Opt<String>,
}

/// `{ median = "1ms", p99 = "5ms" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServiceTime {
    /// Median (text duration).
    pub median: Opt<String>,
    /// 99th percentile (text duration).
    pub p99: Opt<String>,
}

/// `[users]`: a pattern or a CSV file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUsers {
    /// Login pattern with `{}` / `{:0N}`.
    pub pattern: Opt<String>,
    /// Password pattern (placeholder optional).
    pub password: Opt<String>,
    /// Number of pattern users.
    pub count: Opt<i64>,
    /// CSV file instead of a pattern.
    pub file: Opt<String>,
}

/// `[load]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLoad {
    /// Concurrent sessions.
    pub sessions: Opt<i64>,
    /// Share of sessions via a CAS.
    pub cas_share: Opt<f64>,
    /// Ramp-up time (text duration).
    pub ramp_up: Opt<String>,
    /// `"closed"` or `"open"`.
    pub model: Opt<String>,
    /// Open model: arrivals per second.
    pub rate: Opt<f64>,
    /// Open model: cap on concurrent sessions.
    pub max_sessions: Opt<i64>,
    /// Two live sessions of one user allowed.
    pub allow_shared_users: Opt<bool>,
    /// Open model: `"poisson"` or `"uniform"` arrivals.
    pub arrivals: Opt<String>,
    /// `[{ duration = "60s", target = 200 }, ...]`.
    pub stages: Opt<Vec<Spanned<RawStage>>>,
    /// Local addresses to connect from: `["127.0.0.1", "127.0.0.2-127.0.0.9"]`.
    pub source_addresses: Opt<Vec<Spanned<String>>>,
    /// Time from the start left out of the verdict (text duration).
    pub warmup: Opt<String>,
    /// Time before the load stops left out of the verdict (text duration).
    pub cooldown: Opt<String>,
    /// A population's client timers run this many times faster.
    pub time_scale: Opt<f64>,
}

/// `[session]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSession {
    /// `plain`, `starttls` or `tls`.
    pub security: Opt<String>,
    /// `login`, `authenticate-plain`, `mixed`, `xoauth2` or `oauthbearer`.
    pub login: Opt<String>,
    /// Shell command printing a user's OAuth 2 access token.
    pub token_command: Opt<String>,
    /// Text duration: how long a command's token is reused.
    pub token_ttl: Opt<String>,
    /// Mailbox to select.
    pub mailbox: Opt<String>,
    /// `n` or `[min, max]`.
    pub commands: Opt<IntOrSeq<Spanned<i64>>>,
    /// `{ dist = ..., ... }`.
    pub think_time: Opt<RawThinkTime>,
    /// Text duration.
    pub command_timeout: Opt<String>,
    /// Text duration.
    pub idle_duration: Opt<String>,
    /// Text duration: pause before a failed session's seat starts the next one.
    pub reconnect_delay: Opt<String>,
    /// Bytes.
    pub append_size: Opt<i64>,
    /// Label = weight.
    pub mix: Opt<RawMix>,
    /// `"light"` or `"strict"`.
    pub validate: Opt<String>,
    /// `"after-response"` or `"schedule"`.
    pub pacing: Opt<String>,
    /// Commands in flight per connection (1: no pipelining).
    pub pipeline: Opt<i64>,
    /// Share of plain sessions that upgrade with STARTTLS.
    pub starttls_share: Opt<f64>,
    /// `[[session.profile]]` blocks.
    pub profile: Opt<Vec<Spanned<RawProfile>>>,
}

/// `[session.mix]`: command label = weight.
pub type RawMix = BTreeMap<Spanned<String>, Spanned<i64>>;

/// `think_time = { dist = "exponential", mean = "200ms" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThinkTime {
    /// `none`, `fixed`, `exponential`, `uniform`.
    pub dist: Opt<String>,
    /// For `fixed`.
    pub value: Opt<String>,
    /// For `exponential`.
    pub mean: Opt<String>,
    /// For `uniform`.
    pub min: Opt<String>,
    /// For `uniform`.
    pub max: Opt<String>,
}

/// `[tls]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    /// Extra trust anchors (path).
    pub ca_file: Opt<String>,
    /// Skip verification.
    pub insecure: Opt<bool>,
}

/// `[output]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    /// Results directory.
    pub out: Opt<String>,
    /// Live metrics endpoint, `ADDR:PORT`.
    pub metrics_listen: Opt<String>,
}

/// A key that is either an integer or an array (`commands = 5` / `[5, 20]`,
/// `cas = 1` / `[[topology.cas]]`). Hand-written instead of
/// `#[serde(untagged)]` because untagged buffering loses the spans of the
/// elements, and with them the line numbers of errors inside.
#[derive(Debug)]
pub enum IntOrSeq<T> {
    /// The integer form.
    Int(i64),
    /// The array form.
    Seq(Vec<T>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for IntOrSeq<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = IntOrSeq<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or an array")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(IntOrSeq::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(IntOrSeq::Int(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(IntOrSeq::Seq(items))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}
