//! `load.source_addresses`: the local addresses sessions connect from.
//!
//! One source address gives about 28,000 ephemeral ports (Linux's default
//! range), and every connection bound to it takes one whatever its
//! destination. Tens of thousands of sessions from one machine therefore need
//! several addresses; on loopback any of 127.0.0.0/8 works without set-up.
//! Written as a list of addresses or inclusive IPv4 ranges:
//! `["127.0.0.1", "127.0.0.2-127.0.0.9"]`.

use std::net::{IpAddr, Ipv4Addr};

use toml::Spanned;

use super::span::Ctx;
use crate::error::InputError;

/// Most addresses a range may expand to (a typo like `127.0.0.1-127.9.0.1`
/// should be an error, not four million sockets' worth of addresses).
const MAX_ADDRESSES: u32 = 4096;

const ALLOWED: &str =
    "expected IP addresses or inclusive IPv4 ranges, e.g. [\"127.0.0.1\", \"127.0.0.2-127.0.0.9\"]";

/// Parses the scenario's list; empty when the key is absent (the OS picks).
pub(crate) fn build(
    ctx: &Ctx,
    raw: &Option<Spanned<Vec<Spanned<String>>>>,
) -> Result<Vec<IpAddr>, InputError> {
    let Some(list) = raw else {
        return Ok(Vec::new());
    };
    let key = "load.source_addresses";
    let mut out = Vec::new();
    for item in list.get_ref() {
        expand(item.get_ref(), &mut out).map_err(|m| ctx.at(item.span(), key, m))?;
    }
    if out.is_empty() {
        return Err(ctx.at(
            list.span(),
            key,
            format!("is empty; {ALLOWED}, or leave it out"),
        ));
    }
    check_family(&out).map_err(|m| ctx.at(list.span(), key, m))?;
    Ok(out)
}

/// Parses `--source-address` values (same syntax as the scenario key).
pub(crate) fn from_flags(values: &[String]) -> Result<Vec<IpAddr>, InputError> {
    let mut out = Vec::new();
    for v in values {
        expand(v, &mut out).map_err(|m| InputError::new("--source-address", m))?;
    }
    check_family(&out).map_err(|m| InputError::new("--source-address", m))?;
    Ok(out)
}

/// Appends one address or one inclusive IPv4 range to `out`.
fn expand(text: &str, out: &mut Vec<IpAddr>) -> Result<(), String> {
    let text = text.trim();
    if let Some((a, b)) = text.split_once('-') {
        let parse = |s: &str| {
            s.trim()
                .parse::<Ipv4Addr>()
                .map_err(|_| format!("`{text}` is not a valid range; {ALLOWED}"))
        };
        let (a, b) = (u32::from(parse(a)?), u32::from(parse(b)?));
        if b < a {
            return Err(format!("`{text}`: the range ends before it starts"));
        }
        if b - a >= MAX_ADDRESSES {
            return Err(format!(
                "`{text}` has {} addresses; at most {MAX_ADDRESSES} are allowed",
                u64::from(b - a) + 1
            ));
        }
        out.extend((a..=b).map(|n| IpAddr::V4(Ipv4Addr::from(n))));
        return Ok(());
    }
    let ip = text
        .parse::<IpAddr>()
        .map_err(|_| format!("`{text}` is not an IP address; {ALLOWED}"))?;
    if ip.is_unspecified() || ip.is_multicast() {
        return Err(format!("`{text}` cannot be a source address; {ALLOWED}"));
    }
    out.push(ip);
    Ok(())
}

/// All IPv4 or all IPv6: a session's target decides the family, and a mixed
/// list would fail half the connections at run time.
fn check_family(list: &[IpAddr]) -> Result<(), String> {
    let v4 = list.iter().filter(|ip| ip.is_ipv4()).count();
    if v4 != 0 && v4 != list.len() {
        return Err("mixes IPv4 and IPv6 addresses; use one family (that of the servers)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(items: &[&str]) -> Result<Vec<IpAddr>, String> {
        let mut out = Vec::new();
        for i in items {
            expand(i, &mut out)?;
        }
        check_family(&out).map(|_| out)
    }

    #[test]
    fn lists_and_ranges_expand_in_order() {
        let got = parse(&["127.0.0.5", "127.0.0.1-127.0.0.3"]).unwrap();
        let want: Vec<IpAddr> = ["127.0.0.5", "127.0.0.1", "127.0.0.2", "127.0.0.3"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn bad_entries_say_what_is_allowed() {
        for (input, needle) in [
            ("localhost", "not an IP address"),
            ("127.0.0.9-127.0.0.1", "ends before it starts"),
            ("127.0.0.1-127.9.0.1", "at most 4096"),
            ("0.0.0.0", "cannot be a source address"),
            ("127.0.0.1-x", "not a valid range"),
        ] {
            let err = parse(&[input]).unwrap_err();
            assert!(err.contains(needle), "{input}: {err}");
        }
        let err = parse(&["127.0.0.1", "::1"]).unwrap_err();
        assert!(err.contains("mixes IPv4 and IPv6"), "{err}");
    }
}
