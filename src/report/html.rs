//! `report.html`: one self-contained page drawn from a results directory.
//!
//! The page is rendered from the files on disk, not from the run's memory, so the same code
//! serves the end of a run and `imapload report DIR` on an old or merged directory, and what a
//! person sees is exactly what the CSVs say. Everything is inline (CSS, SVG, one small script
//! of our own for hover, toggles, zoom and table sorting; no fonts): the page must open
//! offline, from an attachment or a CI artefact, and never fetch. Without the script every
//! chart is still drawn.

mod bins;
mod causes;
mod charts;
mod colors;
mod commands;
mod data;
mod lanes;
mod latency;
mod percentiles;
mod personas;
mod replay;
mod scan;
mod shading;
mod spectrum;
#[cfg(test)]
mod tests;
mod verdict;

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use self::data::Results;
use super::svg::esc;

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1300px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.verdict{font-size:16px;margin:4px 0 12px}.badge{padding:2px 8px;border-radius:4px;color:#fff;font-weight:600}
.pass{background:#2e7d32}.fail{background:#c62828}.Healthy{background:#2e7d32}.Degraded{background:#ef8f00}.Unhealthy{background:#c62828}.other{background:#666}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0}dl.facts dt{color:#666}dl.facts dd{margin:0}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}tr.err td{background:#fff3f3}
td.behind{color:#555;font-style:italic}figure.chart{margin:12px 0 20px}figcaption{font-size:13px;color:#444;max-width:960px}
svg{display:block;max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#333}svg .al{font-size:12px}
svg .axis{stroke:#333}svg .tick{stroke:#333}svg .grid{stroke:#e6e6e6}svg .fault{stroke:#8c564b;stroke-width:1.5;stroke-dasharray:4 3}
svg .fl{fill:#8c564b}svg .threshold{stroke:#777;stroke-dasharray:2 3}svg .thl{fill:#555}svg .excluded{fill:#000;fill-opacity:.07}
.key{margin-right:10px;white-space:nowrap;font-size:12px}.key i{display:inline-block;width:14px;height:4px;margin:0 4px 3px 0;vertical-align:middle}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px}.pair h4{margin:4px 0;font-size:13px}.pair[hidden]{display:none}
table.sortable th{cursor:pointer;user-select:none}table.sortable th[aria-sort=ascending]::after{content:' \\25B2'}table.sortable th[aria-sort=descending]::after{content:' \\25BC'}
#tip{position:fixed;pointer-events:none;background:#fff;border:1px solid #999;border-radius:4px;padding:4px 8px;font:12px system-ui,sans-serif;box-shadow:0 2px 6px rgba(0,0,0,.2);white-space:pre;z-index:10}
svg .lgi{cursor:pointer}svg .lgi.off{opacity:.3}svg .cursor{stroke:#888;stroke-dasharray:2 2}svg .sel{fill:#4c78a8;fill-opacity:.15}svg.zoomed .fl,svg.zoomed .shl{display:none}svg .partial{fill:#f0c000;fill-opacity:.18;stroke:#c90;stroke-dasharray:3 2}svg .shl{fill:#666;font-size:10px}";

/// The page's own script (hover values, line toggles, zoom, sortable and filterable
/// tables, the command menus): plain JavaScript, no library, embedded so the page stays one
/// file that opens offline.
const SCRIPT: &str = include_str!("html/report.js");

/// Microseconds as milliseconds with sensible precision.
fn ms(us: f64) -> String {
    let v = us / 1000.0;
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The title, the verdict and monitor badges, and the facts list.
fn header(out: &mut String, r: &Results) {
    let name = r.name();
    let outcome = r.run.outcome.map_or("unknown", |o| o.label());
    let health = r
        .run
        .health
        .map_or("unknown".to_string(), |h| h.to_string());
    let cls = match r.run.health {
        Some(_) => health.as_str(),
        None => "other",
    };
    let _ = write!(
        out,
        r#"<h1>imapload: {}</h1><p class="verdict">Verdict: {} &middot; Outcome: <b>{}</b> &middot; Exchange monitors: <span class="badge {cls}">{}</span></p><dl class="facts">"#,
        esc(name),
        verdict::badge(&r.run),
        esc(outcome),
        esc(&health)
    );
    facts(out, r);
    out.push_str("</dl>");
}

/// The run's facts under the title: scenario, times, counts, probes,
/// faults, seed and version.
fn facts(out: &mut String, r: &Results) {
    let mut fact = |k: &str, v: String| {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    };
    let run = &r.run;
    if let Some(s) = &run.plan.scenario {
        fact("Scenario", s.clone());
    }
    fact(
        "Started",
        format!(
            "{} (elapsed {:.1} s)",
            if run.started_at.is_empty() {
                "?"
            } else {
                &run.started_at
            },
            run.elapsed_s
        ),
    );
    fact(
        "Commands",
        format!(
            "{} ({:.1}/s), {} errors",
            run.totals.commands, run.totals.commands_per_s, run.totals.errors
        ),
    );
    fact(
        "Sessions",
        format!(
            "{} started, {} completed, {} failed",
            run.sessions.tally.started, run.sessions.tally.completed, run.sessions.tally.failed
        ),
    );
    if let Some(doc) = &run.plan.population {
        fact("Client time", personas::compressed(run, doc));
    }
    let (probes, failed) = r.probes;
    fact("Probes", format!("{probes} run, {failed} not succeeded"));
    let faults = r.faults();
    if !faults.is_empty() {
        let list: Vec<_> = faults
            .iter()
            .map(|(t, l)| format!("{l} at {t:.1} s"))
            .collect();
        fact("Faults", list.join("; "));
    }
    fact(
        "Seed / version",
        format!(
            "{} / imapload {}",
            run.seed.map_or("?".to_string(), |s| s.to_string()),
            if run.imapload_version.is_empty() {
                "?"
            } else {
                &run.imapload_version
            }
        ),
    );
}

fn health_table(out: &mut String, r: &Results) {
    out.push_str(
        "<h2>Get-ServerHealth</h2><table><tr><th>Server</th><th>State</th><th>Name</th><th>TargetResource</th><th>HealthSetName</th><th>AlertValue</th><th>Transitions</th></tr>",
    );
    for h in &r.health {
        let alert = h.alert_value.as_str();
        let cls = match alert {
            "Healthy" | "Degraded" | "Unhealthy" => alert,
            _ => "other",
        };
        let _ = write!(
            out,
            r#"<tr title="{}"><td>{}</td><td>Online</td><td>{}</td><td>{}</td><td>{}</td><td><span class="badge {cls}">{}</span></td><td>{}</td></tr>"#,
            esc(&h.rule),
            esc(&h.server),
            esc(&h.monitor),
            esc(&h.target_resource),
            esc(&h.health_set),
            esc(alert),
            esc(&h.transitions)
        );
        if !h.behind.is_empty() {
            let _ = write!(
                out,
                r#"<tr><td></td><td colspan="6" class="behind">behind {}: {}</td></tr>"#,
                esc(&h.server),
                esc(&h.behind)
            );
        }
    }
    out.push_str("</table>");
}

/// The filter box over a sortable table: rows are kept when they hold every word typed.
fn filter_box(out: &mut String, table: &str, hint: &str) {
    let _ = write!(
        out,
        r#"<p><input type="search" class="filter" data-table="{table}" placeholder="{hint}" size="40"> <span class="count" data-table="{table}"></span></p>"#
    );
}

fn summary_table(out: &mut String, r: &Results) {
    out.push_str("<h2>Summary (ms)</h2><p>One row per path x server x back end x command. Click a heading to sort, type in the box to keep only the rows with those words.</p>");
    filter_box(out, "summary", "filter, e.g. mbx2 FETCH");
    out.push_str(r#"<table class="sortable" id="summary"><thead><tr><th>Path</th><th>Server</th><th>Backend</th><th>Command</th><th>Count</th><th>Errors</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>Max</th><th>Service p50</th><th>Service p99</th></tr></thead><tbody>"#);
    for s in &r.summary {
        let cls = if s.errors > 0 { r#" class="err""# } else { "" };
        let _ = write!(
            out,
            r#"<tr{cls}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td>"#,
            esc(&s.path),
            esc(&s.server),
            esc(&s.backend),
            esc(&s.command),
            s.count,
            s.errors,
        );
        let us = [
            s.p50_us,
            s.p90_us,
            s.p99_us,
            s.p99_9_us,
            s.max_us,
            s.service_p50_us,
            s.service_p99_us,
        ];
        for v in us {
            let _ = write!(out, r#"<td class="n" data-v="{v}">{}</td>"#, ms(v as f64));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// What the readers left out (a half-written last row, unreadable histograms), so the
/// charts never look complete when they are not.
fn notes(out: &mut String, r: &Results) {
    let mut notes = r.notes().peekable();
    if notes.peek().is_none() {
        return;
    }
    out.push_str(r#"<ul class="notes">"#);
    for n in notes {
        let _ = write!(out, "<li>{}</li>", esc(n));
    }
    out.push_str("</ul>");
}

/// Builds the whole page from the files in `dir` (`run.json` required, CSVs optional). A
/// damaged file is an error naming it ([`crate::error::InputError`] inside, for exit 2), but
/// what can be left out (a half-written last row, unreadable histograms) is, with a note on
/// the page and a warning on stderr.
pub fn render(dir: &Path) -> anyhow::Result<String> {
    let r = Results::load(dir)?;
    // What the page notes is said where a person or a CI log sees it too.
    for n in r.damage() {
        eprintln!("imapload: warning: {n}");
    }
    let name = r.name();
    let mut out = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>imapload: {} ({}, verdict {}, monitors {})</title><style>{STYLE}</style></head><body>"#,
        esc(name),
        esc(r.run.outcome.map_or("unknown", |o| o.label())),
        match r.run.verdict.as_ref().map(|v| v.passed) {
            Some(true) => "passed",
            Some(false) => "FAILED",
            None => "not judged",
        },
        esc(&r
            .run
            .health
            .map_or("unknown".to_string(), |h| h.to_string()))
    );
    header(&mut out, &r);
    out.push_str(r#"<p class="help">Charts: hover for values, click a legend entry to hide or show its line, drag across a time chart to zoom every time chart to that range (double-click or <button type="button" class="unzoom">show the whole run</button>).</p>"#);
    verdict::section(&mut out, &r.run);
    health_table(&mut out, &r);
    let _ = write!(
        out,
        r#"<h2>Charts</h2><p class="keys">{}</p>"#,
        colors::key()
    );
    notes(&mut out, &r);
    charts::all(&mut out, &r);
    commands::section(&mut out, &r, &shading::shades(&r));
    summary_table(&mut out, &r);
    personas::section(&mut out, &r.run);
    replay::section(&mut out, dir);
    causes::table(&mut out, &r.run);
    let _ = writeln!(
        out,
        "<div id=\"tip\" hidden></div><script>{SCRIPT}</script></body></html>"
    );
    Ok(out)
}

/// Writes `dir/report.html` atomically (temp file in `dir`, then rename), so a browser or a CI
/// artefact upload never sees half a page. Returns the path written.
pub fn write(dir: &Path) -> anyhow::Result<PathBuf> {
    let page = render(dir)?;
    let target = dir.join(crate::results::files::REPORT_HTML);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("temp file in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, page.as_bytes())?;
    // Temp files are created 0600; the page is meant to be shared like the other results files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target)
        .with_context(|| format!("{}", target.display()))?;
    Ok(target)
}
