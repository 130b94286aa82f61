//! imapload's integration tests: one test binary, one module per concern, so
//! the crate links once.

mod bad_input;
mod cli;
mod dovecot;
mod e2e;
mod health;
mod load;
mod outputs;
mod safety;
mod support;
mod validation;
