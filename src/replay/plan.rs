//! The replay's settings: the scenario's `[replay]` table, overridden by
//! flags, validated (bad input names the key or flag and what is allowed).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::event::Role;
use super::options::{ReplayOptions, Via};
use crate::error::InputError;

/// `[replay]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplay {
    /// Files, directories, globs (relative to the scenario's directory).
    pub sources: Option<Vec<String>>,
    /// Log seconds per run second.
    pub speed: Option<f64>,
    /// First log time replayed.
    pub from: Option<String>,
    /// Log time replayed up to.
    pub to: Option<String>,
    /// Share of sessions replayed.
    pub sample: Option<f64>,
    /// `logged_user,user` CSV.
    pub user_map: Option<String>,
    /// DELETE / RENAME of folders on real servers.
    pub allow_destructive: Option<bool>,
    /// Exchange probe sessions too.
    pub include_probes: Option<bool>,
    /// `"cas"` or `"direct"`.
    pub via: Option<String>,
    /// Folders every account has on the real servers (INBOX always).
    pub mailboxes: Option<Vec<String>>,
    /// Most sessions open at once.
    pub max_sessions: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
struct ReplayOnly {
    #[serde(default)]
    replay: Option<RawReplay>,
}

/// The replay's validated settings.
#[derive(Debug, Clone)]
pub struct ReplayPlan {
    /// What to read.
    pub sources: Vec<String>,
    /// Log seconds per run second.
    pub speed: f64,
    /// `--from` as written.
    pub from: Option<String>,
    /// `--to` as written.
    pub to: Option<String>,
    /// Share of sessions replayed.
    pub sample: f64,
    /// User mapping file.
    pub user_map: Option<PathBuf>,
    /// Destructive folder commands allowed on real servers.
    pub allow_destructive: bool,
    /// Probe sessions replayed.
    pub include_probes: bool,
    /// Path override.
    pub via: Option<Role>,
    /// Folders that exist on real servers.
    pub mailboxes: Option<Vec<String>>,
    /// Most sessions open at once.
    pub max_sessions: usize,
}

/// Reads the `[replay]` table of `scenario` (if any) and applies the flags.
pub fn build(a: &ReplayOptions) -> Result<ReplayPlan, InputError> {
    let raw = match &a.scenario {
        Some(path) => read(path)?,
        None => RawReplay::default(),
    };
    let base = a
        .scenario
        .as_deref()
        .and_then(Path::parent)
        .unwrap_or(Path::new(""));
    let sources = if a.sources.is_empty() {
        let listed = raw.sources.clone().unwrap_or_default();
        listed
            .iter()
            .map(|s| base.join(s).to_string_lossy().to_string())
            .collect()
    } else {
        a.sources.clone()
    };
    if sources.is_empty() {
        return Err(InputError::new(
            "SOURCE",
            "give at least one log (file, directory or glob), or [replay] sources",
        ));
    }
    let speed = a.speed.or(raw.speed).unwrap_or(1.0);
    if !(speed.is_finite() && speed > 0.0) {
        return Err(InputError::new(
            "--speed",
            "must be a number more than 0 (e.g. 20)",
        ));
    }
    let sample = a.sample.or(raw.sample).unwrap_or(1.0);
    if !(sample > 0.0 && sample <= 1.0) {
        return Err(InputError::new(
            "--sample",
            "must be more than 0 and at most 1 (e.g. 0.1)",
        ));
    }
    let via = match (a.via, raw.via.as_deref()) {
        (Some(Via::Cas), _) | (None, Some("cas")) => Some(Role::FrontEnd),
        (Some(Via::Direct), _) | (None, Some("direct")) => Some(Role::BackEnd),
        (None, None) => None,
        (None, Some(other)) => {
            return Err(InputError::new(
                "replay.via",
                format!("{other:?}: allowed are \"cas\" and \"direct\""),
            ))
        }
    };
    let max_sessions = a.max_sessions.or(raw.max_sessions).unwrap_or(2000);
    if max_sessions == 0 {
        return Err(InputError::new("--max-sessions", "must be at least 1"));
    }
    Ok(ReplayPlan {
        sources,
        speed,
        from: a.from.clone().or(raw.from),
        to: a.to.clone().or(raw.to),
        sample,
        user_map: a
            .user_map
            .clone()
            .or_else(|| raw.user_map.map(|m| base.join(m))),
        allow_destructive: a.allow_destructive || raw.allow_destructive.unwrap_or(false),
        include_probes: a.include_probes || raw.include_probes.unwrap_or(false),
        via,
        mailboxes: raw.mailboxes,
        max_sessions,
    })
}

fn read(path: &Path) -> Result<RawReplay, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::at(path, None, None, format!("cannot read scenario file: {e}")))?;
    let only: ReplayOnly = toml::from_str(&text)
        .map_err(|e| InputError::at(path, None, Some("replay".into()), one_line(&e.to_string())))?;
    Ok(only.replay.unwrap_or_default())
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `--from` / `--to` time: RFC 3339, or `HH:MM[:SS]` on the day of `first_us` (UTC).
pub fn parse_bound(key: &str, text: &str, first_us: i64) -> Result<i64, InputError> {
    if let Some(us) = super::exchange::parse_time(text) {
        return Ok(us);
    }
    let bad = || {
        InputError::new(
            key,
            format!("{text:?}: expected an RFC 3339 time (2026-11-20T09:40:00Z) or HH:MM[:SS]"),
        )
    };
    let parts: Vec<u32> = text
        .split(':')
        .map(|p| p.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let (h, m, s) = match parts[..] {
        [h, m] => (h, m, 0),
        [h, m, s] => (h, m, s),
        _ => return Err(bad()),
    };
    let day = chrono::DateTime::from_timestamp_micros(first_us)
        .ok_or_else(bad)?
        .date_naive();
    let t = day.and_hms_opt(h, m, s).ok_or_else(bad)?;
    Ok(t.and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_as_times_of_day_or_rfc3339() {
        let first = parse_bound("--from", "2026-11-20T09:00:00Z", 0).unwrap();
        assert_eq!(
            parse_bound("--from", "09:40", first).unwrap() - first,
            40 * 60 * 1_000_000
        );
        assert!(parse_bound("--to", "25:00", first).is_err());
        assert!(parse_bound("--to", "soon", first)
            .unwrap_err()
            .to_string()
            .contains("--to"));
    }
}
