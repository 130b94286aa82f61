//! `imapload compare BASELINE CURRENT`: the CI regression gate.
//!
//! Two results directories are joined row by row on path x server x backend x
//! command from their `summary.csv`, and one latency metric (the *corrected*
//! one, the same latency the monitors judge) is compared. A pipeline fails on
//! exit code 4, so the rules are deliberately conservative about what counts:
//!
//! - a row is judged only when both sides have at least `min_samples`
//!   commands; a p99 of 30 samples is one outlier and would make CI flaky, so
//!   such rows are flagged ([`Verdict::TooFewSamples`]) but never fail a build;
//! - errors appearing on a row that had none fail the build even when latency
//!   is fine, because errors are never mixed into latency percentiles and a
//!   faster-but-failing server must not pass;
//! - rows present on one side only are reported, not judged: they come from a
//!   changed scenario or topology, which `compare` warns about separately.
//!
//! Reading lives in [`input`], the tables in [`render`].

mod html;
pub mod input;
mod json;
mod metric;
pub mod noise;
pub mod render;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use crate::error::{Failure, InputError};

pub use metric::Metric;

pub use input::RunInfo;
pub use render::render;

use crate::error::EXIT_REGRESSION;
use crate::results::RowLabels;

/// Output format: a terminal table, or GitHub-flavoured markdown for a PR
/// comment or `$GITHUB_STEP_SUMMARY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned plain-text columns.
    Text,
    /// A GitHub-flavoured markdown table.
    Markdown,
    /// One JSON document ([`crate::results::compare::CompareDoc`]).
    Json,
    /// A self-contained HTML page: the two runs side by side, regressions marked.
    Html,
}

/// Parses `--format text|markdown|json` (`md` accepted).
impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            other => Err(format!(
                "unknown format '{other}'; allowed: text, markdown, json, html"
            )),
        }
    }
}

/// Parses `--max-regression`: `"10%"` or `"10"` both mean 10 percent. Must be
/// a finite number >= 0, so a typo cannot silently disable the gate.
pub fn parse_max_regression(s: &str) -> Result<f64, InputError> {
    let t = s.trim();
    let num = t.strip_suffix('%').unwrap_or(t).trim();
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(InputError::new(
            "--max-regression",
            format!("'{s}' is not a percentage; give e.g. 10% or 10 (>= 0)"),
        )),
    }
}

/// How `compare` judges; [`Default`] is what the CLI uses without flags.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareOptions {
    /// A row regressed when its metric grew by more than this many percent.
    pub max_regression_pct: f64,
    /// The latency statistic compared.
    pub metric: Metric,
    /// Both sides need at least this many commands on a row for it to be
    /// judged; `None`: enough that 10 commands lie beyond the percentile
    /// (n >= 10 / (1 - q): 1,000 for p99, 100 for p90), else the p99 of a row
    /// rests on two or three commands and any hiccup moves it.
    pub min_samples: Option<u64>,
    /// Changes smaller than this (µs) are never regressions: sub-millisecond rows
    /// (greeting, NOOP) move with the scheduler, not with the server.
    pub min_delta_us: u64,
    /// Text or markdown output.
    pub format: Format,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            max_regression_pct: 10.0,
            metric: Metric::P99,
            min_samples: None,
            min_delta_us: 1000,
            format: Format::Text,
        }
    }
}

/// One side of a row: what `summary.csv` says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    /// Commands measured (the `count` column).
    pub count: u64,
    /// The compared metric, microseconds of corrected latency.
    pub value_us: u64,
    /// Failed commands (the `errors` column).
    pub errors: u64,
}

/// The outcome for one row. Only [`Verdict::Regression`] and
/// [`Verdict::ErrorsAppeared`] fail the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the allowed change.
    Ok,
    /// The metric grew by more than the allowed percentage.
    Regression,
    /// The metric shrank by more than the allowed percentage.
    Improvement,
    /// Beyond the percentage, but within the quantile's sampling noise or
    /// under the absolute floor: shown, not failed.
    WithinNoise,
    /// A side has fewer than `min_samples` commands: shown, not judged.
    TooFewSamples,
    /// The row exists only in the baseline (not judged).
    OnlyInBaseline,
    /// The row exists only in the current run (not judged).
    OnlyInCurrent,
    /// Errors went from 0 to more than 0 (or a row new in the current run
    /// has errors), however few commands the row has.
    ErrorsAppeared,
}

impl Verdict {
    /// The verdict as `compare --format json` names it.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Regression => "regression",
            Verdict::Improvement => "improvement",
            Verdict::WithinNoise => "within_noise",
            Verdict::TooFewSamples => "too_few_samples",
            Verdict::OnlyInBaseline => "only_in_baseline",
            Verdict::OnlyInCurrent => "only_in_current",
            Verdict::ErrorsAppeared => "errors_appeared",
        }
    }

    /// True for the verdicts that make `compare` exit 4.
    pub fn fails(self) -> bool {
        matches!(self, Verdict::Regression | Verdict::ErrorsAppeared)
    }

    /// True for the verdicts of a row that was actually compared.
    pub fn judged(self) -> bool {
        match self {
            Verdict::Ok
            | Verdict::Regression
            | Verdict::Improvement
            | Verdict::WithinNoise
            | Verdict::ErrorsAppeared => true,
            Verdict::TooFewSamples | Verdict::OnlyInBaseline | Verdict::OnlyInCurrent => false,
        }
    }
}

/// One joined row of the two `summary.csv` files.
#[derive(Debug, Clone, PartialEq)]
pub struct RowComparison {
    /// `cas` or `direct`.
    pub path: String,
    /// The server the row is attributed to.
    pub server: String,
    /// The home back end (the server itself on direct rows).
    pub backend: String,
    /// The command label (`FETCH_BODY`, `LOGIN`, ...).
    pub command: String,
    /// The baseline's figures, if the row exists there.
    pub base: Option<Side>,
    /// The current run's figures, if the row exists there.
    pub current: Option<Side>,
    /// `(current - base) / base * 100` on the metric; also shown for rows with
    /// too few samples, for information.
    pub change_pct: Option<f64>,
    /// The judgement.
    pub verdict: Verdict,
}

/// Percentage change; the baseline is floored at 1 µs so a 0 µs baseline (a
/// sub-microsecond GREETING) gives a finite number instead of infinity.
fn change_pct(base: u64, current: u64) -> f64 {
    (current as f64 - base as f64) / (base.max(1) as f64) * 100.0
}

/// The pessimistic baseline and optimistic current values of the metric
/// (its sampling-noise band edges), when both histograms are known.
pub type Band = Option<(u64, u64)>;

/// Judges one row from its two sides under `opts` (the rules in the module doc).
pub fn judge(
    base: Option<Side>,
    current: Option<Side>,
    band: Band,
    opts: &CompareOptions,
) -> (Option<f64>, Verdict) {
    // Errors first, on every row whatever its size: 0 -> 83 LOGIN errors is
    // never "too few samples".
    let (b, c) = match (base, current) {
        (Some(b), Some(c)) => (b, c),
        (Some(_), None) => return (None, Verdict::OnlyInBaseline),
        (None, Some(c)) if c.errors > 0 => return (None, Verdict::ErrorsAppeared),
        (None, _) => return (None, Verdict::OnlyInCurrent),
    };
    let pct = change_pct(b.value_us, c.value_us);
    let min = opts
        .min_samples
        .unwrap_or_else(|| opts.metric.default_min_samples());
    let verdict = if b.errors == 0 && c.errors > 0 {
        Verdict::ErrorsAppeared
    } else if b.count < min || c.count < min {
        Verdict::TooFewSamples
    } else if pct.abs() > opts.max_regression_pct {
        let delta = c.value_us.abs_diff(b.value_us);
        let beyond_noise = match band {
            Some((base_edge, cur_edge)) if pct > 0.0 => cur_edge > base_edge,
            Some((base_edge, cur_edge)) => cur_edge < base_edge,
            None => true,
        };
        match (delta >= opts.min_delta_us && beyond_noise, pct > 0.0) {
            (false, _) => Verdict::WithinNoise,
            (true, true) => Verdict::Regression,
            (true, false) => Verdict::Improvement,
        }
    } else {
        Verdict::Ok
    };
    (Some(pct), verdict)
}

/// A whole comparison: the rows plus what `run.json` says about each side, so
/// the output can say which scenario and seed were compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Scenario name, seed and outcome of the baseline.
    pub baseline: RunInfo,
    /// Scenario name, seed and outcome of the current run.
    pub current: RunInfo,
    /// Joined rows: baseline order, then rows only in the current run.
    pub rows: Vec<RowComparison>,
}

impl Comparison {
    /// The full output: summary line, the two runs, a warning line when they
    /// are not comparable, then the table.
    pub fn render(&self, opts: &CompareOptions) -> String {
        match opts.format {
            Format::Html => html::render(self, opts),
            _ => render::render_report(self, opts),
        }
    }
}

/// Reads both results directories and joins them; see [`compare`] for the rows
/// only. Errors are [`InputError`]s naming the file at fault (exit 2).
pub fn load(baseline: &Path, current: &Path, opts: &CompareOptions) -> Result<Comparison, Failure> {
    let b = input::read_summary(baseline, opts.metric)?;
    let c = input::read_summary(current, opts.metric)?;
    let hists = (noise::read_hlog(baseline), noise::read_hlog(current));
    let b_index: HashMap<&RowLabels, Side> = b.iter().map(|(k, s)| (k, *s)).collect();
    let c_index: HashMap<&RowLabels, Side> = c.iter().map(|(k, s)| (k, *s)).collect();
    let mut rows = Vec::with_capacity(b.len().max(c.len()));
    for (key, side) in &b {
        let tag = key.tag();
        let band = match (opts.metric.quantile(), &hists) {
            (Some(q), (Some(bh), Some(ch))) => match (bh.get(&tag), ch.get(&tag)) {
                (Some(bh), Some(ch)) => {
                    let up = c_index
                        .get(key)
                        .is_some_and(|c| c.value_us >= side.value_us);
                    // For a rise: baseline high edge vs current low edge; for a fall, the reverse.
                    let sign = if up { 1.0 } else { -1.0 };
                    Some((
                        noise::band_edge(bh, q, sign),
                        noise::band_edge(ch, q, -sign),
                    ))
                }
                _ => None,
            },
            _ => None,
        };
        rows.push(row(key, Some(*side), c_index.get(key).copied(), band, opts));
    }
    for (key, side) in &c {
        if !b_index.contains_key(key) {
            rows.push(row(key, None, Some(*side), None, opts));
        }
    }
    Ok(Comparison {
        baseline: input::read_run_info(baseline),
        current: input::read_run_info(current),
        rows,
    })
}

fn row(
    key: &RowLabels,
    base: Option<Side>,
    current: Option<Side>,
    band: Band,
    opts: &CompareOptions,
) -> RowComparison {
    let (change_pct, verdict) = judge(base, current, band, opts);
    RowComparison {
        path: key.path.clone(),
        server: key.server.clone(),
        backend: key.backend.clone(),
        command: key.command.clone(),
        base,
        current,
        change_pct,
        verdict,
    }
}

/// Reads `summary.csv` of both results directories (the columns of
/// `docs/design.md`, "Results directory") and
/// joins them on path x server x backend x command.
pub fn compare(
    baseline: &Path,
    current: &Path,
    opts: &CompareOptions,
) -> Result<Vec<RowComparison>, Failure> {
    load(baseline, current, opts).map(|c| c.rows)
}

/// 4 when any row regressed or had errors appear, else 0.
pub fn exit_code(rows: &[RowComparison]) -> i32 {
    if rows.iter().any(|r| r.verdict.fails()) {
        EXIT_REGRESSION
    } else {
        0
    }
}

/// Runs `imapload compare`: prints the report in `opts.format` and returns the
/// exit code, the shape `cli.rs` wires for every command.
pub fn command(baseline: &Path, current: &Path, opts: &CompareOptions) -> Result<i32, Failure> {
    let c = load(baseline, current, opts)?;
    let mut code = exit_code(&c.rows);
    let nothing_compared = code == 0 && !c.rows.iter().any(|r| r.verdict.judged());
    if nothing_compared {
        code = EXIT_NOTHING_COMPARED;
    }
    match opts.format {
        Format::Json => println!("{}", json::render(&c, opts, code)),
        _ => print!("{}", c.render(opts)),
    }
    if nothing_compared {
        eprintln!(
            "imapload: nothing could be compared: no row has enough commands on both sides \
             (lower --min-samples, or run longer)"
        );
        return Ok(EXIT_NOTHING_COMPARED);
    }
    Ok(code)
}

/// Exit code of a comparison in which no row could be judged: a gate that
/// compared nothing has not passed.
pub const EXIT_NOTHING_COMPARED: i32 = 1;
