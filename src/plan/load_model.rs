//! `[load]` -> [`LoadPlan`]: closed (fixed concurrency) or open (arrival
//! rate) model, k6-style ramp stages (read in `stages.rs`) and the open
//! model's session cap.
//!
//! Keys that would do nothing under the chosen model (`rate` or
//! `max_sessions` in a closed run, `ramp_up` next to `stages`) are errors, so
//! a scenario never silently means something other than what it says.

use std::ops::Range;
use std::time::Duration;

use super::fields::Zero;
use super::scenario::{RawLoad, RawScenario};
use super::span::Ctx;
use super::stages::{stages, Stages};
use super::{Arrivals, LoadModel, LoadPlan, Overrides, TopologyPlan};
use crate::error::InputError;

/// Default cap on concurrent sessions in an open run without `sessions`.
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;

/// Largest session count accepted anywhere.
const MAX_SESSIONS: i64 = 10_000_000;

/// The load plan plus what the run's duration needs to know about the stages.
pub(crate) struct Load {
    /// The validated plan.
    pub plan: LoadPlan,
    /// Sum of the file's stage durations and the span of `load.stages`
    /// (`None` without stages). Kept even when `--rate` replaced the stages,
    /// so that an omitted `duration` still follows the file's stages.
    pub stages_total: Option<(Duration, Range<usize>)>,
}

/// Builds the load plan from `[load]` and the `--sessions` / `--rate` /
/// `--cas-share` flags; `builtin` says `raw` is the built-in quickstart.
pub(crate) fn build(
    ctx: &Ctx,
    raw: &RawScenario,
    ov: &Overrides,
    topo: &TopologyPlan,
    builtin: bool,
) -> Result<Load, InputError> {
    let default = Default::default();
    let l = raw.load.as_ref().map_or(&default, |s| s.get_ref());
    let table = raw.load.as_ref().map(|s| s.span());
    let file_model = model(ctx, l)?;
    let file_stages = stages(ctx, l)?;
    if let (Some(r), Some(_)) = (&l.ramp_up, &file_stages) {
        return Err(ctx.at(
            r.span(),
            "load.ramp_up",
            "cannot be combined with load.stages; start the stages with a ramp instead, e.g. { duration = \"30s\", target = 100 }",
        ));
    }
    let stages_total = file_stages.as_ref().map(|(list, span)| {
        let total = list.iter().map(|s| s.duration).sum::<Duration>();
        (total, span.clone())
    });
    let peak = peak(ctx, file_stages.as_ref(), file_model)?;
    let given = given_sessions(ctx, l, ov)?;
    let mut plan = LoadPlan {
        sessions: 0,
        cas_share: cas_share(ctx, l, ov, topo, builtin)?,
        ramp_up: ctx.dur(&l.ramp_up, "load.ramp_up", Zero::Allowed, Duration::ZERO)?,
        model: file_model,
        rate: 0.0,
        stages: file_stages.map(|(s, _)| s).unwrap_or_default(),
        max_sessions: 0,
        arrivals: arrivals(ctx, l)?,
        allow_shared_users: l.allow_shared_users.as_ref().is_some_and(|b| *b.get_ref()),
        source_addresses: if ov.source_addresses.is_empty() {
            super::source::build(ctx, &l.source_addresses)?
        } else {
            super::source::from_flags(&ov.source_addresses)?
        },
        warmup: Duration::ZERO,
        cooldown: None,
    };
    match file_model {
        LoadModel::Closed => closed(ctx, &mut plan, &given, peak)?,
        LoadModel::Open => open(ctx, l, table, &mut plan, &given, peak)?,
    }
    if let Some(r) = ov.rate {
        plan.rate = positive_rate(r).map_err(|m| InputError::new("--rate", m))?;
        if plan.model == LoadModel::Closed {
            plan.max_sessions = given.count.unwrap_or(DEFAULT_MAX_SESSIONS);
        }
        plan.model = LoadModel::Open;
        plan.stages.clear();
    }
    Ok(Load { plan, stages_total })
}

/// `load.model`; a closed run refuses the open model's keys, which would do nothing.
fn model(ctx: &Ctx, l: &RawLoad) -> Result<LoadModel, InputError> {
    let file_model = ctx.choice(
        &l.model,
        "load.model",
        &[("closed", LoadModel::Closed), ("open", LoadModel::Open)],
        LoadModel::Closed,
    )?;
    if file_model == LoadModel::Closed {
        let open_only = "applies to the open model only; add model = \"open\" to [load] (a closed run keeps `sessions` sessions busy)";
        if let Some(r) = &l.rate {
            return Err(ctx.at(r.span(), "load.rate", open_only));
        }
        if let Some(m) = &l.max_sessions {
            return Err(ctx.at(m.span(), "load.max_sessions", open_only));
        }
    }
    Ok(file_model)
}

/// `load.arrivals`: Poisson unless evenly spaced arrivals are asked for.
fn arrivals(ctx: &Ctx, l: &RawLoad) -> Result<Arrivals, InputError> {
    ctx.choice(
        &l.arrivals,
        "load.arrivals",
        &[
            ("poisson", Arrivals::Poisson),
            ("uniform", Arrivals::Uniform),
        ],
        Arrivals::Poisson,
    )
}

/// The stages' highest target (`None` without stages); all-zero targets
/// would never start a session, so they are bad input.
fn peak(ctx: &Ctx, stages: Option<&Stages>, model: LoadModel) -> Result<Option<f64>, InputError> {
    let Some((list, span)) = stages else {
        return Ok(None);
    };
    let max = list.iter().map(|s| s.target).fold(0.0, f64::max);
    if max <= 0.0 {
        let what = match model {
            LoadModel::Closed => "sessions",
            LoadModel::Open => "arrivals/s",
        };
        return Err(ctx.at(
            span.clone(),
            "load.stages",
            format!("every target is 0, so no session would ever start; give at least one stage a target > 0 ({what})"),
        ));
    }
    Ok(Some(max))
}

/// The session count as given (flag or file), and where in the file when it
/// came from there, so a later conflict can point at it.
struct GivenSessions {
    /// `--sessions` or `load.sessions`; `None` when neither is given.
    count: Option<usize>,
    /// The span of `load.sessions` when the count came from the file.
    span: Option<Range<usize>>,
}

/// `--sessions` (which wins) or `load.sessions`.
fn given_sessions(ctx: &Ctx, l: &RawLoad, ov: &Overrides) -> Result<GivenSessions, InputError> {
    Ok(match (ov.sessions, &l.sessions) {
        (Some(0), _) => return Err(InputError::new("--sessions", "must be at least 1")),
        (Some(n), _) => GivenSessions {
            count: Some(n),
            span: None,
        },
        (None, Some(s)) => GivenSessions {
            count: Some(ctx.int_value(s, "load.sessions", 1, MAX_SESSIONS)? as usize),
            span: Some(s.span()),
        },
        (None, None) => GivenSessions {
            count: None,
            span: None,
        },
    })
}

/// A closed run's session count: as given (never below the stages' peak),
/// else the peak, else 100; the cap is the count itself.
fn closed(
    ctx: &Ctx,
    plan: &mut LoadPlan,
    given: &GivenSessions,
    peak: Option<f64>,
) -> Result<(), InputError> {
    plan.sessions = match (given.count, peak) {
        (Some(n), Some(max)) if (n as f64) < max => {
            let msg = format!(
                "{n} is below the stages' highest target ({max}); leave it out (it defaults to that target) or raise it"
            );
            return Err(match given.span.clone() {
                Some(span) => ctx.at(span, "load.sessions", msg),
                None => InputError::new("--sessions", msg),
            });
        }
        (Some(n), _) => n,
        (None, Some(max)) => max.ceil() as usize,
        (None, None) => 100,
    };
    plan.max_sessions = plan.sessions;
    Ok(())
}

/// An open run's cap and rate: `rate` or the stages (not both), one of them required.
fn open(
    ctx: &Ctx,
    l: &RawLoad,
    table: Option<Range<usize>>,
    plan: &mut LoadPlan,
    given: &GivenSessions,
    peak: Option<f64>,
) -> Result<(), InputError> {
    plan.sessions = given.count.unwrap_or(100);
    plan.max_sessions = match &l.max_sessions {
        Some(m) => ctx.int_value(m, "load.max_sessions", 1, MAX_SESSIONS)? as usize,
        None => given.count.unwrap_or(DEFAULT_MAX_SESSIONS),
    };
    plan.rate = match (&l.rate, peak) {
        (Some(r), Some(_)) => {
            return Err(ctx.at(
                r.span(),
                "load.rate",
                "cannot be combined with load.stages (their targets are the rate in arrivals/s); give one or the other",
            ))
        }
        (Some(r), None) => {
            positive_rate(*r.get_ref()).map_err(|m| ctx.at(r.span(), "load.rate", m))?
        }
        (None, Some(max)) => max,
        (None, None) => {
            return Err(ctx.missing(
                table,
                "load.rate",
                "missing; an open run needs arrivals per second, e.g. rate = 50.0, or load.stages (or --rate)",
            ))
        }
    };
    Ok(())
}

/// An arrival rate: finite and > 0.
fn positive_rate(r: f64) -> Result<f64, String> {
    if r.is_finite() && r > 0.0 {
        Ok(r)
    } else {
        Err(format!(
            "{r} is out of range; expected arrivals per second > 0, e.g. 50 or 0.5"
        ))
    }
}

/// The share of sessions that go via a CAS: `--cas-share` (which wins) or
/// `load.cas_share`, else what the topology allows (0.8 with CASes and
/// back-end URLs, 1 with no back-end URL, 0 with no CAS). The built-in
/// quickstart's 0.8 is not the user's choice: when flags give a topology
/// without one of the two it steps aside for that default.
fn cas_share(
    ctx: &Ctx,
    l: &RawLoad,
    ov: &Overrides,
    topo: &TopologyPlan,
    builtin: bool,
) -> Result<f64, InputError> {
    let (cas, direct) = (topo.has_cas(), topo.has_backend_urls());
    if let Some(v) = ov.cas_share {
        return share_fits(v, cas, direct, "--cas-share ")
            .map_err(|m| InputError::new("--cas-share", m));
    }
    let given = l.cas_share.as_ref().filter(|_| !builtin || (cas && direct));
    let Some(v) = given else {
        return Ok(match (cas, direct) {
            (_, false) => 1.0,
            (false, true) => 0.0,
            (true, true) => 0.8,
        });
    };
    share_fits(*v.get_ref(), cas, direct, "load.cas_share = ")
        .map_err(|m| ctx.at(v.span(), "load.cas_share", m))
}

/// A share of sessions via a CAS that is in range and that the topology can
/// carry: some CAS when above 0, some back-end URL when below 1. The message
/// names the way out: `set` (the key or flag that gave it) or the topology.
fn share_fits(v: f64, cas: bool, direct: bool, set: &str) -> Result<f64, String> {
    if !(0.0..=1.0).contains(&v) {
        return Err(format!(
            "{v} is out of range; expected a number from 0 to 1"
        ));
    }
    if v > 0.0 && !cas {
        return Err(format!("{v} of sessions should go via a CAS, but the real topology has none; set {set}0 or add [[topology.cas]] / --cas"));
    }
    if v < 1.0 && !direct {
        return Err(format!("{v} asks for {:.0}% direct sessions, but no back end has a URL (a CAS-only run); set {set}1 or add [[topology.backend]] / --backend NAME=URL", (1.0 - v) * 100.0));
    }
    Ok(v)
}
