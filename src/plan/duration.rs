//! Human durations: `250ms`, `30s`, `5m`, `1h`, `1m30s`, `1.5s`, `500us`
//! (`µs` too).
//!
//! Units are required because a bare `30` is ambiguous (seconds? milliseconds?)
//! and a load test silently running for 30 ms instead of 30 s wastes a booked lab.

use std::time::Duration;

const ALLOWED: &str = "expected a number with a unit (us, ms, s, m, h), e.g. \"250ms\", \"1.5s\", \"500us\", \"1m30s\"";

/// The longest duration any setting takes: a year. Far beyond any load test,
/// and far below what the clock can represent, so that adding durations to
/// an instant (run start + ramp + duration + grace) can never overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// Nanoseconds per unit, by the unit's spellings (`µs` as the micro sign or
/// the Greek mu, which look alike).
fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Parses "250ms", "30s", "5m", "1h", "1m30s", "1.5s", "500us" (or "500µs");
/// bare numbers are rejected (units required). A fraction finer than a
/// nanosecond is dropped. Zero (`"0s"`) parses; callers decide whether it is
/// allowed. Used by the CLI for `--duration` too, so the error is a sentence
/// without a key.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err(format!("empty duration; {ALLOWED}"));
    }
    let bad = || format!("`{s}` is not a duration; {ALLOWED}");
    let too_long =
        || format!("`{s}` is longer than the longest duration imapload takes (8784h, a year)");
    let mut total: u128 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        rest = next;
        if unit.is_empty() && !number.is_empty() {
            return Err(format!("`{s}` has no unit; {ALLOWED}"));
        }
        let per_unit = unit_nanos(unit).ok_or_else(bad)?;
        total += nanos(number, per_unit).ok_or_else(bad)?;
        if total > MAX_DURATION.as_nanos() {
            return Err(too_long());
        }
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| too_long())?;
    Ok(Duration::new(secs, (total % 1_000_000_000) as u32))
}

/// `number` (digits, optionally a point and more digits) times `per_unit`
/// nanoseconds; `None` for anything else or a number too long to be a
/// duration imapload takes.
fn nanos(number: &str, per_unit: u128) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || number.ends_with('.') {
        return None;
    }
    // More digits than any duration up to a year needs, in any unit.
    if whole.len() > 20 || fraction.len() > 20 {
        return None;
    }
    let whole: u128 = whole.parse().ok()?;
    let mut part = whole.checked_mul(per_unit)?;
    let mut scale = per_unit;
    for d in fraction.bytes() {
        let digit = u128::from(d - b'0');
        part += digit * scale / 10;
        scale /= 10;
        if scale == 0 {
            break;
        }
    }
    Some(part)
}

/// Formats a duration the way [`parse_duration`] reads it, for messages.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if !d.as_micros().is_multiple_of(1000) {
        format!("{}us", d.as_micros())
    } else if !ms.is_multiple_of(1000) || ms == 0 {
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
    fn parses_decimals_and_microseconds() {
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0.25ms"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_duration("500us"), Ok(Duration::from_micros(500)));
        assert_eq!(parse_duration("500\u{b5}s"), Ok(Duration::from_micros(500)));
        assert_eq!(
            parse_duration("500\u{3bc}s"),
            Ok(Duration::from_micros(500))
        );
        assert_eq!(parse_duration("1.5us"), Ok(Duration::from_nanos(1500)));
        assert_eq!(parse_duration("1m0.5s"), Ok(Duration::from_millis(60_500)));
        assert_eq!(parse_duration("0.1h"), Ok(Duration::from_secs(360)));
        assert_eq!(parse_duration("1.0000000001s"), Ok(Duration::from_secs(1)));
        let e = parse_duration("8784.5h").unwrap_err();
        assert!(e.contains("longest duration"), "{e}");
        for bad in [
            ".5s", "1.s", "1..5s", "1.5.5s", "1,5s", "5 us", "500u", "1.5",
        ] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains("us, ms, s, m, h"), "{bad}: {e}");
        }
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
        for bad in [
            "",
            "30",
            "-5s",
            "5 s",
            "s",
            "10x",
            "1m30",
            "ms5",
            "99999999999999999999999h",
        ] {
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
            Duration::from_micros(500),
            Duration::from_micros(1500),
        ] {
            assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
    }
}
