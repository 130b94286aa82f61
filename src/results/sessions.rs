//! How the sessions of a run ended, counted once each. A session cut short
//! by the end of the run's grace period is `aborted`, not `failed`: the
//! server did not fail it, the generator stopped; its command is still
//! counted as an `aborted` error on its row.

use serde::{Deserialize, Serialize};

/// Session counts of a run (`run.json` `sessions`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTally {
    /// Sessions started.
    pub started: u64,
    /// Sessions that logged out (including those the stop logged out early).
    pub completed: u64,
    /// Sessions ended by a failure (timeout, disconnect, refused login...).
    pub failed: u64,
    /// Sessions still in flight when the grace period after the stop ran out.
    #[serde(default)]
    pub aborted: u64,
}
