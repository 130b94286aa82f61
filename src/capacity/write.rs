//! What `imapload capacity` writes and prints: `capacity.json` and
//! `capacity.csv` after every trial (so a killed search leaves what it
//! measured), the report page, a progress line per trial and the summary.

use crate::error::Failure;
use crate::results::capacity::{self, CapacityRecord, FailureDoc, HeldOut, TrialDoc};
use crate::results::ResultsDir;

use super::By;

fn bound(b: Option<f64>) -> String {
    b.map_or("—".into(), super::trial::load_label)
}

/// One line per trial on stderr: the load, the result and its figures, and
/// the bounds so far.
pub fn progress(t: &TrialDoc, by: By, lower: Option<f64>, upper: Option<f64>) {
    let why = match (&t.invalid, t.failed.first()) {
        (Some(i), _) => format!(" — {i}"),
        (None, Some(f)) => format!(" — {f}"),
        (None, None) => String::new(),
    };
    eprintln!(
        "capacity: trial {:>2} {:>8} {} {:<8} {:>9.1} cmd/s  mean {:>8.2} ms  p99 {:>8.2} ms  [lower {}, upper {}]{why}",
        t.trial,
        super::trial::load_label(t.load),
        by.unit(),
        t.result,
        t.commands_per_s,
        t.mean_ms,
        t.p99_ms,
        bound(lower),
        bound(upper),
    );
}

/// Writes `capacity.json` and `capacity.csv` (each replaced atomically).
pub fn files(dir: &ResultsDir, record: &CapacityRecord) -> Result<(), Failure> {
    let json = serde_json::to_vec_pretty(record).map_err(|e| Failure::Run(e.into()))?;
    let put = |name: &str, bytes: &[u8]| {
        dir.write(name, bytes).map_err(|e| {
            Failure::Run(anyhow::anyhow!(
                "writing {}: {e}",
                dir.path().join(name).display()
            ))
        })
    };
    put(capacity::CAPACITY_JSON, &json)?;
    put(
        capacity::CAPACITY_CSV,
        capacity::csv(&record.trials).as_bytes(),
    )
}

/// What failed first at the upper bound: the first failing trial there, its
/// first failure, on the server it was laid at.
pub fn first_failure(
    trials: &[TrialDoc],
    firsts: &[Option<(String, String, String)>],
    upper: Option<f64>,
) -> Option<FailureDoc> {
    let upper = upper?;
    let (t, (kind, name, measured)) = trials
        .iter()
        .zip(firsts)
        .find_map(|(t, f)| (t.load == upper && t.result == "failed").then_some((t, f.clone()?)))?;
    let server = match name.rsplit_once(" on ") {
        Some((_, s)) if kind == "monitor" => Some(s.to_string()),
        _ => t
            .servers
            .iter()
            .find(|s| s.blamed)
            .map(|s| s.server.clone()),
    };
    Some(FailureDoc {
        kind,
        name,
        server,
        measured,
    })
}

/// Writes the report page; a failure is said, not fatal (the data is written).
pub fn report(dir: &ResultsDir) {
    if let Err(e) = crate::report::capacity::write(dir.path()) {
        eprintln!("imapload: the capacity report could not be written: {e:#}");
    }
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or("unbounded".into(), |v| {
        format!("{v:.1} {unit}").trim_end().to_string()
    })
}

/// The summary on stdout.
pub fn summary(r: &CapacityRecord) {
    let unit = &r.unit;
    let mut s = format!(
        "capacity by {} ({}): lower bound {}{}, upper bound {}\n",
        r.by,
        r.outcome,
        bound(r.lower_bound),
        if r.lower_bound_confirmed {
            " (confirmed)"
        } else {
            ""
        },
        bound(r.upper_bound),
    );
    if let Some(c) = r.generator_ceiling {
        s += &format!(
            "generator ceiling: {} {unit} (the generator could not hold it)\n",
            bound(Some(c))
        );
    }
    if let Some(f) = &r.first_failure {
        let on = f
            .server
            .as_deref()
            .map_or(String::new(), |s| format!(" on {s}"));
        s += &format!(
            "first failure: {} {} ({}){on}\n",
            f.kind, f.name, f.measured
        );
    }
    if let Some(k) = &r.knee {
        s += &format!(
            "knee: {} {unit} ({:.1} cmd/s, mean {:.2} ms)\n",
            bound(Some(k.load)),
            k.commands_per_s,
            k.mean_ms
        );
    }
    if let Some(o) = &r.operating_point {
        s += &format!(
            "operating point: {} {unit} ({:.0}% of the lower bound)\n",
            bound(Some(o.load)),
            o.share * 100.0
        );
    }
    for sv in &r.servers {
        let first = if sv.first { "  <- gave out first" } else { "" };
        s += &format!(
            "  {:<8} gave out at {:>8}  held {:>8}{first}\n",
            sv.server,
            bound(sv.gave_out_at),
            bound(sv.held)
        );
    }
    s += &model(r);
    print!("{s}");
}

/// The summary's model and prediction lines.
fn model(r: &CapacityRecord) -> String {
    let unit = &r.unit;
    let mut s = String::new();
    if let Some(m) = &r.model {
        s += &format!(
            "model: USL λ={:.2} cmd/s σ={:.4} κ={:.6} on {} trials",
            m.lambda, m.sigma, m.kappa, m.points
        );
        s += &checks(&m.held_out, &m.held_out_highest, unit);
        s.push('\n');
        if let Some(v) = &m.mva {
            s += &format!(
                "model: MVA {:.0} workers of {:.2} ms, think {:.2} ms",
                v.servers, v.demand_ms, v.think_ms
            );
            s += &checks(&v.held_out, &v.held_out_highest, unit);
            s.push('\n');
        }
        s += &format!("predictions by: {}\n", m.predicted_by);
    } else {
        let valid = r.trials.iter().filter(|t| t.result != "invalid").count();
        s += &format!(
            "model: none ({valid} valid trials; {} are needed, so that one can be held out)\n",
            super::analysis::MIN_POINTS
        );
    }
    for p in &r.predictions {
        let firing = if p.monitors_firing.is_empty() {
            "none".to_string()
        } else {
            p.monitors_firing.join(", ")
        };
        let beyond = if p.beyond_measured {
            "; beyond measured ground"
        } else {
            ""
        };
        let error = p
            .error
            .map_or("unknown".into(), |e| format!("±{:.0}%", e * 100.0));
        s += &format!(
            "predict {} {unit}: {:.1} cmd/s, mean {}, in flight {}, monitors firing: {firing} (error {error}{beyond})\n",
            bound(Some(p.load)), p.commands_per_s, opt(p.mean_ms, "ms"), opt(p.queue, ""), 
        );
    }
    s
}

/// A model's held-out checks, as the summary says them.
fn checks(held: &Option<HeldOut>, highest: &Option<HeldOut>, unit: &str) -> String {
    let mut s = String::new();
    for (what, h) in [("held out", held), ("extrapolated to", highest)] {
        if let Some(h) = h {
            s += &format!(
                "; {what} {} {unit}: throughput error {:.1}%, latency error {:.1}%",
                bound(Some(h.load)),
                h.throughput_error * 100.0,
                h.latency_error * 100.0
            );
        }
    }
    s
}
