//! Latency by command: for every server, p50 / p90 / p99 over time of each command (and of
//! all of them), corrected latency and service time side by side, from the histograms of
//! `latency.hlog` and `service.hlog` added per bucket. A menu picks the command; every
//! command's pair of charts is in the page (hidden but the one picked), so it works offline
//! and without the script too (then all are shown).

use std::fmt::Write;

use super::charts::{chart_id, markers};
use super::colors;
use super::data::Results;
use super::percentiles::{Percentiles, Point};
use crate::report::svg::{esc, LineChart, Series, Shade};

/// What "all commands" is called in the menu.
const ALL: &str = "all commands";

/// The three percentile lines of `points`, in ms at each bucket's end.
fn lines(points: &[Point]) -> Vec<Series> {
    let line = |name: &str, color: &str, f: fn(&Point) -> u64| Series {
        name: name.into(),
        color: color.into(),
        dashed: false,
        points: points
            .iter()
            .map(|p| (p.end, f(p) as f64 / 1000.0))
            .collect(),
    };
    vec![
        line("p50", colors::P50, |p| p.p50_us),
        line("p90", colors::P90, |p| p.p90_us),
        line("p99", colors::P99, |p| p.p99_us),
    ]
}

/// One half of a pair: a chart of `points`, or a line saying there is no data.
fn half(out: &mut String, r: &Results, shades: &[Shade], title: &str, points: &[Point]) {
    let _ = write!(out, r#"<div class="half"><h4>{}</h4>"#, esc(title));
    if points.is_empty() {
        out.push_str(r#"<p class="none">no histograms for this (results without this log, or no successful command)</p></div>"#);
        return;
    }
    let chart = LineChart {
        x_label: r.x_label(),
        y_label: "ms (log scale)".into(),
        x_max: r.x_max(),
        log_y: true,
        series: lines(points),
        markers: markers(r),
        thresholds: vec![],
        shades: shades.to_vec(),
        x_axis: r.x_axis(),
    };
    out.push_str(&chart.to_svg());
    out.push_str("</div>");
}

/// The points of `server` (all commands, `command` = None) in one log's percentiles.
fn points<'a>(p: Option<&'a Percentiles>, server: &str, command: Option<&str>) -> &'a [Point] {
    let Some(p) = p else { return &[] };
    let found = match command {
        None => p.by_server.get(server),
        Some(c) => p.by_command.get(server).and_then(|m| m.get(c)),
    };
    found.map_or(&[], Vec::as_slice)
}

/// The commands of `server`, the busiest first.
fn commands(r: &Results, server: &str) -> Vec<String> {
    let Some(by) = r
        .percentiles
        .as_ref()
        .and_then(|p| p.by_command.get(server))
    else {
        return Vec::new();
    };
    let mut v: Vec<(u64, &String)> = (by.iter())
        .map(|(c, pts)| (pts.iter().map(|p| p.count).sum(), c))
        .collect();
    v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    v.into_iter().map(|(_, c)| c.clone()).collect()
}

/// The section: one figure per server with its menu and a pair of charts per command.
pub(super) fn section(out: &mut String, r: &Results, shades: &[Shade]) {
    if r.percentiles.is_none() {
        return;
    }
    out.push_str("<h2>Latency by command</h2>");
    let (corrected, service) = (r.percentiles.as_ref(), r.service.as_ref());
    let width = corrected.map_or(r.width, |p| p.command_width);
    for server in r.servers() {
        let cmds = commands(r, &server);
        if cmds.is_empty() {
            continue;
        }
        let id = chart_id("commands", &server);
        let _ = write!(
            out,
            r#"<figure class="chart cmdchart" id="{}"><h3>Latency percentiles by command on {}</h3><label>Command <select class="cmdsel">"#,
            esc(&id),
            esc(&server)
        );
        let _ = write!(out, r#"<option value="*">{ALL}</option>"#);
        for c in &cmds {
            let _ = write!(out, r#"<option value="{0}">{0}</option>"#, esc(c));
        }
        out.push_str("</select></label>");
        let all = std::iter::once(None).chain(cmds.iter().map(|c| Some(c.as_str())));
        for (i, c) in all.enumerate() {
            let hidden = if i == 0 { "" } else { " hidden" };
            let _ = write!(
                out,
                r#"<div class="pair" data-command="{}"{hidden}>"#,
                esc(c.unwrap_or("*"))
            );
            let name = c.unwrap_or(ALL);
            half(
                out,
                r,
                shades,
                &format!("{name}: corrected latency"),
                points(corrected, &server, c),
            );
            half(
                out,
                r,
                shades,
                &format!("{name}: service time"),
                points(service, &server, c),
            );
            out.push_str("</div>");
        }
        let secs = format!("{width:.3}");
        let secs = secs.trim_end_matches('0').trim_end_matches('.');
        let _ = write!(
            out,
            "<figcaption>p50, p90 and p99 of the commands whose path includes {} (a via-CAS command counts toward the CAS and its back end), left from the intended start (corrected), right from the last byte sent (service time): a gap between them is time the command waited before it was sent. Exact: each point reads the histograms of its rows and intervals added together; one point per {secs} s for a command (for \"{ALL}\", as in the latency chart above). Pick a command above.</figcaption></figure>",
            esc(&server)
        );
    }
}
