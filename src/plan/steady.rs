//! `[load] warmup` and `[load] cooldown`: the parts of a run that thresholds
//! and monitors leave out (connections opening at the start; the last part
//! before the load stops). Together they must leave some of the duration to
//! judge, or every verdict would be on nothing.

use std::time::Duration;

use super::duration::format_duration;
use super::fields::Zero;
use super::scenario::RawScenario;
use super::span::Ctx;
use super::LoadPlan;
use crate::error::InputError;

/// Reads the two keys into `plan`, checked against the run's `duration`.
pub(crate) fn apply(
    ctx: &Ctx,
    raw: &RawScenario,
    plan: &mut LoadPlan,
    duration: Duration,
) -> Result<(), InputError> {
    let Some(l) = raw.load.as_ref().map(|s| s.get_ref()) else {
        return Ok(());
    };
    let warmup = ctx.dur(&l.warmup, "load.warmup", Zero::Allowed, Duration::ZERO)?;
    let cooldown = match &l.cooldown {
        Some(c) => Some(ctx.dur_value(c, "load.cooldown", Zero::Allowed)?),
        None => None,
    };
    let excluded = warmup + cooldown.unwrap_or(Duration::ZERO);
    // The error names the key that was given last in the pair (cooldown when both are).
    let given = l.cooldown.as_ref().map(|c| (c, "load.cooldown"));
    let given = given.or(l.warmup.as_ref().map(|w| (w, "load.warmup")));
    if let (Some((v, key)), true) = (given, excluded >= duration) {
        return Err(ctx.at(
            v.span(),
            key,
            format!(
                "warmup {} + cooldown {} leave nothing of the {} duration to judge; make them shorter together than the duration",
                format_duration(warmup),
                format_duration(cooldown.unwrap_or(Duration::ZERO)),
                format_duration(duration)
            ),
        ));
    }
    plan.warmup = warmup;
    plan.cooldown = cooldown;
    Ok(())
}
