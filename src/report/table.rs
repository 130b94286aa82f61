//! The terminal summary printed at the end of a run.

use std::fmt::Write;

use crate::results::Path;
use crate::results::RowHistograms;
use crate::results::RowKey;
use crate::results::SummaryRow;

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

/// Renders the per-row table (count, errors, p50, p99, p99.9, max in ms),
/// followed by one total line per path as seen by the first server on it.
pub fn render(rows: &[SummaryRow], totals: &PathTotals) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<7} {:<8} {:<8} {:<14} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "path",
        "server",
        "backend",
        "command",
        "count",
        "errors",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms"
    );
    for r in rows {
        // Only failures: no latency was measured, so none is shown.
        let q = |us: u64| match r.count == r.errors {
            true => "-".to_string(),
            false => ms(us),
        };
        let _ = writeln!(
            out,
            "{:<7} {:<8} {:<8} {:<14} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9}",
            r.path,
            r.server,
            r.backend,
            r.command,
            r.count,
            r.errors,
            q(r.p50_us),
            q(r.p99_us),
            q(r.p99_9_us),
            q(r.max_us)
        );
    }
    for (path, total) in [(Path::Cas, &totals.cas), (Path::Direct, &totals.direct)] {
        let h = &total.corrected;
        if total.count() == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "total {:<6} {:>9} commands, {} errors, p50 {} ms, p99 {} ms, p99.9 {} ms, max {} ms",
            path.label(),
            total.count(),
            total.error_count(),
            ms(h.value_at_quantile(0.5)),
            ms(h.value_at_quantile(0.99)),
            ms(h.value_at_quantile(0.999)),
            ms(h.max())
        );
    }
    out
}

/// Per path, the sum of the rows of the first server on it (the CAS for
/// `cas`, the back end for `direct`), so each command is counted once.
#[derive(Default)]
pub struct PathTotals {
    /// Commands that entered through a CAS.
    pub cas: RowHistograms,
    /// Commands sent straight to a back end.
    pub direct: RowHistograms,
}

impl PathTotals {
    /// Adds `row` when `key` is the first server on its path.
    pub fn add(&mut self, key: &RowKey, row: &RowHistograms) {
        match key.path {
            _ if !key.is_first_on_path() => {}
            Path::Cas => self.cas.add(row),
            Path::Direct => self.direct.add(row),
        }
    }
}
