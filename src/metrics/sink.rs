//! Where closed intervals go: the store hands each one to its sinks (the
//! time series files, the monitors' running sums, the live endpoint) and
//! drops it, so memory does not grow with the length of the run.

use crate::results::interval::IntervalRecord;
use crate::results::series_write::SeriesWriter;
use crate::results::{RowHistograms, RowKey};

/// Something that takes every closed interval as it is produced (the time
/// series writer, the monitors' running sums), so the store need not keep it.
pub trait IntervalSink: Send {
    /// Takes one interval; `keys` is the row table its rows index (rows
    /// are only ever added to it, so an index stays valid).
    fn interval(&mut self, rec: &IntervalRecord, keys: &[RowKey]);

    /// Takes one row's histograms of the interval being closed, before the
    /// interval itself reaches [`IntervalSink::interval`]: only a sink that
    /// exports histograms (the live metrics endpoint) needs them, and it
    /// gets them here from the tick instead of from the hot path.
    fn row_histograms(&mut self, _row: usize, _h: &RowHistograms) {}

    /// The first write error, naming the file and the OS error; a sink
    /// that cannot fail has none.
    fn error(&self) -> Option<String> {
        None
    }
}

impl IntervalSink for SeriesWriter {
    fn interval(&mut self, rec: &IntervalRecord, keys: &[RowKey]) {
        self.append(rec, keys);
    }

    fn error(&self) -> Option<String> {
        SeriesWriter::error(self)
    }
}
