//! Exchange-style health monitors evaluated on measured samples: the firing
//! rules, the Healthy -> Degraded -> Unhealthy chain, and the samples they read.

pub mod evaluate;
pub mod feed;
pub mod input;
pub mod live;
pub mod record;
pub mod rules;
pub mod samples;
pub mod sinks;
pub mod state;
#[cfg(test)]
mod tests_evaluate;
