//! `capacity.json` and `capacity.csv`: what `imapload capacity` found, one
//! document for the search (bounds, first failure, knee, per server), its
//! trials, and the capacity model with its predictions.

use serde::{Deserialize, Serialize};

/// `capacity.json`'s file name.
pub const CAPACITY_JSON: &str = "capacity.json";
/// `capacity.csv`'s file name (one row per trial).
pub const CAPACITY_CSV: &str = "capacity.csv";
/// `capacity.csv`'s header.
pub const CSV_HEADER: &str =
    "trial,load,kind,duration_s,result,commands_per_s,mean_ms,p99_ms,concurrency,errors,failed,dir";

/// The whole of `capacity.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CapacityRecord {
    /// Scenario name.
    pub scenario: String,
    /// What the load counts: `sessions`, `rate` or `users`.
    pub by: String,
    /// The load's unit (`sessions`, `arrivals/s`).
    pub unit: String,
    /// The search's settings.
    pub search: SearchDoc,
    /// How the search ended: `bound_found`, `min_fails`, `no_failure_up_to_max`,
    /// `generator_limited`, `trial_limit`, `interrupted`.
    pub outcome: String,
    /// Largest load that passed below the upper bound (`null`: none).
    pub lower_bound: Option<f64>,
    /// Whether the lower bound passed its longer confirmation trial.
    pub lower_bound_confirmed: bool,
    /// Smallest load that failed (`null`: none failed).
    pub upper_bound: Option<f64>,
    /// Smallest load the generator could not hold (`null`: none).
    pub generator_ceiling: Option<f64>,
    /// What failed at the upper bound, and on which server.
    pub first_failure: Option<FailureDoc>,
    /// Where latency turns up (Kneedle on mean latency against load).
    pub knee: Option<KneeDoc>,
    /// A stated share of the lower bound, to plan with.
    pub operating_point: Option<OperatingPoint>,
    /// Per server: where it gave out, or the load it held.
    pub servers: Vec<ServerCapacity>,
    /// Every trial, in order.
    pub trials: Vec<TrialDoc>,
    /// The capacity model fitted on the trials (`null`: too few points).
    pub model: Option<ModelDoc>,
    /// `--predict`'s loads.
    pub predictions: Vec<Prediction>,
}

/// The search's settings, as used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchDoc {
    /// `--min`.
    pub min: f64,
    /// `--max`.
    pub max: f64,
    /// `--precision`: the relative width the bounds are narrowed to.
    pub precision: f64,
    /// Measured length of a trial, seconds (warm-up left out).
    pub trial_s: f64,
    /// The warm-up before each trial's measured time, seconds.
    pub warmup_s: f64,
    /// Idle time between trials, seconds (servers are not restarted).
    pub idle_gap_s: f64,
    /// Measured length of the confirmation trial, seconds (0: none).
    pub confirm_s: f64,
    /// Share of trial time that may fail at a lower bound (RFC 9971's Goal Exceed Ratio).
    pub exceed_ratio: f64,
    /// The most trials the search runs.
    pub max_trials: usize,
}

/// One trial.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrialDoc {
    /// 1-based trial number.
    pub trial: usize,
    /// The load held.
    pub load: f64,
    /// `search`, `retest` or `confirm`.
    pub kind: String,
    /// Measured length, seconds.
    pub duration_s: f64,
    /// `passed`, `failed` or `invalid`.
    pub result: String,
    /// Commands per second over the trial.
    pub commands_per_s: f64,
    /// Mean latency of every command, ms.
    pub mean_ms: f64,
    /// The worst command row's p99, ms.
    pub p99_ms: f64,
    /// Commands in flight by Little's law (commands/s x mean latency).
    pub concurrency: f64,
    /// Failed commands.
    pub errors: u64,
    /// What failed (thresholds, gates, monitors), one line each.
    pub failed: Vec<String>,
    /// Why the trial is invalid (the generator could not hold the load).
    pub invalid: Option<String>,
    /// The trial's own results directory, relative to this one.
    pub dir: String,
    /// Per server figures.
    pub servers: Vec<ServerFigures>,
}

/// One server's figures in one trial.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerFigures {
    /// Server name.
    pub server: String,
    /// Commands per second it counted.
    pub commands_per_s: f64,
    /// Mean latency, ms.
    pub mean_ms: f64,
    /// Its worst row's p99, ms.
    pub p99_ms: f64,
    /// Whether this trial's failure is laid at this server.
    pub blamed: bool,
}

/// What failed at the upper bound.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FailureDoc {
    /// `threshold`, `gate` or `monitor`.
    pub kind: String,
    /// The expression or monitor name.
    pub name: String,
    /// The server it failed on (for a threshold over several servers: the worst one).
    pub server: Option<String>,
    /// The measured value, as shown.
    pub measured: String,
}

/// The knee of the latency curve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KneeDoc {
    /// The load at the knee.
    pub load: f64,
    /// Commands per second there.
    pub commands_per_s: f64,
    /// Mean latency there, ms.
    pub mean_ms: f64,
    /// How it was found.
    pub method: String,
}

/// The load to plan with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OperatingPoint {
    /// The share of the lower bound.
    pub share: f64,
    /// The load.
    pub load: f64,
}

/// One server's capacity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerCapacity {
    /// Server name.
    pub server: String,
    /// The smallest load whose failure is laid at this server (`null`: never).
    pub gave_out_at: Option<f64>,
    /// The largest load it held (not blamed, below where it gave out).
    pub held: Option<f64>,
    /// Whether it gave out first.
    pub first: bool,
}

/// The fitted capacity model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelDoc {
    /// `usl`: the Universal Scalability Law on throughput against concurrency.
    pub kind: String,
    /// λ: commands per second at concurrency 1.
    pub lambda: f64,
    /// σ: contention, in [0, 1].
    pub sigma: f64,
    /// κ: coherency, in [0, 1].
    pub kappa: f64,
    /// Client time per command between commands, ms (a session's cycle minus its latency).
    pub think_ms: f64,
    /// Trials the model was fitted on.
    pub points: usize,
    /// Concurrency of the highest throughput (`null` when κ is 0).
    pub n_max: Option<f64>,
    /// The highest throughput the model allows.
    pub x_max: f64,
    /// The held-out check: fitted without the highest passing trial.
    pub held_out: Option<HeldOut>,
    /// The extrapolation check: fitted without the highest load measured
    /// (when it is above the highest passing one), predicted there.
    pub held_out_highest: Option<HeldOut>,
    /// The largest load measured: predictions above it are extrapolations.
    pub measured_up_to: f64,
    /// The mean value analysis of the closed network (`null`: an open search, or too few trials).
    pub mva: Option<MvaDoc>,
    /// The model the predictions come from (`usl` or `mva`): the one with
    /// the smaller error on its held-out checks.
    pub predicted_by: String,
    /// Caveats, one line each.
    pub notes: Vec<String>,
    /// The predicting model's curve from the smallest load tried to the
    /// largest load measured or predicted, for the report.
    pub curve: Vec<CurvePoint>,
}

/// One point of the model's curve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CurvePoint {
    /// The load.
    pub load: f64,
    /// Predicted commands per second.
    pub commands_per_s: f64,
    /// Predicted mean latency, ms (`null`: without bound).
    pub mean_ms: Option<f64>,
}

/// The closed network's mean value analysis.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MvaDoc {
    /// Demand per command at the servers, ms (the least loaded trial's mean latency).
    pub demand_ms: f64,
    /// Parallel workers of the station, fitted.
    pub servers: f64,
    /// Client time per command between commands, ms.
    pub think_ms: f64,
    /// Its held-out check, as the USL's.
    pub held_out: Option<HeldOut>,
    /// Its extrapolation check, as the USL's.
    pub held_out_highest: Option<HeldOut>,
}

/// The model's error on the trial it was not fitted on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeldOut {
    /// The held-out trial's load.
    pub load: f64,
    /// Measured commands per second.
    pub measured_commands_per_s: f64,
    /// Predicted commands per second.
    pub predicted_commands_per_s: f64,
    /// Measured mean latency, ms.
    pub measured_mean_ms: f64,
    /// Predicted mean latency, ms.
    pub predicted_mean_ms: f64,
    /// Relative error of the throughput.
    pub throughput_error: f64,
    /// Relative error of the mean latency.
    pub latency_error: f64,
}

/// One `--predict` load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prediction {
    /// The load.
    pub load: f64,
    /// Predicted commands per second.
    pub commands_per_s: f64,
    /// Predicted mean latency, ms (`null`: past the model's peak, queues grow without bound).
    pub mean_ms: Option<f64>,
    /// Predicted commands in flight at the servers (Little's law; `null`: without bound).
    pub queue: Option<f64>,
    /// The Exchange monitors whose thresholds the prediction crosses.
    pub monitors_firing: Vec<String>,
    /// The model's stated relative error (the held-out error; `null` when unknown).
    pub error: Option<f64>,
    /// Above the largest load measured: an extrapolation.
    pub beyond_measured: bool,
}

/// Quotes a CSV cell when it needs it.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl TrialDoc {
    /// The trial's `capacity.csv` row (no line end).
    pub fn csv_row(&self) -> String {
        let failed = self.failed.join("; ");
        let failed = match &self.invalid {
            Some(why) if failed.is_empty() => why.clone(),
            _ => failed,
        };
        format!(
            "{},{},{},{:.3},{},{:.3},{:.3},{:.3},{:.3},{},{},{}",
            self.trial,
            self.load,
            self.kind,
            self.duration_s,
            self.result,
            self.commands_per_s,
            self.mean_ms,
            self.p99_ms,
            self.concurrency,
            self.errors,
            cell(&failed),
            cell(&self.dir)
        )
    }
}

/// `capacity.csv`'s text: the header and one row per trial.
pub fn csv(trials: &[TrialDoc]) -> String {
    let mut s = format!("{CSV_HEADER}\n");
    for t in trials {
        s.push_str(&t.csv_row());
        s.push('\n');
    }
    s
}

/// Reads `dir/capacity.json`.
pub fn read(dir: &std::path::Path) -> Result<CapacityRecord, crate::error::InputError> {
    let file = dir.join(CAPACITY_JSON);
    let bytes = std::fs::read(&file).map_err(|e| {
        crate::error::InputError::at(&file, None, None, format!("cannot read ({e})"))
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        crate::error::InputError::at(&file, None, None, format!("not a valid capacity.json: {e}"))
    })
}
