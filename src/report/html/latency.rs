//! The latency chart of each server, and under it the slowest stretches of the run with
//! their exact figures.
//!
//! The mean is exact in any bucket (latency sums over command counts). Percentiles are read
//! from the histograms of `latency.hlog`, added over every row counting toward the server and
//! every interval of the bucket, so a point is the p99 of all those commands, not an average
//! or a maximum of p99s. Results without the log (older, or hand-made) fall back to the
//! highest p99 of any command row, drawn and named as the upper bound it is.

use std::fmt::Write;

use super::charts::{chart_id, figure, markers};
use super::colors;
use super::data::{self, Results};
use crate::report::svg::{esc, LineChart, Marker, Series, Shade};

/// Rows of the slowest-stretches table.
const SLOWEST: usize = 5;

fn line(name: &str, color: &str, dashed: bool, points: Vec<(f64, f64)>) -> Series {
    Series {
        name: name.into(),
        color: color.into(),
        dashed,
        points,
    }
}

/// The lines of `server`'s chart and the caption's words for them.
fn series(r: &Results, server: &str) -> (Vec<Series>, &'static str) {
    let csv = data::latency(r, server);
    let mean = line(
        "mean",
        colors::MEAN,
        false,
        csv.iter().map(|p| (p.0, p.1)).collect(),
    );
    if r.percentiles.is_none() {
        let worst = csv.iter().map(|p| (p.0, p.2)).collect();
        let text = "The mean is exact; \"worst command p99\" is the highest p99 of any one command type and interval, an upper bound (percentiles of different commands cannot be averaged, and this directory has no latency.hlog to add histograms from).";
        return (
            vec![mean, line("worst command p99", colors::P99, false, worst)],
            text,
        );
    }
    let pts = r.percentile_points(server);
    let ms = |f: fn(&super::percentiles::Point) -> u64| -> Vec<(f64, f64)> {
        pts.iter().map(|p| (p.end, f(p) as f64 / 1000.0)).collect()
    };
    let text = "The mean is exact (latency sums over commands); p50, p90 and p99 are exact too: the histograms of latency.hlog, added over every command row of the server and every interval of the point, then read.";
    let lines = vec![
        mean,
        line("p50", colors::P50, false, ms(|p| p.p50_us)),
        line("p90", colors::P90, false, ms(|p| p.p90_us)),
        line("p99", colors::P99, false, ms(|p| p.p99_us)),
    ];
    (lines, text)
}

/// A chart per server, each followed by its slowest stretches.
pub(super) fn charts(out: &mut String, r: &Results, shades: &[Shade]) {
    let x_max = r.x_max();
    let all: Vec<(String, (Vec<Series>, &str))> = (r.servers().into_iter())
        .map(|s| {
            let lines = series(r, &s);
            (s, lines)
        })
        .collect();
    // The threshold is drawn only near the data: Exchange's 60 s line over millisecond
    // latencies would stretch the log axis by decades and flatten what was measured.
    let data_max = (all
        .iter()
        .flat_map(|(_, (l, _))| l.iter().flat_map(|s| s.points.iter())))
    .map(|p| p.1)
    .filter(|v| v.is_finite())
    .fold(0.0, f64::max);
    let threshold = (r.run.monitor_settings.as_ref()).map(|m| m.command_time_ms.threshold);
    let (drawn, threshold_note) = match threshold {
        Some(t) if t <= data_max * 10.0 => (Some(t), "grey dotted: the AverageCommandProcessingTime threshold, judged on the mean".to_string()),
        Some(t) => (None, format!("the AverageCommandProcessingTime threshold ({t} ms, judged on the mean) is far above and not drawn")),
        None => (None, "no latency threshold configured".to_string()),
    };
    for (server, (lines, text)) in all {
        let chart = LineChart {
            x_label: r.x_label(),
            y_label: "corrected latency (ms, log scale)".into(),
            x_max,
            log_y: true,
            series: lines,
            markers: markers(r),
            thresholds: (drawn.iter())
                .map(|&t| Marker {
                    at: t,
                    label: format!("monitor threshold {t} ms (on the mean)"),
                })
                .collect(),
            shades: shades.to_vec(),
            x_axis: r.x_axis(),
        };
        figure(
            out,
            &chart_id("latency", &server),
            &format!("Latency on {server}"),
            &format!("Corrected latency (from the intended start) of commands whose path includes {server}. {}. {text} Brown dashed: faults; grey: excluded from the verdict (warm-up, cool-down, the drain); yellow: a partial interval; {threshold_note}.", r.bucket_text()),
            &chart.to_svg(),
        );
        slowest(out, r, &server);
    }
}

/// The stretches with the highest p99, figures exact, in µs in `data-us` for scripts.
fn slowest(out: &mut String, r: &Results, server: &str) {
    let worst = data::slowest(r.percentile_points(server), SLOWEST);
    if worst.is_empty() {
        return;
    }
    let _ = write!(
        out,
        r#"<details class="slowest" id="{}"><summary>Slowest stretches on {} (exact percentiles)</summary><table><tr><th>From (s)</th><th>To (s)</th><th>Commands</th><th>p50 (ms)</th><th>p99 (ms)</th></tr>"#,
        esc(&chart_id("slowest", server)),
        esc(server)
    );
    for p in worst {
        let from = p.index as f64 * r.width;
        let to = from + r.width;
        let _ = write!(
            out,
            r#"<tr data-from="{from:.3}" data-to="{to:.3}"><td class="n">{from:.1}</td><td class="n">{to:.1}</td><td class="n">{}</td><td class="n" data-us="{}">{}</td><td class="n" data-us="{}">{}</td></tr>"#,
            p.count,
            p.p50_us,
            super::ms(p.p50_us as f64),
            p.p99_us,
            super::ms(p.p99_us as f64)
        );
    }
    out.push_str("</table></details>");
}
