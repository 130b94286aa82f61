//! `summary.csv`: one row per path x server x back end x command, latency in
//! microseconds, corrected and service, plus errors by reason.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use crate::metrics::{ErrorReason, RowHistograms, RowKey};

/// Percentiles printed for each histogram, with their column suffix.
pub const QUANTILES: [(f64, &str); 4] =
    [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99_9")];

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

/// The header of `summary.csv`. The first six columns are fixed by design.md.
pub fn header() -> Vec<String> {
    let mut h: Vec<String> = [
        "path", "server", "backend", "command", "count", "errors", "timeouts",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for prefix in ["", "service_"] {
        h.push(format!("{prefix}mean_us"));
        for (_, q) in QUANTILES {
            h.push(format!("{prefix}{q}_us"));
        }
        h.push(format!("{prefix}max_us"));
    }
    for r in ErrorReason::ALL {
        h.push(format!("errors_{}", r.label()));
    }
    h
}

/// One CSV record for a row. The mean is exact (from the latency sum).
pub fn record(key: &RowKey, row: &RowHistograms) -> Vec<String> {
    let mut v = vec![
        key.path.to_string(),
        key.server.clone(),
        key.backend.clone(),
        key.command.to_string(),
        row.count().to_string(),
        row.error_count().to_string(),
        row.errors[ErrorReason::Timeout.index()].to_string(),
    ];
    let mut corrected = latency_figures(&row.corrected);
    corrected[0] = row.corrected_mean_us().round() as u64;
    v.extend(corrected.iter().map(|x| x.to_string()));
    v.extend(latency_figures(&row.service).iter().map(|x| x.to_string()));
    v.extend(row.errors.iter().map(|x| x.to_string()));
    v
}

/// Renders the whole `summary.csv`.
pub fn to_csv(rows: &BTreeMap<RowKey, RowHistograms>) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header())?;
    for (key, row) in rows {
        w.write_record(record(key, row))?;
    }
    Ok(w.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::CommandKind;
    use crate::metrics::Path;

    #[test]
    fn header_starts_as_designed_and_rows_match_it() {
        let h = header();
        assert_eq!(
            h[..6],
            ["path", "server", "backend", "command", "count", "errors"]
        );
        assert!(h.contains(&"p99_us".to_string()) && h.contains(&"service_p99_us".to_string()));
        let mut row = RowHistograms::new();
        row.record_ok(1500, 700);
        row.record_error(ErrorReason::Timeout);
        let key = RowKey {
            path: Path::Cas,
            server: "cas1".into(),
            backend: "mbx1".into(),
            command: CommandKind::Noop,
        };
        let mut rows = BTreeMap::new();
        rows.insert(key, row);
        let text = String::from_utf8(to_csv(&rows).unwrap()).unwrap();
        let line = text.lines().nth(1).unwrap();
        let cells: Vec<_> = line.split(',').collect();
        assert_eq!(cells.len(), h.len());
        assert_eq!(
            cells[..8],
            ["cas", "cas1", "mbx1", "NOOP", "2", "1", "1", "1500"]
        );
    }
}
