//! The latency figures of a summary row (mean, percentiles, max in
//! microseconds); the row itself is [`crate::results::SummaryRow`].

use hdrhistogram::Histogram;

/// Mean, p50, p90, p99, p99.9, max of a histogram (µs; zeros when empty).
pub fn latency_figures(h: &Histogram<u64>) -> [u64; 6] {
    if h.is_empty() {
        return [0; 6];
    }
    [
        h.mean().round() as u64,
        h.value_at_quantile(0.5),
        h.value_at_quantile(0.9),
        h.value_at_quantile(0.99),
        h.value_at_quantile(0.999),
        h.max(),
    ]
}
