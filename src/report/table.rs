//! The terminal summary printed at the end of a run.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::metrics::{Path, RowHistograms, RowKey};

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

/// Renders the per-row table (count, errors, p50, p99, p99.9, max in ms),
/// followed by one total line per path as seen by the first server on it.
pub fn render(rows: &BTreeMap<RowKey, RowHistograms>) -> String {
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
    for (k, r) in rows {
        let h = &r.corrected;
        let q = |p: f64| {
            if h.is_empty() {
                "-".to_string()
            } else {
                ms(h.value_at_quantile(p))
            }
        };
        let _ = writeln!(
            out,
            "{:<7} {:<8} {:<8} {:<14} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9}",
            k.path.label(),
            k.server,
            k.backend,
            k.command.label(),
            r.count(),
            r.error_count(),
            q(0.5),
            q(0.99),
            q(0.999),
            if h.is_empty() {
                "-".to_string()
            } else {
                ms(h.max())
            }
        );
    }
    for (path, total) in path_totals(rows) {
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
pub fn path_totals(rows: &BTreeMap<RowKey, RowHistograms>) -> Vec<(Path, RowHistograms)> {
    let mut cas = RowHistograms::new();
    let mut direct = RowHistograms::new();
    for (k, r) in rows {
        match k.path {
            _ if !k.is_first_on_path() => {}
            Path::Cas => cas.add(r),
            Path::Direct => direct.add(r),
        }
    }
    vec![(Path::Cas, cas), (Path::Direct, direct)]
}
