//! Thresholds re-judged on a saved results directory (`imapload health`):
//! counts and errors from the time series, histograms from the interval logs
//! (`latency.hlog`, `service.hlog`), both cut to the steady window. The time
//! series and the logs are read one interval at a time, so a long run is
//! never held whole: only each row's window totals are.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::error::InputError;
use crate::results::hlog::read::{self as hlog, Reader, Tagged};
use crate::results::interval::IntervalRecord;
use crate::results::ErrorReason;
use crate::results::RowHistograms;
use crate::results::RowKey;
use crate::results::Window;

/// Each row's window totals, added up interval by interval: the logs'
/// histograms are decoded straight into per-row sums (an interval wholly in
/// the window is added whole; one outside it adds only its aborted
/// commands, so its histograms are passed over undecoded).
pub struct WindowRows {
    latency: Reader,
    service: Option<Reader>,
    interval: Duration,
    window: Window,
    /// Window sums of the latency and service logs, by row tag.
    corrected: Tagged,
    service_sums: Tagged,
    /// Errors and latency sums by row, with the row's tag.
    counts: BTreeMap<RowKey, Counts>,
}

/// A row's counted figures in the window.
#[derive(Default)]
struct Counts {
    tag: String,
    errors: [u64; ErrorReason::COUNT],
    corrected_sum_us: u64,
}

impl WindowRows {
    /// Opens the interval logs in `dir` (of intervals `interval` long) to
    /// judge `window`.
    pub fn open(dir: &Path, interval: Duration, window: Window) -> Result<Self, InputError> {
        let latency = Reader::open(&dir.join(crate::results::files::LATENCY_HLOG), interval)?;
        // Results from before service.hlog existed judge service thresholds as "no data".
        let service_file = dir.join(crate::results::files::SERVICE_HLOG);
        let service = match service_file.exists() {
            true => Some(Reader::open(&service_file, interval)?),
            false => None,
        };
        Ok(WindowRows {
            latency,
            service,
            interval,
            window,
            corrected: Tagged::new(),
            service_sums: Tagged::new(),
            counts: BTreeMap::new(),
        })
    }

    /// Adds the interval `rec` (rows indexing `row_keys`) with its histograms.
    pub fn add(&mut self, rec: &IntervalRecord, row_keys: &[RowKey]) -> Result<(), InputError> {
        let number = hlog::interval_number(rec.start, self.interval);
        // The rule of `metrics::steady::judged_part`, applied to sums so that
        // no histogram is built per interval: whole inside, aborted outside.
        let whole = self.window.contains(rec.start, rec.end);
        if whole {
            self.latency.take(number, &mut self.corrected)?;
        } else {
            self.latency.skip(number)?;
        }
        if let Some(s) = self.service.as_mut() {
            match whole {
                true => s.take(number, &mut self.service_sums)?,
                false => s.skip(number)?,
            }
        }
        for r in &rec.rows {
            let Some(key) = row_keys.get(r.row) else {
                continue;
            };
            let aborted = r.errors[ErrorReason::Aborted.index()];
            if !whole && aborted == 0 {
                continue;
            }
            let c = self.counts.entry(key.clone()).or_insert_with(|| Counts {
                tag: key.tag(),
                ..Counts::default()
            });
            if whole {
                for (sum, n) in c.errors.iter_mut().zip(r.errors) {
                    *sum += n;
                }
                c.corrected_sum_us += r.corrected_sum_us;
            } else {
                c.errors[ErrorReason::Aborted.index()] += aborted;
            }
        }
        Ok(())
    }

    /// The window totals by row.
    pub fn finish(mut self) -> BTreeMap<RowKey, RowHistograms> {
        let take = |sums: &mut Tagged, tag: &str| sums.remove(tag).unwrap_or_else(hlog::empty);
        let mut rows = BTreeMap::new();
        for (key, c) in std::mem::take(&mut self.counts) {
            let corrected = take(&mut self.corrected, &c.tag);
            let service = take(&mut self.service_sums, &c.tag);
            let row = RowHistograms {
                corrected,
                service,
                errors: c.errors,
                corrected_sum_us: c.corrected_sum_us,
            };
            rows.insert(key, row);
        }
        rows
    }
}
