//! `compare --format html`: the two runs side by side on one self-contained page (the
//! report's style and script: sortable, filterable), each row's baseline and current
//! figures next to each other, the change drawn as a bar, regressed rows marked in red
//! and listed first, so a reviewer sees at once which server and command got slower.

use std::fmt::Write;

use super::render::{summary_line, warning};
use super::{exit_code, CompareOptions, Comparison, RowComparison, RunInfo, Side, Verdict};
use crate::report::svg::esc;

/// The report page's script (sorting and filtering tables), shared with `report.html`.
const SCRIPT: &str = include_str!("../report/html/report.js");

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 6px}.badge{padding:2px 8px;border-radius:4px;color:#fff;font-weight:600}
.pass{background:#2e7d32}.fail{background:#c62828}.runs{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin:12px 0}
.run{border:1px solid #ddd;border-radius:6px;padding:8px 12px}.run h2{font-size:15px;margin:0 0 4px}.warn{background:#fff4e5;padding:6px 10px;border-left:4px solid #ef8f00}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}th{background:#f4f4f4}
td.n{text-align:right;font-variant-numeric:tabular-nums}th.side{text-align:center}td.b{background:#fafafa}
tr.regressed td{background:#fdecea}tr.regressed td.v{color:#b71c1c;font-weight:700}tr.improved td.v{color:#4c78a8}
.bar{display:inline-block;height:8px;vertical-align:middle;margin-left:6px}.up{background:#d62728}.down{background:#4c78a8}
table.sortable th{cursor:pointer;user-select:none}#tip{display:none}";

/// The verdict as the page words it, and the row's class.
fn verdict(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Regression => ("REGRESSION", "regressed"),
        Verdict::ErrorsAppeared => ("ERRORS APPEARED", "regressed"),
        Verdict::Improvement => ("improvement", "improved"),
        Verdict::Ok => ("ok", ""),
        Verdict::WithinNoise => ("within noise", ""),
        Verdict::TooFewSamples => ("too few samples", ""),
        Verdict::OnlyInBaseline => ("only in baseline", ""),
        Verdict::OnlyInCurrent => ("only in current", ""),
    }
}

fn run_box(out: &mut String, role: &str, info: &RunInfo) {
    let _ = write!(
        out,
        r#"<div class="run"><h2>{}</h2><div>{}</div><div>scenario {} · seed {} · {}</div></div>"#,
        esc(role),
        esc(&info.dir.display().to_string()),
        esc(info.scenario.as_deref().unwrap_or("?")),
        info.seed.map_or("?".to_string(), |s| s.to_string()),
        esc(info.outcome.as_deref().unwrap_or("?"))
    );
}

/// A side's cells: commands, the metric in ms, errors (`-` when the row is not there).
fn side_cells(out: &mut String, s: Option<Side>, class: &str) {
    match s {
        Some(s) => {
            let _ = write!(
                out,
                r#"<td class="n {class}">{}</td><td class="n {class}" data-v="{}">{:.2}</td><td class="n {class}">{}</td>"#,
                s.samples,
                s.value_us,
                s.value_us as f64 / 1000.0,
                s.errors
            );
        }
        None => {
            let _ = write!(
                out,
                r#"<td class="{class}">-</td><td class="{class}">-</td><td class="{class}">-</td>"#
            );
        }
    }
}

fn row(out: &mut String, r: &RowComparison) {
    let (word, class) = verdict(r.verdict);
    let _ = write!(
        out,
        r#"<tr class="{class}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"#,
        esc(&r.path),
        esc(&r.server),
        esc(&r.backend),
        esc(&r.command)
    );
    side_cells(out, r.base, "b");
    side_cells(out, r.current, "c");
    match r.change_pct {
        Some(p) => {
            let width = p.abs().min(200.0) / 2.0;
            let dir = if p > 0.0 { "up" } else { "down" };
            let _ = write!(
                out,
                r#"<td class="n" data-v="{p:.3}">{p:+.1}%<span class="bar {dir}" style="width:{width:.0}px"></span></td>"#
            );
        }
        None => out.push_str("<td>-</td>"),
    }
    let stat = r.stat.map_or("-".to_string(), |s| s.to_string());
    let p = super::render::p_cell(r.p_value);
    let why = r.why.map_or(String::new(), |w| format!(" ({w})"));
    let _ = write!(
        out,
        r#"<td>{}</td><td class="n" data-v="{}">{}</td><td class="v">{word}{}</td></tr>"#,
        esc(&stat),
        r.p_value.unwrap_or(1.0),
        esc(&p),
        esc(&why)
    );
}

/// The whole page.
pub fn render(c: &Comparison, opts: &CompareOptions) -> String {
    let failed = exit_code(&c.rows) != 0;
    let summary = summary_line(&c.rows, opts);
    let mut out = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>imapload compare: {}</title><style>{STYLE}</style></head><body><h1>imapload compare <span class="badge {}">{}</span></h1><p>{}</p><div class="runs">"#,
        esc(&summary),
        if failed { "fail" } else { "pass" },
        if failed { "REGRESSED" } else { "PASSED" },
        esc(&summary)
    );
    for (role, infos) in [("baseline", &c.baseline), ("current", &c.current)] {
        for (k, info) in infos.iter().enumerate() {
            let role = match infos.len() {
                1 => role.to_string(),
                n => format!("{role} {}/{n}", k + 1),
            };
            run_box(&mut out, &role, info);
        }
    }
    out.push_str("</div>");
    if let Some(w) = warning(&c.baseline, &c.current) {
        let _ = write!(out, r#"<p class="warn">warning: {}</p>"#, esc(&w));
    }
    for n in &c.notes {
        let _ = write!(out, r#"<p class="warn">note: {}</p>"#, esc(n));
    }
    let m = opts.metric;
    let _ = write!(
        out,
        r#"<p>Corrected latency in ms per path x server x back end x command, each row at the highest percentile up to {m} its size supports (n: latencies, all runs), with the test's p-value adjusted over all rows (Holm, alpha {}); regressions (more than {}%, significant, and agreed by the runs) and new errors in red, listed first. Click a heading to sort.</p><p><input type="search" class="filter" data-table="rows" placeholder="filter, e.g. mbx2 REGRESSION" size="40"> <span class="count" data-table="rows"></span></p><table class="sortable" id="rows"><thead><tr><th rowspan="2" data-col="0">Path</th><th rowspan="2" data-col="1">Server</th><th rowspan="2" data-col="2">Backend</th><th rowspan="2" data-col="3">Command</th><th class="side" colspan="3" data-col="-1">baseline</th><th class="side" colspan="3" data-col="-1">current</th><th rowspan="2" data-col="10">Change</th><th rowspan="2" data-col="11">Stat</th><th rowspan="2" data-col="12">p (Holm)</th><th rowspan="2" data-col="13">Verdict</th></tr><tr><th data-col="4">n</th><th data-col="5">ms</th><th data-col="6">errors</th><th data-col="7">n</th><th data-col="8">ms</th><th data-col="9">errors</th></tr></thead><tbody>"#,
        opts.alpha, opts.max_regression_pct
    );
    let mut rows: Vec<&RowComparison> = c.rows.iter().collect();
    rows.sort_by_key(|r| !matches!(r.verdict, Verdict::Regression | Verdict::ErrorsAppeared));
    for r in rows {
        row(&mut out, r);
    }
    let _ = writeln!(
        out,
        "</tbody></table><div id=\"tip\" hidden></div><script>{SCRIPT}</script></body></html>"
    );
    out
}
