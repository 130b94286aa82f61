//! A run's whole-run histograms, for callers that only want the sums (tests
//! checking that a merge kept every latency). `compare` itself reads with
//! [`super::hlog::read`], which names every damaged line.

use std::collections::HashMap;
use std::path::Path;

use hdrhistogram::Histogram;

/// Per tag (`cas.cas1.mbx2.FETCH_BODY`), the run's whole corrected-latency
/// histogram; `None` when `latency.hlog` is missing or damaged anywhere.
pub fn read_hlog(dir: &Path) -> Option<HashMap<String, Histogram<u64>>> {
    super::hlog::read(dir, true).ok().map(|h| h.by_tag)
}
