//! Exchange's four IMAP probes (ImapCTPProbe, ImapProxyTestProbe,
//! ImapDeepTestProbe, ImapSelfTestProbe): the same short sequence (connect,
//! TLS, greeting, CAPABILITY, LOGIN unless light, close) against a CAS or a
//! mailbox back end, on demand (`imapload probe`, like
//! `Invoke-MonitoringProbe`) or on Exchange's schedule during a run.
//!
//! Probes answer a different question than the load: not "how fast is the
//! average command" but "can a customer get in at all right now", which is
//! what the probe monitors (ImapCTPMonitor, ...) judge.

mod exchange;
mod format;
mod record;
mod run;
pub mod schedule;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::{Duration, SystemTime};

pub use format::format_list;
pub use record::{from_csv, to_csv};
pub use run::run_probe;
pub use schedule::{schedule, ProbeAttempt, ProbeTarget};

/// The four Exchange IMAP probes; each belongs to one health set and feeds
/// one monitor, so the kind decides the target, the mode and the interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProbeKind {
    /// ImapCTPProbe (customer touch point): full login through the CAS, end to end.
    Ctp,
    /// ImapProxyTestProbe: light check of the CAS proxy itself (no login).
    ProxyTest,
    /// ImapDeepTestProbe: full login on the mailbox back end.
    DeepTest,
    /// ImapSelfTestProbe: light check of the back-end IMAP service (no login).
    SelfTest,
}

impl ProbeKind {
    /// Every kind, in Exchange's table order (for scheduling and listings).
    pub const ALL: [ProbeKind; 4] = [
        ProbeKind::Ctp,
        ProbeKind::ProxyTest,
        ProbeKind::DeepTest,
        ProbeKind::SelfTest,
    ];

    /// The probe name as Exchange spells it (`ImapCTPProbe`), used in every output.
    pub fn name(self) -> &'static str {
        match self {
            ProbeKind::Ctp => "ImapCTPProbe",
            ProbeKind::ProxyTest => "ImapProxyTestProbe",
            ProbeKind::DeepTest => "ImapDeepTestProbe",
            ProbeKind::SelfTest => "ImapSelfTestProbe",
        }
    }

    /// The health set the probe reports into (`IMAP`, `IMAP.Proxy`, `IMAP.Protocol`).
    pub fn health_set(self) -> &'static str {
        match self {
            ProbeKind::Ctp => "IMAP",
            ProbeKind::ProxyTest => "IMAP.Proxy",
            ProbeKind::DeepTest | ProbeKind::SelfTest => "IMAP.Protocol",
        }
    }

    /// The monitor that judges this probe's failures.
    pub fn monitor(self) -> &'static str {
        match self {
            ProbeKind::Ctp => "ImapCTPMonitor",
            ProbeKind::ProxyTest => "ImapProxyTestMonitor",
            ProbeKind::DeepTest => "ImapDeepTestMonitor",
            ProbeKind::SelfTest => "ImapSelfTestMonitor",
        }
    }

    /// Whether the probe runs against a CAS (true) or a mailbox back end (false).
    pub fn targets_cas(self) -> bool {
        matches!(self, ProbeKind::Ctp | ProbeKind::ProxyTest)
    }

    /// Light probes stop after CAPABILITY: they check the service answers,
    /// not that a mailbox can be opened, so they also pass while logins fail.
    pub fn light(self) -> bool {
        matches!(self, ProbeKind::ProxyTest | ProbeKind::SelfTest)
    }

    /// Exchange's recurrence interval (before a plan's `interval_scale`).
    pub fn exchange_interval(self) -> Duration {
        Duration::from_secs(match self {
            ProbeKind::Ctp => 240,
            ProbeKind::ProxyTest => 60,
            ProbeKind::DeepTest => 180,
            ProbeKind::SelfTest => 60,
        })
    }

    /// Parses the identity users copy from Exchange: `IMAP\ImapCTPProbe`,
    /// `IMAP.Proxy\ImapProxyTestProbe`, `IMAP.Protocol\ImapDeepTestProbe`,
    /// `IMAP.Protocol\ImapSelfTestProbe`. The health set prefix is optional,
    /// everything is case-insensitive, and a health set that does not own
    /// the probe is an error (it usually means the wrong probe was meant).
    pub fn parse(s: &str) -> Result<ProbeKind, String> {
        let accepted = || {
            ProbeKind::ALL
                .iter()
                .map(|k| format!("{}\\{}", k.health_set(), k.name()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let s = s.trim();
        let (set, name) = match s.rsplit_once('\\') {
            Some((set, name)) => (Some(set), name),
            None => (None, s),
        };
        let kind = ProbeKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("unknown probe `{s}`; expected one of {}", accepted()))?;
        match set {
            Some(set) if !set.eq_ignore_ascii_case(kind.health_set()) => Err(format!(
                "probe {} belongs to health set {}, not `{set}`; expected one of {}",
                kind.name(),
                kind.health_set(),
                accepted()
            )),
            _ => Ok(kind),
        }
    }
}

impl fmt::Display for ProbeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a probe failed, by the step that broke: the step tells an on-call
/// engineer where to look (network, certificates, service, directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureClass {
    /// The TCP connection could not be made (refused, unreachable, name not found).
    Connect,
    /// The TLS handshake or the STARTTLS upgrade failed.
    Tls,
    /// No usable greeting (BYE, garbage, not an untagged OK).
    Greeting,
    /// CAPABILITY did not end in OK.
    Capability,
    /// LOGIN was refused (NO/BAD).
    Auth,
    /// The probe did not finish within its timeout.
    Timeout,
    /// The server closed the connection or the socket failed mid-sequence.
    Disconnect,
}

impl FailureClass {
    /// Every class, for parsing saved results.
    pub const ALL: [FailureClass; 7] = [
        FailureClass::Connect,
        FailureClass::Tls,
        FailureClass::Greeting,
        FailureClass::Capability,
        FailureClass::Auth,
        FailureClass::Timeout,
        FailureClass::Disconnect,
    ];

    /// The lowercase word used in outputs (`auth`, `timeout`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::Connect => "connect",
            FailureClass::Tls => "tls",
            FailureClass::Greeting => "greeting",
            FailureClass::Capability => "capability",
            FailureClass::Auth => "auth",
            FailureClass::Timeout => "timeout",
            FailureClass::Disconnect => "disconnect",
        }
    }

    /// The reverse of [`FailureClass::as_str`] (case-insensitive), for saved results.
    pub fn parse(s: &str) -> Option<FailureClass> {
        FailureClass::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for FailureClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of one probe execution, as `Invoke-MonitoringProbe` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResult {
    /// Which probe ran.
    pub kind: ProbeKind,
    /// The server as the user named it (name or URL), for the report rows.
    pub server: String,
    /// Succeeded (true) or Failed.
    pub ok: bool,
    /// Total elapsed time of the final attempt: Exchange's sample value.
    pub latency: Duration,
    /// The step that broke, when failed.
    pub failure: Option<FailureClass>,
    /// One line saying what went wrong; never contains the password.
    pub error: Option<String>,
    /// The mailbox server that answered, when known: `[Proxy=...]` from a
    /// CAS login, or the back end itself for back-end probes.
    pub mailbox_server: Option<String>,
    /// Wall-clock start of the execution (first attempt).
    pub started_at: SystemTime,
}
