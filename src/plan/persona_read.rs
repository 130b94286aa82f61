//! How a persona reads: a message over a size read in parts (Thunderbird's
//! 64 KiB chunks), and what the user does with a message after reading it
//! (delete, file, flag), with the share of reads each follows. Also the
//! share check the persona's other keys use.

use serde::Deserialize;
use toml::Spanned;

use super::persona_line::{parse_lines, Line};
use super::scenario::Opt;
use super::span::Ctx;
use crate::error::InputError;

/// A message read in parts: `lines` once per part, `{chunk}` the part's
/// `offset.size` (Thunderbird fetches bodies over 96 KiB 64 KiB at a time).
#[derive(Debug, Clone, PartialEq)]
pub struct Chunked {
    /// Bytes per part.
    pub size: u32,
    /// Messages larger than this are read in parts (the rest by `read`).
    pub above: u32,
    /// The lines of one part.
    pub lines: Vec<Line>,
}

/// One thing a user does with a message just read (delete, move, flag),
/// with the share of reads it follows.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Share of reads (0..=1; the actions' shares add up to at most 1).
    pub share: f64,
    /// Its lines (`{last}` is the message read).
    pub lines: Vec<Line>,
}

/// One `[[after_read]]` block as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    /// Share of reads.
    pub share: Opt<f64>,
    /// Lines.
    pub lines: Opt<Vec<Spanned<String>>>,
}

/// `read_chunked` with `chunk_size` and `chunk_above` (all or none).
pub(super) fn chunked(
    ctx: &Ctx,
    key: &str,
    lines: &Opt<Vec<Spanned<String>>>,
    size: &Opt<i64>,
    above: &Opt<i64>,
) -> Result<Option<Chunked>, InputError> {
    let lines = parse_lines(ctx, lines, &format!("{key}read_chunked"))?;
    if lines.is_empty() {
        return Ok(None);
    }
    let size = ctx.int(size, &format!("{key}chunk_size"), 1024, 1 << 30, 65_536)? as u32;
    let above = ctx.int(above, &format!("{key}chunk_above"), 0, 1 << 30, 98_304)? as u32;
    Ok(Some(Chunked { size, above, lines }))
}

/// `[[after_read]]` blocks; their shares add up to at most 1.
pub(super) fn actions(
    ctx: &Ctx,
    key: &str,
    raw: &Opt<Vec<Spanned<RawAction>>>,
) -> Result<Vec<Action>, InputError> {
    let Some(list) = raw else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut total = 0.0;
    for (i, a) in list.get_ref().iter().enumerate() {
        let k = format!("{key}after_read[{}]", i + 1);
        let share = share(ctx, &a.get_ref().share, &format!("{k}.share"), 0.0)?;
        total += share;
        if total > 1.0 + 1e-9 {
            return Err(ctx.at(
                a.span(),
                format!("{k}.share"),
                "the after_read shares add up to more than 1",
            ));
        }
        let lines = parse_lines(ctx, &a.get_ref().lines, &format!("{k}.lines"))?;
        out.push(Action { share, lines });
    }
    Ok(out)
}

/// A share in 0..=1, or `default`.
pub(super) fn share(ctx: &Ctx, v: &Opt<f64>, key: &str, default: f64) -> Result<f64, InputError> {
    match v {
        None => Ok(default),
        Some(s) if (0.0..=1.0).contains(s.get_ref()) => Ok(*s.get_ref()),
        Some(s) => Err(ctx.at(
            s.span(),
            key,
            format!(
                "{} is out of range; expected a share from 0 to 1",
                s.get_ref()
            ),
        )),
    }
}
