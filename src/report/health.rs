//! The Get-ServerHealth table and `health.csv`.

use std::fmt::Write;

use crate::monitor::evaluate::MonitorResult;
use crate::monitor::record::transitions_text;

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
