//! `capacity.html`: the page of an `imapload capacity` search. Throughput and
//! latency against load, all servers and each one, with the bounds, the
//! knee and the operating point marked and the capacity model's curve
//! (dashed past the measured ground); then the per-server table, the model
//! and its predictions, and every trial with a link to its own report.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::svg::{esc, LineChart, Marker, Series, XAxis};
use crate::results::capacity::{self, CapacityRecord, TrialDoc};

/// The page's file name.
pub const CAPACITY_HTML: &str = "capacity.html";

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1300px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0}dl.facts dt{color:#666}dl.facts dd{margin:0}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}tr.failed td{background:#fff3f3}tr.invalid td{color:#888;font-style:italic}
figure.chart{margin:12px 0 20px}figcaption{font-size:13px;color:#444;max-width:960px}p.note{color:#8a4b00}
svg{display:block;max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#333}svg .al{font-size:12px}
svg .axis{stroke:#333}svg .tick{stroke:#333}svg .grid{stroke:#e6e6e6}svg .fault{stroke:#8c564b;stroke-width:1.5;stroke-dasharray:4 3}
svg .fl{fill:#8c564b}svg .threshold{stroke:#777;stroke-dasharray:2 3}svg .thl{fill:#555}";

/// Server line colours, in order.
const SERVERS: &[&str] = &[
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
];

/// Writes `dir/capacity.html` from `dir/capacity.json`.
pub fn write(dir: &Path) -> anyhow::Result<PathBuf> {
    let record = capacity::read(dir)?;
    let path = dir.join(CAPACITY_HTML);
    let html = render(&record);
    std::fs::write(&path, html).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

fn label(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn opt(v: Option<f64>) -> String {
    v.map_or("—".into(), label)
}

/// The valid trials' figure `f` per load (trials at one load averaged), sorted by load.
fn curve(trials: &[TrialDoc], f: impl Fn(&TrialDoc) -> Option<f64>) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64, usize)> = Vec::new();
    for t in trials.iter().filter(|t| t.result != "invalid") {
        let Some(y) = f(t) else { continue };
        match pts.iter_mut().find(|p| p.0 == t.load) {
            Some(p) => (p.1, p.2) = (p.1 + y, p.2 + 1),
            None => pts.push((t.load, y, 1)),
        }
    }
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts.into_iter().map(|(x, y, n)| (x, y / n as f64)).collect()
}

fn servers(r: &CapacityRecord) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in r.trials.iter().flat_map(|t| &t.servers) {
        if !names.contains(&s.server) {
            names.push(s.server.clone());
        }
    }
    names
}

/// Ticks 1, 2 or 5 times a power of ten over [0, x_max].
fn ticks(x_max: f64) -> Vec<(f64, String)> {
    let raw = (x_max / 8.0).max(1e-9);
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(raw);
    let n = (x_max / step).floor() as usize;
    (0..=n)
        .map(|i| (i as f64 * step, label(i as f64 * step)))
        .collect()
}

fn markers(r: &CapacityRecord) -> Vec<Marker> {
    let mut out = Vec::new();
    let mut add = |at: Option<f64>, what: &str| {
        if let Some(at) = at {
            out.push(Marker {
                at,
                label: format!("{what} {}", label(at)),
            });
        }
    };
    // In this order the labels of the bounds and the operating point,
    // often close together, land on three different rows.
    add(r.lower_bound, "lower");
    add(r.upper_bound, "upper");
    add(r.operating_point.as_ref().map(|o| o.load), "operate");
    add(r.knee.as_ref().map(|k| k.load), "knee");
    add(r.generator_ceiling, "generator ceiling");
    out
}

fn x_max(r: &CapacityRecord) -> f64 {
    let loads = r
        .trials
        .iter()
        .map(|t| t.load)
        .chain(r.predictions.iter().map(|p| p.load));
    loads.fold(1.0, f64::max) * 1.05
}

/// The model's throughput and latency at the predictions' loads and the
/// measured ones, as two dashed lines.
type Line = Vec<(f64, f64)>;

/// The predicting model's curve: throughput and mean latency.
fn model_lines(r: &CapacityRecord) -> (Line, Line) {
    let curve = r.model.iter().flat_map(|m| &m.curve);
    let x = curve.clone().map(|c| (c.load, c.commands_per_s)).collect();
    let lat = curve
        .map(|c| (c.load, c.mean_ms.unwrap_or(f64::NAN)))
        .collect();
    (x, lat)
}

fn chart(r: &CapacityRecord, id: &str, y_label: &str, log_y: bool, series: Vec<Series>) -> String {
    let c = LineChart {
        x_label: format!("load ({})", r.unit),
        y_label: y_label.into(),
        x_max: x_max(r),
        log_y,
        series,
        markers: markers(r),
        thresholds: Vec::new(),
        shades: Vec::new(),
        x_axis: XAxis::Ticks(ticks(x_max(r))),
    };
    format!(r#"<figure class="chart" id="{id}">{}</figure>"#, c.to_svg())
}

fn line(name: &str, color: &str, dashed: bool, points: Vec<(f64, f64)>) -> Series {
    Series {
        name: name.into(),
        color: color.into(),
        dashed,
        points,
    }
}

/// The two charts: throughput and latency against load.
fn charts(r: &CapacityRecord) -> String {
    let names = servers(r);
    let per = |name: &str, f: fn(&crate::results::capacity::ServerFigures) -> f64| {
        curve(&r.trials, |t| {
            t.servers.iter().find(|s| s.server == name).map(f)
        })
    };
    let (model_x, model_r) = model_lines(r);
    let mut x = vec![line(
        "all servers",
        "#222",
        false,
        curve(&r.trials, |t| Some(t.commands_per_s)),
    )];
    let mut lat = vec![
        line(
            "mean, all",
            "#555",
            false,
            curve(&r.trials, |t| Some(t.mean_ms)),
        ),
        line(
            "p99, all",
            "#b5179e",
            false,
            curve(&r.trials, |t| Some(t.p99_ms)),
        ),
    ];
    for (i, name) in names.iter().enumerate() {
        let color = SERVERS[i % SERVERS.len()];
        x.push(line(name, color, false, per(name, |s| s.commands_per_s)));
        lat.push(line(
            &format!("p99 {name}"),
            color,
            false,
            per(name, |s| s.p99_ms),
        ));
    }
    if !model_x.is_empty() {
        x.push(line("model (predicted)", "#999", true, model_x));
        lat.push(line("model mean (predicted)", "#999", true, model_r));
    }
    let mut out = chart(r, "capacity-throughput", "commands/s", false, x);
    out += "<figcaption>Throughput against load: every server together and each one; the dashed line is the capacity model (the one the predictions come from), drawn past the trials up to the --predict loads.</figcaption>";
    out += &chart(r, "capacity-latency", "latency (ms)", true, lat);
    out += "<figcaption>Mean and p99 latency against load (log scale), all servers and each server's p99.</figcaption>";
    out
}

fn facts(r: &CapacityRecord) -> String {
    let mut f = String::from(r#"<dl class="facts">"#);
    let mut add = |k: &str, v: String| {
        let _ = write!(f, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    };
    add("outcome", r.outcome.clone());
    let confirmed = if r.lower_bound_confirmed {
        " (confirmed)"
    } else {
        ""
    };
    add(
        "lower bound",
        format!("{} {}{confirmed}", opt(r.lower_bound), r.unit),
    );
    add("upper bound", format!("{} {}", opt(r.upper_bound), r.unit));
    if let Some(c) = r.generator_ceiling {
        add("generator ceiling", format!("{} {}", label(c), r.unit));
    }
    if let Some(ff) = &r.first_failure {
        let on = ff
            .server
            .as_deref()
            .map_or(String::new(), |s| format!(" on {s}"));
        add(
            "first failure",
            format!("{} {} ({}){on}", ff.kind, ff.name, ff.measured),
        );
    }
    if let Some(k) = &r.knee {
        add(
            "knee",
            format!(
                "{} {} ({:.1} cmd/s, mean {:.2} ms)",
                label(k.load),
                r.unit,
                k.commands_per_s,
                k.mean_ms
            ),
        );
    }
    if let Some(o) = &r.operating_point {
        add(
            "operating point",
            format!(
                "{} {} ({:.0}% of the lower bound)",
                label(o.load),
                r.unit,
                o.share * 100.0
            ),
        );
    }
    let s = &r.search;
    add("search", format!(
        "{}..{} to {:.0}% width; trials of {} s after a {} s warm-up, {} s idle between, confirmed for {} s",
        label(s.min), label(s.max), s.precision * 100.0, s.trial_s, s.warmup_s, s.idle_gap_s, s.confirm_s
    ));
    f.push_str("</dl>");
    f
}

/// The whole page.
pub fn render(r: &CapacityRecord) -> String {
    let mut out = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>imapload capacity: {} by {}</title><style>{STYLE}</style></head><body><h1>Capacity of {} by {}</h1>"#,
        esc(&r.scenario),
        esc(&r.by),
        esc(&r.scenario),
        esc(&r.by)
    );
    out += &facts(r);
    out += "<h2>Throughput and latency against load</h2>";
    out += &charts(r);
    out += &super::capacity_tables::servers(r);
    out += &super::capacity_tables::model(r);
    out += &super::capacity_tables::trials(r);
    out += "</body></html>";
    out
}
