//! The monitor-state timeline: coloured spans per lane on the line chart's time axis.

use std::fmt::Write;

use super::{esc, frame_with, legend, x_px, Marker, XAxis, MB, ML, MT, W};

/// One horizontal lane of a state timeline: spans of (from, to, colour, tooltip).
pub struct Lane {
    /// Text at the left of the lane.
    pub label: String,
    /// Coloured spans in data units.
    pub spans: Vec<(f64, f64, String, String)>,
}

/// A state timeline (one lane per monitor), so a reader sees when each monitor went Degraded
/// and Unhealthy relative to the faults, which a table of transition times does not show.
pub fn timeline(
    lanes: &[Lane],
    x_max: f64,
    x_label: &str,
    markers: &[Marker],
    keys: &[(String, String)],
    axis: &XAxis,
) -> String {
    const LANE: f64 = 20.0;
    // Room for "server  MonitorName" lane labels left of the plot, which starts at ML.
    const SHIFT: f64 = 260.0;
    let top = MT + 20.0;
    let yb = top + LANE * lanes.len().max(1) as f64;
    let h = (yb + MB).max(top + 18.0 * keys.len() as f64 + MB);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"><g transform="translate({SHIFT} 0)">"#,
        w = W + SHIFT
    );
    for (i, lane) in lanes.iter().enumerate() {
        let y = top + LANE * i as f64;
        let _ = write!(
            out,
            r#"<text class="lane" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            ML - 8.0,
            y + LANE * 0.7,
            esc(&lane.label)
        );
        for (from, to, color, tip) in &lane.spans {
            let x0 = x_px(*from, x_max);
            let x1 = x_px(*to, x_max);
            let _ = write!(
                out,
                r#"<rect class="state" x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}</title></rect>"#,
                y + 2.0,
                (x1 - x0).max(0.5),
                LANE - 4.0,
                esc(color),
                esc(tip)
            );
        }
    }
    frame_with(&mut out, x_max, x_label, top, yb, axis);
    for (i, m) in markers.iter().enumerate() {
        let x = x_px(m.at, x_max);
        let _ = write!(
            out,
            r#"<line class="fault" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{yb}"><title>{}</title></line><text class="fl" x="{:.1}" y="{:.1}">{}</text>"#,
            top - 16.0,
            esc(&m.label),
            x + 3.0,
            top - 6.0 - 10.0 * (i % 2) as f64,
            esc(&m.label)
        );
    }
    let items: Vec<_> = keys
        .iter()
        .map(|(n, c)| (n.clone(), c.clone(), false))
        .collect();
    let mut leg = String::new();
    legend(&mut leg, &items);
    let _ = write!(
        out,
        r#"<g transform="translate(0 {:.1})">{leg}</g>"#,
        top - MT
    );
    out.push_str("</g></svg>");
    out
}
