//! `[[session.profile]]` blocks -> [`Profile`]s (LoadGen-style light /
//! medium / heavy users). A profile names itself and its weight; command
//! count, think time and mix fall back to `[session]`'s when left out.

use serde::Deserialize;
use toml::Spanned;

use super::scenario::{IntOrSeq, Opt, RawMix, RawThinkTime};
use super::session::Inherited;
use super::session_keys::{commands, mix, think_time};
use super::span::Ctx;
use super::Profile;
use crate::error::InputError;

/// One `[[session.profile]]` block.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    /// Unique name for reports.
    pub name: Opt<String>,
    /// Relative share of users (> 0; default 1).
    pub weight: Opt<i64>,
    /// `n` or `[min, max]`; default `session.commands`.
    pub commands: Opt<IntOrSeq<Spanned<i64>>>,
    /// Like `session.think_time`; default the session's.
    pub think_time: Opt<RawThinkTime>,
    /// `[session.profile.mix]`; default the session's mix.
    pub mix: Opt<RawMix>,
}

/// Validates every profile; an absent key yields no profiles (the session's
/// own fields are the single implicit profile).
pub(super) fn build(
    ctx: &Ctx,
    raw: &Opt<Vec<Spanned<RawProfile>>>,
    inherited: &Inherited,
) -> Result<Vec<Profile>, InputError> {
    let Some(items) = raw else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Profile> = Vec::new();
    for (i, item) in items.get_ref().iter().enumerate() {
        let key = format!("session.profile[{}]", i + 1);
        let p = item.get_ref();
        let name = match &p.name {
            None => {
                return Err(ctx.at(
                    item.span(),
                    format!("{key}.name"),
                    "missing; every profile needs a name for reports, e.g. name = \"light\"",
                ))
            }
            Some(n) if n.get_ref().trim().is_empty() => {
                return Err(ctx.at(
                    n.span(),
                    format!("{key}.name"),
                    "empty; give a name such as \"light\"",
                ))
            }
            Some(n) => {
                if let Some(j) = out.iter().position(|o| o.name == *n.get_ref()) {
                    return Err(ctx.at(
                        n.span(),
                        format!("{key}.name"),
                        format!(
                            "\"{}\" is already the name of session.profile[{}]; names must be unique",
                            n.get_ref(),
                            j + 1
                        ),
                    ));
                }
                n.get_ref().clone()
            }
        };
        let weight = ctx.int(&p.weight, &format!("{key}.weight"), 1, u32::MAX as i64, 1)? as u32;
        let commands_per_session = commands(
            ctx,
            &p.commands,
            &format!("{key}.commands"),
            inherited.commands_per_session,
        )?;
        let think = match &p.think_time {
            None => inherited.think_time,
            Some(t) => think_time(ctx, t.get_ref(), t.span(), &format!("{key}.think_time"))?,
        };
        let mix = match &p.mix {
            None => inherited.mix.to_vec(),
            Some(table) => mix(ctx, table, &format!("{key}.mix"))?,
        };
        out.push(Profile {
            name,
            weight,
            commands_per_session,
            think_time: think,
            mix,
        });
    }
    Ok(out)
}
