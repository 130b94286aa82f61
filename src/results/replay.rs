//! `replay.csv`: what `imapload replay` did with each logged command, one
//! row per command (the engine's row name, or the logged verb of a command
//! it has none for): how many the log had, how many were replayed, skipped
//! (by reason) and added, the log's own durations beside the replayed
//! latencies (corrected, from each command's due time).

use serde::{Deserialize, Serialize};

/// One command's row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplayRow {
    /// The row: `FETCH_FLAGS`, `LOGIN`, or an unknown logged verb (`GETACL`).
    pub command: String,
    /// Commands of this row in the replayed part of the log.
    pub logged: u64,
    /// Commands sent (completed or failed).
    pub replayed: u64,
    /// Of those, how many failed (NO, BAD, timeout, disconnect...).
    pub errors: u64,
    /// Commands not sent.
    pub skipped: u64,
    /// Why, as `reason=count` joined by `;` (e.g. `probe=4;destructive=1`).
    pub skipped_by_reason: String,
    /// Commands the log did not have that the replay sent first (a login
    /// for a session whose log starts after it, a SELECT a command needed).
    pub added: u64,
    /// The log's durations (Exchange `duration`, rawlog timestamps), µs.
    pub log_p50_us: Option<u64>,
    /// See `log_p50_us`.
    pub log_p99_us: Option<u64>,
    /// See `log_p50_us`.
    pub log_max_us: Option<u64>,
    /// Replayed latency of the commands that completed OK, µs (corrected).
    pub replayed_p50_us: Option<u64>,
    /// See `replayed_p50_us`.
    pub replayed_p99_us: Option<u64>,
    /// See `replayed_p50_us`.
    pub replayed_max_us: Option<u64>,
}

/// The columns people read, in file order, with the durations in ms
/// (`-` where the log or the replay had none): the terminal table and the
/// report show the same cells.
pub const SHOWN: [&str; 13] = [
    "command",
    "logged",
    "replayed",
    "errors",
    "skipped",
    "added",
    "log p50",
    "log p99",
    "log max",
    "rep p50",
    "rep p99",
    "rep max",
    "skipped by reason",
];

impl ReplayRow {
    /// This row's cells under [`SHOWN`].
    pub fn shown(&self) -> [String; 13] {
        let ms = |v: Option<u64>| v.map_or("-".into(), |us| format!("{:.2}", us as f64 / 1000.0));
        [
            self.command.clone(),
            self.logged.to_string(),
            self.replayed.to_string(),
            self.errors.to_string(),
            self.skipped.to_string(),
            self.added.to_string(),
            ms(self.log_p50_us),
            ms(self.log_p99_us),
            ms(self.log_max_us),
            ms(self.replayed_p50_us),
            ms(self.replayed_p99_us),
            ms(self.replayed_max_us),
            self.skipped_by_reason.clone(),
        ]
    }
}

/// The file's bytes.
pub fn to_csv(rows: &[ReplayRow]) -> anyhow::Result<Vec<u8>> {
    super::cells::to_csv(rows)
}

/// Its rows.
pub fn from_csv(data: &[u8]) -> anyhow::Result<Vec<ReplayRow>> {
    super::cells::from_csv(data)
}
