//! `Format-List` style output of one probe result, so an on-call engineer
//! sees the same shape `Invoke-MonitoringProbe ... | Format-List` prints and
//! can follow the troubleshooting page step by step.

use chrono::{DateTime, SecondsFormat, Utc};

use super::ProbeResult;

/// Renders like `Invoke-MonitoringProbe ... | Format-List`: one aligned
/// `Name : value` line each for MonitorIdentity (`IMAP\ImapCTPMonitor`),
/// Probe, HealthSet, Server, Result (`Succeeded`/`Failed`), SampleValue (ms,
/// no decimals), Latency (ms, one decimal), FailureClass, Error,
/// MailboxServer and ExecutionStartTime (RFC 3339, UTC). Empty fields are
/// printed with no value, as PowerShell does.
pub fn format_list(r: &ProbeResult) -> String {
    let ms = r.latency.as_secs_f64() * 1000.0;
    let started: DateTime<Utc> = r.started_at.into();
    let fields: [(&str, String); 11] = [
        (
            "MonitorIdentity",
            format!("{}\\{}", r.kind.health_set(), r.kind.monitor()),
        ),
        ("Probe", r.kind.name().to_string()),
        ("HealthSet", r.kind.health_set().to_string()),
        ("Server", r.server.clone()),
        (
            "Result",
            if r.ok { "Succeeded" } else { "Failed" }.to_string(),
        ),
        ("SampleValue", format!("{ms:.0}")),
        ("Latency", format!("{ms:.1} ms")),
        (
            "FailureClass",
            r.failure.map(|f| f.to_string()).unwrap_or_default(),
        ),
        ("Error", r.error.clone().unwrap_or_default()),
        (
            "MailboxServer",
            r.mailbox_server.clone().unwrap_or_default(),
        ),
        (
            "ExecutionStartTime",
            started.to_rfc3339_opts(SecondsFormat::Millis, true),
        ),
    ];
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in fields {
        let line = format!("{k:<width$} : {v}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::probe::{FailureClass, ProbeKind};

    #[test]
    fn aligned_fields_in_exchange_order() {
        let r = ProbeResult {
            kind: ProbeKind::Ctp,
            server: "cas1".into(),
            ok: false,
            latency: Duration::from_micros(12_345_678),
            failure: Some(FailureClass::Auth),
            error: Some("LOGIN failed: NO".into()),
            mailbox_server: None,
            started_at: SystemTime::UNIX_EPOCH + Duration::from_secs(86_400),
        };
        let text = format_list(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "MonitorIdentity    : IMAP\\ImapCTPMonitor");
        assert_eq!(lines[4], "Result             : Failed");
        assert_eq!(lines[5], "SampleValue        : 12346");
        assert_eq!(lines[6], "Latency            : 12345.7 ms");
        assert_eq!(lines[7], "FailureClass       : auth");
        assert_eq!(lines[9], "MailboxServer      :");
        assert_eq!(lines[10], "ExecutionStartTime : 1970-01-02T00:00:00.000Z");
        assert!(lines
            .iter()
            .all(|l| l.find(" : ").or(l.find(" :")) == Some(18)));
    }
}
