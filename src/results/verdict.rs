//! `run.json` `verdict`: the overall verdict of a run (thresholds and error
//! gates), as judged and as saved.

use serde::{Deserialize, Serialize};

use super::Window;

/// Where a threshold came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A default error gate (`[thresholds] max_error_rate` /
    /// `max_session_failure_rate`), replaced by a scenario or flag threshold
    /// on the same metric over every row.
    Gate,
    /// The scenario's `[thresholds] checks`.
    Scenario,
    /// `--threshold` on the command line.
    Flag,
}

/// One threshold judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    /// The expression as written.
    pub expression: String,
    /// Where it came from.
    pub origin: Origin,
    /// The measured value in the metric's base unit (fraction, µs, per second,
    /// count); `null` when there was nothing to measure.
    pub measured: Option<f64>,
    /// The measured value as users write it (`0.42%`, `612.3ms`), or `no data`.
    pub shown: String,
    /// Whether it held.
    pub passed: bool,
}

/// The overall verdict of a run, as `run.json` `verdict` records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether the run passed.
    pub passed: bool,
    /// Why it failed, one line each (empty when it passed).
    pub reasons: Vec<String>,
    /// Every threshold judged, gates first.
    pub thresholds: Vec<ThresholdResult>,
    /// The steady window the thresholds were judged on.
    pub window: Window,
    /// When `abort_on_fail` stopped the run: seconds since the start and the
    /// threshold that stopped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aborted: Option<Aborted>,
}

/// A run stopped early by a crossed threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aborted {
    /// Seconds since the start.
    pub at_s: f64,
    /// The threshold that was crossed.
    pub expression: String,
}

impl Verdict {
    /// Marks the verdict failed by `abort_on_fail`'s crossing, first among the reasons.
    pub fn stopped_by(&mut self, a: Aborted) {
        self.passed = false;
        self.reasons.insert(
            0,
            format!("stopped at {:.1} s: {} was crossed", a.at_s, a.expression),
        );
        self.aborted = Some(a);
    }
}
