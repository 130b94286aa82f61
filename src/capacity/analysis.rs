//! What the trials say beyond the bounds: the knee of the latency curve,
//! each server's capacity, and the capacity model with its held-out error
//! and the predictions.

use crate::plan::MonitorPlan;
use crate::results::capacity::{
    CurvePoint, HeldOut, KneeDoc, ModelDoc, MvaDoc, Prediction, ServerCapacity, TrialDoc,
};

use super::model::{self, Point, Predicted, Workload};
use super::mva;

/// Valid trials a model needs: three to fit on while one is held out.
pub const MIN_POINTS: usize = 4;

/// Points on the model's curve in the report.
const CURVE_STEPS: usize = 40;

fn valid(trials: &[TrialDoc]) -> impl Iterator<Item = &TrialDoc> {
    trials
        .iter()
        .filter(|t| t.result != "invalid" && t.commands_per_s > 0.0)
}

/// Kneedle (Satopää et al. 2011) on mean latency against load, a convex
/// increasing curve: both normalised to [0, 1], the knee is the load where
/// the load's share most exceeds the latency's. Trials at one load are
/// averaged; needs three loads.
pub fn knee(trials: &[TrialDoc]) -> Option<KneeDoc> {
    let mut by_load: Vec<(f64, f64, f64, usize)> = Vec::new();
    for t in valid(trials) {
        match by_load.iter_mut().find(|p| p.0 == t.load) {
            Some(p) => (p.1, p.2, p.3) = (p.1 + t.mean_ms, p.2 + t.commands_per_s, p.3 + 1),
            None => by_load.push((t.load, t.mean_ms, t.commands_per_s, 1)),
        }
    }
    if by_load.len() < 3 {
        return None;
    }
    by_load.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pts: Vec<(f64, f64, f64)> = (by_load.iter())
        .map(|&(l, m, x, n)| (l, m / n as f64, x / n as f64))
        .collect();
    let (x0, x1) = (pts[0].0, pts[pts.len() - 1].0);
    let (y0, y1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    // A curve that does not turn up by a tenth from its first load has no knee.
    let (first, last) = (pts[0].1, pts[pts.len() - 1].1);
    if x1 <= x0 || y1 <= y0 || last < first * 1.1 {
        return None;
    }
    let gap = |p: &(f64, f64, f64)| (p.0 - x0) / (x1 - x0) - (p.1 - y0) / (y1 - y0);
    let best = pts.iter().max_by(|a, b| gap(a).total_cmp(&gap(b)))?;
    (gap(best) > 0.0).then(|| KneeDoc {
        load: best.0,
        commands_per_s: best.2,
        mean_ms: best.1,
        method: "kneedle on mean latency against load".into(),
    })
}

/// Each server: the smallest load whose failure was laid at it, and the
/// largest load it held below that; the first to give out is marked.
pub fn servers(trials: &[TrialDoc]) -> Vec<ServerCapacity> {
    let mut names: Vec<String> = Vec::new();
    for s in trials.iter().flat_map(|t| &t.servers) {
        if !names.contains(&s.server) {
            names.push(s.server.clone());
        }
    }
    let mut out: Vec<ServerCapacity> = (names.into_iter())
        .map(|server| {
            let blamed = |t: &TrialDoc| t.servers.iter().any(|s| s.server == server && s.blamed);
            let gave_out_at = (valid(trials))
                .filter(|t| t.result == "failed" && blamed(t))
                .map(|t| t.load)
                .min_by(f64::total_cmp);
            let held = (valid(trials))
                .filter(|t| !blamed(t) && gave_out_at.is_none_or(|g| t.load < g))
                .map(|t| t.load)
                .max_by(f64::total_cmp);
            ServerCapacity {
                server,
                gave_out_at,
                held,
                first: false,
            }
        })
        .collect();
    let first = out
        .iter()
        .filter_map(|s| s.gave_out_at)
        .min_by(f64::total_cmp);
    for s in &mut out {
        s.first = first.is_some() && s.gave_out_at == first;
    }
    out
}

fn points<'a>(trials: impl Iterator<Item = &'a TrialDoc>) -> Vec<Point> {
    trials
        .map(|t| Point {
            load: t.load,
            throughput: t.commands_per_s,
            latency_s: t.mean_ms / 1000.0,
        })
        .filter(|p| p.latency_s > 0.0 && p.load > 0.0)
        .collect()
}

fn relative(predicted: f64, measured: f64) -> f64 {
    (predicted - measured).abs() / measured.abs().max(1e-12)
}

/// The highest passing load (or with `highest` the highest valid load
/// when it is above that), and the valid trials' points without and at it.
fn split(trials: &[TrialDoc], highest: bool) -> Option<(f64, Vec<Point>, Vec<Point>)> {
    let passed = |t: &&TrialDoc| t.result == "passed";
    let top_passed = valid(trials)
        .filter(passed)
        .map(|t| t.load)
        .max_by(f64::total_cmp)?;
    let top = match highest {
        false => top_passed,
        true => valid(trials).map(|t| t.load).max_by(f64::total_cmp)?,
    };
    if highest && top == top_passed {
        return None;
    }
    let rest = points(valid(trials).filter(|t| t.load != top));
    let kept = points(valid(trials).filter(|t| t.load == top));
    Some((top, rest, kept))
}

/// A model fitted without the highest passing trial (or with `highest`
/// the highest load measured), checked on it; `predict` fits on the rest
/// and predicts at a load.
fn held_out(
    trials: &[TrialDoc],
    highest: bool,
    predict: impl Fn(&[Point], f64) -> Option<Predicted>,
) -> Option<HeldOut> {
    let (top, rest, kept) = split(trials, highest)?;
    let p = predict(&rest, top)?;
    let n = kept.len().max(1) as f64;
    let x = kept.iter().map(|p| p.throughput).sum::<f64>() / n;
    let r = kept.iter().map(|p| p.latency_s).sum::<f64>() / n;
    let r_pred = p.latency_s.unwrap_or(f64::INFINITY);
    Some(HeldOut {
        load: top,
        measured_commands_per_s: x,
        predicted_commands_per_s: p.throughput,
        measured_mean_ms: r * 1000.0,
        predicted_mean_ms: if r_pred.is_finite() {
            r_pred * 1000.0
        } else {
            -1.0
        },
        throughput_error: relative(p.throughput, x),
        latency_error: if r_pred.is_finite() {
            relative(r_pred, r)
        } else {
            1.0
        },
    })
}

fn usl_at(rest: &[Point], load: f64, open: bool) -> Option<Predicted> {
    Some(model::fit(rest)?.predict(load, model::workload(rest, open)))
}

fn think_s(points: &[Point]) -> f64 {
    match model::workload(points, false) {
        Workload::Closed { think_s } => think_s,
        Workload::Open { .. } => 0.0,
    }
}

fn mva_at(rest: &[Point], load: f64) -> Option<Predicted> {
    Some(mva::fit(rest, think_s(rest))?.predict(load))
}

fn worst(h: &Option<HeldOut>) -> f64 {
    h.as_ref()
        .map_or(f64::INFINITY, |h| h.throughput_error.max(h.latency_error))
}

/// The worse of the two checks (the extrapolation check counts when there is one).
fn worst_of(held: &Option<HeldOut>, highest: &Option<HeldOut>) -> f64 {
    match highest {
        Some(_) => worst(held).max(worst(highest)),
        None => worst(held),
    }
}

/// The prediction at `load`, with the monitors it would fire.
fn prediction(
    p: Predicted,
    load: f64,
    error: Option<f64>,
    up_to: f64,
    m: &MonitorPlan,
) -> Prediction {
    let mean_ms = p.latency_s.map(|r| r * 1000.0);
    let mut firing = Vec::new();
    if m.command_time.enabled && mean_ms.is_none_or(|r| r > m.command_time.threshold) {
        firing.push(crate::monitor::evaluate::COMMAND_TIME.to_string());
    }
    if m.requests_queued.enabled && p.in_flight.is_none_or(|q| q > m.requests_queued.threshold) {
        firing.push(crate::monitor::evaluate::REQUESTS_QUEUED.to_string());
    }
    Prediction {
        load,
        commands_per_s: p.throughput,
        mean_ms,
        queue: p.in_flight,
        monitors_firing: firing,
        error,
        beyond_measured: load > up_to,
    }
}

/// The USL fitted on every valid trial, and (for sessions) the closed
/// network's MVA; each checked on the held-out trial; the predictions at
/// `predict`'s loads from the one whose worse check (held out or extrapolated) is smaller.
pub fn model(
    trials: &[TrialDoc],
    open: bool,
    monitors: &MonitorPlan,
    predict: &[f64],
) -> (Option<ModelDoc>, Vec<Prediction>) {
    let all = points(valid(trials));
    let fitted = (all.len() >= MIN_POINTS).then(|| model::fit(&all));
    let Some(usl) = fitted.flatten() else {
        return (None, Vec::new());
    };
    let w = model::workload(&all, open);
    let mut notes = vec![
        "USL: throughput against commands in flight (Little's law: commands/s x mean latency)"
            .into(),
    ];
    if all.len() < 6 {
        notes.push(format!(
            "fitted on {} trials; 6 or more make a steadier fit",
            all.len()
        ));
    }
    let usl_held = held_out(trials, false, |rest, load| usl_at(rest, load, open));
    let usl_highest = held_out(trials, true, |rest, load| usl_at(rest, load, open));
    let mva = (!open).then(|| mva::fit(&all, think_s(&all))).flatten();
    let mva_doc = mva.map(|m| MvaDoc {
        demand_ms: m.demand_s * 1000.0,
        servers: m.servers,
        think_ms: m.think_s * 1000.0,
        held_out: held_out(trials, false, mva_at),
        held_out_highest: held_out(trials, true, mva_at),
    });
    if open {
        notes.push("no MVA: an open search's sessions are not a closed network".into());
    }
    let usl_error = worst_of(&usl_held, &usl_highest);
    let mva_error = (mva_doc.as_ref()).map_or(f64::INFINITY, |d| {
        worst_of(&d.held_out, &d.held_out_highest)
    });
    let by_mva = mva_error < usl_error;
    let error = Some(if by_mva { mva_error } else { usl_error }).filter(|e| e.is_finite());
    let mut doc = ModelDoc {
        kind: "usl".into(),
        lambda: usl.lambda,
        sigma: usl.sigma,
        kappa: usl.kappa,
        think_ms: match w {
            Workload::Closed { think_s } => think_s * 1000.0,
            Workload::Open { .. } => 0.0,
        },
        points: all.len(),
        n_max: usl.n_max(),
        x_max: if usl.x_max().is_finite() {
            usl.x_max()
        } else {
            -1.0
        },
        held_out: usl_held,
        held_out_highest: usl_highest,
        measured_up_to: all.iter().map(|p| p.load).fold(0.0, f64::max),
        mva: mva_doc,
        predicted_by: if by_mva { "mva" } else { "usl" }.into(),
        notes,
        curve: Vec::new(),
    };
    let at = |l: f64| match (by_mva, mva) {
        (true, Some(m)) => m.predict(l),
        _ => usl.predict(l, w),
    };
    let lo = all.iter().map(|p| p.load).fold(f64::INFINITY, f64::min);
    let hi = predict.iter().copied().fold(doc.measured_up_to, f64::max);
    doc.curve = (0..=CURVE_STEPS)
        .map(|i| lo + (hi - lo) * i as f64 / CURVE_STEPS as f64)
        .map(|load| {
            let p = at(load);
            CurvePoint {
                load,
                commands_per_s: p.throughput,
                mean_ms: p.latency_s.map(|r| r * 1000.0),
            }
        })
        .collect();
    let predictions = (predict.iter())
        .map(|&l| prediction(at(l), l, error, doc.measured_up_to, monitors))
        .collect();
    (Some(doc), predictions)
}

#[cfg(test)]
mod tests;
