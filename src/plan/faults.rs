//! `[[faults]]` blocks -> [`FaultPlan`]s for the embedded topology.
//!
//! A fault that cannot happen is an error, never a silent no-op: one that
//! starts after the run has ended (also when `--duration` shortened the run),
//! one aimed at a server that does not exist or at real servers imapload does
//! not control, one whose knob the target ignores (a CAS has no worker pool),
//! and two faults of the same kind overlapping on one server (the second's
//! revert would undo the first).

use std::ops::Range;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::duration::format_duration;
use super::fields::Zero;
use super::scenario::Opt;
use super::span::Ctx;
use super::{EmbeddedPlan, FaultKind, FaultPlan, TopologyPlan};
use crate::error::InputError;

/// One `[[faults]]` block.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    /// Embedded server name (`mbx2`, `cas1`).
    pub server: Opt<String>,
    /// Start, from the run start (text duration).
    pub at: Opt<String>,
    /// Length (text duration); absent = until the end of the run.
    pub duration: Opt<String>,
    /// Service-time factor.
    pub slow: Opt<f64>,
    /// Added delay per command (text duration).
    pub delay: Opt<String>,
    /// Commands wait until the fault ends.
    pub stall: Opt<bool>,
    /// LOGIN / AUTHENTICATE answered NO.
    pub refuse_logins: Opt<bool>,
    /// Connections are closed.
    pub drop_connections: Opt<bool>,
    /// Worker pool size while the fault lasts.
    pub workers: Opt<i64>,
    /// Killed (listeners closed, connections dropped), restarted when the fault ends.
    pub kill: Opt<bool>,
}

const KINDS: &str = "slow, delay, stall, refuse_logins, drop_connections, workers, kill";

/// Where the run's duration came from, for the "starts after the end" message.
pub(crate) struct RunEnd {
    /// The run's duration.
    pub duration: Duration,
    /// Set by `--duration` rather than the file.
    pub from_flag: bool,
}

/// Validates every `[[faults]]` block against the topology and the run length.
pub(crate) fn build(
    ctx: &Ctx,
    raw: &Opt<Vec<Spanned<RawFault>>>,
    topology: &TopologyPlan,
    end: &RunEnd,
) -> Result<Vec<FaultPlan>, InputError> {
    let Some(items) = raw else {
        return Ok(Vec::new());
    };
    let embedded = match topology {
        TopologyPlan::Embedded(e) => e,
        TopologyPlan::Real(_) => {
            let span = items.get_ref().first().map_or(items.span(), |f| f.span());
            return Err(ctx.at(
                span,
                "faults[1]",
                "faults can only be injected into the embedded topology; this one is real (topology.kind = \"real\" or --cas / --backend) and imapload does not control those servers",
            ));
        }
    };
    let mut out: Vec<(FaultPlan, Range<usize>)> = Vec::new();
    for (i, item) in items.get_ref().iter().enumerate() {
        let key = format!("faults[{}]", i + 1);
        let (fault, at_span) = one(ctx, item, &key, embedded, end)?;
        if let Some(j) = out.iter().position(|(f, _)| overlaps(f, &fault)) {
            return Err(ctx.at(
                at_span,
                format!("{key}.at"),
                format!(
                    "overlaps faults[{}] (same server, same kind); its revert would undo the other, so let one end before the next starts",
                    j + 1
                ),
            ));
        }
        out.push((fault, at_span));
    }
    Ok(out.into_iter().map(|(f, _)| f).collect())
}

/// One block; also returns the span to report overlaps at.
fn one(
    ctx: &Ctx,
    item: &Spanned<RawFault>,
    key: &str,
    embedded: &EmbeddedPlan,
    end: &RunEnd,
) -> Result<(FaultPlan, Range<usize>), InputError> {
    let f = item.get_ref();
    let server = f.server.as_ref().ok_or_else(|| {
        ctx.at(
            item.span(),
            format!("{key}.server"),
            "missing; which embedded server, e.g. server = \"mbx2\"",
        )
    })?;
    let names = server_names(embedded);
    if !names.iter().any(|n| n == server.get_ref()) {
        return Err(ctx.at(
            server.span(),
            format!("{key}.server"),
            format!(
                "no embedded server `{}`; this topology has {}",
                server.get_ref(),
                describe(embedded)
            ),
        ));
    }
    let at = ctx.dur(&f.at, &format!("{key}.at"), Zero::Allowed, Duration::ZERO)?;
    let at_span = f.at.as_ref().map_or(item.span(), |v| v.span());
    if at >= end.duration {
        let source = if end.from_flag {
            "set by --duration"
        } else {
            "`duration`"
        };
        return Err(ctx.at(
            at_span,
            format!("{key}.at"),
            format!(
                "{} is not before the end of the run ({}, {source}); the fault would never happen",
                format_duration(at),
                format_duration(end.duration)
            ),
        ));
    }
    let duration = match &f.duration {
        None => None,
        Some(d) => Some(ctx.dur_value(d, &format!("{key}.duration"), Zero::Rejected)?),
    };
    let kind = kind(ctx, item, key)?;
    let on_cas = server.get_ref().starts_with("cas");
    if on_cas && matches!(kind, FaultKind::Slow(_) | FaultKind::Workers(_)) {
        let name = if matches!(kind, FaultKind::Slow(_)) {
            "slow"
        } else {
            "workers"
        };
        let span = match kind {
            FaultKind::Slow(_) => f.slow.as_ref().map(|v| v.span()),
            _ => f.workers.as_ref().map(|v| v.span()),
        };
        return Err(ctx.at(
            span.unwrap_or(item.span()),
            format!("{key}.{name}"),
            "a CAS has no service-time model or worker pool; use it on a back end (mbx1..), or use delay, stall, refuse_logins or drop_connections on a CAS",
        ));
    }
    let plan = FaultPlan {
        server: server.get_ref().clone(),
        at,
        duration,
        kind,
    };
    Ok((plan, at_span))
}

/// The one fault kind of a block: exactly one of the kind keys.
fn kind(ctx: &Ctx, item: &Spanned<RawFault>, key: &str) -> Result<FaultKind, InputError> {
    let f = item.get_ref();
    let given: Vec<(&str, Range<usize>)> = [
        ("slow", f.slow.as_ref().map(|v| v.span())),
        ("delay", f.delay.as_ref().map(|v| v.span())),
        ("stall", f.stall.as_ref().map(|v| v.span())),
        ("refuse_logins", f.refuse_logins.as_ref().map(|v| v.span())),
        (
            "drop_connections",
            f.drop_connections.as_ref().map(|v| v.span()),
        ),
        ("workers", f.workers.as_ref().map(|v| v.span())),
        ("kill", f.kill.as_ref().map(|v| v.span())),
    ]
    .into_iter()
    .filter_map(|(n, s)| s.map(|s| (n, s)))
    .collect();
    match given.as_slice() {
        [] => {
            return Err(ctx.at(
                item.span(),
                key,
                format!("no fault given; set exactly one of {KINDS}"),
            ))
        }
        [_] => {}
        [(first, _), (second, s), ..] => {
            return Err(ctx.at(
                s.clone(),
                format!("{key}.{second}"),
                format!("`{first}` is given too; a [[faults]] block has exactly one of {KINDS} (use one block per fault)"),
            ))
        }
    }
    let on = |v: &Spanned<bool>, name: &str| {
        if *v.get_ref() {
            Ok(())
        } else {
            Err(ctx.at(
                v.span(),
                format!("{key}.{name}"),
                "false does nothing; write true, or remove this [[faults]] block",
            ))
        }
    };
    Ok(if let Some(v) = &f.slow {
        let x = *v.get_ref();
        if !(x.is_finite() && (0.001..=1_000_000.0).contains(&x)) {
            return Err(ctx.at(
                v.span(),
                format!("{key}.slow"),
                format!("{x} is out of range; expected a factor from 0.001 to 1000000 (200 = 200 times slower)"),
            ));
        }
        FaultKind::Slow(x)
    } else if let Some(v) = &f.delay {
        FaultKind::Delay(ctx.dur_value(v, &format!("{key}.delay"), Zero::Rejected)?)
    } else if let Some(v) = &f.stall {
        on(v, "stall")?;
        FaultKind::Stall
    } else if let Some(v) = &f.refuse_logins {
        on(v, "refuse_logins")?;
        FaultKind::RefuseLogins
    } else if let Some(v) = &f.drop_connections {
        on(v, "drop_connections")?;
        FaultKind::DropConnections
    } else if let Some(v) = &f.kill {
        on(v, "kill")?;
        FaultKind::Kill
    } else {
        let v = f.workers.as_ref().expect("exactly one kind is present");
        FaultKind::Workers(ctx.int_value(v, &format!("{key}.workers"), 1, 65_536)? as usize)
    })
}

/// Same server, same kind of knob, and the time ranges intersect.
fn overlaps(a: &FaultPlan, b: &FaultPlan) -> bool {
    let end = |f: &FaultPlan| f.duration.map_or(Duration::MAX, |d| f.at.saturating_add(d));
    a.server == b.server
        && std::mem::discriminant(&a.kind) == std::mem::discriminant(&b.kind)
        && a.at < end(b)
        && b.at < end(a)
}

fn server_names(e: &EmbeddedPlan) -> Vec<String> {
    (1..=e.cas)
        .map(|i| format!("cas{i}"))
        .chain((1..=e.backends).map(|i| format!("mbx{i}")))
        .collect()
}

/// `cas1, mbx1, mbx2` for small topologies, ranges for large ones.
fn describe(e: &EmbeddedPlan) -> String {
    if e.cas + e.backends <= 8 {
        return server_names(e).join(", ");
    }
    let range = |p: &str, n: usize| {
        if n == 1 {
            format!("{p}1")
        } else {
            format!("{p}1..{p}{n}")
        }
    };
    format!("{}, {}", range("cas", e.cas), range("mbx", e.backends))
}
