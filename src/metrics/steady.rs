//! Each output row's commands within the steady window, added up tick by
//! tick from the same interval histograms the time series and the interval
//! logs are made of, so thresholds read exact percentiles of the window
//! without keeping every interval.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::results::ErrorReason;
use crate::results::RowHistograms;
use crate::results::RowKey;
use crate::results::Window;

/// What of an interval's row the window judges: all of it inside the
/// window; outside, only the commands cut short by the end of the run
/// (`aborted`), which are recorded when the grace period runs out but were
/// due inside the window: a command that hung until the end must fail the
/// run, not vanish with the drain. `None` when nothing is judged.
pub fn judged_part<'a>(
    window: &Window,
    start: Duration,
    end: Duration,
    h: &'a RowHistograms,
) -> Option<std::borrow::Cow<'a, RowHistograms>> {
    if window.contains(start, end) {
        return Some(std::borrow::Cow::Borrowed(h));
    }
    let aborted = h.errors[ErrorReason::Aborted.index()];
    (aborted > 0).then(|| {
        let mut part = RowHistograms::new();
        part.errors[ErrorReason::Aborted.index()] = aborted;
        std::borrow::Cow::Owned(part)
    })
}

/// Window totals per output row (indexed like the store's row keys). Each
/// row is shared with the verdicts judged on it ([`SteadyRows::by_row`]), so
/// judging a checkpoint copies no histogram; the next tick's add finds the
/// row unshared again (the verdict is gone by then) and adds in place.
///
/// Rows made of the same slots hold the same commands (behind a single CAS,
/// the back end's row is the CAS's row for it): only the first of them, its
/// `canonical` row, is kept, and the others share it.
#[derive(Debug)]
pub struct SteadyRows {
    window: Window,
    rows: Vec<Option<Arc<RowHistograms>>>,
    canonical: Vec<usize>,
}

impl SteadyRows {
    /// Empty totals for rows where row `i` holds the same commands as row
    /// `canonical[i]` (`canonical[i] <= i`), judging every interval until
    /// told otherwise.
    pub fn new(canonical: Vec<usize>) -> Self {
        SteadyRows {
            window: Window::WHOLE,
            rows: canonical.iter().map(|_| None).collect(),
            canonical,
        }
    }

    /// The window later intervals are judged against (the engine narrows it
    /// when the load stops early).
    pub fn set_window(&mut self, window: Window) {
        self.window = window;
    }

    /// The window in force.
    pub fn window(&self) -> Window {
        self.window
    }

    /// Adds row `row`'s figures of the interval `[start, end)` if the window
    /// holds it; outside it, only its aborted commands (see [`judged_part`]).
    /// A row sharing another's commands is skipped: that row holds them.
    pub fn add(&mut self, start: Duration, end: Duration, row: usize, h: &RowHistograms) {
        if self.canonical[row] != row {
            return;
        }
        if let Some(part) = judged_part(&self.window, start, end, h) {
            let sum = self.rows[row].get_or_insert_with(Default::default);
            Arc::make_mut(sum).add(&part);
        }
    }

    /// The totals by row key, shared, not copied.
    pub fn by_row(&self, keys: &[RowKey]) -> BTreeMap<RowKey, Arc<RowHistograms>> {
        (self.canonical.iter().enumerate())
            .filter_map(|(i, &c)| {
                self.rows[c]
                    .as_ref()
                    .map(|r| (keys[i].clone(), Arc::clone(r)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_the_window_only_aborted_commands_count() {
        let s = Duration::from_secs;
        let window = Window::steady(s(2), None, s(10));
        let mut h = RowHistograms::new();
        h.record_ok(1000, 500);
        h.record_error(ErrorReason::Timeout);
        h.record_error(ErrorReason::Aborted);
        let inside = judged_part(&window, s(5), s(6), &h).unwrap();
        assert_eq!(inside.count(), 3);
        let drain = judged_part(&window, s(10), s(11), &h).unwrap();
        assert_eq!((drain.ok(), drain.error_count()), (0, 1));
        assert_eq!(drain.errors[ErrorReason::Aborted.index()], 1);
        h.errors[ErrorReason::Aborted.index()] = 0;
        assert!(judged_part(&window, s(0), s(1), &h).is_none());
    }
}
