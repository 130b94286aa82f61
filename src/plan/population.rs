//! `[population]`, `[persona.<name>]`, `[load] time_scale`, `--persona` and
//! `--time-scale` -> a [`PopulationPlan`]: which personas the users run
//! (groups of devices with their shares), their user-day profile, the
//! time-of-day curve and how much client time is compressed.
//!
//! With a population, `sessions` counts users: each runs every device of
//! its group, and each device its persona's connections.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::persona::{self, Persona};
use super::scenario::{Opt, RawScenario};
use super::span::Ctx;
use super::Overrides;
use crate::error::InputError;

/// What a population run's users are.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationPlan {
    /// The personas the groups use (each once).
    pub personas: Vec<Persona>,
    /// Groups of users: a share and the personas of their devices.
    pub groups: Vec<Group>,
    /// Client time runs this many times faster than the wall clock.
    pub time_scale: f64,
    /// Mail per user per day and when it comes.
    pub day: UserDay,
    /// A real server's LMTP address (`host:port`) for deliveries; `None`:
    /// the embedded back ends' own LMTP, else APPEND.
    pub lmtp: Option<String>,
}

/// One group of users.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Relative share of users.
    pub share: u32,
    /// Index into [`PopulationPlan::personas`] of each device.
    pub devices: Vec<usize>,
}

/// The user-day profile: Exchange's sizing profiles state a mailbox's load
/// as messages sent and received per day (the 150-message profile: 30 sent,
/// 120 received); the curve spreads them over the day.
#[derive(Debug, Clone, PartialEq)]
pub struct UserDay {
    /// Messages received per user per day.
    pub received: f64,
    /// Messages sent per user per day.
    pub sent: f64,
    /// The client time of day the run starts at (since midnight).
    pub start: Duration,
    /// Relative activity per hour of the day (24 values; flat when absent).
    pub curve: Option<Vec<f64>>,
}

impl UserDay {
    /// The activity at client time `since_midnight`, relative to the day's
    /// mean (1.0 with no curve).
    pub fn activity(&self, since_midnight: Duration) -> f64 {
        let Some(curve) = &self.curve else { return 1.0 };
        let mean = curve.iter().sum::<f64>() / 24.0;
        let hour = (since_midnight.as_secs() / 3600 % 24) as usize;
        if mean > 0.0 {
            curve[hour] / mean
        } else {
            0.0
        }
    }

    /// The share of users online at `since_midnight` (the curve over its
    /// peak; all users with no curve). Users come online as it rises; when
    /// it falls, a user's connections log out at their next poll.
    pub fn online(&self, since_midnight: Duration) -> f64 {
        let Some(curve) = &self.curve else { return 1.0 };
        let peak = curve.iter().cloned().fold(0.0, f64::max);
        let hour = (since_midnight.as_secs() / 3600 % 24) as usize;
        if peak > 0.0 {
            curve[hour] / peak
        } else {
            0.0
        }
    }
}

/// `[population]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPopulation {
    /// `{ thunderbird = 40, ios = 30 }`: one device per user.
    pub personas: Opt<BTreeMap<String, Spanned<i64>>>,
    /// `[[population.group]]`: users with several devices.
    pub group: Opt<Vec<Spanned<RawGroup>>>,
    /// A real server's LMTP `host:port`.
    pub lmtp: Opt<String>,
    /// `[population.day]`.
    pub day: Opt<RawDay>,
}

/// One `[[population.group]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// Relative share.
    pub share: Opt<i64>,
    /// Persona of each device.
    pub devices: Opt<Vec<Spanned<String>>>,
}

/// `[population.day]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDay {
    /// Received per user per day.
    pub received: Opt<f64>,
    /// Sent per user per day.
    pub sent: Opt<f64>,
    /// `"08:00"`.
    pub start: Opt<String>,
    /// 24 hourly weights.
    pub curve: Opt<Vec<Spanned<f64>>>,
}

/// The population of a run, if it has one (`[population]` or `--persona`).
pub fn build(
    ctx: &Ctx,
    raw: &RawScenario,
    ov: &Overrides,
    model: super::LoadModel,
) -> Result<Option<PopulationPlan>, InputError> {
    let section = raw.population.as_ref();
    if section.is_none() && ov.persona.is_none() {
        const NEEDS: &str =
            "needs a population: --persona NAME[=SHARE],... or [population] in the scenario";
        if ov.time_scale.is_some() {
            return Err(InputError::new("--time-scale", NEEDS));
        }
        if let Some(t) = raw
            .load
            .as_ref()
            .and_then(|l| l.get_ref().time_scale.as_ref())
        {
            return Err(ctx.at(t.span(), "load.time_scale", NEEDS));
        }
        return Ok(None);
    }
    if model == super::LoadModel::Open {
        let msg =
            "a population counts users (closed model); remove model = \"open\" or the population";
        let key = raw.load.as_ref().and_then(|l| l.get_ref().model.as_ref());
        return Err(match key {
            Some(m) => ctx.at(m.span(), "load.model", msg),
            None => InputError::new(
                "--rate",
                "a population counts users (closed model); drop --rate or the population",
            ),
        });
    }
    let mut personas: Vec<Persona> = Vec::new();
    let mut index =
        |name: &str, at: Option<(std::ops::Range<usize>, String)>| -> Result<usize, InputError> {
            if let Some(i) = personas.iter().position(|p| p.name == name) {
                return Ok(i);
            }
            let p = find(ctx, raw, name).map_err(|m| match &at {
                Some((span, key)) => ctx.at(span.clone(), key.clone(), m.clone()),
                None => InputError::new("--persona", m.clone()),
            })??;
            personas.push(p);
            Ok(personas.len() - 1)
        };
    let groups = match (&ov.persona, section) {
        (Some(flag), _) => flag_groups(flag, &mut index)?,
        (None, Some(s)) => section_groups(ctx, s, &mut index)?,
        (None, None) => unreachable!("checked above"),
    };
    let day = day(ctx, section.and_then(|s| s.get_ref().day.as_ref()))?;
    let time_scale = time_scale(ctx, raw, ov)?;
    let lmtp = ov.lmtp.clone().or_else(|| {
        section
            .and_then(|s| s.get_ref().lmtp.as_ref())
            .map(|l| l.get_ref().clone())
    });
    Ok(Some(PopulationPlan {
        personas,
        groups,
        time_scale,
        day,
        lmtp,
    }))
}

/// A persona by name: the scenario's `[persona.<name>]` first, then the built-ins.
fn find(ctx: &Ctx, raw: &RawScenario, name: &str) -> Result<Result<Persona, InputError>, String> {
    if let Some(p) = raw.persona.as_ref().and_then(|t| t.get_ref().get(name)) {
        return Ok(persona::build(
            ctx,
            name,
            &format!("persona.{name}."),
            p.get_ref(),
        ));
    }
    match persona::builtin(name) {
        Some(p) => Ok(p),
        None => {
            let mut names: Vec<String> = persona::BUILTIN
                .iter()
                .map(|(n, _)| n.to_string())
                .collect();
            if let Some(t) = &raw.persona {
                names.extend(t.get_ref().keys().cloned());
            }
            Err(format!(
                "unknown persona \"{name}\"; known: {}",
                names.join(", ")
            ))
        }
    }
}

type Index<'a> =
    dyn FnMut(&str, Option<(std::ops::Range<usize>, String)>) -> Result<usize, InputError> + 'a;

/// `--persona thunderbird=40,ios=30` (a bare name is share 1).
fn flag_groups(flag: &str, index: &mut Index<'_>) -> Result<Vec<Group>, InputError> {
    let mut groups = Vec::new();
    for part in flag.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, share) = match part.split_once('=') {
            Some((n, s)) => {
                let share = s.trim().parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(|| {
                    InputError::new("--persona", format!("share \"{s}\" of {n} is not a whole number > 0; e.g. --persona thunderbird=40,ios=30"))
                })?;
                (n.trim(), share)
            }
            None => (part, 1),
        };
        groups.push(Group {
            share,
            devices: vec![index(name, None)?],
        });
    }
    if groups.is_empty() {
        return Err(InputError::new(
            "--persona",
            "empty; e.g. --persona thunderbird=40,ios=30",
        ));
    }
    Ok(groups)
}

fn section_groups(
    ctx: &Ctx,
    s: &Spanned<RawPopulation>,
    index: &mut Index<'_>,
) -> Result<Vec<Group>, InputError> {
    let p = s.get_ref();
    let mut groups = Vec::new();
    for (name, share) in p.personas.iter().flat_map(|t| t.get_ref().iter()) {
        let key = format!("population.personas.{name}");
        let n = ctx.int_value(share, &key, 1, u32::MAX as i64)? as u32;
        groups.push(Group {
            share: n,
            devices: vec![index(name, Some((share.span(), key)))?],
        });
    }
    for (i, g) in p.group.iter().flat_map(|v| v.get_ref().iter()).enumerate() {
        let key = format!("population.group[{}]", i + 1);
        let share = ctx.int(
            &g.get_ref().share,
            &format!("{key}.share"),
            1,
            u32::MAX as i64,
            1,
        )? as u32;
        let names = match &g.get_ref().devices {
            Some(d) if !d.get_ref().is_empty() => d.get_ref(),
            _ => {
                return Err(ctx.at(
                    g.span(),
                    format!("{key}.devices"),
                    "missing or empty; e.g. devices = [\"thunderbird\", \"ios\"]",
                ))
            }
        };
        let mut devices = Vec::new();
        for (j, n) in names.iter().enumerate() {
            devices.push(index(
                n.get_ref(),
                Some((n.span(), format!("{key}.devices[{}]", j + 1))),
            )?);
        }
        groups.push(Group { share, devices });
    }
    if groups.is_empty() {
        return Err(ctx.at(s.span(), "population", "no users: give personas = { thunderbird = 40, ios = 30 } or [[population.group]] blocks"));
    }
    Ok(groups)
}

fn day(ctx: &Ctx, raw: Option<&Spanned<RawDay>>) -> Result<UserDay, InputError> {
    let d = raw.map(|d| d.get_ref());
    let rate = |v: Option<&Spanned<f64>>, key: &str, default: f64| match v {
        None => Ok(default),
        Some(x) if *x.get_ref() >= 0.0 && x.get_ref().is_finite() => Ok(*x.get_ref()),
        Some(x) => Err(ctx.at(
            x.span(),
            key,
            format!(
                "{} is out of range; expected messages per user per day >= 0",
                x.get_ref()
            ),
        )),
    };
    let start = match d.and_then(|d| d.start.as_ref()) {
        None => Duration::ZERO,
        Some(s) => clock(s.get_ref()).ok_or_else(|| {
            ctx.at(
                s.span(),
                "population.day.start",
                format!(
                    "\"{}\" is not a time of day; expected HH:MM, e.g. \"07:00\"",
                    s.get_ref()
                ),
            )
        })?,
    };
    let curve = match d.and_then(|d| d.curve.as_ref()) {
        None => None,
        Some(c) => {
            let v: Vec<f64> = c.get_ref().iter().map(|x| *x.get_ref()).collect();
            if v.len() != 24
                || v.iter().any(|x| !x.is_finite() || *x < 0.0)
                || v.iter().all(|x| *x == 0.0)
            {
                return Err(ctx.at(
                    c.span(),
                    "population.day.curve",
                    "expected 24 hourly weights >= 0 (00:00 to 23:00), not all 0",
                ));
            }
            Some(v)
        }
    };
    Ok(UserDay {
        // Exchange's 150-message profile: 30 sent, 120 received per mailbox per day.
        received: rate(
            d.and_then(|d| d.received.as_ref()),
            "population.day.received",
            120.0,
        )?,
        sent: rate(d.and_then(|d| d.sent.as_ref()), "population.day.sent", 30.0)?,
        start,
        curve,
    })
}

fn clock(s: &str) -> Option<Duration> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m) = (h.parse::<u64>().ok()?, m.parse::<u64>().ok()?);
    (h < 24 && m < 60).then(|| Duration::from_secs(h * 3600 + m * 60))
}

fn time_scale(ctx: &Ctx, raw: &RawScenario, ov: &Overrides) -> Result<f64, InputError> {
    const RANGE: &str = "expected a factor from 1 to 3600 (60: an hour of client time per minute)";
    if let Some(t) = ov.time_scale {
        return if (1.0..=3600.0).contains(&t) {
            Ok(t)
        } else {
            Err(InputError::new(
                "--time-scale",
                format!("{t} is out of range; {RANGE}"),
            ))
        };
    }
    match raw
        .load
        .as_ref()
        .and_then(|l| l.get_ref().time_scale.as_ref())
    {
        None => Ok(1.0),
        Some(t) if (1.0..=3600.0).contains(t.get_ref()) => Ok(*t.get_ref()),
        Some(t) => Err(ctx.at(
            t.span(),
            "load.time_scale",
            format!("{} is out of range; {RANGE}", t.get_ref()),
        )),
    }
}
