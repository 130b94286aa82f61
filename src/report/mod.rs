//! Outputs: the results directory (written atomically), `summary.csv`,
//! `errors.csv`, `run.json`, the terminal summary table and `report.html`.

pub mod capacity;
pub mod capacity_tables;
pub mod causes;
pub mod colour;
pub mod health;
pub mod html;
pub mod progress;
pub mod results;
pub mod run_json;
pub mod summary_json;
pub mod svg;
pub mod table;
