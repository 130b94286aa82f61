//! Each output row's commands within the steady window, added up tick by
//! tick from the same interval histograms the time series and the interval
//! logs are made of, so thresholds read exact percentiles of the window
//! without keeping every interval.

use std::collections::BTreeMap;
use std::time::Duration;

use super::layout::RowKey;
use super::row::RowHistograms;
use super::window::Window;

/// Window totals per output row (indexed like the store's row keys).
#[derive(Debug)]
pub struct SteadyRows {
    window: Window,
    rows: Vec<Option<Box<RowHistograms>>>,
}

impl SteadyRows {
    /// Empty totals for `n` rows, judging every interval until told otherwise.
    pub fn new(n: usize) -> Self {
        SteadyRows {
            window: Window::WHOLE,
            rows: (0..n).map(|_| None).collect(),
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

    /// Adds row `row`'s figures of the interval `[start, end)` if the window holds it.
    pub fn add(&mut self, start: Duration, end: Duration, row: usize, h: &RowHistograms) {
        if self.window.contains(start, end) {
            self.rows[row].get_or_insert_with(Default::default).add(h);
        }
    }

    /// The totals by row key.
    pub fn by_row(&self, keys: &[RowKey]) -> BTreeMap<RowKey, RowHistograms> {
        self.rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_deref().map(|r| (keys[i].clone(), r.clone())))
            .collect()
    }
}
