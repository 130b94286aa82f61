//! The report's "Personas" section (population runs only), read from
//! `run.json`: how fast client time ran, the groups of devices, and one row
//! per persona with its users, connections against its pool, commands,
//! errors, latency and how it met new mail.

use std::fmt::Write;

use super::{esc, ms};
use crate::results::personas::PersonaRow;
use crate::results::plan::PopulationDoc;
use crate::results::RunRecord;

/// A span of time in the unit a person reads it in: seconds up to two
/// minutes, minutes up to two hours, hours beyond.
fn span(secs: f64) -> String {
    let (v, unit) = if secs < 120.0 {
        (secs, "s")
    } else if secs < 7200.0 {
        (secs / 60.0, "min")
    } else {
        (secs / 3600.0, "h")
    };
    let text = format!("{v:.1}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {unit}")
}

/// How many times client time was compressed and what the run stood for:
/// `x60: 60 s of run = 60 min of client behaviour`.
pub fn compressed(run: &RunRecord, doc: &PopulationDoc) -> String {
    let wall = match run.plan.duration_s {
        d if d > 0.0 => d,
        _ => run.elapsed_s,
    };
    format!(
        "x{}: {} of run = {} of client behaviour",
        doc.time_scale,
        span(wall),
        span(wall * doc.time_scale)
    )
}

/// The line saying how much client time the run stood for.
fn time_scale(out: &mut String, run: &RunRecord, doc: &PopulationDoc) {
    let _ = write!(
        out,
        r#"<p class="timescale">Client time {} (every interval, poll and session of a persona ran {} times faster than written). Mail per user and day: {} received, {} sent.</p>"#,
        esc(&compressed(run, doc)),
        doc.time_scale,
        doc.received_per_day,
        doc.sent_per_day
    );
}

/// The groups of devices users were drawn into, by share.
fn groups(out: &mut String, doc: &PopulationDoc) {
    if doc.groups.is_empty() {
        return;
    }
    out.push_str(
        r#"<p>Groups (share: the personas of each user's devices):</p><ul class="groups">"#,
    );
    for g in &doc.groups {
        let _ = write!(out, "<li>{}</li>", esc(g));
    }
    out.push_str("</ul>");
}

/// One persona's row of the table.
fn row(out: &mut String, p: &PersonaRow) {
    let cls = if p.errors > 0 { r#" class="err""# } else { "" };
    let _ = write!(
        out,
        r#"<tr{cls}><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n" data-v="{}">{} / {}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td>"#,
        esc(&p.persona),
        p.users,
        p.devices,
        p.connections,
        p.max_connections_per_device,
        p.max_connections_per_device,
        p.pool,
        p.max_connections_per_user,
        p.commands,
        p.errors,
    );
    let q = &p.latency_us;
    for v in [q.p50, q.p90, q.p99, q.max] {
        let _ = write!(out, r#"<td class="n" data-v="{v}">{}</td>"#, ms(v as f64));
    }
    let counts = [
        p.exists_pushed,
        p.idle_fetches,
        p.poll_fetches,
        p.reads,
        p.sends,
        p.deliveries,
    ];
    for v in counts {
        let _ = write!(out, r#"<td class="n">{v}</td>"#);
    }
    out.push_str("</tr>");
}

/// Appends the section when `run` is a population run with persona figures.
pub fn section(out: &mut String, run: &RunRecord) {
    let Some(doc) = &run.plan.population else {
        return;
    };
    if run.personas.is_empty() {
        return;
    }
    out.push_str(r#"<h2 id="personas-section">Personas</h2>"#);
    time_scale(out, run, doc);
    groups(out, doc);
    out.push_str(r#"<p>One row per client persona (also in <code>personas.csv</code>); latency in ms, corrected (from when each command was due). A connection counts as a session. Click a heading to sort.</p>"#);
    out.push_str(r#"<table class="sortable" id="personas"><thead><tr><th>Persona</th><th>Users</th><th>Devices</th><th>Connections</th><th>Max per device / pool</th><th>Max per user</th><th>Commands</th><th>Errors</th><th>p50</th><th>p90</th><th>p99</th><th>Max</th><th>EXISTS pushed</th><th>IDLE fetches</th><th>Poll fetches</th><th>Reads</th><th>Sends</th><th>Deliveries</th></tr></thead><tbody>"#);
    for p in &run.personas {
        row(out, p);
    }
    out.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::span;

    #[test]
    fn spans_read_in_seconds_minutes_or_hours() {
        assert_eq!(span(60.0), "60 s");
        assert_eq!(span(3600.0), "60 min");
        assert_eq!(span(90.0 * 60.0), "90 min");
        assert_eq!(span(8.0 * 3600.0), "8 h");
        assert_eq!(span(2.5), "2.5 s");
    }
}
