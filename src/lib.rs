//! imapload: a synthetic IMAP traffic generator and load tester.
//!
//! The crate is layered along the data flow of a run (the product contract
//! is `docs/design.md`, "Data flow"), listed here in the order data flows:
//!
//! - `plan`: scenario file + flags -> a validated [`plan::RunPlan`];
//! - topology: `sim` (embedded CAS + back ends) or real endpoints, reached
//!   through `imap` (the client core);
//! - `engine`: session slots driving IMAP connections, and `probe`;
//! - `metrics`: the recorder (each worker keeps its commands' latencies per
//!   row as samples; the interval tick adds them into one histogram per row)
//!   and the interval store;
//! - `results`: the ground floor the layers around it share, every file type
//!   of a results directory and its reading and writing;
//! - `monitor` (Exchange monitors) and `verdict` (thresholds, error gates);
//! - `report` (table, CSV, JSON, HTML) and `live` (Prometheus) as outputs.
//!
//! The commands on top: `run`, `health`, `merge`, `compare`, `report`,
//! `replay`, `probe`, `serve` (in `sim`) and `k8s`; `cli` declares every
//! flag and turns them into these modules' options, and `main.rs` only
//! calls [`cli::main`].

#![warn(missing_docs)]

pub mod capacity;
pub mod cli;
pub mod command;
pub mod compare;
pub mod engine;
pub mod error;
pub mod fdlimit;
pub mod health;
pub mod imap;
pub mod k8s;
pub mod live;
pub mod merge;
pub mod metrics;
pub mod monitor;
pub mod plan;
pub mod probe;
pub mod replay;
pub mod report;
pub mod results;
pub mod run;
pub mod serve;
pub mod sim;
pub mod trace;
pub mod verdict;
