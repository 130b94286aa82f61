//! The charts of `report.html`, one `<figure class="chart" id=...>` each; the ids are what
//! `scripts/check-report.sh` looks for.

use std::fmt::Write;

use super::data::{self, Results};
use crate::report::svg::{esc, timeline, Lane, LineChart, Marker, Series, Shade};

use super::colors;

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
pub(super) fn chart_id(prefix: &str, name: &str) -> String {
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

/// A chart in its `<figure>` with title and caption: the id is what `scripts/check-report.sh`
/// looks for, the caption says what the chart's figures are.
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
pub(super) const X_LABEL: &str = "time since start (s)";

/// The faults injected, as vertical markers on every time chart.
pub(super) fn markers(r: &Results) -> Vec<Marker> {
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
    super::latency::charts(out, r, &shades);
    super::spectrum::chart(out, r);
    throughput(out, r, &shades);
    errors(out, r, &shades);
    queue(out, r, &shades);
    sessions(out, r, &shades);
}

/// One lane per monitor, coloured by its state over the run.
fn monitors(out: &mut String, r: &Results) {
    let x_max = r.x_max();
    let histories = data::monitor_histories(&r.run);
    let lanes: Vec<Lane> = (histories.iter())
        .map(|m| Lane {
            label: format!("{}  {}", m.server, m.monitor),
            spans: (super::lanes::spans(&m.transitions, x_max).into_iter())
                .map(|(from, to, state, tip)| (from, to, state_color(&state).into(), tip))
                .collect(),
        })
        .collect();
    let keys: Vec<(String, String)> = ["Healthy", "Degraded", "Unhealthy"]
        .iter()
        .map(|s| (s.to_string(), state_color(s).to_string()))
        .collect();
    let columns = match histories.iter().any(|m| m.transitions.len() >= super::lanes::MAX_SPANS) {
        true => " A monitor that changed state too often to draw each change is drawn in columns, each coloured by the worst state it held there (hover for the count).",
        false => "",
    };
    figure(out, "monitors", "Monitor states", &format!("Each monitor's state over the run, from its transitions (Degraded when it fires, Unhealthy after the escalation delay). Brown dashed lines: faults injected.{columns}"), &timeline(&lanes, x_max, &r.x_label(), &markers(r), &keys, &r.x_axis()));
}
/// Commands and errors per second, each command counted once.
fn throughput(out: &mut String, r: &Results, shades: &[Shade]) {
    let tp = data::throughput(r);
    let line = |name: &str, color: &str, f: fn(&(f64, f64, f64)) -> f64| Series {
        name: name.into(),
        color: color.into(),
        dashed: false,
        points: tp.iter().map(|p| (p.0, f(p))).collect(),
    };
    let chart = LineChart {
        x_label: r.x_label(),
        y_label: "rate (per s)".into(),
        x_max: r.x_max(),
        log_y: false,
        series: vec![
            line("commands/s", colors::COMMANDS, |p| p.1),
            line("errors/s", colors::ERRORS, |p| p.2),
        ],
        markers: markers(r),
        thresholds: vec![],
        shades: shades.to_vec(),
        x_axis: r.x_axis(),
    };
    figure(out, "throughput", "Throughput", &format!("Commands and errors completed per second, each command counted once (a via-CAS command is not counted again for its back end). {}; its rate is its commands over its time. Errors are NO/BAD, timeouts, disconnects and protocol violations. A final interval shorter than half the reporting interval is left out (a rate over a few ms is noise). Grey: warm-up and cool-down (with the drain after the load stopped), measured but excluded from the verdict; yellow: a partial interval, shorter than the others.", r.bucket_text()), &chart.to_svg());
}

/// Mean queue depth per server, and the embedded server's own queue where reported.
fn queue(out: &mut String, r: &Results, shades: &[Shade]) {
    let mut series = Vec::new();
    for (i, server) in r.servers().iter().enumerate() {
        let Some(pts) = data::queue(r, server) else {
            continue;
        };
        let color = colors::server(i);
        series.push(Series {
            name: format!("{server} outstanding"),
            color: color.into(),
            dashed: false,
            points: pts.iter().map(|p| (p.0, p.1)).collect(),
        });
        if data::own_queue(r, server) {
            series.push(Series {
                name: format!("{server} own queue"),
                color: color.into(),
                dashed: true,
                points: pts.iter().map(|p| (p.0, p.2)).collect(),
            });
        }
    }
    let chart = LineChart {
        x_label: r.x_label(),
        y_label: "queue depth (commands, mean)".into(),
        x_max: r.x_max(),
        log_y: false,
        series,
        markers: markers(r),
        thresholds: vec![],
        shades: shades.to_vec(),
        x_axis: r.x_axis(),
    };
    figure(out, "queue", "Queue depth", &format!("Mean queue depth per server: commands outstanding on connections whose path includes the server plus commands due and not yet sent (solid); dashed, where reported, the embedded server's own queue of commands waiting for a worker. {}; its value is the mean of all the readings in it.", r.bucket_text()), &chart.to_svg());
}

/// Sessions open at the end of each interval (the most of a bucket's intervals).
fn sessions(out: &mut String, r: &Results, shades: &[Shade]) {
    let chart = LineChart {
        x_label: r.x_label(),
        y_label: "active sessions".into(),
        x_max: r.x_max(),
        log_y: false,
        series: vec![Series {
            name: "active sessions".into(),
            color: colors::SESSIONS.into(),
            dashed: false,
            points: data::sessions(r),
        }],
        markers: markers(r),
        thresholds: vec![],
        shades: shades.to_vec(),
        x_axis: r.x_axis(),
    };
    figure(
        out,
        "sessions",
        "Sessions",
        &format!("IMAP sessions open at the end of each interval. {}; its value is the most sessions at the end of any of them.", r.bucket_text()),
        &chart.to_svg(),
    );
}

/// Errors per second by reason, each command counted once; the messages are in the table
/// of causes below.
fn errors(out: &mut String, r: &Results, shades: &[Shade]) {
    use crate::results::ErrorReason;
    let buckets: Vec<_> = (r.scan.run.iter()).filter(|(_, b)| b.time > 0.0).collect();
    let mut series = vec![Series {
        name: "all reasons".into(),
        color: colors::ERRORS.into(),
        dashed: true,
        points: buckets
            .iter()
            .map(|(_, b)| (b.end, b.errors / b.time))
            .collect(),
    }];
    for reason in ErrorReason::ALL {
        let i = reason.index();
        if buckets.iter().all(|(_, b)| b.reasons[i] == 0.0) {
            continue;
        }
        series.push(Series {
            name: reason.label().into(),
            color: colors::REASONS[i].into(),
            dashed: false,
            points: buckets
                .iter()
                .map(|(_, b)| (b.end, b.reasons[i] / b.time))
                .collect(),
        });
    }
    let chart = LineChart {
        x_label: r.x_label(),
        y_label: "errors per s".into(),
        x_max: r.x_max(),
        log_y: false,
        series,
        markers: markers(r),
        thresholds: vec![],
        shades: shades.to_vec(),
        x_axis: r.x_axis(),
    };
    figure(out, "errors", "Errors by reason", &format!("Failed commands per second by reason (no: NO answers, bad: BAD, timeout, disconnect, protocol violations, tls, connect, aborted: cut by the end of the run), each command counted once; dashed: all reasons together. Errors never enter the latency figures. What the servers said is in the table of causes below, when anything failed. {}.", r.bucket_text()), &chart.to_svg());
}
