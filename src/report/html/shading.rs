//! What the time charts shade: the warm-up and the cool-down (with the drain
//! after the load stopped) that the verdict leaves out, from `run.json`'s
//! `window`, and partial intervals from `timeseries.csv` (its `partial`
//! column, or for older files an interval shorter than the plan's; the first
//! hundred, so a run interrupted over and over still makes a small page).

use super::data::Results;
use crate::report::svg::{Shade, ShadeKind};

/// The shades of every time chart of `r`.
pub(super) fn shades(r: &Results) -> Vec<Shade> {
    let x_max = r.x_max();
    let window = r.run.window();
    let mut out = Vec::new();
    let from = window.from.as_secs_f64().min(x_max);
    if from > 0.0 {
        out.push(Shade {
            from: 0.0,
            to: from,
            kind: ShadeKind::Excluded,
            label: "warm-up: excluded from the verdict".into(),
        });
    }
    let to = window.to.as_secs_f64();
    if to < x_max {
        out.push(Shade {
            from: to,
            to: x_max,
            kind: ShadeKind::Excluded,
            label: "cool-down and drain: excluded from the verdict".into(),
        });
    }
    for &(start, end) in &r.scan.partials {
        out.push(Shade {
            from: start,
            to: end,
            kind: ShadeKind::Partial,
            label: format!("partial interval ({:.2} s)", end - start),
        });
    }
    out
}
