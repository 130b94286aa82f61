//! The report's "Errors by cause" table, read from `run.json`'s
//! `error_causes`: results written before causes were kept (no key) and runs
//! without errors get no table.

use std::fmt::Write;

use crate::report::svg::esc;
use crate::results::RunRecord;

/// Appends the table when `run` records error causes.
pub fn table(out: &mut String, run: &RunRecord) {
    let causes = &run.error_causes;
    if causes.is_empty() {
        return;
    }
    out.push_str(r#"<h2>Errors by cause</h2><p>The first distinct messages per row and reason, with counts (also in <code>errors.csv</code>). Click a heading to sort.</p><p><input type="search" class="filter" data-table="causes" placeholder="filter, e.g. timeout" size="40"> <span class="count" data-table="causes"></span></p><table class="sortable" id="causes"><thead><tr><th>Path</th><th>Server</th><th>Backend</th><th>Command</th><th>Reason</th><th>Count</th><th>Message</th></tr></thead><tbody>"#);
    for c in causes {
        let _ = write!(
            out,
            r#"<tr class="err"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            esc(&c.path),
            esc(&c.server),
            esc(&c.backend),
            esc(&c.command),
            esc(&c.reason),
            c.count,
            esc(&c.message)
        );
    }
    out.push_str("</tbody></table>");
}
