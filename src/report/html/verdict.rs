//! The run's overall verdict on the page: a PASSED / FAILED badge with its
//! reasons, and one row per threshold with the measured value. A run with no
//! `verdict` in `run.json` (written before verdicts existed) says so instead
//! of showing a badge it never earned.

use std::fmt::Write;

use crate::report::svg::esc;
use crate::results::Origin;
use crate::results::RunRecord;

/// The badge that opens the page: the verdict, never the monitors' state.
pub fn badge(run: &RunRecord) -> String {
    match &run.verdict {
        Some(v) if v.passed => r#"<span class="badge pass">PASSED</span>"#.to_string(),
        Some(_) => r#"<span class="badge fail">FAILED</span>"#.to_string(),
        None => r#"<span class="badge other">not judged</span>"#.to_string(),
    }
}

/// The thresholds table and the reasons of a failed run.
pub fn section(out: &mut String, run: &RunRecord) {
    let Some(v) = &run.verdict else {
        return;
    };
    out.push_str("<h2>Verdict</h2>");
    if !v.passed {
        out.push_str(r#"<ul class="reasons">"#);
        for r in &v.reasons {
            let _ = write!(out, "<li>{}</li>", esc(r));
        }
        out.push_str("</ul>");
    }
    let to = if v.window.to == std::time::Duration::MAX {
        "the end".to_string()
    } else {
        format!("{:.1} s", v.window.to.as_secs_f64())
    };
    let _ = write!(
        out,
        "<p>Thresholds judged from {:.1} s to {to} (warm-up and the drain after the load stopped are left out).</p>",
        v.window.from.as_secs_f64()
    );
    out.push_str(r#"<table class="thresholds"><tr><th></th><th>Threshold</th><th>Measured</th><th>From</th></tr>"#);
    for t in &v.thresholds {
        let origin = match t.origin {
            Origin::Gate => "default gate",
            Origin::Scenario => "scenario",
            Origin::Flag => "--threshold",
        };
        let _ = write!(
            out,
            r#"<tr class="{}"><td>{}</td><td><code>{}</code></td><td class="n">{}</td><td>{origin}</td></tr>"#,
            if t.passed { "ok" } else { "err" },
            if t.passed { "✓" } else { "✗" },
            esc(&t.expression),
            esc(&t.shown),
        );
    }
    out.push_str("</table>");
}
