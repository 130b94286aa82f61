//! Thresholds re-judged on a saved results directory (`imapload health`):
//! counts and errors from the time series, histograms from the interval logs
//! (`latency.hlog`, `service.hlog`), both cut to the steady window. The logs
//! are read one interval at a time, so a long run is never held whole.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::error::InputError;
use crate::merge::hlog::{self, Reader, Tagged};
use crate::metrics::steady::judged_part;
use crate::metrics::store::IntervalRecord;
use crate::metrics::{RowHistograms, RowKey, Window};

/// Each row's window totals from `intervals` (the directory's time series,
/// indexing `row_keys`) and the interval logs in `dir`.
pub fn window_rows(
    dir: &Path,
    intervals: &[IntervalRecord],
    row_keys: &[RowKey],
    interval: Duration,
    window: Window,
) -> Result<BTreeMap<RowKey, RowHistograms>, InputError> {
    let mut latency = Reader::open(&dir.join(crate::results::files::LATENCY_HLOG), interval)?;
    // Results from before service.hlog existed judge service thresholds as "no data".
    let service_file = dir.join(crate::results::files::SERVICE_HLOG);
    let mut service = match service_file.exists() {
        true => Some(Reader::open(&service_file, interval)?),
        false => None,
    };
    let mut rows: BTreeMap<RowKey, RowHistograms> = BTreeMap::new();
    for rec in intervals {
        let slot = hlog::slot_of(rec.start, interval);
        let (mut lat, mut svc) = (Tagged::new(), Tagged::new());
        latency.take(slot, &mut lat)?;
        if let Some(s) = service.as_mut() {
            s.take(slot, &mut svc)?;
        }
        for r in &rec.rows {
            let key = &row_keys[r.row];
            let tag = key.tag();
            let measured = RowHistograms {
                corrected: lat.remove(&tag).unwrap_or_else(hlog::empty),
                service: svc.remove(&tag).unwrap_or_else(hlog::empty),
                errors: r.errors,
                corrected_sum_us: r.corrected_sum_us,
            };
            if let Some(part) = judged_part(&window, rec.start, rec.end, &measured) {
                rows.entry(key.clone()).or_default().add(&part);
            }
        }
    }
    Ok(rows)
}
