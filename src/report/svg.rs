//! Tiny inline-SVG charts for `report.html`: a line chart over time and a state timeline.
//!
//! Hand-written instead of a charting crate or a JavaScript library so the page stays one
//! self-contained file that opens offline and renders the same in every browser. Only data is
//! drawn with `<path>` and `<rect>`; frames, grid lines, ticks and legend swatches use `<line>`,
//! so `scripts/check-report.sh` can tell a chart with data from an empty frame.

mod axis;
mod timeline;

use std::fmt::Write;

pub use axis::{clock_label, clock_ticks, epoch_of, XAxis};
pub use timeline::{timeline, Lane};

/// Escapes text for HTML and SVG (element content and quoted attribute values alike), so
/// names taken from scenario files and result files can never inject markup.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One line of a chart. A `NaN` y leaves a gap, so an interval without data is not drawn as a
/// fake straight line between its neighbours.
pub struct Series {
    /// Legend text.
    pub name: String,
    /// CSS colour.
    pub color: String,
    /// Dashed lines mark derived or secondary figures (e.g. a server's own queue).
    pub dashed: bool,
    /// (x, y) in data units, sorted by x.
    pub points: Vec<(f64, f64)>,
}

/// A vertical marker (a fault injected at a time) or, in `LineChart::thresholds`, a horizontal
/// threshold line.
pub struct Marker {
    /// Position on the x axis (vertical marker) or y axis (horizontal line), in data units.
    pub at: f64,
    /// Short text drawn next to the line.
    pub label: String,
}

mod shade;

pub use shade::{Shade, ShadeKind};

/// A line chart with time on the x axis. Log scale on y is offered because latency under a
/// fault spans several decades and a linear axis would flatten the healthy part to zero.
pub struct LineChart {
    /// x axis label, with its unit.
    pub x_label: String,
    /// y axis label, with its unit.
    pub y_label: String,
    /// Right end of the x axis; the left end is 0 (the start of the run).
    pub x_max: f64,
    /// Whether the y axis is logarithmic.
    pub log_y: bool,
    /// The lines.
    pub series: Vec<Series>,
    /// Vertical markers (faults).
    pub markers: Vec<Marker>,
    /// Horizontal lines (thresholds).
    pub thresholds: Vec<Marker>,
    /// Shaded stretches of time (excluded from the verdict, partial).
    pub shades: Vec<Shade>,
    /// How the x axis is labelled (seconds, wall clock, or given ticks).
    pub x_axis: XAxis,
}

const W: f64 = 960.0;
const H: f64 = 260.0;
const ML: f64 = 70.0;
const MR: f64 = 230.0;
const MT: f64 = 24.0;
const MB: f64 = 46.0;

/// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `n` ticks over `span`.
fn nice_step(span: f64, n: f64) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / n;
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let f = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    f * p
}

/// Formats a tick value without trailing noise (0.1, 2, 1500).
fn tick_text(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The y axis: maps data to pixels and lists its ticks.
struct YAxis {
    log: bool,
    lo: f64,
    hi: f64,
}

impl YAxis {
    fn new(chart: &LineChart) -> YAxis {
        let ys = chart
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(chart.thresholds.iter().map(|t| t.at))
            .filter(|y| y.is_finite() && (!chart.log_y || *y > 0.0));
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for y in ys {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        if !lo.is_finite() {
            (lo, hi) = (1.0, 10.0);
        }
        if chart.log_y {
            let lo = 10f64.powf(lo.log10().floor());
            let mut hi = 10f64.powf(hi.log10().ceil());
            if hi <= lo {
                hi = lo * 10.0;
            }
            YAxis { log: true, lo, hi }
        } else {
            let step = nice_step(hi.max(0.0), 5.0);
            let hi = ((hi / step).ceil() * step).max(step);
            YAxis {
                log: false,
                lo: 0.0,
                hi,
            }
        }
    }

    fn px(&self, y: f64) -> f64 {
        let f = if self.log {
            (y.max(self.lo).log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (y - self.lo) / (self.hi - self.lo)
        };
        H - MB - f.clamp(0.0, 1.0) * (H - MT - MB)
    }

    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let decades = (self.hi / self.lo).log10().round() as i32;
            let mults: &[f64] = if decades <= 2 {
                &[1.0, 2.0, 5.0]
            } else {
                &[1.0]
            };
            let mut out = Vec::new();
            for d in 0..=decades {
                for m in mults {
                    let v = self.lo * 10f64.powi(d) * m;
                    if v <= self.hi * 1.0001 {
                        out.push(v);
                    }
                }
            }
            out
        } else {
            let step = nice_step(self.hi, 5.0);
            (0..=((self.hi / step).round() as usize))
                .map(|i| i as f64 * step)
                .collect()
        }
    }
}

fn x_px(x: f64, x_max: f64) -> f64 {
    ML + (x / x_max.max(1e-9)).clamp(0.0, 1.0) * (W - ML - MR)
}

/// Draws the frame, x ticks (as `axis` asks) and axis labels shared by both chart kinds,
/// between `top` and the baseline `yb` (pixels). The x ticks are in one `<g class="xt">`,
/// which the page's script redraws for a zoomed range.
fn frame_with(out: &mut String, x_max: f64, x_label: &str, top: f64, yb: f64, axis: &XAxis) {
    let (x0, x1) = (ML, W - MR);
    let _ = write!(
        out,
        r#"<line class="axis" x1="{x0}" y1="{top}" x2="{x0}" y2="{yb}"/><line class="axis" x1="{x0}" y1="{yb}" x2="{x1}" y2="{yb}"/><g class="xt">"#
    );
    let ticks: Vec<(f64, String)> = match axis {
        XAxis::Seconds => {
            let step = nice_step(x_max, 10.0);
            let n = (x_max / step + 1e-6).floor() as usize;
            (0..=n)
                .map(|i| (i as f64 * step, tick_text(i as f64 * step)))
                .collect()
        }
        XAxis::Clock(start) => clock_ticks(*start, 0.0, x_max),
        XAxis::Ticks(t) => t.clone(),
    };
    for (t, label) in ticks {
        let x = x_px(t, x_max);
        let _ = write!(
            out,
            r#"<line class="tick" x1="{x:.1}" y1="{yb}" x2="{x:.1}" y2="{:.1}"/><text class="tl" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            yb + 5.0,
            yb + 18.0,
            esc(&label)
        );
    }
    let _ = write!(
        out,
        r#"</g><text class="al" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        (x0 + x1) / 2.0,
        yb + MB - 6.0,
        esc(x_label)
    );
}

/// Draws vertical markers (faults) over the plot area, labels staggered so close ones stay legible.
fn vertical_markers(out: &mut String, markers: &[Marker], x_max: f64) {
    for (i, m) in markers.iter().enumerate() {
        let x = x_px(m.at, x_max);
        let _ = write!(
            out,
            r#"<line class="fault" x1="{x:.1}" y1="{MT}" x2="{x:.1}" y2="{}"><title>{}</title></line><text class="fl" x="{:.1}" y="{:.1}">{}</text>"#,
            H - MB,
            esc(&m.label),
            x + 3.0,
            MT + 10.0 + 12.0 * (i % 3) as f64,
            esc(&m.label)
        );
    }
}

/// Draws the legend in the right margin; swatches are `<line>`s so they don't count as data.
fn legend(out: &mut String, items: &[(String, String, bool)]) {
    for (i, (name, color, dashed)) in items.iter().enumerate() {
        let y = MT + 8.0 + 18.0 * i as f64;
        let x = W - MR + 16.0;
        let dash = if *dashed {
            r#" stroke-dasharray="5 3""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<g class="lgi" data-i="{i}"><title>click: hide or show this line</title><line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="3"{dash}/><text class="lg" x="{}" y="{:.1}">{}</text></g>"#,
            x + 22.0,
            esc(color),
            x + 28.0,
            y + 4.0,
            esc(name)
        );
    }
}

impl LineChart {
    /// The opening tag: the plot's geometry and scales as `data-` attributes, so the page's
    /// script can read values under the pointer, zoom a time range and redraw the ticks.
    fn open_tag(&self, y: &YAxis) -> String {
        let time = !matches!(self.x_axis, XAxis::Ticks(_));
        let clock = match self.x_axis {
            XAxis::Clock(start) => format!(r#" data-clock="{start:.3}""#),
            _ => String::new(),
        };
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="lc" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" data-x1="{}" data-l="{ML}" data-r="{}" data-t="{MT}" data-b="{}" data-ylo="{}" data-yhi="{}" data-ylog="{}" data-time="{}" data-unit="{}"{clock}>"#,
            self.x_max,
            W - MR,
            H - MB,
            y.lo,
            y.hi,
            u8::from(y.log),
            u8::from(time),
            esc(&self.y_label)
        )
    }

    /// One `<path>` per series with data (a gap in the data lifts the pen), numbered like
    /// the legend's entries so a click on an entry can hide its line.
    fn series_paths(&self, out: &mut String, y: &YAxis) {
        for (i, s) in self.series.iter().enumerate() {
            let mut d = String::new();
            let mut pen_down = false;
            for &(px, py) in &s.points {
                if !py.is_finite() || (self.log_y && py <= 0.0) {
                    pen_down = false;
                    continue;
                }
                let cmd = if pen_down { 'L' } else { 'M' };
                let _ = write!(d, "{cmd}{:.1} {:.1} ", x_px(px, self.x_max), y.px(py));
                pen_down = true;
            }
            if d.is_empty() {
                continue;
            }
            let dash = if s.dashed {
                r#" stroke-dasharray="5 3""#
            } else {
                ""
            };
            let _ = write!(
                out,
                r#"<path class="series" d="{}" data-i="{i}" fill="none" stroke="{}" stroke-width="1.8" vector-effect="non-scaling-stroke"{dash}><title>{}</title></path>"#,
                d.trim_end(),
                esc(&s.color),
                esc(&s.name)
            );
        }
    }

    /// Renders the chart as one `<svg>` element. The data (shades, lines, fault markers)
    /// is in an inner `<svg class="plot">` over the plot area, which clips it and whose
    /// `viewBox` the page's script narrows to zoom on a time range.
    pub fn to_svg(&self) -> String {
        let y = YAxis::new(self);
        let mut out = self.open_tag(&y);
        for t in y.ticks() {
            let py = y.px(t);
            let _ = write!(
                out,
                r#"<line class="grid" x1="{ML}" y1="{py:.1}" x2="{}" y2="{py:.1}"/><text class="tl" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                W - MR,
                ML - 6.0,
                py + 4.0,
                tick_text(t)
            );
        }
        frame_with(
            &mut out,
            self.x_max,
            &self.x_label,
            MT,
            H - MB,
            &self.x_axis,
        );
        let _ = write!(
            out,
            r#"<text class="al" transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            (MT + H - MB) / 2.0,
            esc(&self.y_label)
        );
        for t in &self.thresholds {
            let py = y.px(t.at);
            let _ = write!(
                out,
                r#"<line class="threshold" x1="{ML}" y1="{py:.1}" x2="{}" y2="{py:.1}"/><text class="thl" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                W - MR,
                W - MR - 4.0,
                py - 4.0,
                esc(&t.label)
            );
        }
        let _ = write!(
            out,
            r#"<svg class="plot" x="{ML}" y="0" width="{}" height="{H}" viewBox="{ML} 0 {} {H}" preserveAspectRatio="none">"#,
            W - MR - ML,
            W - MR - ML
        );
        shade::draw(&mut out, &self.shades, self.x_max);
        self.series_paths(&mut out, &y);
        vertical_markers(&mut out, &self.markers, self.x_max);
        out.push_str("</svg>");
        let items: Vec<_> = self
            .series
            .iter()
            .map(|s| (s.name.clone(), s.color.clone(), s.dashed))
            .collect();
        legend(&mut out, &items);
        out.push_str("</svg>");
        out
    }
}

#[cfg(test)]
mod tests;
