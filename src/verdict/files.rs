//! Thresholds re-judged on a saved results directory (`imapload health`):
//! counts and errors from the time series, histograms from the interval logs
//! (`latency.hlog`, `service.hlog`), both cut to the steady window. The time
//! series and the logs are read one interval at a time, so a long run is
//! never held whole: only each row's window totals are.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::error::InputError;
use crate::merge::hlog::{self, Reader, Tagged};
use crate::metrics::steady::judged_part;
use crate::metrics::store::IntervalRecord;
use crate::metrics::{RowHistograms, RowKey, Window};

/// Each row's window totals, added up interval by interval.
pub struct WindowRows {
    latency: Reader,
    service: Option<Reader>,
    interval: Duration,
    window: Window,
    rows: BTreeMap<RowKey, RowHistograms>,
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
            rows: BTreeMap::new(),
        })
    }

    /// Adds the interval `rec` (rows indexing `row_keys`) with its histograms.
    pub fn add(&mut self, rec: &IntervalRecord, row_keys: &[RowKey]) -> Result<(), InputError> {
        let slot = hlog::slot_of(rec.start, self.interval);
        let (mut lat, mut svc) = (Tagged::new(), Tagged::new());
        self.latency.take(slot, &mut lat)?;
        if let Some(s) = self.service.as_mut() {
            s.take(slot, &mut svc)?;
        }
        for r in &rec.rows {
            let Some(key) = row_keys.get(r.row) else {
                continue;
            };
            let tag = key.tag();
            let measured = RowHistograms {
                corrected: lat.remove(&tag).unwrap_or_else(hlog::empty),
                service: svc.remove(&tag).unwrap_or_else(hlog::empty),
                errors: r.errors,
                corrected_sum_us: r.corrected_sum_us,
            };
            if let Some(part) = judged_part(&self.window, rec.start, rec.end, &measured) {
                self.rows.entry(key.clone()).or_default().add(&part);
            }
        }
        Ok(())
    }

    /// The window totals by row.
    pub fn finish(self) -> BTreeMap<RowKey, RowHistograms> {
        self.rows
    }
}
