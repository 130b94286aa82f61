//! The Get-ServerHealth table and `health.csv`.

use std::fmt::Write;

use crate::monitor::evaluate::MonitorResult;
use crate::monitor::state::Transition;
use crate::results::probes::HealthRow;

fn transitions_text(t: &[Transition]) -> String {
    t.iter()
        .map(|t| format!("{:.1}s {}", t.at.as_secs_f64(), t.to))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Renders the results like `Get-ServerHealth | ?{$_.HealthSetName -like "IMAP*"}`,
/// plus when each monitor first changed state.
pub fn table(results: &[MonitorResult]) -> String {
    let mut out = String::new();
    let w_server = results
        .iter()
        .map(|r| r.server.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        out,
        "{:<w_server$}  {:<6}  {:<40}  {:<17}  {:<13}  {:<10}  Transitions",
        "Server", "State", "Name", "TargetResource", "HealthSetName", "AlertValue"
    );
    let _ = writeln!(
        out,
        "{:<w_server$}  {:<6}  {:<40}  {:<17}  {:<13}  {:<10}  -----------",
        "------", "-----", "----", "--------------", "-------------", "----------"
    );
    for r in results {
        let _ = writeln!(
            out,
            "{:<w_server$}  {:<6}  {:<40}  {:<17}  {:<13}  {:<10}  {}",
            r.server,
            "Online",
            r.monitor,
            r.target_resource,
            r.health_set,
            r.alert_value.to_string(),
            transitions_text(&r.transitions)
        );
        if !r.behind.is_empty() {
            let _ = writeln!(
                out,
                "{:<w_server$}  {:<6}  behind {}: {}",
                "", "", r.server, r.behind
            );
        }
    }
    out
}

/// Renders `health.csv`. The first columns are fixed by `docs/design.md`
/// ("Results directory").
pub fn to_csv(results: &[MonitorResult]) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<HealthRow> = results.iter().map(health_row).collect();
    crate::results::cells::to_csv(&rows)
}

fn health_row(r: &MonitorResult) -> HealthRow {
    let values = (r.values.iter())
        .map(|(t, v)| {
            let v = v.map_or("-".to_string(), |v| format!("{v:.3}"));
            format!("{:.1}s={v}", t.as_secs_f64())
        })
        .collect::<Vec<_>>()
        .join("; ");
    HealthRow {
        server: r.server.clone(),
        health_set: r.health_set.clone(),
        monitor: r.monitor.clone(),
        alert_value: r.alert_value.to_string(),
        target_resource: r.target_resource.clone(),
        first_transition_s: (r.transitions.first())
            .map(|t| format!("{:.3}", t.at.as_secs_f64()))
            .unwrap_or_default(),
        worst_alert_value: r.worst().to_string(),
        transitions: transitions_text(&r.transitions),
        rule: r.rule.clone(),
        behind: r.behind.clone(),
        sample_values: values,
    }
}
