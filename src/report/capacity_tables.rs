//! The tables of `capacity.html`: per server, the model and its
//! predictions, and the trials.

use std::fmt::Write;

use super::svg::esc;
use crate::results::capacity::CapacityRecord;

fn opt(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    })
}

/// Where each server gave out, or the load it held.
pub fn servers(r: &CapacityRecord) -> String {
    let mut out = String::from(
        r#"<h2>Per server</h2><table id="capacity-servers"><tr><th>server</th><th>gave out at</th><th>held</th><th></th></tr>"#,
    );
    for s in &r.servers {
        let first = if s.first { "gave out first" } else { "" };
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{first}</td></tr>"#,
            esc(&s.server),
            opt(s.gave_out_at),
            opt(s.held)
        );
    }
    out.push_str("</table>");
    out
}

/// The model, its held-out check and the predictions, with where they
/// leave measured ground said plainly.
pub fn model(r: &CapacityRecord) -> String {
    let Some(m) = &r.model else {
        return "<h2>Capacity model</h2><p>Too few valid trials to fit a model: 4 are needed, so that one can be held out to check it.</p>"
            .into();
    };
    let mut out = format!(
        "<h2>Capacity model</h2><p>Universal Scalability Law on throughput against commands in flight (Little's law): λ = {:.2} commands/s, σ = {:.5}, κ = {:.7}; fitted on {} trials; peak {:.1} commands/s{}. Measured up to {} {}.</p>",
        m.lambda,
        m.sigma,
        m.kappa,
        m.points,
        m.x_max,
        m.n_max.map_or(String::new(), |n| format!(" at {n:.1} in flight")),
        opt(Some(m.measured_up_to)),
        esc(&r.unit)
    );
    let unit = esc(&r.unit);
    let usl = [
        ("Held out: the highest passing trial", &m.held_out),
        (
            "Extrapolation check: the highest load measured",
            &m.held_out_highest,
        ),
    ];
    for (what, h) in usl {
        out += &check(what, &unit, h.as_ref());
    }
    if let Some(v) = &m.mva {
        let _ = write!(
            out,
            "<p>Mean value analysis of the closed network: {:.0} parallel workers of {:.2} ms per command, sessions spending {:.2} ms of their own between commands.</p>",
            v.servers, v.demand_ms, v.think_ms,
        );
        out += &check("Its held-out check", &unit, v.held_out.as_ref());
        out += &check(
            "Its extrapolation check",
            &unit,
            v.held_out_highest.as_ref(),
        );
    }
    let _ = write!(
        out,
        "<p>The predictions come from the {}, the model whose worse check (held out or extrapolated) has the smaller error.</p>",
        if m.predicted_by == "mva" {
            "mean value analysis"
        } else {
            "USL"
        }
    );
    for n in &m.notes {
        let _ = write!(out, "<p>{}</p>", esc(n));
    }
    out + &predictions(r, m)
}

/// One check of a model: fitted without the trial at `h.load`, what it
/// predicted there against what was measured.
fn check(what: &str, unit: &str, h: Option<&crate::results::capacity::HeldOut>) -> String {
    let Some(h) = h else { return String::new() };
    format!(
        "<p>{what} ({} {unit}): the model fitted without it predicted {:.1} commands/s and {:.2} ms against {:.1} and {:.2} measured: errors {:.1}% and {:.1}%.</p>",
        opt(Some(h.load)),
        h.predicted_commands_per_s,
        h.predicted_mean_ms,
        h.measured_commands_per_s,
        h.measured_mean_ms,
        h.throughput_error * 100.0,
        h.latency_error * 100.0
    )
}

/// The predictions' table, and where they leave measured ground.
fn predictions(r: &CapacityRecord, m: &crate::results::capacity::ModelDoc) -> String {
    if r.predictions.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    out.push_str(r#"<table id="capacity-predictions"><tr><th>load</th><th>commands/s</th><th>mean ms</th><th>in flight</th><th>monitors firing</th><th>error</th><th></th></tr>"#);
    for p in &r.predictions {
        let beyond = if p.beyond_measured {
            "beyond measured ground: an extrapolation"
        } else {
            "within measured ground"
        };
        let _ = write!(
            out,
            r#"<tr><td class="n">{}</td><td class="n">{:.1}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td class="n">{}</td><td>{beyond}</td></tr>"#,
            opt(Some(p.load)),
            p.commands_per_s,
            p.mean_ms.map_or("unbounded".into(), |v| format!("{v:.2}")),
            p.queue.map_or("unbounded".into(), |v| format!("{v:.1}")),
            esc(&p.monitors_firing.join(", ")),
            p.error
                .map_or("unknown".into(), |e| format!("±{:.0}%", e * 100.0)),
        );
    }
    out.push_str("</table>");
    if r.predictions.iter().any(|p| p.beyond_measured) {
        let _ = write!(
            out,
            r#"<p class="note">Predictions above {} {} leave measured ground: they are the model's extrapolation, with the error it had on the held-out trial as the only check.</p>"#,
            opt(Some(m.measured_up_to)),
            esc(&r.unit)
        );
    }
    out
}

/// Every trial, with a link to its own report.
pub fn trials(r: &CapacityRecord) -> String {
    let mut out = String::from(
        r#"<h2>Trials</h2><table id="capacity-trials"><tr><th>#</th><th>load</th><th>kind</th><th>s</th><th>result</th><th>commands/s</th><th>mean ms</th><th>p99 ms</th><th>in flight</th><th>errors</th><th>what failed</th></tr>"#,
    );
    for t in &r.trials {
        let why = t.invalid.clone().unwrap_or_else(|| t.failed.join("; "));
        let _ = write!(
            out,
            r#"<tr class="{}"><td><a href="{}/report.html">{}</a></td><td class="n">{}</td><td>{}</td><td class="n">{}</td><td>{}</td><td class="n">{:.1}</td><td class="n">{:.2}</td><td class="n">{:.2}</td><td class="n">{:.2}</td><td class="n">{}</td><td>{}</td></tr>"#,
            esc(&t.result),
            esc(&t.dir),
            t.trial,
            opt(Some(t.load)),
            esc(&t.kind),
            t.duration_s,
            esc(&t.result),
            t.commands_per_s,
            t.mean_ms,
            t.p99_ms,
            t.concurrency,
            t.errors,
            esc(&why)
        );
    }
    out.push_str("</table>");
    out
}
