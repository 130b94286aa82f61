//! imapload: a synthetic IMAP traffic generator and load tester.
//!
//! The crate is layered along the data flow of a run (the product contract
//! is `docs/design.md`, "Data flow"). Each floor imports only from the floors
//! below it; no two modules import each other (the `layers` test computes
//! the module graph from `crate::` paths and fails on a cycle). Lowest first:
//!
//! 1. `error` (input errors, exit codes), `command` (the kinds of IMAP work
//!    timed, one row each; the FETCH-items rule), `fdlimit`, `trace`.
//! 2. `mailset` (the realistic mail set `populate` stores and the embedded
//!    back ends hold, and an LMTP client) imports nothing of the crate.
//!    `results`: the ground floor of the data, every type written to or read
//!    from a results directory and the code that writes and reads it; it
//!    imports nothing but `error` and `command`. `headroom` (how many
//!    sessions the descriptor limit allows) stands here too.
//! 3. `imap` (the client core: framer, encoder, connection, TLS) and
//!    `metrics` (the recorder: each worker keeps its commands' latencies per
//!    slot as samples, and the interval tick adds them into one histogram per
//!    row of the interval store).
//! 4. `plan`: scenario file + flags -> a validated [`plan::RunPlan`],
//!    client personas and populations included.
//! 5. `sim` (the embedded CAS + back ends, with their LMTP), `engine`
//!    (sessions driving IMAP connections; a population's personas in
//!    `engine::persona`), `probe` (the Exchange probes), `k8s` (manifests).
//! 6. `monitor` (Exchange monitors) and `verdict` (thresholds, error gates).
//! 7. Outputs: `report` (table, CSV, JSON, HTML) and `live` (Prometheus).
//! 8. The commands: `run`, `health`, `compare`, `serve`, then `merge`,
//!    `replay` and `capacity` (which reuse `run`'s and `compare`'s stages),
//!    `populate` (fills real servers with the `mailset`); `cli` on top
//!    declares every flag and turns them into these modules' options, and
//!    `main.rs` only calls [`cli::main`].

#![warn(missing_docs)]

pub mod capacity;
pub mod cli;
pub mod command;
pub mod compare;
pub mod engine;
pub mod error;
pub mod fdlimit;
pub mod headroom;
pub mod health;
pub mod imap;
pub mod k8s;
pub mod live;
pub mod mailset;
pub mod merge;
pub mod metrics;
pub mod monitor;
pub mod plan;
pub mod populate;
pub mod probe;
pub mod replay;
pub mod report;
pub mod results;
pub mod run;
pub mod serve;
pub mod sim;
pub mod trace;
pub mod verdict;
