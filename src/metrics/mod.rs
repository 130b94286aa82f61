//! Recording: where every timed command lands.
//!
//! Sessions call [`Recorder::record`] on the hot path; it writes into a shard
//! owned by the current worker thread (an uncontended per-thread lock, never a
//! global one). A tick task swaps the shards out every interval and merges them
//! into an [`store::IntervalStore`], which keeps the run totals and one compact
//! record per interval for time series and monitors.

pub mod layout;
pub mod queue;
pub mod recorder;
pub mod samples;
pub mod sink;
pub mod steady;
pub mod store;

pub use layout::{Layout, Route};
pub use queue::QueueGauges;
pub use recorder::Recorder;
pub use store::IntervalStore;
