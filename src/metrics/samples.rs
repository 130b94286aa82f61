//! One slot's commands of the current interval as a worker recorded them:
//! the latencies themselves, not a histogram.
//!
//! A slot sees a few commands per worker per interval, yet a histogram's
//! buckets reach up to the longest latency it ever held and stay that size:
//! every worker's copy of every slot grew each time a slower command came
//! along, so the recorder's memory crept up over a long run. A list of
//! samples grows only with the commands of one interval, and the tick adds
//! them into the store's histograms, which exist once per row anyway.

use crate::results::ErrorReason;
use crate::results::RowHistograms;

/// Above this many samples a slot folds them into a histogram of its own
/// (a very busy slot or a long interval), so a list never outgrows the
/// histogram it stands in for.
const FOLD_AT: usize = 4096;

/// One successful command's latencies, in µs.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// From the intended start to the tagged completion.
    pub corrected_us: u64,
    /// From the last byte written to the tagged completion.
    pub service_us: u64,
}

/// A slot's commands of one interval on one worker.
#[derive(Debug, Default)]
pub struct SlotSamples {
    latencies: Vec<Sample>,
    /// Samples folded away once the list was full (rarely used).
    folded: Option<Box<RowHistograms>>,
    errors: [u64; ErrorReason::COUNT],
}

impl SlotSamples {
    /// Records one successful command (no allocation once the list is warm).
    #[inline]
    pub fn record_ok(&mut self, corrected_us: u64, service_us: u64) {
        if self.latencies.len() == FOLD_AT {
            let folded = self.folded.get_or_insert_with(Default::default);
            for s in self.latencies.drain(..) {
                folded.record_ok(s.corrected_us, s.service_us);
            }
        }
        self.latencies.push(Sample {
            corrected_us,
            service_us,
        });
    }

    /// Records one failed command.
    #[inline]
    pub fn record_error(&mut self, reason: ErrorReason) {
        self.errors[reason.index()] += 1;
    }

    /// Commands recorded, failed ones included.
    pub fn count(&self) -> u64 {
        let folded = self.folded.as_ref().map_or(0, |f| f.count());
        self.latencies.len() as u64 + folded + self.errors.iter().sum::<u64>()
    }

    /// Failed commands of one `reason`.
    pub fn errors(&self, reason: ErrorReason) -> u64 {
        self.errors[reason.index()]
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Adds every command of `other` to this slot (a worker's slot into the
    /// interval's samples of that slot across workers).
    pub fn extend_from(&mut self, other: &SlotSamples) {
        for s in &other.latencies {
            self.record_ok(s.corrected_us, s.service_us);
        }
        if let Some(folded) = &other.folded {
            self.folded.get_or_insert_with(Default::default).add(folded);
        }
        for (a, b) in self.errors.iter_mut().zip(other.errors.iter()) {
            *a += b;
        }
    }

    /// Adds every command recorded here to `row`.
    pub fn add_to(&self, row: &mut RowHistograms) {
        for s in &self.latencies {
            row.record_ok(s.corrected_us, s.service_us);
        }
        if let Some(folded) = &self.folded {
            row.add(folded);
        }
        for (a, b) in row.errors.iter_mut().zip(self.errors.iter()) {
            *a += b;
        }
    }

    /// Empties the slot, keeping the list's room for the next interval.
    pub fn reset(&mut self) {
        self.latencies.clear();
        if let Some(folded) = &mut self.folded {
            folded.reset();
        }
        self.errors = [0; ErrorReason::COUNT];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_what_a_histogram_would_have_recorded_also_past_the_fold() {
        let mut samples = SlotSamples::default();
        let mut direct = RowHistograms::new();
        for i in 0..(FOLD_AT as u64 * 2 + 17) {
            samples.record_ok(100 + i * 7, 50 + i);
            direct.record_ok(100 + i * 7, 50 + i);
        }
        samples.record_error(ErrorReason::Timeout);
        direct.record_error(ErrorReason::Timeout);
        // Through a second slot (a worker's slot into the interval's), folded part too.
        let mut twice = SlotSamples::default();
        twice.extend_from(&samples);
        twice.extend_from(&samples);
        let mut added = RowHistograms::new();
        twice.add_to(&mut added);
        assert_eq!(added.count(), 2 * direct.count());
        let mut added = RowHistograms::new();
        samples.add_to(&mut added);
        assert_eq!(added.count(), direct.count());
        assert_eq!(samples.count(), direct.count());
        assert_eq!(added.corrected_sum_us, direct.corrected_sum_us);
        assert_eq!(added.errors, direct.errors);
        for q in [0.5, 0.9, 0.99, 1.0] {
            assert_eq!(
                added.corrected.value_at_quantile(q),
                direct.corrected.value_at_quantile(q)
            );
            assert_eq!(
                added.service.value_at_quantile(q),
                direct.service.value_at_quantile(q)
            );
        }
        samples.reset();
        assert!(samples.is_empty());
    }
}
