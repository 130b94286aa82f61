//! `[load]` -> [`LoadPlan`]: closed (fixed concurrency) or open (arrival
//! rate) model, k6-style ramp stages, the open model's session cap, and the
//! run duration when it follows from the stages.
//!
//! Keys that would do nothing under the chosen model (`rate` or
//! `max_sessions` in a closed run, `ramp_up` next to `stages`) are errors, so
//! a scenario never silently means something other than what it says.

use std::ops::Range;
use std::time::Duration;

use super::duration::format_duration;
use super::fields::Zero;
use super::scenario::{Opt, RawScenario};
use super::span::Ctx;
use super::{LoadModel, LoadPlan, Overrides, Stage, TopologyPlan};
use crate::error::InputError;
use serde::Deserialize;

/// One element of `load.stages`: `{ duration = "60s", target = 200 }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    /// Stage length (text duration, > 0).
    pub duration: Opt<String>,
    /// Target at the end of the stage: sessions (closed) or arrivals/s (open).
    pub target: Opt<f64>,
}

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

/// Builds the load plan from `[load]` and the `--sessions` / `--rate` flags.
pub(crate) fn build(
    ctx: &Ctx,
    raw: &RawScenario,
    ov: &Overrides,
    topo: &TopologyPlan,
) -> Result<Load, InputError> {
    let default = Default::default();
    let l = raw.load.as_ref().map_or(&default, |s| s.get_ref());
    let table = raw.load.as_ref().map(|s| s.span());
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
    let peak = file_stages.as_ref().map(|(list, span)| {
        let max = list.iter().map(|s| s.target).fold(0.0, f64::max);
        (max, span.clone())
    });
    if let Some((max, span)) = &peak {
        if *max <= 0.0 {
            let what = match file_model {
                LoadModel::Closed => "sessions",
                LoadModel::Open => "arrivals/s",
            };
            return Err(ctx.at(
                span.clone(),
                "load.stages",
                format!("every target is 0, so no session would ever start; give at least one stage a target > 0 ({what})"),
            ));
        }
    }
    // The session count as given (flag or file), and the file's span when it came from there.
    let (sessions, sessions_span) = match (ov.sessions, &l.sessions) {
        (Some(0), _) => return Err(InputError::new("--sessions", "must be at least 1")),
        (Some(n), _) => (Some(n), None),
        (None, Some(s)) => {
            let n = ctx.int_value(s, "load.sessions", 1, MAX_SESSIONS)? as usize;
            (Some(n), Some(s.span()))
        }
        (None, None) => (None, None),
    };
    let cas_share = cas_share(ctx, l, table.clone(), topo)?;
    let ramp_up = ctx.dur(&l.ramp_up, "load.ramp_up", Zero::Allowed, Duration::ZERO)?;
    let allow_shared_users = l.allow_shared_users.as_ref().is_some_and(|b| *b.get_ref());
    let arrivals = ctx.choice(
        &l.arrivals,
        "load.arrivals",
        &[
            ("poisson", crate::plan::Arrivals::Poisson),
            ("uniform", crate::plan::Arrivals::Uniform),
        ],
        crate::plan::Arrivals::Poisson,
    )?;
    let mut plan = LoadPlan {
        sessions: 0,
        cas_share,
        ramp_up,
        model: file_model,
        rate: 0.0,
        stages: file_stages.map(|(s, _)| s).unwrap_or_default(),
        max_sessions: 0,
        arrivals,
        allow_shared_users,
        source_addresses: if ov.source_addresses.is_empty() {
            super::source::build(ctx, &l.source_addresses)?
        } else {
            super::source::from_flags(&ov.source_addresses)?
        },
        warmup: Duration::ZERO,
        cooldown: None,
    };
    match file_model {
        LoadModel::Closed => {
            plan.sessions = match (sessions, &peak) {
                (Some(n), Some((max, _))) if (n as f64) < *max => {
                    let msg = format!(
                        "{n} is below the stages' highest target ({max}); leave it out (it defaults to that target) or raise it"
                    );
                    return Err(match sessions_span {
                        Some(span) => ctx.at(span, "load.sessions", msg),
                        None => InputError::new("--sessions", msg),
                    });
                }
                (Some(n), _) => n,
                (None, Some((max, _))) => max.ceil() as usize,
                (None, None) => 100,
            };
            plan.max_sessions = plan.sessions;
        }
        LoadModel::Open => {
            plan.sessions = sessions.unwrap_or(100);
            plan.max_sessions = match &l.max_sessions {
                Some(m) => ctx.int_value(m, "load.max_sessions", 1, MAX_SESSIONS)? as usize,
                None => sessions.unwrap_or(DEFAULT_MAX_SESSIONS),
            };
            plan.rate = match (&l.rate, &peak) {
                (Some(r), Some(_)) => {
                    return Err(ctx.at(
                        r.span(),
                        "load.rate",
                        "cannot be combined with load.stages (their targets are the rate in arrivals/s); give one or the other",
                    ))
                }
                (Some(r), None) => positive_rate(*r.get_ref())
                    .map_err(|m| ctx.at(r.span(), "load.rate", m))?,
                (None, Some((max, _))) => *max,
                (None, None) => {
                    return Err(ctx.missing(
                        table,
                        "load.rate",
                        "missing; an open run needs arrivals per second, e.g. rate = 50.0, or load.stages (or --rate)",
                    ))
                }
            };
        }
    }
    if let Some(r) = ov.rate {
        plan.rate = positive_rate(r).map_err(|m| InputError::new("--rate", m))?;
        if plan.model == LoadModel::Closed {
            plan.max_sessions = sessions.unwrap_or(DEFAULT_MAX_SESSIONS);
        }
        plan.model = LoadModel::Open;
        plan.stages.clear();
    }
    Ok(Load { plan, stages_total })
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

/// Parsed stages and the span of `load.stages`.
type Stages = (Vec<Stage>, Range<usize>);

/// `load.stages`, with the span of the key (`None` when absent).
fn stages(ctx: &Ctx, l: &super::scenario::RawLoad) -> Result<Option<Stages>, InputError> {
    let Some(items) = &l.stages else {
        return Ok(None);
    };
    if items.get_ref().is_empty() {
        return Err(ctx.at(
            items.span(),
            "load.stages",
            "empty; give at least one { duration = \"30s\", target = 100 } or leave the key out",
        ));
    }
    let mut out = Vec::new();
    for (i, item) in items.get_ref().iter().enumerate() {
        let key = format!("load.stages[{}]", i + 1);
        let s = item.get_ref();
        let duration = match &s.duration {
            Some(d) => ctx.dur_value(d, &format!("{key}.duration"), Zero::Rejected)?,
            None => {
                return Err(ctx.at(
                    item.span(),
                    format!("{key}.duration"),
                    "missing; how long the stage lasts, e.g. duration = \"30s\"",
                ))
            }
        };
        let target = match &s.target {
            Some(t) if t.get_ref().is_finite() && *t.get_ref() >= 0.0 => *t.get_ref(),
            Some(t) => {
                return Err(ctx.at(
                    t.span(),
                    format!("{key}.target"),
                    format!(
                        "{} is out of range; expected a number >= 0 (sessions for a closed run, arrivals/s for an open one)",
                        t.get_ref()
                    ),
                ))
            }
            None => {
                return Err(ctx.at(
                    item.span(),
                    format!("{key}.target"),
                    "missing; the load at the end of the stage, e.g. target = 100",
                ))
            }
        };
        out.push(Stage { duration, target });
    }
    Ok(Some((out, items.span())))
}

fn cas_share(
    ctx: &Ctx,
    l: &super::scenario::RawLoad,
    table: Option<Range<usize>>,
    topo: &TopologyPlan,
) -> Result<f64, InputError> {
    // Without back-end URLs (a CAS-only run) every session goes via a CAS.
    // The built-in quickstart's value is not the user's choice: with no
    // scenario, `imapload run --cas URL --users FILE` is a CAS-only run.
    let builtin = ctx.text == super::load::QUICKSTART;
    let given = l
        .cas_share
        .as_ref()
        .filter(|_| !builtin || topo.has_backend_urls());
    let cas_share = match given {
        None if !topo.has_backend_urls() => 1.0,
        None => 0.8,
        Some(v) if (0.0..=1.0).contains(v.get_ref()) => *v.get_ref(),
        Some(v) => {
            return Err(ctx.at(
                v.span(),
                "load.cas_share",
                format!(
                    "{} is out of range; expected a number from 0 to 1",
                    v.get_ref()
                ),
            ))
        }
    };
    if cas_share > 0.0 && !topo.has_cas() {
        let msg = format!("{cas_share} of sessions should go via a CAS, but the real topology has none; set load.cas_share = 0 or add [[topology.cas]] / --cas");
        return Err(match &l.cas_share {
            Some(v) => ctx.at(v.span(), "load.cas_share", msg),
            None => ctx.missing(
                table,
                "load.cas_share",
                format!("{msg} (0.8 is the default)"),
            ),
        });
    }
    if cas_share < 1.0 && !topo.has_backend_urls() {
        let msg = format!("{cas_share} asks for {:.0}% direct sessions, but no back end has a URL (a CAS-only run); set load.cas_share = 1 or add [[topology.backend]] / --backend NAME=URL", (1.0 - cas_share) * 100.0);
        // Only an explicit value can be below 1 here (the default is 1).
        let span = given.map(|v| v.span());
        return Err(match span {
            Some(span) => ctx.at(span, "load.cas_share", msg),
            None => ctx.missing(table, "load.cas_share", msg),
        });
    }
    Ok(cas_share)
}

/// The run's duration: `--duration`, else the file's `duration`, else the
/// stages' total. A duration shorter than the stages is an error (the ramp
/// would be cut off), reported at whichever of the two set it.
pub(crate) fn duration(
    ctx: &Ctx,
    raw: &RawScenario,
    ov: &Overrides,
    load: &Load,
) -> Result<Duration, InputError> {
    let file = match &raw.duration {
        Some(d) => Some((ctx.dur_value(d, "duration", Zero::Rejected)?, d.span())),
        None => None,
    };
    if let (Some((d, span)), Some((total, _))) = (&file, &load.stages_total) {
        if d < total {
            return Err(ctx.at(
                span.clone(),
                "duration",
                format!(
                    "{} is shorter than load.stages, which last {}; leave duration out (it defaults to the stages' total) or make it at least that",
                    format_duration(*d),
                    format_duration(*total)
                ),
            ));
        }
    }
    let chosen = match &ov.duration {
        Some(text) => match super::duration::parse_duration(text) {
            Ok(d) if !d.is_zero() => d,
            Ok(_) => {
                return Err(InputError::new(
                    "--duration",
                    "must be greater than zero, e.g. 30s",
                ))
            }
            Err(m) => return Err(InputError::new("--duration", m)),
        },
        None => match (file, &load.stages_total) {
            (Some((d, _)), _) => d,
            (None, Some((total, _))) => *total,
            (None, None) => return Err(ctx.missing(
                None,
                "duration",
                "missing; how long to run, e.g. duration = \"30s\" (or --duration, or load.stages)",
            )),
        },
    };
    if let (Some((total, _)), false) = (&load.stages_total, load.plan.stages.is_empty()) {
        if chosen < *total {
            return Err(InputError::new(
                "--duration",
                format!(
                    "{} is shorter than load.stages in {}, which last {}; give at least that",
                    format_duration(chosen),
                    ctx.file.display(),
                    format_duration(*total)
                ),
            ));
        }
    }
    Ok(chosen)
}
