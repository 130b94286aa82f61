//! imapload: a synthetic IMAP traffic generator and load tester.
//!
//! The crate is laid out along the data flow, one folder per layer:
//! `plan` (scenario file -> validated [`plan::RunPlan`]) -> `sim` (the embedded
//! CAS + back-end topology) -> `engine` (sessions driving IMAP connections) ->
//! `metrics` (per-worker histograms merged on a tick) -> `report` (summary,
//! CSV, JSON) and the exit code. `main.rs` only calls [`cli::main`].

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
pub mod sim;
pub mod trace;
pub mod verdict;
