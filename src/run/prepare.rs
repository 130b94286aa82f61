//! Before anything connects: the results directory (created at once, so a
//! run that cannot write says so before it loads anyone's servers), the
//! protocol log directory, after refusing more concurrent sessions than the
//! open-file limit or the memory can hold.

use std::path::PathBuf;

use crate::error::{Failure, InputError};
use crate::headroom::{self, Machine, PerSession};
use crate::plan::{LoadModel, RunPlan, TopologyPlan};
use crate::results::ResultsDir;

fn default_out(plan: &RunPlan) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    PathBuf::from("results").join(format!("{}-{stamp}", plan.name))
}

/// Creates the results directory (and the protocol log's), once the machine
/// is known to hold the sessions asked for (the open-file limit raised first).
pub fn prepare(plan: &RunPlan) -> Result<ResultsDir, Failure> {
    let out = plan.output.out.clone().unwrap_or_else(|| default_out(plan));
    if let Some(log) = &plan.output.protocol_log {
        std::fs::create_dir_all(&log.dir).map_err(|e| {
            let msg = format!("cannot create {}: {e}", log.dir.display());
            InputError::new("--protocol-log", msg)
        })?;
    }
    let (key, sessions) = match plan.load.model {
        LoadModel::Closed => ("load.sessions", plan.load.sessions),
        LoadModel::Open => ("load.max_sessions", plan.load.max_sessions),
    };
    let per = match plan.topology {
        TopologyPlan::Embedded(_) => PerSession {
            files: crate::fdlimit::PER_SESSION_EMBEDDED,
            bytes: headroom::SESSION_BYTES_EMBEDDED,
        },
        TopologyPlan::Real(_) => PerSession {
            files: crate::fdlimit::PER_SESSION_REAL,
            bytes: headroom::SESSION_BYTES_REAL,
        },
    };
    headroom::check(key, sessions as u64, per, Machine::now())?;
    let dir = ResultsDir::create(&out, plan.output.force)?;
    if !plan.output.quiet {
        eprintln!(
            "imapload: results in {} (written as the run goes)",
            out.display()
        );
    }
    Ok(dir)
}
