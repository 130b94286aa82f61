//! `imapload compare --format json`: the comparison as one JSON document on
//! stdout, for pipelines that act on it (a bot comment, a dashboard) without
//! scraping the text table. The text and markdown outputs say the same.

use serde::{Deserialize, Serialize};

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareDoc {
    /// What `compare` exits with: 0 passed, 4 a regression or new errors,
    /// 1 nothing could be compared.
    pub exit_code: i32,
    /// The summary line the text output starts with.
    pub summary: String,
    /// The highest latency statistic judged (`p99`, `mean`, ...); each row
    /// says the one it was judged at (`stat`).
    pub metric: String,
    /// Significance level of the whole comparison.
    #[serde(default)]
    pub alpha: f64,
    /// How the rows' p-values are adjusted for judging many rows at once
    /// (`holm`).
    #[serde(default)]
    pub correction: String,
    /// Largest allowed growth, percent.
    pub max_regression_pct: f64,
    /// Changes smaller than this are never regressions, µs.
    pub min_delta_us: u64,
    /// Fewest latencies a row needs on both sides to be judged at all.
    pub min_samples: u64,
    /// Rows that regressed.
    pub regressions: usize,
    /// Rows whose errors went from none to some.
    pub errors_appeared: usize,
    /// Rows judged.
    pub compared: usize,
    /// The (first) baseline run.
    pub baseline: CompareRunDoc,
    /// The (first) run judged.
    pub current: CompareRunDoc,
    /// Every baseline run, pooled.
    #[serde(default)]
    pub baseline_runs: Vec<CompareRunDoc>,
    /// Every current run, pooled.
    #[serde(default)]
    pub current_runs: Vec<CompareRunDoc>,
    /// Why the two runs may not be comparable (other scenario, seed, ...).
    pub warning: Option<String>,
    /// What was read with a problem but not refused (a cut-short last line
    /// of a killed run, a log disagreeing with `summary.csv`).
    #[serde(default)]
    pub notes: Vec<String>,
    /// One entry per path x server x back end x command of either run.
    pub rows: Vec<CompareRowDoc>,
}

/// One side's run, as its `run.json` names it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareRunDoc {
    /// The results directory as given.
    pub dir: String,
    /// The scenario's name.
    pub scenario: Option<String>,
    /// The seed.
    pub seed: Option<u64>,
    /// `completed`, `partial`, ...
    pub outcome: Option<String>,
    /// Why the above are missing (an unreadable `run.json`).
    pub problem: Option<String>,
}

/// One joined row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareRowDoc {
    /// `cas` or `direct`.
    pub path: String,
    /// The server the row counts toward.
    pub server: String,
    /// The home back end.
    pub backend: String,
    /// The command label.
    pub command: String,
    /// The baseline's figures (absent: the row is only in the current run).
    pub baseline: Option<CompareSideDoc>,
    /// The current figures (absent: the row is only in the baseline).
    pub current: Option<CompareSideDoc>,
    /// The statistic judged (`p99`, `p90`, `p50`, `mean`): the highest the
    /// row's size supports.
    #[serde(default)]
    pub stat: Option<String>,
    /// Change of the statistic, percent.
    pub change_pct: Option<f64>,
    /// The test's one-sided p-value in the direction of the change,
    /// Holm-adjusted over every row tested (absent: not tested).
    #[serde(default)]
    pub p_value: Option<f64>,
    /// The same p-value before the adjustment.
    #[serde(default)]
    pub p_raw: Option<f64>,
    /// The per-run figures' rank test (3 or more runs a side).
    #[serde(default)]
    pub runs_p_value: Option<f64>,
    /// Why a change beyond the percentage is only noise.
    #[serde(default)]
    pub why: Option<String>,
    /// `ok`, `regression`, `improvement`, `within_noise`, `too_few_samples`,
    /// `only_in_baseline`, `only_in_current` or `errors_appeared`.
    pub verdict: String,
    /// Whether this row fails the comparison.
    pub fails: bool,
}

/// One side of a row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareSideDoc {
    /// Commands measured, all runs of the side.
    pub count: u64,
    /// The statistic judged, µs of corrected latency, of the pooled runs.
    pub value_us: u64,
    /// Failed commands.
    pub errors: u64,
    /// Latencies the test had (the successful commands), all runs.
    #[serde(default)]
    pub samples: u64,
    /// The statistic of each run, µs.
    #[serde(default)]
    pub runs_value_us: Vec<u64>,
}
