//! What `run.json` records of the plan that ran. The document itself is
//! [`crate::results::RunRecord`]; this is the part a run takes from its plan
//! and `imapload merge` rebuilds from the shards' `run.json`.

use crate::plan::{MonitorPlan, ProbePlan, RunPlan};
use crate::results::plan::PlanDoc;
use crate::results::shards::{ShardDoc, ShardsDoc};

pub use crate::results::run::rfc3339;

/// What `run.json` says about the plan. A run takes it from its [`RunPlan`];
/// `imapload merge` builds it from the shards' `run.json`, which is why the
/// writer takes this and not the plan itself.
#[derive(Debug, Clone)]
pub struct PlanRecord {
    /// The seed (top-level `seed`).
    pub seed: u64,
    /// `plan`.
    pub plan: PlanDoc,
    /// Monitor settings the verdicts were judged with.
    pub monitors: MonitorPlan,
    /// Probe settings.
    pub probes: ProbePlan,
    /// No summary on stdout.
    pub quiet: bool,
    /// The summary goes to stderr (stdout carries `--summary-json -`).
    pub tables_on_stderr: bool,
    /// `shard` of a shard.
    pub shard: Option<ShardDoc>,
    /// `shards` of a merge.
    pub shards: Option<ShardsDoc>,
}

impl PlanRecord {
    /// The record of a run of `plan`.
    pub fn of(plan: &RunPlan) -> PlanRecord {
        PlanRecord {
            seed: plan.seed,
            plan: PlanDoc::of(plan),
            monitors: plan.monitors.clone(),
            probes: plan.probes.clone(),
            quiet: plan.output.quiet,
            tables_on_stderr: plan.output.tables_on_stderr,
            shard: plan.shard.as_ref().map(ShardDoc::of),
            shards: None,
        }
    }
}
