//! Sampling noise of a quantile. A p99 from 500 commands rests on its 5
//! slowest: run it twice and it moves by tens of percent with nothing changed.
//! From each row's full histogram (merged from `latency.hlog`) this gives the
//! distribution-free confidence band of the quantile (order statistics:
//! rank n*q +- 3*sqrt(n*q*(1-q))), so `compare` only calls a change a
//! regression when even the optimistic current value is above the pessimistic
//! baseline value.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::Histogram;

/// Standard deviations of the band (3: about 99.7% two-sided).
const Z: f64 = 3.0;

/// Per tag (`cas.cas1.mbx2.FETCH_BODY`), the run's whole corrected-latency histogram.
pub fn read_hlog(dir: &Path) -> Option<HashMap<String, Histogram<u64>>> {
    let bytes = std::fs::read(dir.join(crate::results::files::LATENCY_HLOG)).ok()?;
    let mut out: HashMap<String, Histogram<u64>> = HashMap::new();
    let mut de = Deserializer::new();
    for entry in IntervalLogIterator::new(&bytes) {
        let Ok(LogEntry::Interval(h)) = entry else {
            continue;
        };
        let Some(tag) = h.tag() else { continue };
        let raw = base64::engine::general_purpose::STANDARD
            .decode(h.encoded_histogram())
            .ok()?;
        let hist: Histogram<u64> = de.deserialize(&mut raw.as_slice()).ok()?;
        let merged = out
            .entry(tag.as_str().to_string())
            .or_insert_with(|| Histogram::new(3).expect("sigfig 3"));
        merged.add(&hist).ok()?;
    }
    Some(out)
}

/// The quantile `q`'s value at the low (`sign` = -1) or high (+1) edge of its band.
pub fn band_edge(h: &Histogram<u64>, q: f64, sign: f64) -> u64 {
    let n = h.len().max(1) as f64;
    let spread = Z * (q * (1.0 - q) / n).sqrt();
    h.value_at_quantile((q + sign * spread).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_narrows_with_more_samples() {
        let mut small = Histogram::<u64>::new(3).unwrap();
        let mut big = Histogram::<u64>::new(3).unwrap();
        for v in 1..=500u64 {
            small.record(v * 10).unwrap();
        }
        for v in 1..=50_000u64 {
            big.record(v / 10 + 1).unwrap();
        }
        let width = |h: &Histogram<u64>| {
            (band_edge(h, 0.99, 1.0) - band_edge(h, 0.99, -1.0)) as f64
                / h.value_at_quantile(0.99) as f64
        };
        assert!(width(&small) > 0.02, "500 samples: {}", width(&small));
        assert!(width(&big) < 0.01, "50,000 samples: {}", width(&big));
    }
}
