//! The results directory's file formats, as serde types: one set of types
//! that the writer and every reader (`health`, `merge`, `compare`, the HTML
//! report) use, so a key or a column is spelt in one place. One file per
//! format.

pub mod alert;
pub mod append;
pub mod capacity;
pub mod causes;
pub mod cells;
pub mod compare;
pub mod dir;
pub mod files;
pub mod generator;
pub mod hdr;
pub mod histograms;
pub mod hlog;
pub mod interval;
pub mod keys;
pub mod latency;
pub mod monitors;
pub mod personas;
pub mod plan;
pub mod probes;
pub mod queue;
pub mod reason;
pub mod replay;
pub mod row_key;
pub mod rows;
pub mod run;
pub mod security;
pub mod series;
pub mod series_read;
pub mod series_write;
pub mod sessions;
pub mod shards;
pub mod summary;
pub mod summary_json;
pub mod timeseries;
pub mod verdict;
pub mod window;

pub use alert::AlertValue;
pub use causes::ErrorCause;
pub use dir::ResultsDir;
pub use generator::GeneratorReport;
pub use histograms::RowHistograms;
pub use latency::{LatencyFigures, Quantiles};
pub use queue::{OwnReading, QueueStats};
pub use reason::ErrorReason;
pub use row_key::{Path, RowKey, RowLabels};
pub use run::{RunRecord, SCHEMA_VERSION};
pub use security::Security;
pub use sessions::SessionTally;
pub use summary::SummaryRow;
pub use verdict::{Aborted, Origin, ThresholdResult, Verdict};
pub use window::Window;

use crate::error::InputError;

/// Reads `dir/run.json`; an unreadable or malformed file is an input error
/// naming the file and what is wrong.
pub fn read_run(dir: &std::path::Path) -> Result<RunRecord, InputError> {
    let file = dir.join(crate::results::files::RUN_JSON);
    let bytes = std::fs::read(&file).map_err(|e| {
        let msg = format!(
            "cannot read ({e}); is {} an imapload results directory?",
            dir.display()
        );
        InputError::at(&file, None, None, msg)
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| InputError::at(&file, None, None, format!("not a valid run.json: {e}")))
}
