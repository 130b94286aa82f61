//! Outputs: the results directory (written atomically), `summary.csv`,
//! `run.json` and the terminal summary table.

pub mod health;
pub mod progress;
pub mod results;
pub mod results_dir;
pub mod run_json;
pub mod summary;
pub mod table;
pub mod timeseries;

pub use results_dir::ResultsDir;
