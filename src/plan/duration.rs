//! Human durations: `250ms`, `30s`, `5m`, `1h`, `1m30s`.
//!
//! Units are required because a bare `30` is ambiguous (seconds? milliseconds?)
//! and a load test silently running for 30 ms instead of 30 s wastes a lab slot.

use std::time::Duration;

const ALLOWED: &str =
    "expected a number with a unit (ms, s, m, h), e.g. \"250ms\", \"30s\", \"1m30s\"";

/// The longest duration any setting takes: a year. Far beyond any load test,
/// and far below what the clock can represent, so that adding durations to
/// an instant (run start + ramp + duration + grace) can never overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// Parses "250ms", "30s", "5m", "1h", "1m30s"; bare numbers are rejected (units
/// required). Zero (`"0s"`) parses; callers decide whether it is allowed. Used
/// by the CLI for `--duration` too, so the error is a sentence without a key.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err(format!("empty duration; {ALLOWED}"));
    }
    let bad = || format!("`{s}` is not a duration; {ALLOWED}");
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let part = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => n.checked_mul(60).map(Duration::from_secs).ok_or_else(bad)?,
            "h" => n
                .checked_mul(3600)
                .map(Duration::from_secs)
                .ok_or_else(bad)?,
            "" => return Err(format!("`{s}` has no unit; {ALLOWED}")),
            _ => return Err(bad()),
        };
        total = total.checked_add(part).ok_or_else(bad)?;
    }
    if total > MAX_DURATION {
        return Err(format!(
            "`{s}` is longer than the longest duration imapload takes (8784h, a year)"
        ));
    }
    Ok(total)
}

/// Formats a duration the way [`parse_duration`] reads it, for messages.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if !ms.is_multiple_of(1000) || ms == 0 {
        format!("{ms}ms")
    } else {
        format!("{}s", ms / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_compounds() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1s500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_durations_beyond_a_year_instead_of_overflowing_later() {
        assert_eq!(parse_duration("8784h"), Ok(MAX_DURATION));
        for big in ["8785h", "18446744073709551615s", "18446744073709551615ms"] {
            let e = parse_duration(big).unwrap_err();
            assert!(e.contains("longest duration"), "{big}: {e}");
        }
    }

    #[test]
    fn rejects_bare_numbers_and_junk() {
        for bad in ["", "30", "-5s", "1.5s", "5 s", "s", "10x", "1m30", "ms5"] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains("ms, s, m, h"), "{bad}: {e}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for d in [
            Duration::from_millis(250),
            Duration::from_secs(30),
            Duration::ZERO,
        ] {
            assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
    }
}
