//! The interval store: run totals per slot plus one compact record per tick.
//!
//! Per-interval records keep what time series and monitors need (counts, error
//! counts, the latency sum for means, a few percentiles) rather than whole
//! histograms, so a long run stays small; the totals keep full histograms.

use std::collections::BTreeMap;
use std::time::Duration;

use super::layout::{Layout, RowKey};
use super::outcome::ErrorReason;
use super::recorder::{Recorder, Slots};
use super::row::RowHistograms;

/// One slot's figures over one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalStats {
    /// Slot index ([`Layout::slot`]).
    pub slot: usize,
    /// Successful commands.
    pub ok: u64,
    /// Failed commands by reason.
    pub errors: [u64; ErrorReason::COUNT],
    /// Sum of corrected latencies (µs), for exact means over any window.
    pub corrected_sum_us: u64,
    /// Corrected p50 / p90 / p99 / max (µs).
    pub corrected: [u64; 4],
    /// Service p50 / p90 / p99 / max (µs).
    pub service: [u64; 4],
}

/// Everything recorded in one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalRecord {
    /// Interval start, from the run start.
    pub start: Duration,
    /// Interval end, from the run start.
    pub end: Duration,
    /// Sessions open at the end of the interval.
    pub active_sessions: u64,
    /// Slots that saw anything.
    pub rows: Vec<IntervalStats>,
}

/// Totals and interval records of a run.
#[derive(Debug)]
pub struct IntervalStore {
    layout: Layout,
    totals: Vec<Option<Box<RowHistograms>>>,
    current: Vec<Option<Box<RowHistograms>>>,
    intervals: Vec<IntervalRecord>,
    spare: Vec<Slots>,
}

fn quantiles(h: &hdrhistogram::Histogram<u64>) -> [u64; 4] {
    if h.is_empty() {
        return [0; 4];
    }
    [
        h.value_at_quantile(0.5),
        h.value_at_quantile(0.9),
        h.value_at_quantile(0.99),
        h.max(),
    ]
}

impl IntervalStore {
    /// An empty store for `layout`.
    pub fn new(layout: Layout) -> Self {
        let n = layout.slots();
        IntervalStore {
            layout,
            totals: (0..n).map(|_| None).collect(),
            current: (0..n).map(|_| None).collect(),
            intervals: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// The server layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Drains the recorder and closes the interval `[start, end)`.
    pub fn tick(
        &mut self,
        recorder: &Recorder,
        start: Duration,
        end: Duration,
        active_sessions: u64,
    ) {
        let current = &mut self.current;
        recorder.drain(&mut self.spare, |slots| {
            for (i, row) in slots.rows.iter().enumerate() {
                if let Some(row) = row.as_deref().filter(|r| !r.is_empty()) {
                    current[i].get_or_insert_with(Default::default).add(row);
                }
            }
        });
        let mut rows = Vec::new();
        for (slot, row) in self.current.iter_mut().enumerate() {
            let Some(row) = row.as_deref_mut().filter(|r| !r.is_empty()) else {
                continue;
            };
            rows.push(IntervalStats {
                slot,
                ok: row.ok(),
                errors: row.errors,
                corrected_sum_us: row.corrected_sum_us,
                corrected: quantiles(&row.corrected),
                service: quantiles(&row.service),
            });
            self.totals[slot]
                .get_or_insert_with(Default::default)
                .add(row);
            row.reset();
        }
        self.intervals.push(IntervalRecord {
            start,
            end,
            active_sessions,
            rows,
        });
    }

    /// Per-interval records, in time order.
    pub fn intervals(&self) -> &[IntervalRecord] {
        &self.intervals
    }

    /// Run totals per output row (CAS rows, back-end rows behind CAS, direct rows),
    /// built by adding slot histograms.
    pub fn totals_by_row(&self) -> BTreeMap<RowKey, RowHistograms> {
        let mut out: BTreeMap<RowKey, RowHistograms> = BTreeMap::new();
        for (slot, row) in self.totals.iter().enumerate() {
            let Some(row) = row.as_deref() else { continue };
            for key in self.layout.rows_of(slot) {
                out.entry(key).or_default().add(row);
            }
        }
        out
    }

    /// Total commands recorded (successful + failed), counted once per command.
    pub fn commands(&self) -> u64 {
        self.totals.iter().flatten().map(|r| r.count()).sum()
    }

    /// Total failed commands, counted once per command.
    pub fn errors(&self) -> u64 {
        self.totals.iter().flatten().map(|r| r.error_count()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::CommandKind;
    use crate::metrics::Route;
    use std::sync::Arc;

    #[test]
    fn ticks_fold_into_totals_and_rows() {
        let layout = Layout::new(vec!["cas1".into()], vec!["mbx1".into()]);
        let rec = Recorder::new(Arc::new(layout.clone()));
        let mut store = IntervalStore::new(layout);
        let via = Route {
            cas: Some(0),
            backend: 0,
        };
        let ms = Duration::from_millis;
        rec.record_ok(via, CommandKind::Select, ms(10), ms(5));
        store.tick(&rec, ms(0), ms(1000), 1);
        rec.record_ok(via, CommandKind::Select, ms(30), ms(5));
        rec.record_error(
            Route {
                cas: None,
                backend: 0,
            },
            CommandKind::Select,
            ErrorReason::Timeout,
        );
        store.tick(&rec, ms(1000), ms(2000), 1);
        assert_eq!(store.intervals().len(), 2);
        assert_eq!(store.intervals()[0].rows[0].corrected_sum_us, 10_000);
        assert_eq!(store.commands(), 3);
        let rows = store.totals_by_row();
        let tags: Vec<_> = rows.keys().map(|k| k.tag()).collect();
        assert_eq!(
            tags,
            [
                "cas.cas1.mbx1.SELECT",
                "cas.mbx1.mbx1.SELECT",
                "direct.mbx1.mbx1.SELECT"
            ]
        );
        let cas = rows.values().next().unwrap();
        assert_eq!(cas.ok(), 2);
        assert_eq!(cas.corrected_mean_us(), 20_000.0);
        assert_eq!(
            rows.values().last().unwrap().errors[ErrorReason::Timeout.index()],
            1
        );
    }
}
