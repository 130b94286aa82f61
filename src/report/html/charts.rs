//! The charts of `report.html`, one `<figure class="chart" id=...>` each; the ids are what
//! `scripts/check-report.sh` looks for.

use std::fmt::Write;

use super::data::{self, Results};
use crate::report::svg::{esc, timeline, Lane, LineChart, Marker, Series, Shade};

const PALETTE: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

/// Colour per monitor state, Exchange's three plus a grey for anything unexpected.
fn state_color(state: &str) -> &'static str {
    match state {
        "Healthy" => "#66bb6a",
        "Degraded" => "#ffa726",
        "Unhealthy" => "#e53935",
        _ => "#9e9e9e",
    }
}

/// A chart id from a server name: ids must be stable for the check script and safe in HTML.
fn chart_id(prefix: &str, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{prefix}-{clean}")
}

pub(super) fn figure(out: &mut String, id: &str, title: &str, caption: &str, svg: &str) {
    let _ = write!(
        out,
        r#"<figure class="chart" id="{}"><h3>{}</h3>{svg}<figcaption>{}</figcaption></figure>"#,
        esc(id),
        esc(title),
        esc(caption)
    );
}

/// The x axis of every time chart.
const X_LABEL: &str = "time since start (s)";

/// The faults injected, as vertical markers on every time chart.
fn markers(r: &Results) -> Vec<Marker> {
    r.faults()
        .into_iter()
        .map(|(at, label)| Marker { at, label })
        .collect()
}

/// Appends every chart: monitor states first (the verdict), then latency per server,
/// throughput, queue depth and sessions; the time charts shade what the verdict
/// leaves out (warm-up, cool-down, the drain) and a partial last interval.
pub(super) fn all(out: &mut String, r: &Results) {
    monitors(out, r);
    let shades = super::shading::shades(r);
    latency(out, r, &shades);
    throughput(out, r, &shades);
    queue(out, r, &shades);
    sessions(out, r, &shades);
}

/// One lane per monitor, coloured by its state over the run.
fn monitors(out: &mut String, r: &Results) {
    let x_max = r.x_max();
    let lanes: Vec<Lane> = data::monitor_histories(&r.run)
        .into_iter()
        .map(|m| {
            let mut spans = Vec::new();
            let (mut from, mut state) = (0.0, "Healthy".to_string());
            for (at, to) in m.transitions {
                spans.push((
                    from,
                    at,
                    state_color(&state).into(),
                    format!("{state} {from:.1}-{at:.1} s"),
                ));
                (from, state) = (at, to);
            }
            spans.push((
                from,
                x_max,
                state_color(&state).into(),
                format!("{state} from {from:.1} s"),
            ));
            Lane {
                label: format!("{}  {}", m.server, m.monitor),
                spans,
            }
        })
        .collect();
    let keys: Vec<(String, String)> = ["Healthy", "Degraded", "Unhealthy"]
        .iter()
        .map(|s| (s.to_string(), state_color(s).to_string()))
        .collect();
    figure(out, "monitors", "Monitor states", "Each monitor's state over the run, from its transitions (Degraded when it fires, Unhealthy after the escalation delay). Red dashed lines: faults injected.", &timeline(&lanes, x_max, X_LABEL, &markers(r), &keys));
}

/// A latency chart per server: the mean and the worst command's p99, with
/// the command-time threshold when it is near the data.
fn latency(out: &mut String, r: &Results, shades: &[Shade]) {
    let x_max = r.x_max();
    let latency = data::latency_by_server(&r.timeseries);
    // The threshold is drawn only near the data: Exchange's 60 s line over millisecond
    // latencies would stretch the log axis by decades and flatten what was measured.
    let data_max = latency
        .values()
        .flatten()
        .map(|(_, p)| p.worst_p99_ms)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let threshold = (r.run.monitor_settings.as_ref()).map(|m| m.command_time_ms.threshold);
    let (drawn, threshold_note) = match threshold {
        Some(t) if t <= data_max * 10.0 => (Some(t), "grey dotted: the AverageCommandProcessingTime threshold, judged on the mean".to_string()),
        Some(t) => (None, format!("the AverageCommandProcessingTime threshold ({t} ms, judged on the mean) is far above and not drawn")),
        None => (None, "no latency threshold configured".to_string()),
    };
    for server in &r.servers() {
        let pts = latency.get(server).cloned().unwrap_or_default();
        let line =
            |name: &str, color: &str, dashed: bool, f: fn(&data::LatencyPoint) -> f64| Series {
                name: name.into(),
                color: color.into(),
                dashed,
                points: pts.iter().map(|(t, p)| (*t, f(p))).collect(),
            };
        let chart = LineChart {
            x_label: X_LABEL.into(),
            y_label: "corrected latency (ms, log scale)".into(),
            x_max,
            log_y: true,
            series: vec![
                line("mean", PALETTE[0], false, |p| p.mean_ms),
                line("worst command p99", PALETTE[1], false, |p| p.worst_p99_ms),
            ],
            markers: markers(r),
            thresholds: drawn
                .map(|t| Marker {
                    at: t,
                    label: format!("monitor threshold {t} ms (on the mean)"),
                })
                .into_iter()
                .collect(),
            shades: shades.to_vec(),
        };
        figure(
            out,
            &chart_id("latency", server),
            &format!("Latency on {server}"),
            &format!("Corrected latency (from the intended start) of commands whose path includes {server}, per interval. The mean is exact; \"worst command p99\" is the highest p99 of any one command type, an upper bound (percentiles of different commands cannot be averaged). Red dashed: faults; grey: excluded from the verdict (warm-up, cool-down, the drain); yellow: a partial interval; {threshold_note}."),
            &chart.to_svg(),
        );
    }
}

/// Commands and errors per second, each command counted once.
fn throughput(out: &mut String, r: &Results, shades: &[Shade]) {
    let interval_s = r.interval_s();
    let tp = data::throughput(&r.timeseries, interval_s / 2.0);
    let chart = LineChart {
        x_label: X_LABEL.into(),
        y_label: "rate (per s)".into(),
        x_max: r.x_max(),
        log_y: false,
        series: vec![
            Series {
                name: "commands/s".into(),
                color: PALETTE[0].into(),
                dashed: false,
                points: tp.iter().map(|p| (p.0, p.1)).collect(),
            },
            Series {
                name: "errors/s".into(),
                color: PALETTE[1].into(),
                dashed: false,
                points: tp.iter().map(|p| (p.0, p.2)).collect(),
            },
        ],
        markers: markers(r),
        thresholds: vec![],
        shades: shades.to_vec(),
    };
    figure(out, "throughput", "Throughput", "Commands and errors completed per second, each command counted once (a via-CAS command is not counted again for its back end). Errors are NO/BAD, timeouts, disconnects and protocol violations. A final interval shorter than half the reporting interval is left out (a rate over a few ms is noise). Grey: warm-up and cool-down (with the drain after the load stopped), measured but excluded from the verdict; yellow: a partial interval, shorter than the others.", &chart.to_svg());
}

/// Mean queue depth per server, and the embedded server's own queue where reported.
fn queue(out: &mut String, r: &Results, shades: &[Shade]) {
    let queue = data::queue_by_server(&r.queue);
    let mut series = Vec::new();
    for (i, server) in r.servers().iter().enumerate() {
        let Some(pts) = queue.get(server) else {
            continue;
        };
        let color = PALETTE[i % PALETTE.len()];
        series.push(Series {
            name: format!("{server} outstanding"),
            color: color.into(),
            dashed: false,
            points: pts.iter().map(|p| (p.0, p.1)).collect(),
        });
        if pts.iter().any(|p| p.2 > 0.0) {
            series.push(Series {
                name: format!("{server} own queue"),
                color: color.into(),
                dashed: true,
                points: pts.iter().map(|p| (p.0, p.2)).collect(),
            });
        }
    }
    let chart = LineChart {
        x_label: X_LABEL.into(),
        y_label: "queue depth (commands, mean)".into(),
        x_max: r.x_max(),
        log_y: false,
        series,
        markers: markers(r),
        thresholds: vec![],
        shades: shades.to_vec(),
    };
    figure(out, "queue", "Queue depth", "Mean queue depth per server per interval: commands outstanding on connections whose path includes the server plus commands due and not yet sent (solid); dashed, where reported, the embedded server's own queue of commands waiting for a worker.", &chart.to_svg());
}

/// Sessions open at the end of each interval.
fn sessions(out: &mut String, r: &Results, shades: &[Shade]) {
    let chart = LineChart {
        x_label: X_LABEL.into(),
        y_label: "active sessions".into(),
        x_max: r.x_max(),
        log_y: false,
        series: vec![Series {
            name: "active sessions".into(),
            color: PALETTE[2].into(),
            dashed: false,
            points: data::sessions(&r.timeseries),
        }],
        markers: markers(r),
        thresholds: vec![],
        shades: shades.to_vec(),
    };
    figure(
        out,
        "sessions",
        "Sessions",
        "IMAP sessions open at the end of each interval.",
        &chart.to_svg(),
    );
}
