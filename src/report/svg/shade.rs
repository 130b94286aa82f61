//! Shaded stretches of a time chart: the warm-up and cool-down that the
//! verdict leaves out, and a partial last interval (the drain after the load
//! stopped), so nobody reads a spike there as the servers' doing.

use std::fmt::Write;

use super::{esc, x_px, H, MB, MT};

/// Why a stretch of the time axis is shaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShadeKind {
    /// Measured but excluded from the verdict (warm-up, cool-down, drain).
    Excluded,
    /// An interval shorter than the others: its rates are over less time.
    Partial,
}

/// One shaded stretch, in data units of the x axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Shade {
    /// Start (s since the run's start).
    pub from: f64,
    /// End (s since the run's start).
    pub to: f64,
    /// What it means (and so how it is drawn).
    pub kind: ShadeKind,
    /// Text drawn at its foot and shown on hover.
    pub label: String,
}

/// Draws the shades under everything else of the plot area.
pub(super) fn draw(out: &mut String, shades: &[Shade], x_max: f64) {
    for (i, s) in shades.iter().enumerate() {
        let (x0, x1) = (x_px(s.from, x_max), x_px(s.to, x_max));
        if x1 - x0 < 0.5 {
            continue;
        }
        let class = match s.kind {
            ShadeKind::Excluded => "excluded",
            ShadeKind::Partial => "partial",
        };
        let _ = write!(
            out,
            r#"<rect class="{class}" x="{x0:.1}" y="{MT}" width="{:.1}" height="{}"><title>{}</title></rect><text class="shl" x="{:.1}" y="{:.1}">{}</text>"#,
            x1 - x0,
            H - MB - MT,
            esc(&s.label),
            x0 + 3.0,
            H - MB - 6.0 - 12.0 * (i % 2) as f64,
            esc(&s.label)
        );
    }
}
