//! `[monitors]` and `[probes]` -> [`MonitorPlan`] and [`ProbePlan`].
//!
//! Every key is optional and defaults to Exchange's value (see
//! `shared/reference/exchange-monitors.md`), so an absent section means "judge
//! this run the way Exchange would". Scenarios that want an alert within a
//! minute shorten the sample period and thresholds, or scale the probe
//! schedule, instead of imapload inventing its own rules.

use std::time::Duration;

use super::fields::Zero;
use super::scenario::Opt;
use super::span::Ctx;
use super::{MonitorPlan, ProbeMonitor, ProbePlan, QueueRule, ThresholdMonitor};
use crate::error::InputError;
use serde::Deserialize;

/// Upper bound for `consecutive` and `failures`: beyond this a monitor can
/// never fire in any realistic run, which is almost certainly a typo.
const MAX_COUNT: i64 = 1000;

/// `[monitors]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMonitors {
    /// Sample period (text duration).
    pub sample_period: Opt<String>,
    /// Degraded -> Unhealthy delay (text duration).
    pub escalation_delay: Opt<String>,
    /// `[monitors.command_time]`.
    pub command_time: Opt<RawCommandTime>,
    /// `[monitors.requests_queued]`.
    pub requests_queued: Opt<RawRequestsQueued>,
}

/// `[monitors.command_time]`: AverageCommandProcessingTimeGt60sMonitor.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommandTime {
    /// Evaluate it at all.
    pub enabled: Opt<bool>,
    /// Mean latency threshold (text duration).
    pub threshold: Opt<String>,
    /// Consecutive samples over the threshold.
    pub consecutive: Opt<i64>,
}

/// `[monitors.requests_queued]`: RequestsQueuedGt500Monitor (a model).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequestsQueued {
    /// Evaluate it at all.
    pub enabled: Opt<bool>,
    /// Queued commands (a number; a mean may be fractional).
    pub threshold: Opt<f64>,
    /// Consecutive samples over the threshold.
    pub consecutive: Opt<i64>,
    /// `mean` or `max`.
    pub rule: Opt<String>,
}

/// `[probes]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProbes {
    /// Run probes during the run.
    pub enabled: Opt<bool>,
    /// Multiplies Exchange's probe intervals and monitor windows.
    pub interval_scale: Opt<f64>,
    /// Light probe timeout (text duration).
    pub timeout_light: Opt<String>,
    /// Full probe timeout (text duration).
    pub timeout_full: Opt<String>,
    /// `[probes.ctp]`.
    pub ctp: Opt<RawProbeMonitor>,
    /// `[probes.proxy_test]`.
    pub proxy_test: Opt<RawProbeMonitor>,
    /// `[probes.deep_test]`.
    pub deep_test: Opt<RawProbeMonitor>,
    /// `[probes.self_test]`.
    pub self_test: Opt<RawProbeMonitor>,
}

/// `[probes.<name>]`: when a probe monitor fires.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProbeMonitor {
    /// Failures needed to fire.
    pub failures: Opt<i64>,
    /// Failures must fall within this (text duration, unscaled); absent =
    /// the monitor's default (consecutive for ctp / deep_test).
    pub window: Opt<String>,
}

/// Builds the monitor settings; `interval` is the recording interval, which
/// a sample period cannot be shorter than (samples are made of intervals).
pub(crate) fn build(
    ctx: &Ctx,
    raw: &Opt<RawMonitors>,
    interval: Duration,
) -> Result<MonitorPlan, InputError> {
    let d = MonitorPlan::default();
    let default = RawMonitors::default();
    let m = raw.as_ref().map_or(&default, |s| s.get_ref());
    let sample_period = sample_period(ctx, m, interval, &d)?;
    let ct_default = RawCommandTime::default();
    let ct = m.command_time.as_ref().map_or(&ct_default, |s| s.get_ref());
    let command_time = command_time(ctx, ct, &d)?;
    let rq_default = RawRequestsQueued::default();
    let rq = m
        .requests_queued
        .as_ref()
        .map_or(&rq_default, |s| s.get_ref());
    let requests_queued = requests_queued(ctx, rq, &d)?;
    Ok(MonitorPlan {
        sample_period,
        escalation_delay: ctx.dur(
            &m.escalation_delay,
            "monitors.escalation_delay",
            Zero::Allowed,
            d.escalation_delay,
        )?,
        command_time,
        requests_queued,
        queue_rule: ctx.choice(
            &rq.rule,
            "monitors.requests_queued.rule",
            &[("mean", QueueRule::Mean), ("max", QueueRule::Max)],
            d.queue_rule,
        )?,
    })
}

/// `monitors.sample_period`, never shorter than the recording interval.
fn sample_period(
    ctx: &Ctx,
    m: &RawMonitors,
    interval: Duration,
    d: &MonitorPlan,
) -> Result<Duration, InputError> {
    let sample_period = ctx.dur(
        &m.sample_period,
        "monitors.sample_period",
        Zero::Rejected,
        d.sample_period,
    )?;
    if sample_period < interval {
        let span = m.sample_period.as_ref().map_or(0..0, |v| v.span());
        return Err(ctx.at(
            span,
            "monitors.sample_period",
            format!(
                "{} is shorter than the recording interval ({}); a sample is made of whole intervals",
                super::format_duration(sample_period),
                super::format_duration(interval)
            ),
        ));
    }
    Ok(sample_period)
}

/// `[monitors.command_time]`: the threshold is a duration, kept in milliseconds.
fn command_time(
    ctx: &Ctx,
    ct: &RawCommandTime,
    d: &MonitorPlan,
) -> Result<ThresholdMonitor, InputError> {
    let ct_threshold = ctx.dur(
        &ct.threshold,
        "monitors.command_time.threshold",
        Zero::Rejected,
        Duration::from_millis(d.command_time.threshold as u64),
    )?;
    Ok(ThresholdMonitor {
        enabled: flag(&ct.enabled, true),
        threshold: ct_threshold.as_secs_f64() * 1000.0,
        consecutive: consecutive(
            ctx,
            &ct.consecutive,
            "monitors.command_time",
            d.command_time.consecutive,
        )?,
    })
}

/// `[monitors.requests_queued]`: the threshold is a count of queued commands.
fn requests_queued(
    ctx: &Ctx,
    rq: &RawRequestsQueued,
    d: &MonitorPlan,
) -> Result<ThresholdMonitor, InputError> {
    Ok(ThresholdMonitor {
        enabled: flag(&rq.enabled, true),
        threshold: positive(
            ctx,
            &rq.threshold,
            "monitors.requests_queued.threshold",
            f64::MAX,
            d.requests_queued.threshold,
        )?,
        consecutive: consecutive(
            ctx,
            &rq.consecutive,
            "monitors.requests_queued",
            d.requests_queued.consecutive,
        )?,
    })
}

/// Builds the probe settings. Windows (given or default) are stored scaled
/// by `interval_scale`, so the probe monitors never need to know the scale.
pub(crate) fn probes(ctx: &Ctx, raw: &Opt<RawProbes>) -> Result<ProbePlan, InputError> {
    let d = ProbePlan::default();
    let default = RawProbes::default();
    let p = raw.as_ref().map_or(&default, |s| s.get_ref());
    let scale = positive(
        ctx,
        &p.interval_scale,
        "probes.interval_scale",
        100.0,
        d.interval_scale,
    )?;
    let monitor = |field: &Opt<RawProbeMonitor>, name: &str, def: ProbeMonitor| {
        let key = format!("probes.{name}");
        let Some(raw) = field else {
            return Ok(scaled(def, scale));
        };
        let raw = raw.get_ref();
        let failures = ctx.int(
            &raw.failures,
            &format!("{key}.failures"),
            1,
            MAX_COUNT,
            def.failures as i64,
        )? as usize;
        let window = match &raw.window {
            None => def.window,
            Some(w) => Some(ctx.dur_value(w, &format!("{key}.window"), Zero::Rejected)?),
        };
        Ok::<_, InputError>(scaled(ProbeMonitor { failures, window }, scale))
    };
    Ok(ProbePlan {
        enabled: flag(&p.enabled, d.enabled),
        interval_scale: scale,
        timeout_light: ctx.dur(
            &p.timeout_light,
            "probes.timeout_light",
            Zero::Rejected,
            d.timeout_light,
        )?,
        timeout_full: ctx.dur(
            &p.timeout_full,
            "probes.timeout_full",
            Zero::Rejected,
            d.timeout_full,
        )?,
        ctp: monitor(&p.ctp, "ctp", d.ctp)?,
        proxy_test: monitor(&p.proxy_test, "proxy_test", d.proxy_test)?,
        deep_test: monitor(&p.deep_test, "deep_test", d.deep_test)?,
        self_test: monitor(&p.self_test, "self_test", d.self_test)?,
    })
}

fn scaled(m: ProbeMonitor, scale: f64) -> ProbeMonitor {
    ProbeMonitor {
        failures: m.failures,
        window: m.window.map(|w| w.mul_f64(scale)),
    }
}

fn flag(field: &Opt<bool>, default: bool) -> bool {
    field.as_ref().map_or(default, |b| *b.get_ref())
}

fn consecutive(
    ctx: &Ctx,
    field: &Opt<i64>,
    table: &str,
    default: usize,
) -> Result<usize, InputError> {
    let key = format!("{table}.consecutive");
    Ok(ctx.int(field, &key, 1, MAX_COUNT, default as i64)? as usize)
}

/// A finite number in `(0, max]`, or `default` when absent.
fn positive(
    ctx: &Ctx,
    field: &Opt<f64>,
    key: &str,
    max: f64,
    default: f64,
) -> Result<f64, InputError> {
    let Some(v) = field else { return Ok(default) };
    let x = *v.get_ref();
    if x.is_finite() && x > 0.0 && x <= max {
        return Ok(x);
    }
    let allowed = if max == f64::MAX {
        "a number > 0".to_string()
    } else {
        format!("a number > 0 and <= {max}")
    };
    Err(ctx.at(
        v.span(),
        key,
        format!("{x} is out of range; expected {allowed}"),
    ))
}
