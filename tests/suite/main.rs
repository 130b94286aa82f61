//! imapload's integration tests: one test binary, one module per concern, so
//! the crate links once.

mod cli;
mod dovecot;
mod e2e;
mod fake_server;
mod faults;
mod health;
mod load;
mod misbehave;
mod outputs;
mod support;
mod validation;
