//! Checks shared by every section: bounded integers, durations, one-of choices.
//!
//! Each takes the raw spanned field and its dotted key, returns the default
//! when the key is absent, and otherwise an error at the field's line that
//! says what is allowed. Keeping them in one place keeps the messages uniform.

use std::time::Duration;

use toml::Spanned;

use super::duration::parse_duration;
use super::scenario::Opt;
use super::span::Ctx;
use crate::error::InputError;

/// Zero durations: allowed (`ramp_up`) or not (`duration`, timeouts).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Zero {
    /// `0s` is a valid value.
    Allowed,
    /// `0s` is an error.
    Rejected,
}

impl Ctx<'_> {
    /// An integer in `min..=max`, or `default` when absent.
    pub fn int(
        &self,
        field: &Opt<i64>,
        key: &str,
        min: i64,
        max: i64,
        default: i64,
    ) -> Result<i64, InputError> {
        match field {
            None => Ok(default),
            Some(v) => self.int_value(v, key, min, max),
        }
    }

    /// A present integer in `min..=max`.
    pub fn int_value(
        &self,
        v: &Spanned<i64>,
        key: &str,
        min: i64,
        max: i64,
    ) -> Result<i64, InputError> {
        let n = *v.get_ref();
        if (min..=max).contains(&n) {
            return Ok(n);
        }
        let allowed = if max == i64::MAX {
            format!("an integer >= {min}")
        } else {
            format!("an integer from {min} to {max}")
        };
        Err(self.at(
            v.span(),
            key,
            format!("{n} is out of range; expected {allowed}"),
        ))
    }

    /// A duration, or `default` when absent.
    pub fn dur(
        &self,
        field: &Opt<String>,
        key: &str,
        zero: Zero,
        default: Duration,
    ) -> Result<Duration, InputError> {
        match field {
            None => Ok(default),
            Some(v) => self.dur_value(v, key, zero),
        }
    }

    /// A present duration.
    pub fn dur_value(
        &self,
        v: &Spanned<String>,
        key: &str,
        zero: Zero,
    ) -> Result<Duration, InputError> {
        let d = parse_duration(v.get_ref()).map_err(|m| self.at(v.span(), key, m))?;
        if d.is_zero() && zero == Zero::Rejected {
            return Err(self.at(v.span(), key, "must be greater than zero, e.g. \"1s\""));
        }
        Ok(d)
    }

    /// One of `choices` (exact, lower case), mapped to its value; `default` when absent.
    pub fn choice<T: Copy>(
        &self,
        field: &Opt<String>,
        key: &str,
        choices: &[(&str, T)],
        default: T,
    ) -> Result<T, InputError> {
        let Some(v) = field else { return Ok(default) };
        let text = v.get_ref().as_str();
        if let Some((_, t)) = choices
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
        {
            return Ok(*t);
        }
        let names: Vec<String> = choices.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        Err(self.at(
            v.span(),
            key,
            format!("unknown value \"{text}\"; allowed: {}", names.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn int_out_of_range_names_line_and_bounds() {
        let text = "\n\nx = 0";
        let ctx = Ctx::new(Path::new("f.toml"), text);
        let v = Spanned::new(4..5, 0);
        let e = ctx.int_value(&v, "load.sessions", 1, i64::MAX).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert_eq!(e.key.as_deref(), Some("load.sessions"));
        assert!(e.message.contains(">= 1"), "{}", e.message);
        assert_eq!(ctx.int(&None, "k", 1, 5, 3), Ok(3));
    }

    #[test]
    fn zero_durations_follow_policy() {
        let ctx = Ctx::new(Path::new("f.toml"), "x = \"0s\"");
        let v = Some(Spanned::new(4..8, "0s".to_string()));
        assert!(ctx
            .dur(&v, "duration", Zero::Rejected, Duration::ZERO)
            .is_err());
        assert_eq!(
            ctx.dur(&v, "load.ramp_up", Zero::Allowed, Duration::ZERO),
            Ok(Duration::ZERO)
        );
    }

    #[test]
    fn choice_lists_allowed_values() {
        let ctx = Ctx::new(Path::new("f.toml"), "x = \"q\"");
        let v = Some(Spanned::new(4..7, "q".to_string()));
        let e = ctx.choice(&v, "k", &[("a", 1), ("b", 2)], 1).unwrap_err();
        assert!(e.message.contains("\"a\", \"b\""), "{}", e.message);
    }
}
