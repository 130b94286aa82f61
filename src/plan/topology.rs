//! `[topology]` and the `--cas` / `--backend` flags -> [`TopologyPlan`].
//!
//! One table serves two shapes (embedded counts or real endpoints), so keys of
//! the other shape are errors rather than silently ignored: a user who writes
//! `backends = 4` under `kind = "real"` believes it does something.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use toml::Spanned;

use super::fields::Zero;
use super::scenario::{IntOrSeq, Opt, RawEndpoint, RawServiceTime, RawTopology};
use super::span::Ctx;
use super::{EmbeddedPlan, Overrides, RealPlan, ServiceTime, ServiceTimes, TopologyPlan};
use crate::command::CommandKind;
use crate::error::InputError;
use crate::imap::url::Endpoint;

/// Service time used when the scenario gives none: fast, with a modest tail.
const DEFAULT_SERVICE: ServiceTime = ServiceTime {
    median: Duration::from_millis(1),
    p99: Duration::from_millis(5),
};

impl TopologyPlan {
    /// Names of the back ends, in order: `mbx1..mbxN` embedded, the configured
    /// names for real servers. Users' `backend` must be one of these.
    pub fn backend_names(&self) -> Vec<String> {
        match self {
            TopologyPlan::Embedded(e) => (1..=e.backends).map(|i| format!("mbx{i}")).collect(),
            TopologyPlan::Real(r) => r
                .backends
                .iter()
                .map(|(n, _)| n.clone())
                .chain(r.behind_cas.iter().cloned())
                .collect(),
        }
    }

    /// Whether direct sessions have anywhere to go: some back end has a URL.
    /// A CAS-only run (`--cas` alone) has none.
    pub fn has_backend_urls(&self) -> bool {
        match self {
            TopologyPlan::Embedded(e) => e.backends > 0,
            TopologyPlan::Real(r) => !r.backends.is_empty(),
        }
    }

    /// Back ends without a URL (reached only through a CAS), in layout order
    /// after the ones with a URL.
    pub fn backends_behind_cas(&self) -> &[String] {
        match self {
            TopologyPlan::Embedded(_) => &[],
            TopologyPlan::Real(r) => &r.behind_cas,
        }
    }

    /// Whether any CAS exists to send the `cas_share` of sessions to.
    pub fn has_cas(&self) -> bool {
        match self {
            TopologyPlan::Embedded(e) => e.cas > 0,
            TopologyPlan::Real(r) => !r.cas.is_empty(),
        }
    }
}

/// Builds the topology from the file, then lets non-empty `--cas` / `--backend` replace
/// the corresponding endpoint lists (which makes the topology real).
pub(crate) fn build(
    ctx: &Ctx,
    raw: &Opt<RawTopology>,
    ov: &Overrides,
) -> Result<TopologyPlan, InputError> {
    let default = RawTopology::default();
    let t = raw.as_ref().map_or(&default, |s| s.get_ref());
    let real = ctx.choice(
        &t.kind,
        "topology.kind",
        &[("embedded", false), ("real", true)],
        false,
    )?;
    let file = if real {
        TopologyPlan::Real(real_from_file(ctx, t)?)
    } else {
        TopologyPlan::Embedded(embedded(ctx, t)?)
    };
    let from_flags = !ov.cas.is_empty() || !ov.backends.is_empty();
    let plan = match (file, from_flags) {
        (TopologyPlan::Embedded(e), false) => return Ok(TopologyPlan::Embedded(e)),
        (TopologyPlan::Real(r), false) => r,
        (TopologyPlan::Real(r), true) => flags_only(ov, r.cas, r.backends)?,
        (TopologyPlan::Embedded(_), true) => flags_only(ov, Vec::new(), Vec::new())?,
    };
    if plan.backends.is_empty() && plan.cas.is_empty() {
        // With a CAS alone the back ends are named by the users file (a CAS-only run).
        let msg = "a real topology needs a CAS or at least one back end";
        return Err(if from_flags {
            InputError::new(
                "--backend",
                format!("{msg}; add --cas URL or --backend NAME=URL"),
            )
        } else {
            ctx.missing(
                raw.as_ref().map(|s| s.span()),
                "topology.backend",
                format!(
                    "{msg}; add a [[topology.cas]] or [[topology.backend]] block with name and url"
                ),
            )
        });
    }
    Ok(TopologyPlan::Real(plan))
}

/// Merges flag endpoints over the file's (flags win per list).
fn flags_only(
    ov: &Overrides,
    file_cas: Vec<(String, Endpoint)>,
    file_backends: Vec<(String, Endpoint)>,
) -> Result<RealPlan, InputError> {
    let cas = if ov.cas.is_empty() {
        file_cas
    } else {
        parse_flags(&ov.cas, "--cas", Some("cas"))?
    };
    let backends = if ov.backends.is_empty() {
        file_backends
    } else {
        parse_flags(&ov.backends, "--backend", None)?
    };
    Ok(RealPlan {
        cas,
        backends,
        behind_cas: Vec::new(),
    })
}

/// Parses `NAME=URL` (or bare `URL` when `unnamed` gives a prefix: `cas1`, `cas2`...).
fn parse_flags(
    items: &[String],
    flag: &str,
    unnamed: Option<&str>,
) -> Result<Vec<(String, Endpoint)>, InputError> {
    let mut out: Vec<(String, Endpoint)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let (name, url) = match item.split_once('=') {
            Some((n, u)) if !n.contains([':', '/']) => (n.to_string(), u),
            _ => match unnamed {
                Some(prefix) => (format!("{prefix}{}", i + 1), item.as_str()),
                None => return Err(InputError::new(flag, format!("`{item}` has no name; expected NAME=URL, e.g. mbx1=imaps://mbx1.example.com:993"))),
            },
        };
        check_name(&name).map_err(|m| InputError::new(flag, m))?;
        let endpoint = Endpoint::parse(url).map_err(|m| InputError::new(flag, m))?;
        if out.iter().any(|(n, _)| *n == name) {
            return Err(InputError::new(
                flag,
                format!("name `{name}` given twice; names must be unique"),
            ));
        }
        out.push((name, endpoint));
    }
    Ok(out)
}

fn check_name(name: &str) -> Result<(), String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        Ok(())
    } else {
        Err(format!(
            "bad name `{name}`; names use letters, digits, `-`, `_`, `.`"
        ))
    }
}

fn embedded(ctx: &Ctx, t: &RawTopology) -> Result<EmbeddedPlan, InputError> {
    if let Some(b) = &t.backend {
        return Err(ctx.at(b.span(), "topology.backend", "[[topology.backend]] blocks need kind = \"real\"; the embedded topology takes `backends = N`"));
    }
    let cas = match &t.cas {
        None => 1,
        Some(c) => match c.get_ref() {
            IntOrSeq::Int(n) => ctx.int_value(&Spanned::new(c.span(), *n), "topology.cas", 1, 1024)?,
            IntOrSeq::Seq(_) => {
                return Err(ctx.at(c.span(), "topology.cas", "[[topology.cas]] blocks need kind = \"real\"; the embedded topology takes `cas = N`"))
            }
        },
    };
    let listen = match &t.listen {
        None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(l) => l.get_ref().parse().map_err(|_| {
            ctx.at(
                l.span(),
                "topology.listen",
                format!(
                    "\"{}\" is not an IP address; e.g. \"127.0.0.1\" or \"::1\"",
                    l.get_ref()
                ),
            )
        })?,
    };
    Ok(EmbeddedPlan {
        cas: cas as usize,
        backends: ctx.int(&t.backends, "topology.backends", 1, 1024, 2)? as usize,
        listen,
        workers_per_backend: ctx.int(
            &t.workers_per_backend,
            "topology.workers_per_backend",
            1,
            65_536,
            16,
        )? as usize,
        messages_per_mailbox: ctx.int(
            &t.messages_per_mailbox,
            "topology.messages_per_mailbox",
            1,
            u32::MAX as i64,
            50,
        )? as u32,
        message_size: ctx.int(&t.message_size, "topology.message_size", 200, 1 << 30, 4096)?
            as usize,
        service: service(ctx, t)?,
        login_disabled_without_tls: t
            .login_disabled_without_tls
            .as_ref()
            .is_some_and(|b| *b.get_ref()),
        mailset: None,
    })
}

fn service(ctx: &Ctx, t: &RawTopology) -> Result<ServiceTimes, InputError> {
    let mut times = ServiceTimes {
        default: DEFAULT_SERVICE,
        per_command: HashMap::new(),
    };
    let Some(table) = &t.service else {
        return Ok(times);
    };
    for (label, value) in table.get_ref() {
        let key = format!("topology.service.{}", label.get_ref());
        let st = service_time(ctx, value, &key)?;
        if label.get_ref() == "default" {
            times.default = st;
        } else if let Some(kind) = CommandKind::from_label(label.get_ref()) {
            times.per_command.insert(kind, st);
        } else {
            let labels: Vec<&str> = CommandKind::ALL.iter().map(|k| k.label()).collect();
            return Err(ctx.at(
                label.span(),
                key,
                format!("unknown command; allowed: default, {}", labels.join(", ")),
            ));
        }
    }
    Ok(times)
}

fn service_time(
    ctx: &Ctx,
    v: &Spanned<RawServiceTime>,
    key: &str,
) -> Result<ServiceTime, InputError> {
    let raw = v.get_ref();
    let need = |f: &Opt<String>, name: &str| {
        f.clone().ok_or_else(|| {
            ctx.at(
                v.span(),
                format!("{key}.{name}"),
                "missing; write { median = \"1ms\", p99 = \"5ms\" }",
            )
        })
    };
    let (median, p99) = (need(&raw.median, "median")?, need(&raw.p99, "p99")?);
    let st = ServiceTime {
        median: ctx.dur_value(&median, &format!("{key}.median"), Zero::Allowed)?,
        p99: ctx.dur_value(&p99, &format!("{key}.p99"), Zero::Allowed)?,
    };
    if st.p99 < st.median {
        return Err(ctx.at(
            p99.span(),
            format!("{key}.p99"),
            format!(
                "p99 ({}) is below the median ({}); p99 must be >= median",
                p99.get_ref(),
                median.get_ref()
            ),
        ));
    }
    Ok(st)
}

fn real_from_file(ctx: &Ctx, t: &RawTopology) -> Result<RealPlan, InputError> {
    let embedded_only: [(&str, Option<std::ops::Range<usize>>); 7] = [
        ("backends", t.backends.as_ref().map(|v| v.span())),
        ("listen", t.listen.as_ref().map(|v| v.span())),
        (
            "workers_per_backend",
            t.workers_per_backend.as_ref().map(|v| v.span()),
        ),
        (
            "messages_per_mailbox",
            t.messages_per_mailbox.as_ref().map(|v| v.span()),
        ),
        ("message_size", t.message_size.as_ref().map(|v| v.span())),
        (
            "login_disabled_without_tls",
            t.login_disabled_without_tls.as_ref().map(|v| v.span()),
        ),
        ("service", t.service.as_ref().map(|v| v.span())),
    ];
    if let Some((name, Some(span))) = embedded_only.into_iter().find(|(_, s)| s.is_some()) {
        let hint = if name == "backends" {
            "; list servers in [[topology.backend]] blocks"
        } else {
            ""
        };
        return Err(ctx.at(
            span,
            format!("topology.{name}"),
            format!("only applies to kind = \"embedded\"{hint}"),
        ));
    }
    let cas =
        match &t.cas {
            None => Vec::new(),
            Some(c) => match c.get_ref() {
                IntOrSeq::Seq(items) => endpoints(ctx, items, "topology.cas", true)?,
                IntOrSeq::Int(_) => return Err(ctx.at(
                    c.span(),
                    "topology.cas",
                    "with kind = \"real\", list CAS servers in [[topology.cas]] blocks (name, url)",
                )),
            },
        };
    let backends = match &t.backend {
        None => Vec::new(),
        Some(b) => endpoints(ctx, b.get_ref(), "topology.backend", false)?,
    };
    Ok(RealPlan {
        cas,
        backends,
        behind_cas: Vec::new(),
    })
}

fn endpoints(
    ctx: &Ctx,
    items: &[Spanned<RawEndpoint>],
    key: &str,
    name_optional: bool,
) -> Result<Vec<(String, Endpoint)>, InputError> {
    let mut out: Vec<(String, Endpoint)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{key}[{}]", i + 1);
        let raw = item.get_ref();
        let name = match &raw.name {
            Some(n) => {
                check_name(n.get_ref()).map_err(|m| ctx.at(n.span(), format!("{at}.name"), m))?;
                if out.iter().any(|(o, _)| o == n.get_ref()) {
                    return Err(ctx.at(
                        n.span(),
                        format!("{at}.name"),
                        format!("name `{}` given twice; names must be unique", n.get_ref()),
                    ));
                }
                n.get_ref().clone()
            }
            None if name_optional => format!("cas{}", i + 1),
            None => {
                return Err(ctx.at(
                    item.span(),
                    format!("{at}.name"),
                    "missing; users' `backend` column refers to this name, e.g. name = \"mbx1\"",
                ))
            }
        };
        let url = raw.url.as_ref().ok_or_else(|| {
            ctx.at(
                item.span(),
                format!("{at}.url"),
                "missing; e.g. url = \"imaps://mbx1.example.com:993\"",
            )
        })?;
        let endpoint = Endpoint::parse(url.get_ref())
            .map_err(|m| ctx.at(url.span(), format!("{at}.url"), m))?;
        out.push((name, endpoint));
    }
    Ok(out)
}
