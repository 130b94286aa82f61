//! The report's replay section (`imapload replay` runs only): `replay.csv`,
//! the log's own counts and durations beside the replayed ones.

use std::fmt::Write;
use std::path::Path;

use super::esc;
use crate::results::replay::{from_csv, ReplayRow, SHOWN};

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
    out.push_str("<table><tr>");
    for name in SHOWN {
        let _ = write!(out, "<th>{name}</th>");
    }
    out.push_str("</tr>");
    for r in &rows {
        out.push_str(if r.errors > 0 {
            "<tr class=err>"
        } else {
            "<tr>"
        });
        let cells = r.shown();
        for (i, cell) in cells.iter().enumerate() {
            // The first and the last are text; the others are figures.
            let class = if i == 0 || i == cells.len() - 1 {
                ""
            } else {
                " class=n"
            };
            let _ = write!(out, "<td{class}>{}</td>", esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}
