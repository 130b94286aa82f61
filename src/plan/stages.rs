//! `load.stages` (k6-style ramp stages) and the run's duration, which
//! follows from the stages when the scenario gives none.

use std::time::Duration;

use serde::Deserialize;

use super::duration::format_duration;
use super::fields::Zero;
use super::load_model::Load;
use super::scenario::{Opt, RawLoad, RawScenario};
use super::span::Ctx;
use super::{Overrides, Stage};
use crate::error::InputError;
use std::ops::Range;

/// One element of `load.stages`: `{ duration = "60s", target = 200 }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    /// Stage length (text duration, > 0).
    pub duration: Opt<String>,
    /// Target at the end of the stage: sessions (closed) or arrivals/s (open).
    pub target: Opt<f64>,
}

/// Parsed stages and the span of `load.stages`.
pub(super) type Stages = (Vec<Stage>, Range<usize>);

/// `load.stages`, with the span of the key (`None` when absent).
pub(super) fn stages(ctx: &Ctx, l: &RawLoad) -> Result<Option<Stages>, InputError> {
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
