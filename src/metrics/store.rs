//! The interval store: run totals per slot plus one compact record per tick.
//!
//! Every tick, the slots drained from the recorder are added into the output
//! rows they count toward (a CAS row and the back-end row behind it), so the
//! per-interval percentiles of every row come from a real merged histogram.
//! Each closed interval (counts, exact latency sums, a few percentiles) is
//! handed to the sinks (the time series on disk, the monitors' running sums)
//! and not kept: only the latest is, for the progress line. Memory stays the
//! same however long the run: the totals keep full histograms per slot.

use std::collections::BTreeMap;
use std::time::Duration;

use super::layout::Layout;
use super::recorder::{Recorder, Slots};
use super::samples::SlotSamples;
use super::sink::IntervalSink;
use super::steady::SteadyRows;
use crate::results::causes::{add_record, Causes, ErrorCause};
use crate::results::hlog::write::Hlog;
use crate::results::interval::{IntervalRecord, IntervalStats};
use crate::results::Quantiles;
use crate::results::QueueStats;
use crate::results::RowHistograms;
use crate::results::RowKey;

/// Totals of a run, and the latest interval; the others went to the sinks.
pub struct IntervalStore {
    layout: Layout,
    row_keys: Vec<RowKey>,
    slot_rows: Vec<Vec<usize>>,
    totals: Vec<Option<Box<RowHistograms>>>,
    /// Run totals of error messages per slot (bounded tables).
    causes: Vec<Option<Box<Causes>>>,
    /// Slots counting toward each output row.
    row_slots: Vec<Vec<usize>>,
    /// The interval's commands per slot, all workers' together (samples, not
    /// histograms: a row's interval histogram is built from them in `scratch`).
    pending: Vec<SlotSamples>,
    /// The one interval histogram, reused row after row.
    scratch: RowHistograms,
    last: Option<IntervalRecord>,
    sinks: Vec<Box<dyn IntervalSink>>,
    longest: Duration,
    closed: u64,
    sessions: crate::results::SessionTally,
    generator: crate::results::GeneratorReport,
    spare: Vec<Slots>,
    hlog: Option<(Hlog, Vec<String>)>,
    service_hlog: Option<Hlog>,
    steady: SteadyRows,
}

impl std::fmt::Debug for IntervalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntervalStore")
            .field("row_keys", &self.row_keys)
            .field("closed", &self.closed)
            .field("sinks", &self.sinks.len())
            .finish()
    }
}

impl IntervalStore {
    /// An empty store for `layout`.
    pub fn new(layout: Layout) -> Self {
        let n = layout.slots();
        let mut keys: BTreeMap<RowKey, usize> = BTreeMap::new();
        let per_slot: Vec<Vec<RowKey>> = (0..n).map(|s| layout.rows_of(s)).collect();
        for k in per_slot.iter().flatten() {
            keys.entry(k.clone()).or_insert(0);
        }
        for (i, v) in keys.values_mut().enumerate() {
            *v = i;
        }
        let slot_rows: Vec<Vec<usize>> = per_slot
            .iter()
            .map(|ks| ks.iter().map(|k| keys[k]).collect())
            .collect();
        let row_keys: Vec<RowKey> = keys.into_keys().collect();
        let row_slots = rows_to_slots(&slot_rows, row_keys.len());
        IntervalStore {
            steady: SteadyRows::new(canonical_rows(&row_slots)),
            row_slots,
            pending: (0..n).map(|_| SlotSamples::default()).collect(),
            scratch: RowHistograms::new(),
            totals: (0..n).map(|_| None).collect(),
            causes: (0..n).map(|_| None).collect(),
            layout,
            row_keys,
            slot_rows,
            last: None,
            sinks: Vec::new(),
            longest: Duration::ZERO,
            closed: 0,
            sessions: Default::default(),
            generator: Default::default(),
            spare: Vec::new(),
            hlog: None,
            service_hlog: None,
        }
    }

    /// Streams every interval's row histograms into an interval log from now on.
    pub fn set_hlog(&mut self, hlog: Hlog) {
        let tags = self.row_keys.iter().map(RowKey::tag).collect();
        self.hlog = Some((hlog, tags));
    }

    /// Also streams every interval's service-time histograms into a second
    /// log (same tags), so `imapload merge` can add service percentiles too.
    /// Only takes effect together with [`IntervalStore::set_hlog`].
    pub fn set_service_hlog(&mut self, hlog: Hlog) {
        self.service_hlog = Some(hlog);
    }

    /// Hands every interval closed from now on to `sink` too.
    pub fn add_sink(&mut self, sink: Box<dyn IntervalSink>) {
        self.sinks.push(sink);
    }

    /// The first write error of the interval logs or a sink, naming the
    /// file and the OS error; a run stops on it.
    pub fn write_error(&self) -> Option<String> {
        let service = self.service_hlog.as_ref().and_then(|h| h.error.clone());
        let hlog = self.hlog.as_ref().and_then(|(h, _)| h.error.clone());
        hlog.or(service)
            .or_else(|| self.sinks.iter().find_map(|s| s.error()))
    }

    /// The session counts as of the last tick (the engine sets them), for
    /// the `run.json` checkpoints written while the run goes.
    pub fn set_sessions(&mut self, tally: crate::results::SessionTally) {
        self.sessions = tally;
    }

    /// The open-model generator's counts as of the last tick (zeros for a
    /// closed model), for the live metrics.
    pub fn set_generator(&mut self, report: crate::results::GeneratorReport) {
        self.generator = report;
    }

    /// The generator counts last set.
    pub fn generator(&self) -> crate::results::GeneratorReport {
        self.generator
    }

    /// The session counts last set.
    pub fn sessions(&self) -> crate::results::SessionTally {
        self.sessions
    }

    /// The server layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Every output row, indexed by [`IntervalStats::row`].
    pub fn row_keys(&self) -> &[RowKey] {
        &self.row_keys
    }

    /// Drains the recorder and closes the interval `[start, end)`.
    pub fn tick(
        &mut self,
        recorder: &Recorder,
        start: Duration,
        end: Duration,
        active_sessions: u64,
        queues: Vec<QueueStats>,
    ) {
        let (pending, totals, causes) = (&mut self.pending, &mut self.totals, &mut self.causes);
        recorder.drain(&mut self.spare, |slots| {
            for (slot, c) in slots.causes.iter().enumerate() {
                if let Some(c) = c.as_deref().filter(|c| !c.is_empty()) {
                    causes[slot].get_or_insert_with(Default::default).merge(c);
                }
            }
            for (slot, row) in slots.rows.iter().enumerate() {
                let Some(row) = row.as_deref().filter(|r| !r.is_empty()) else {
                    continue;
                };
                pending[slot].extend_from(row);
                row.add_to(totals[slot].get_or_insert_with(Default::default));
            }
        });
        let mut rows = Vec::new();
        for i in 0..self.row_keys.len() {
            for &slot in &self.row_slots[i] {
                self.pending[slot].add_to(&mut self.scratch);
            }
            if !self.scratch.is_empty() {
                rows.push(self.close_row(i, start, end));
                self.scratch.reset();
            }
        }
        self.pending.iter_mut().for_each(SlotSamples::reset);
        if let Some((hlog, _)) = self.hlog.as_mut() {
            hlog.flush();
        }
        if let Some(hlog) = self.service_hlog.as_mut() {
            hlog.flush();
        }
        self.push(IntervalRecord {
            start,
            end,
            active_sessions,
            rows,
            queues,
        });
    }

    /// Reads off row `i`'s interval histogram (in `scratch`): its figures,
    /// the steady window, the sinks and the interval logs.
    fn close_row(&mut self, i: usize, start: Duration, end: Duration) -> IntervalStats {
        let row = &self.scratch;
        self.steady.add(start, end, i, row);
        for sink in &mut self.sinks {
            sink.row_histograms(i, row);
        }
        if let Some((hlog, tags)) = self.hlog.as_mut().filter(|_| !row.corrected.is_empty()) {
            let length = end.saturating_sub(start);
            hlog.write(&tags[i], &row.corrected, start, length);
            if let Some(service) = self.service_hlog.as_mut() {
                service.write(&tags[i], &row.service, start, length);
            }
        }
        IntervalStats {
            row: i,
            ok: row.ok(),
            errors: row.errors,
            corrected_sum_us: row.corrected_sum_us,
            corrected: Quantiles::of(&row.corrected),
            service: Quantiles::of(&row.service),
        }
    }

    /// Hands a closed interval to the sinks and keeps it as the latest
    /// (`imapload merge` pushes the intervals it adds up this way).
    pub fn push(&mut self, rec: IntervalRecord) {
        for sink in &mut self.sinks {
            sink.interval(&rec, &self.row_keys);
        }
        self.longest = self.longest.max(rec.end.saturating_sub(rec.start));
        self.closed += 1;
        self.last = Some(rec);
    }

    /// Fills a fresh store with figures saved elsewhere (`imapload merge` adds
    /// shards' results and writes them through the same writer as a run).
    /// `totals` holds row totals; only rows first on their path are taken, as
    /// they are the recording slots (the rows behind a CAS are derived from
    /// them, as in a run); the intervals go through [`IntervalStore::push`].
    /// A row that no slot of the layout records is an error naming it.
    pub fn restore(&mut self, totals: BTreeMap<RowKey, RowHistograms>) -> Result<(), String> {
        for (key, row) in totals.into_iter().filter(|(k, _)| k.is_first_on_path()) {
            let slot = (0..self.totals.len())
                .find(|&s| self.layout.rows_of(s).first() == Some(&key))
                .ok_or_else(|| format!("row {} is not one of this run's servers", key.tag()))?;
            self.totals[slot] = Some(Box::new(row));
        }
        Ok(())
    }

    /// Adds saved error causes (`imapload merge`: the shards' `error_causes`).
    /// Only rows first on their path are taken, as for [`IntervalStore::restore`];
    /// records with unknown labels are skipped, a row of other servers is an error.
    pub fn restore_causes(&mut self, records: &[ErrorCause]) -> Result<(), String> {
        for record in records {
            let Some((key, reason)) = record.key().filter(|(k, _)| k.is_first_on_path()) else {
                continue;
            };
            let slot = (0..self.causes.len())
                .find(|&s| self.layout.rows_of(s).first() == Some(&key))
                .ok_or_else(|| format!("row {} is not one of this run's servers", key.tag()))?;
            let causes = self.causes[slot].get_or_insert_with(Default::default);
            add_record(causes, reason, record);
        }
        Ok(())
    }

    /// The first distinct error messages per output row and reason, with
    /// counts, rows in order (a slot counts toward every row on its path, as
    /// in [`IntervalStore::for_each_row`]; a row keeps at most
    /// [`super::causes::KEPT`] messages per reason, the rest as `other`).
    pub fn error_causes(&self) -> Vec<ErrorCause> {
        let mut rows: BTreeMap<&RowKey, Causes> = BTreeMap::new();
        for (slot, causes) in self.causes.iter().enumerate() {
            let Some(causes) = causes.as_deref() else {
                continue;
            };
            for &r in &self.slot_rows[slot] {
                rows.entry(&self.row_keys[r]).or_default().merge(causes);
            }
        }
        let mut out = Vec::new();
        for (key, causes) in rows {
            causes.to_records(key, &mut out);
        }
        out
    }

    /// The steady window that later ticks are judged against.
    pub fn set_window(&mut self, window: crate::results::Window) {
        self.steady.set_window(window);
    }

    /// Adds one row's figures of a restored interval to the window totals
    /// (`imapload merge`, which fills the store without ticks).
    pub fn add_steady(&mut self, start: Duration, end: Duration, row: usize, h: &RowHistograms) {
        self.steady.add(start, end, row, h);
    }

    /// The steady window in force.
    pub fn window(&self) -> crate::results::Window {
        self.steady.window()
    }

    /// Each row's commands within the steady window (what thresholds judge).
    pub fn steady_rows(&self) -> BTreeMap<RowKey, std::sync::Arc<RowHistograms>> {
        self.steady.by_row(&self.row_keys)
    }

    /// The latest interval (the others are on disk, not in memory).
    pub fn last_interval(&self) -> Option<&IntervalRecord> {
        self.last.as_ref()
    }

    /// How many intervals were closed, and the longest one's length.
    pub fn closed(&self) -> (u64, Duration) {
        (self.closed, self.longest)
    }

    /// Each output row's run totals, in key order, built one row at a time
    /// in one reused buffer (a row sums the slots that count toward it):
    /// the end of a long run then holds one row's histograms more, not a
    /// second copy of every row's. Rows no command reached are left out.
    pub fn for_each_row(&self, mut f: impl FnMut(&RowKey, &RowHistograms)) {
        let mut sum = RowHistograms::new();
        for (r, slots) in self.row_slots.iter().enumerate() {
            sum.reset();
            let mut reached = false;
            for total in slots.iter().filter_map(|&s| self.totals[s].as_deref()) {
                sum.add(total);
                reached = true;
            }
            if reached {
                f(&self.row_keys[r], &sum);
            }
        }
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

/// The slots counting toward each of `n` rows, from the rows of each slot.
fn rows_to_slots(slot_rows: &[Vec<usize>], n: usize) -> Vec<Vec<usize>> {
    let mut row_slots = vec![Vec::new(); n];
    for (slot, rows) in slot_rows.iter().enumerate() {
        for &r in rows {
            row_slots[r].push(slot);
        }
    }
    row_slots
}

/// For each row, the first row made of the same slots (itself if none).
fn canonical_rows(row_slots: &[Vec<usize>]) -> Vec<usize> {
    let mut first: std::collections::HashMap<&[usize], usize> = Default::default();
    (row_slots.iter().enumerate())
        .map(|(r, slots)| *first.entry(slots.as_slice()).or_insert(r))
        .collect()
}

#[cfg(test)]
mod tests;
