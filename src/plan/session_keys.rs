//! The `[session]` keys a profile may give too (command count, think time,
//! mix): read here once for `[session]` and every `[[session.profile]]`.

use std::time::Duration;

use toml::Spanned;

use super::fields::Zero;
use super::scenario::{IntOrSeq, Opt, RawMix, RawThinkTime};
use super::span::Ctx;
use super::ThinkTime;
use crate::command::CommandKind;
use crate::error::InputError;

/// `commands = n` or `[min, max]` at `key`; `default` when absent.
pub(super) fn commands(
    ctx: &Ctx,
    field: &Opt<IntOrSeq<Spanned<i64>>>,
    key: &str,
    default: (u32, u32),
) -> Result<(u32, u32), InputError> {
    let Some(c) = field else {
        return Ok(default);
    };
    let max = u32::MAX as i64;
    match c.get_ref() {
        IntOrSeq::Int(n) => {
            let n = ctx.int_value(&toml::Spanned::new(c.span(), *n), key, 1, max)? as u32;
            Ok((n, n))
        }
        IntOrSeq::Seq(items) if items.len() == 2 => {
            let lo = ctx.int_value(&items[0], key, 1, max)? as u32;
            let hi = ctx.int_value(&items[1], key, 1, max)? as u32;
            if lo > hi {
                return Err(ctx.at(
                    c.span(),
                    key,
                    format!("[{lo}, {hi}] has min > max; expected [min, max] with min <= max"),
                ));
            }
            Ok((lo, hi))
        }
        IntOrSeq::Seq(_) => Err(ctx.at(c.span(), key, "expected an integer >= 1 or [min, max]")),
    }
}

/// A present `think_time = { dist = ..., ... }` table at `key`.
pub(super) fn think_time(
    ctx: &Ctx,
    t: &RawThinkTime,
    span: std::ops::Range<usize>,
    key: &str,
) -> Result<ThinkTime, InputError> {
    let allowed =
        "dist = \"none\", \"fixed\" (value), \"exponential\" (mean) or \"uniform\" (min, max)";
    let Some(dist) = &t.dist else {
        return Err(ctx.at(
            span,
            format!("{key}.dist"),
            format!("missing; expected {allowed}"),
        ));
    };
    let name = dist.get_ref().as_str();
    let fields = [
        ("value", &t.value),
        ("mean", &t.mean),
        ("min", &t.min),
        ("max", &t.max),
    ];
    let wanted: &[&str] = match name {
        "none" => &[],
        "fixed" => &["value"],
        "exponential" => &["mean"],
        "uniform" => &["min", "max"],
        _ => {
            return Err(ctx.at(
                dist.span(),
                format!("{key}.dist"),
                format!("unknown value \"{name}\"; expected {allowed}"),
            ))
        }
    };
    // Stray keys first: `mean` under "fixed" is more likely a wrong dist than a missing value.
    for (field, value) in fields {
        if let (false, Some(v)) = (wanted.contains(&field), value) {
            let msg = format!("does not apply to dist = \"{name}\"; expected {allowed}");
            return Err(ctx.at(v.span(), format!("{key}.{field}"), msg));
        }
    }
    if let Some((field, _)) = fields
        .iter()
        .find(|(f, v)| wanted.contains(f) && v.is_none())
    {
        let msg = format!("missing; dist = \"{name}\" needs {}", wanted.join(" and "));
        return Err(ctx.at(span.clone(), format!("{key}.{field}"), msg));
    }
    let get = |field: &str, value: &Opt<String>, zero| match value {
        Some(v) => ctx.dur_value(v, &format!("{key}.{field}"), zero),
        None => Ok(Duration::ZERO),
    };
    Ok(match name {
        "none" => ThinkTime::None,
        "fixed" => ThinkTime::Fixed(get("value", &t.value, Zero::Rejected)?),
        "exponential" => ThinkTime::Exponential(get("mean", &t.mean, Zero::Rejected)?),
        _ => {
            let (lo, hi) = (
                get("min", &t.min, Zero::Allowed)?,
                get("max", &t.max, Zero::Rejected)?,
            );
            if hi < lo {
                let max_span = t.max.as_ref().map_or(span, |m| m.span());
                return Err(ctx.at(
                    max_span,
                    format!("{key}.max"),
                    "max is below min; expected min <= max",
                ));
            }
            ThinkTime::Uniform(lo, hi)
        }
    })
}

/// A present mix table at `key` (`session.mix`): label = weight.
pub(super) fn mix(
    ctx: &Ctx,
    table: &Spanned<RawMix>,
    key: &str,
) -> Result<Vec<(CommandKind, u32)>, InputError> {
    let prefix = key;
    let mixable: Vec<&str> = CommandKind::ALL
        .iter()
        .filter(|k| k.mixable())
        .map(|k| k.label())
        .collect();
    let mut out: Vec<(CommandKind, u32)> = Vec::new();
    for (label, weight) in table.get_ref() {
        let key = format!("{prefix}.{}", label.get_ref());
        let kind = match CommandKind::from_label(label.get_ref()) {
            Some(k) if k.mixable() => k,
            Some(k) => {
                return Err(ctx.at(
                    label.span(),
                    key,
                    format!(
                        "{k} is part of every session, not of the mix; allowed: {}",
                        mixable.join(", ")
                    ),
                ))
            }
            None => {
                return Err(ctx.at(
                    label.span(),
                    key,
                    format!("unknown command; allowed: {}", mixable.join(", ")),
                ))
            }
        };
        if out.iter().any(|(k, _)| *k == kind) {
            return Err(ctx.at(
                label.span(),
                key,
                format!("{kind} is given twice (labels are case-insensitive)"),
            ));
        }
        let w = ctx.int_value(weight, &key, 0, u32::MAX as i64)? as u32;
        out.push((kind, w));
    }
    out.retain(|(_, w)| *w > 0);
    if out.is_empty() {
        return Err(ctx.at(
            table.span(),
            prefix,
            "no command has a weight > 0; give at least one, e.g. NOOP = 1",
        ));
    }
    out.sort_by_key(|(k, _)| *k);
    Ok(out)
}
