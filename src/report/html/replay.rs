//! The report's replay section (`imapload replay` runs only): `replay.csv`,
//! the log's own counts and durations beside the replayed ones.

use std::fmt::Write;
use std::path::Path;

use super::esc;
use crate::results::replay::{from_csv, ReplayRow};

fn ms(v: Option<u64>) -> String {
    v.map_or("-".into(), |us| format!("{:.2}", us as f64 / 1000.0))
}

/// Writes the section when `dir` has a `replay.csv` (a note when it cannot be read).
pub fn section(out: &mut String, dir: &Path) {
    let path = dir.join(crate::results::files::REPLAY_CSV);
    let Ok(bytes) = std::fs::read(&path) else {
        return;
    };
    out.push_str("<h2>Replay: the log beside the replay (ms)</h2>");
    let rows: Vec<ReplayRow> = match from_csv(&bytes) {
        Ok(r) => r,
        Err(e) => {
            let _ = write!(
                out,
                "<p>replay.csv cannot be read: {}</p>",
                esc(&e.to_string())
            );
            return;
        }
    };
    out.push_str("<table><tr><th>Command</th><th>Logged</th><th>Replayed</th><th>Errors</th><th>Skipped</th><th>Added</th><th>Log p50</th><th>Log p99</th><th>Log max</th><th>Replayed p50</th><th>Replayed p99</th><th>Replayed max</th><th>Skipped by reason</th></tr>");
    for r in &rows {
        let _ = write!(
            out,
            "<tr{}><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
            if r.errors > 0 { " class=err" } else { "" },
            esc(&r.command),
            r.logged,
            r.replayed,
            r.errors,
            r.skipped,
            r.added,
            ms(r.log_p50_us),
            ms(r.log_p99_us),
            ms(r.log_max_us),
            ms(r.replayed_p50_us),
            ms(r.replayed_p99_us),
            ms(r.replayed_max_us),
            esc(&r.skipped_by_reason)
        );
    }
    out.push_str("</table>");
}
