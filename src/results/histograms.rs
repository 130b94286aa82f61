//! The measurements of one row (or recorder slot): two latency histograms and error counts.

use hdrhistogram::Histogram;

use super::ErrorReason;

/// Significant figures kept by every latency histogram (0.1% resolution).
pub const SIGFIG: u8 = 3;

/// Corrected and service-time histograms (microseconds) plus error counters.
///
/// Histograms auto-resize, so a row that only ever sees sub-millisecond NOOPs
/// stays small, and a minute-long stall is still recorded exactly.
#[derive(Debug, Clone)]
pub struct RowHistograms {
    /// Latency from the intended start of the command to its tagged completion.
    pub corrected: Histogram<u64>,
    /// Latency from the last byte written to the tagged completion.
    pub service: Histogram<u64>,
    /// Failures by reason; never part of the histograms.
    pub errors: [u64; ErrorReason::COUNT],
    /// Exact sum of corrected latencies (µs): means for monitors come from
    /// this, not from bucket midpoints.
    pub corrected_sum_us: u64,
}

impl Default for RowHistograms {
    fn default() -> Self {
        Self::new()
    }
}

impl RowHistograms {
    /// Empty histograms.
    pub fn new() -> Self {
        let h = Histogram::new(SIGFIG).expect("3 significant figures is valid");
        RowHistograms {
            corrected: h.clone(),
            service: h,
            errors: [0; ErrorReason::COUNT],
            corrected_sum_us: 0,
        }
    }

    /// Records one successful command.
    #[inline]
    pub fn record_ok(&mut self, corrected_us: u64, service_us: u64) {
        record(&mut self.corrected, corrected_us);
        self.corrected_sum_us += corrected_us;
        record(&mut self.service, service_us);
    }

    /// Records one failed command.
    #[inline]
    pub fn record_error(&mut self, reason: ErrorReason) {
        self.errors[reason.index()] += 1;
    }

    /// Successful commands.
    pub fn ok(&self) -> u64 {
        self.corrected.len()
    }

    /// Failed commands, all reasons.
    pub fn error_count(&self) -> u64 {
        self.errors.iter().sum()
    }

    /// All commands: successful plus failed.
    pub fn count(&self) -> u64 {
        self.ok() + self.error_count()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Adds another row's measurements (histogram addition, never averaging).
    pub fn add(&mut self, other: &RowHistograms) {
        for (h, o) in [
            (&mut self.corrected, &other.corrected),
            (&mut self.service, &other.service),
        ] {
            let before = h.distinct_values();
            h.add(o).expect("auto-resizing histograms add");
            fit(h, before);
        }
        self.corrected_sum_us += other.corrected_sum_us;
        for (a, b) in self.errors.iter_mut().zip(other.errors.iter()) {
            *a += b;
        }
    }

    /// Clears counts but keeps the allocated buckets for reuse.
    pub fn reset(&mut self) {
        self.corrected.reset();
        self.service.reset();
        self.errors = [0; ErrorReason::COUNT];
        self.corrected_sum_us = 0;
    }

    /// Exact mean corrected latency in µs (0 when nothing succeeded).
    pub fn corrected_mean_us(&self) -> f64 {
        if self.ok() == 0 {
            0.0
        } else {
            self.corrected_sum_us as f64 / self.ok() as f64
        }
    }
}

/// Records into an auto-resizing histogram. `saturating_record` would clamp at
/// the current size instead of growing, so it is only the fallback for values
/// no histogram can hold.
#[inline]
fn record(h: &mut Histogram<u64>, v: u64) {
    let v = v.max(1);
    let before = h.distinct_values();
    if h.record(v).is_err() {
        h.saturating_record(v);
    }
    fit(h, before);
}

/// Gives back the room a histogram's growth left over. A histogram grows its
/// counts with `Vec::resize`, which at least doubles the allocation: a row
/// grown from 5 to 6 buckets of 1,024 counters held room for 8. A copy holds
/// just its counters (same counts, same width, still auto-resizing); growing
/// happens a handful of times in a histogram's life, so the copies are rare.
#[inline]
pub fn fit(h: &mut Histogram<u64>, before: usize) {
    if h.distinct_values() != before {
        *h = h.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_stay_out_of_percentiles() {
        let mut r = RowHistograms::new();
        for v in 1..=100 {
            r.record_ok(v * 1000, v * 10);
        }
        r.record_error(ErrorReason::Timeout);
        r.record_error(ErrorReason::No);
        assert_eq!((r.ok(), r.error_count(), r.count()), (100, 2, 102));
        let p99 = r.corrected.value_at_quantile(0.99);
        assert!((98_900..=99_100).contains(&p99), "p99 {p99}");
        assert_eq!(r.corrected.max(), r.corrected.highest_equivalent(100_000));
        let mut sum = RowHistograms::new();
        sum.add(&r);
        sum.add(&r);
        // Grown histograms are refitted copies: still auto-resizing, counts kept.
        sum.record_ok(60_000_000, 1);
        assert_eq!(
            sum.corrected.max(),
            sum.corrected.highest_equivalent(60_000_000)
        );
        assert_eq!(sum.corrected.count_at(100_000), 2);
        assert_eq!(
            (sum.ok(), sum.errors[ErrorReason::Timeout.index()]),
            (201, 2)
        );
    }
}
