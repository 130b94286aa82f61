//! The flags of `imapload capacity`: `run`'s flags (the scenario's
//! overrides, `--fail-on`) plus the search's own. The load, the duration
//! and the shard are the search's to set, so `--sessions`, `--rate`,
//! `--duration` and `--shard` are refused here.

use std::path::PathBuf;
use std::time::Duration;

use super::flags::FailOnFlag;
use super::run::OverrideFlags;
use crate::capacity::{By, CapacityOptions};
use crate::error::{Failure, InputError};

/// What the load counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ByFlag {
    /// Concurrent sessions (closed model).
    Sessions,
    /// Session arrivals per second (open model).
    Rate,
    /// Users of the scenario's population (sessions until personas exist).
    Users,
}

/// Flags of `imapload capacity`.
#[derive(Debug, clap::Args)]
pub struct CapacityArgs {
    /// Scenario file (TOML). Without it, the built-in scenarios/quickstart.toml.
    pub scenario: Option<PathBuf>,
    /// Flags that override the scenario (`--out` is the search's results directory).
    #[command(flatten)]
    pub overrides: OverrideFlags,
    /// Whether an Unhealthy monitor fails a trial.
    #[command(flatten)]
    pub fail_on: FailOnFlag,
    /// What the load counts: sessions (closed), rate (arrivals/s, open) or users.
    #[arg(long, value_enum, default_value = "sessions")]
    pub by: ByFlag,
    /// The first load tried.
    #[arg(long, default_value_t = 1.0)]
    pub min: f64,
    /// The largest load tried.
    #[arg(long, default_value_t = 10_000.0)]
    pub max: f64,
    /// How close the bounds must come: the upper within this much of the lower, e.g. 10%.
    #[arg(long, default_value = "10%")]
    pub precision: String,
    /// Measured length of each trial (the scenario's warm-up comes on top), e.g. 30s.
    #[arg(long, default_value = "30s")]
    pub trial: String,
    /// Measured length of the longer trial that confirms the answer (0: none).
    #[arg(long, default_value = "60s")]
    pub confirm: String,
    /// Idle time between trials (servers are not restarted).
    #[arg(long, default_value = "5s")]
    pub idle: String,
    /// The most trials the search runs.
    #[arg(long, default_value_t = 30)]
    pub max_trials: usize,
    /// Loads to predict throughput, latency and queue at from the capacity model, e.g. 200,400.
    #[arg(long, value_name = "LOAD[,LOAD...]", value_delimiter = ',')]
    pub predict: Vec<f64>,
}

/// The flags `run` has and the search sets itself.
const REFUSED: [&str; 4] = ["sessions", "rate", "duration", "shard"];

/// `capacity` without `run`'s flags that the search sets itself in its
/// help (they are still parsed, and refused with a message saying why).
pub fn hide_refused(cmd: clap::Command) -> clap::Command {
    REFUSED
        .iter()
        .fold(cmd, |c, id| c.mut_arg(*id, |a| a.hide(true)))
}

fn duration(key: &str, text: &str, zero_ok: bool) -> Result<Duration, InputError> {
    if zero_ok && text.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    match crate::plan::parse_duration(text) {
        Ok(d) if d.is_zero() && !zero_ok => Err(InputError::new(key, "must be more than zero")),
        Ok(d) => Ok(d),
        Err(e) => Err(InputError::new(key, e)),
    }
}

/// `10%` or `0.1`: a relative width in (0, 1].
fn precision(text: &str) -> Result<f64, InputError> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    };
    match value {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(InputError::new(
            "--precision",
            format!(
                "`{text}`: expected a relative width such as 10% or 0.1, above 0 and at most 100%"
            ),
        )),
    }
}

impl CapacityArgs {
    /// Checks the search's flags; the scenario file, the overrides and the
    /// search's options.
    pub fn into_parts(
        self,
    ) -> Result<(Option<PathBuf>, crate::plan::Overrides, CapacityOptions), Failure> {
        let o = &self.overrides;
        let refused = [
            ("--sessions", o.sessions.is_some()),
            ("--rate", o.rate.is_some()),
            ("--duration", o.duration.is_some()),
            ("--shard", o.shard.is_some()),
        ];
        if let Some((flag, _)) = refused.iter().find(|(_, given)| *given) {
            let msg =
                "the search sets it for each trial: give --by, --min, --max and --trial instead";
            return Err(InputError::new(*flag, msg).into());
        }
        let finite = |key: &str, v: f64| match v.is_finite() && v > 0.0 {
            true => Ok(v),
            false => Err(InputError::new(
                key,
                format!("{v} must be a number above 0"),
            )),
        };
        let (min, max) = (finite("--min", self.min)?, finite("--max", self.max)?);
        if max < min {
            return Err(InputError::new("--max", format!("{max} is below --min {min}")).into());
        }
        let predict = (self.predict.iter())
            .map(|&p| finite("--predict", p))
            .collect::<Result<Vec<f64>, _>>()?;
        if self.max_trials == 0 {
            return Err(InputError::new("--max-trials", "must be at least 1").into());
        }
        let by = match self.by {
            ByFlag::Sessions => By::Sessions,
            ByFlag::Rate => By::Rate,
            ByFlag::Users => By::Users,
        };
        let opts = CapacityOptions {
            by,
            min,
            max,
            precision: precision(&self.precision)?,
            trial: duration("--trial", &self.trial, false)?,
            confirm: duration("--confirm", &self.confirm, true)?,
            idle: duration("--idle", &self.idle, true)?,
            max_trials: self.max_trials,
            predict,
            fail_on: self.fail_on.fail_on,
            operating_share: 0.8,
        };
        Ok((self.scenario, self.overrides.into(), opts))
    }
}
