//! `run.json` checkpoints while the run goes (every few seconds, with
//! `outcome = "running"`), together with the whole files that go with it
//! (`summary.csv`, `errors.csv`, `probes.csv`): a directory left by a killed
//! process reads as it stood at the last checkpoint, its totals matching
//! the time series up to then.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::engine::EngineOutcome;
use crate::metrics::IntervalStore;
use crate::plan::RunPlan;
use crate::plan::ThresholdPlan;
use crate::probe::ProbeAttempt;
use crate::report::results::RunResults;
use crate::report::run_json::PlanRecord;
use crate::results::run::{Outcome, Servers};
use crate::results::ResultsDir;

use super::targets::Started;

/// How often `run.json` is rewritten while the run goes.
pub const EVERY: Duration = Duration::from_secs(5);

/// What a checkpoint writes, besides the store's figures.
pub struct Checkpoint {
    dir: ResultsDir,
    plan: PlanRecord,
    thresholds: ThresholdPlan,
    servers: Servers,
    server_names: Vec<String>,
    started_at: SystemTime,
    probes: Option<Arc<Mutex<Vec<ProbeAttempt>>>>,
    last: Mutex<Duration>,
}

impl Checkpoint {
    /// Checkpoints of a run of `plan` against `started` into `dir`.
    pub fn new(plan: &RunPlan, started: &Started, dir: &ResultsDir) -> Checkpoint {
        Checkpoint {
            dir: dir.clone(),
            plan: PlanRecord::of(plan),
            thresholds: plan.thresholds.clone(),
            servers: started.servers(),
            server_names: started.server_names(),
            started_at: SystemTime::now(),
            probes: None,
            last: Mutex::new(Duration::ZERO),
        }
    }

    /// Also records the probe attempts so far from `log`.
    pub fn with_probes(mut self, log: Option<Arc<Mutex<Vec<ProbeAttempt>>>>) -> Self {
        self.probes = log;
        self
    }

    /// Writes a checkpoint if the last one is [`EVERY`] old at `now`.
    pub fn maybe(&self, store: &IntervalStore, now: Duration) -> anyhow::Result<()> {
        let due = match self.last.lock() {
            Ok(mut last) if now >= *last + EVERY => {
                *last = now;
                true
            }
            _ => false,
        };
        match due {
            true => self.write(store, now),
            false => Ok(()),
        }
    }

    /// Writes the checkpoint: the totals and the time series up to the
    /// latest interval, judged on the window so far.
    pub fn write(&self, store: &IntervalStore, now: Duration) -> anyhow::Result<()> {
        let elapsed = store.last_interval().map_or(Duration::ZERO, |r| r.end);
        let outcome = EngineOutcome {
            started_at: self.started_at,
            ended_at: self.started_at + now,
            elapsed,
            interrupted: false,
            sessions: store.sessions(),
            shared_users: 0,
            user_waits: 0,
            generator: None,
            saturated: false,
            window: store.window(),
            personas: Vec::new(),
        };
        let verdict = crate::verdict::judge_run(&self.thresholds, store, &outcome, None);
        let probes = (self.probes.as_ref())
            .and_then(|l| l.lock().ok().map(|l| l.clone()))
            .unwrap_or_default();
        let results = RunResults {
            plan: self.plan.clone(),
            outcome: &outcome,
            store,
            servers: self.servers.clone(),
            server_names: self.server_names.clone(),
            probes,
            faults: Vec::new(),
            health: Vec::new(),
            verdict,
            ended: Outcome::Running,
        };
        results.checkpoint(&self.dir)
    }
}
