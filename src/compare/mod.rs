//! `imapload compare BASELINE... [--] CURRENT...`: the CI regression gate.
//!
//! Each side is one or more results directories of one scenario; their rows
//! are joined on path x server x backend x command from `summary.csv`, and
//! each row's corrected latency (the latency the monitors judge) is compared
//! on the whole-run histograms of `latency.hlog`, which hold every sample. A
//! pipeline fails on exit code 4, so every row is judged with the statistics
//! its size supports ([`judge`]): the highest percentile it can estimate, a
//! test at that percentile whose p-values are adjusted over all rows (Holm),
//! the `--max-regression` and `--min-delta` floors, and, with repeated runs,
//! agreement between the runs. A slow back end serving fewer commands is
//! judged at p90 or p50, never set aside for being small:
//!
//! - errors appearing on a row that had none fail the build even when latency
//!   is fine, because errors are never mixed into latency percentiles and a
//!   faster-but-failing server must not pass;
//! - only a row with fewer than 20 latencies on a side
//!   ([`Verdict::TooFewSamples`]) is left unjudged;
//! - rows present on one side only are reported, not judged: they come from a
//!   changed scenario or topology, which `compare` warns about separately.
//!
//! Reading lives in [`input`] and [`hlog`], the tests in [`stats`], the tables
//! in [`render`].

mod html;
pub mod input;
mod json;
pub mod judge;
mod metric;
pub mod render;
pub mod stats;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_rule;
#[cfg(test)]
mod tests_stats;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
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
    /// The highest latency statistic judged; a row too small for it is
    /// judged at the highest percentile below it that it supports.
    pub metric: Metric,
    /// Both sides need at least this many latencies on a row for it to be
    /// judged at all; `None`: 20 ([`judge::FLOOR`], what p50 needs).
    pub min_samples: Option<u64>,
    /// Significance level of the whole comparison: the chance that any row
    /// of two runs of one distribution is called changed (Holm-adjusted).
    pub alpha: f64,
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
            // Measured (docs/ci-regression.md, "Noise"): the p99 of one 10 s
            // run moves by 20-46% between twins on a busy 2-core machine, p90
            // by under 10%; a 2x slower back end moves p90 far more.
            metric: Metric::P90,
            min_samples: None,
            alpha: 0.05,
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
    /// The judged statistic of the pooled histogram, µs of corrected latency.
    pub value_us: u64,
    /// Failed commands (the `errors` column).
    pub errors: u64,
    /// Latencies in the histograms (the successful commands), all runs.
    pub samples: u64,
    /// Runs pooled on this side.
    pub runs: usize,
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
    /// Beyond the percentage, but not significant, under the absolute floor
    /// or not agreed by the runs: shown, not failed.
    WithinNoise,
    /// A side has fewer than 20 latencies (or `--min-samples`): no
    /// percentile can be estimated, shown, not judged.
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
    /// `(current - base) / base * 100` on the statistic; also shown for rows
    /// with too few samples, for information.
    pub change_pct: Option<f64>,
    /// The statistic the values are of: the one judged, or for rows not
    /// judged the lowest the metric falls back to.
    pub stat: Option<Metric>,
    /// The test's one-sided p-value in the direction of the change,
    /// Holm-adjusted over every row tested (`None`: not tested).
    pub p_value: Option<f64>,
    /// The same before adjustment.
    pub p_raw: Option<f64>,
    /// The per-run figures' rank test, with 3 or more runs a side.
    pub runs_p: Option<f64>,
    /// The baseline runs' figures of the statistic, µs.
    pub base_runs_us: Vec<u64>,
    /// The current runs' figures, µs.
    pub current_runs_us: Vec<u64>,
    /// Why a change beyond the percentage is only noise.
    pub why: Option<&'static str>,
    /// The judgement.
    pub verdict: Verdict,
}

impl RowComparison {
    /// A row of `labels` not judged yet.
    pub fn new(labels: RowLabels, base: Option<Side>, current: Option<Side>) -> Self {
        RowComparison {
            path: labels.path,
            server: labels.server,
            backend: labels.backend,
            command: labels.command,
            base,
            current,
            change_pct: None,
            stat: None,
            p_value: None,
            p_raw: None,
            runs_p: None,
            base_runs_us: Vec::new(),
            current_runs_us: Vec::new(),
            why: None,
            verdict: Verdict::TooFewSamples,
        }
    }
}

/// A whole comparison: the rows plus what `run.json` says about each side, so
/// the output can say which scenario and seed were compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Scenario name, seed and outcome of each baseline run.
    pub baseline: Vec<RunInfo>,
    /// Scenario name, seed and outcome of each current run.
    pub current: Vec<RunInfo>,
    /// Joined rows: baseline order, then rows only in the current runs.
    pub rows: Vec<RowComparison>,
    /// What was read with a problem but not refused (a cut-short last line of
    /// a killed run, a log holding fewer latencies than `summary.csv` counts).
    pub notes: Vec<String>,
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

/// Reads both results directories and joins them; see [`load_runs`].
pub fn load(baseline: &Path, current: &Path, opts: &CompareOptions) -> Result<Comparison, Failure> {
    load_runs(&[baseline.to_path_buf()], &[current.to_path_buf()], opts)
}

/// Reads every run of both sides, pools each side and judges every row
/// ([`judge::judge_rows`]). Errors are [`InputError`]s naming the file at
/// fault, and its line and column (exit 2).
pub fn load_runs(
    baseline: &[PathBuf],
    current: &[PathBuf],
    opts: &CompareOptions,
) -> Result<Comparison, Failure> {
    let b = input::read_side(baseline, opts.metric)?;
    let c = input::read_side(current, opts.metric)?;
    let c_index: HashMap<&RowLabels, &input::RowSide> =
        c.rows.iter().map(|(k, s)| (k, s)).collect();
    let b_index: HashMap<&RowLabels, &input::RowSide> =
        b.rows.iter().map(|(k, s)| (k, s)).collect();
    let joined = b
        .rows
        .iter()
        .map(|(k, s)| (k.clone(), Some(s), c_index.get(k).copied()))
        .chain(
            c.rows
                .iter()
                .filter(|(k, _)| !b_index.contains_key(k))
                .map(|(k, s)| (k.clone(), None, Some(s))),
        )
        .collect();
    let rows = judge::judge_rows(joined, opts);
    Ok(Comparison {
        baseline: b.infos,
        current: c.infos,
        rows,
        notes: b.notes.into_iter().chain(c.notes).collect(),
    })
}

/// Reads `summary.csv` and `latency.hlog` of both results directories (the
/// files of `docs/design.md`, "Results directory") and judges them row by
/// row on path x server x backend x command.
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
pub fn command(
    baseline: &[PathBuf],
    current: &[PathBuf],
    opts: &CompareOptions,
) -> Result<i32, Failure> {
    let c = load_runs(baseline, current, opts)?;
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
            "imapload: nothing could be compared: no row has enough latencies on both sides \
             (20, or --min-samples; run longer)"
        );
        return Ok(EXIT_NOTHING_COMPARED);
    }
    Ok(code)
}

/// Exit code of a comparison in which no row could be judged: a gate that
/// compared nothing has not passed.
pub const EXIT_NOTHING_COMPARED: i32 = 1;
