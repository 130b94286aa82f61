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
    /// The latency statistic compared (`p99`, `mean`, ...).
    pub metric: String,
    /// Largest allowed growth, percent.
    pub max_regression_pct: f64,
    /// Changes smaller than this are never regressions, µs.
    pub min_delta_us: u64,
    /// Fewest commands a row needs on both sides to be judged.
    pub min_samples: u64,
    /// Rows that regressed.
    pub regressions: usize,
    /// Rows whose errors went from none to some.
    pub errors_appeared: usize,
    /// Rows judged.
    pub compared: usize,
    /// The baseline run.
    pub baseline: CompareRunDoc,
    /// The run judged.
    pub current: CompareRunDoc,
    /// Why the two runs may not be comparable (other scenario, seed, ...).
    pub warning: Option<String>,
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
    /// Change of the metric, percent.
    pub change_pct: Option<f64>,
    /// `ok`, `regression`, `improvement`, `within_noise`, `too_few_samples`,
    /// `only_in_baseline`, `only_in_current` or `errors_appeared`.
    pub verdict: String,
    /// Whether this row fails the comparison.
    pub fails: bool,
}

/// One side of a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareSideDoc {
    /// Commands measured.
    pub count: u64,
    /// The metric, µs of corrected latency.
    pub value_us: u64,
    /// Failed commands.
    pub errors: u64,
}
