//! Before anything connects: the results directory (created at once, so a
//! run that cannot write says so before it loads anyone's servers), the
//! protocol log directory, and a warning when the open-file limit caps the
//! sessions asked for.

use std::path::PathBuf;

use crate::error::{Failure, InputError};
use crate::plan::{LoadModel, RunPlan, TopologyPlan};
use crate::report::ResultsDir;

fn default_out(plan: &RunPlan) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    PathBuf::from("results").join(format!("{}-{stamp}", plan.name))
}

/// Creates the results directory (and the protocol log's) and raises the
/// open-file limit, warning when it still caps the sessions.
pub fn prepare(plan: &RunPlan) -> Result<ResultsDir, Failure> {
    let out = plan.output.out.clone().unwrap_or_else(|| default_out(plan));
    if let Some(log) = &plan.output.protocol_log {
        std::fs::create_dir_all(&log.dir).map_err(|e| {
            let msg = format!("cannot create {}: {e}", log.dir.display());
            InputError::new("--protocol-log", msg)
        })?;
    }
    let dir = ResultsDir::create(&out, plan.output.force)?;
    if !plan.output.quiet {
        eprintln!(
            "imapload: results in {} (written as the run goes)",
            out.display()
        );
    }
    let fd_limit = crate::fdlimit::raise().unwrap_or(0);
    let per_session = match plan.topology {
        TopologyPlan::Embedded(_) => crate::fdlimit::PER_SESSION_EMBEDDED,
        TopologyPlan::Real(_) => crate::fdlimit::PER_SESSION_REAL,
    };
    let concurrent = match plan.load.model {
        LoadModel::Closed => plan.load.sessions,
        LoadModel::Open => plan.load.max_sessions,
    } as u64;
    if let Some(w) =
        crate::fdlimit::warning(concurrent, per_session, fd_limit).filter(|_| fd_limit > 0)
    {
        eprintln!("imapload: warning: {w}");
    }
    Ok(dir)
}
