//! imapload's integration tests: one test binary, one module per concern, so
//! the crate links once.

mod bad_input;
mod cas_only;
mod causes;
mod clean_end;
mod cli;
mod cli_env;
mod container;
mod dashboard;
mod dovecot;
mod dovecot_commands;
mod dovecot_proxy;
mod dovecot_tls;
mod durable;
mod e2e;
mod fake_server;
mod faults;
mod health;
mod k8s;
mod live_metrics;
mod load;
mod machine_output;
mod misbehave;
mod oauth;
mod outputs;
mod prometheus;
mod replay;
mod replay_dovecot;
mod report_browser;
mod report_scale;
mod safety;
mod schema;
mod shard;
mod support;
mod validation;
mod verdict;
