//! `probes.csv` and `health.csv` rows: the probe attempts of a run (read back
//! by `health` to re-judge the probe monitors) and the Get-ServerHealth view
//! of the monitors (its first four columns fixed by `docs/design.md`,
//! "Results directory").

use serde::{Deserialize, Serialize};

use super::cells::{self, fixed3, fixed6};
use super::files;

/// One probe attempt, sorted by finish time in the file. A column the file
/// lacks reads as empty (the report); `health` checks the header first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProbeRow {
    /// When it finished, seconds since the run's start (to the microsecond).
    #[serde(with = "fixed6")]
    pub t_s: f64,
    /// Probe name (`ProxyTestProbe`...).
    pub probe: String,
    /// Its health set.
    pub health_set: String,
    /// The server probed.
    pub server: String,
    /// `Succeeded` or `Failed`.
    pub result: ProbeResult,
    /// How long it took, ms.
    #[serde(with = "fixed3")]
    pub latency_ms: f64,
    /// Failure class, empty when it succeeded.
    pub failure: String,
    /// Error message, empty when none.
    pub error: String,
    /// The back end behind a CAS, when known.
    pub mailbox_server: String,
}

impl ProbeRow {
    /// The column of [`ProbeRow::t_s`], for messages about a bad value.
    pub const T_S: &'static str = "t_s";
    /// The column of [`ProbeRow::latency_ms`], likewise.
    pub const LATENCY_MS: &'static str = "latency_ms";

    /// `probes.csv` of these rows, with its header.
    pub fn write(rows: &[ProbeRow]) -> anyhow::Result<Vec<u8>> {
        cells::to_csv(rows)
    }

    /// The rows of a `probes.csv`; a header that is not exactly this file's
    /// or a row that does not read is an error naming the file.
    pub fn read(bytes: &[u8]) -> anyhow::Result<Vec<ProbeRow>> {
        let header = csv::Reader::from_reader(bytes).headers()?.clone();
        let expected = cells::header::<ProbeRow>();
        if header.iter().ne(expected.iter()) {
            anyhow::bail!(
                "{} header is `{}`, expected `{}`",
                files::PROBES_CSV,
                header.iter().collect::<Vec<_>>().join(","),
                expected.join(",")
            );
        }
        anyhow::Context::context(cells::from_csv(bytes), files::PROBES_CSV)
    }
}

/// A probe's result, as Exchange spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProbeResult {
    /// It passed.
    #[default]
    Succeeded,
    /// It failed.
    Failed,
}

/// One monitor as Get-ServerHealth shows it (a column the file lacks reads
/// as empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthRow {
    /// Server name.
    pub server: String,
    /// Health set.
    pub health_set: String,
    /// Monitor name.
    pub monitor: String,
    /// State at the end (Healthy, Degraded, Unhealthy).
    pub alert_value: String,
    /// Target resource.
    pub target_resource: String,
    /// First state change, seconds; empty when it never changed.
    pub first_transition_s: String,
    /// Worst state reached.
    pub worst_alert_value: String,
    /// The state changes, as text.
    pub transitions: String,
    /// The rule with its numbers.
    pub rule: String,
    /// The back ends behind a CAS that fired, slowest first.
    pub behind: String,
    /// The values judged, `t=value; ...`.
    pub sample_values: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_columns_are_in_the_header() {
        let header = super::super::cells::header::<ProbeRow>();
        assert_eq!(
            header.join(","),
            "t_s,probe,health_set,server,result,latency_ms,failure,error,mailbox_server",
            "probes.csv's header (README)"
        );
        for column in [ProbeRow::T_S, ProbeRow::LATENCY_MS] {
            assert!(header.iter().any(|h| h == column), "{column}");
        }
        let header = super::super::cells::header::<HealthRow>();
        assert_eq!(
            header.join(","),
            "server,health_set,monitor,alert_value,target_resource,first_transition_s,\
             worst_alert_value,transitions,rule,behind,sample_values",
            "health.csv's header (design.md fixes its first four columns)"
        );
    }
}
