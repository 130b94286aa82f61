//! `timeseries.csv` and `queue.csv`: tidy per-interval rows (one observation
//! per row, units in the column names), written after a run and read back by
//! `imapload health` to re-judge monitors without re-running.

use std::time::{Duration, SystemTime};

use crate::results::cells::to_csv;
use crate::results::interval::IntervalRecord;
use crate::results::interval::IntervalStats;
use crate::results::timeseries::{QueueRow, TimeseriesRow};
use crate::results::ErrorReason;
use crate::results::Quantiles;
use crate::results::RowKey;

/// Whether an interval is shorter than the run's interval length: the last
/// one (the drain after the load stopped, cut off where the run ended), or
/// one ended by an interrupt. Its rates are over less time than the others'.
pub fn is_partial(start: Duration, end: Duration, interval: Duration) -> bool {
    // 1 ms of slack for a tick that lands a hair early.
    end.saturating_sub(start) + Duration::from_millis(1) < interval
}

/// The `timeseries.csv` row of `row` in the interval `rec`; `run_start` is
/// the wall-clock time of the run's start, when known.
pub(crate) fn timeseries_row(
    rec: &IntervalRecord,
    row: &IntervalStats,
    key: &RowKey,
    partial: bool,
    run_start: Option<SystemTime>,
) -> TimeseriesRow {
    let Quantiles {
        p50: p50_us,
        p90: p90_us,
        p99: p99_us,
        max: max_us,
    } = row.corrected;
    let Quantiles {
        p50: service_p50_us,
        p90: service_p90_us,
        p99: service_p99_us,
        max: service_max_us,
    } = row.service;
    let mut out = TimeseriesRow {
        t_start_s: rec.start.as_secs_f64(),
        t_end_s: rec.end.as_secs_f64(),
        path: key.path.to_string(),
        server: key.server.clone(),
        backend: key.backend.clone(),
        command: key.command.to_string(),
        count: row.count(),
        ok: row.ok,
        errors: row.errors.iter().sum(),
        timeouts: row.errors[ErrorReason::Timeout.index()],
        corrected_sum_us: row.corrected_sum_us,
        mean_us: row.corrected_sum_us.checked_div(row.ok).unwrap_or(0),
        active_sessions: rec.active_sessions,
        p50_us,
        p90_us,
        p99_us,
        max_us,
        service_p50_us,
        service_p90_us,
        service_p99_us,
        service_max_us,
        partial: Some(partial),
        first_hop: Some(key.is_first_on_path()),
        t_start_unix_ms: run_start.and_then(|t| unix_ms(t + rec.start)),
        ..TimeseriesRow::default()
    };
    out.set_errors_by_reason(&row.errors);
    out
}

/// Milliseconds since the Unix epoch (`None` before it).
pub fn unix_ms(t: SystemTime) -> Option<u64> {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    u64::try_from(d.as_millis()).ok()
}

/// Renders `timeseries.csv`; `interval` is the run's interval length (an
/// interval shorter than it is marked `partial`), `run_start` the run's
/// wall-clock start.
pub fn timeseries_csv(
    intervals: &[IntervalRecord],
    row_keys: &[RowKey],
    interval: Duration,
    run_start: Option<SystemTime>,
) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<TimeseriesRow> = (intervals.iter())
        .flat_map(|rec| {
            let partial = is_partial(rec.start, rec.end, interval);
            (rec.rows.iter())
                .map(move |row| timeseries_row(rec, row, &row_keys[row.row], partial, run_start))
        })
        .collect();
    to_csv(&rows)
}

/// Renders `queue.csv`: per interval and server, the modelled queue depth and,
/// for embedded servers, their own queue (waiting for a worker) and busy workers.
pub fn queue_csv(intervals: &[IntervalRecord], servers: &[String]) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<QueueRow> = (intervals.iter())
        .flat_map(|rec| {
            (rec.queues.iter().enumerate()).map(|(i, q)| {
                let server = servers.get(i).map_or("", String::as_str);
                QueueRow::of(rec.start.as_secs_f64(), rec.end.as_secs_f64(), server, q)
            })
        })
        .collect();
    to_csv(&rows)
}

/// Reads `timeseries.csv` and `queue.csv` back into interval records (with
/// the row table they index), all at once: for tests and short series; the
/// commands read them one interval at a time ([`super::series_read`]).
pub fn read_intervals(
    timeseries: &[u8],
    queue: &[u8],
    servers: &[String],
) -> anyhow::Result<(Vec<IntervalRecord>, Vec<RowKey>)> {
    let mut r = super::series_read::SeriesReader::new(
        std::path::Path::new(""),
        Box::new(timeseries),
        Box::new(queue),
        servers.to_vec(),
        Duration::MAX,
    )?;
    let mut out = Vec::new();
    while let Some(rec) = r.next_interval()? {
        out.push(rec);
    }
    Ok((out, r.row_keys().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::CommandKind;
    use crate::results::Path;
    use crate::results::QueueStats;

    /// A via-CAS row and a direct row.
    fn sample_keys() -> Vec<RowKey> {
        vec![
            RowKey {
                path: Path::Cas,
                server: "cas1".into(),
                backend: "mbx1".into(),
                command: CommandKind::Noop,
            },
            RowKey {
                path: Path::Direct,
                server: "mbx1".into(),
                backend: "mbx1".into(),
                command: CommandKind::FetchBody,
            },
        ]
    }

    /// Two intervals over those rows, the second a partial one (the drain).
    fn sample_intervals() -> Vec<IntervalRecord> {
        let mut errors = [0; ErrorReason::COUNT];
        errors[ErrorReason::No.index()] = 2;
        let stats = |row, ok| IntervalStats {
            row,
            ok,
            errors,
            corrected_sum_us: 1234 * ok,
            corrected: Quantiles {
                p50: 1,
                p90: 2,
                p99: 3,
                max: 4,
            },
            service: Quantiles {
                p50: 5,
                p90: 6,
                p99: 7,
                max: 8,
            },
        };
        let mut q = QueueStats::default();
        q.add(3, Some(crate::results::OwnReading { queued: 1, busy: 2 }));
        q.add(5, Some(crate::results::OwnReading { queued: 0, busy: 2 }));
        vec![
            IntervalRecord {
                start: Duration::ZERO,
                end: Duration::from_secs(1),
                active_sessions: 7,
                rows: vec![stats(0, 3), stats(1, 4)],
                queues: vec![q, QueueStats::default()],
            },
            IntervalRecord {
                start: Duration::from_secs(1),
                end: Duration::from_millis(1400), // the drain: partial
                active_sessions: 6,
                rows: vec![stats(1, 9)],
                queues: vec![q, q],
            },
        ]
    }

    #[test]
    fn round_trips_what_monitors_read() {
        let keys = sample_keys();
        let recs = sample_intervals();
        let servers = vec!["cas1".to_string(), "mbx1".to_string()];
        let start = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let ts = timeseries_csv(&recs, &keys, Duration::from_secs(1), Some(start)).unwrap();
        let text = String::from_utf8(ts.clone()).unwrap();
        let last: Vec<Vec<&str>> = (text.lines().skip(1))
            .map(|l| l.rsplitn(4, ',').take(3).collect())
            .collect();
        let want = [
            ["1700000000123", "true", "false"],
            ["1700000000123", "true", "false"],
            ["1700000001123", "true", "true"],
        ];
        // A CAS row and a direct row: both first hops.
        assert_eq!(last, want, "t_start_unix_ms, first_hop, partial: {text}");
        assert!((text.lines().next().unwrap()).ends_with(",partial,first_hop,t_start_unix_ms"));
        let qc = queue_csv(&recs, &servers).unwrap();
        // A file from before the columns reads back the same.
        let old: String = text
            .lines()
            .map(|l| l.rsplitn(4, ',').last().unwrap().to_string() + "\n")
            .collect();
        let (old_back, _) = read_intervals(old.as_bytes(), &qc, &servers).unwrap();
        let (back, back_keys) = read_intervals(&ts, &qc, &servers).unwrap();
        assert_eq!(old_back.len(), back.len());
        assert_eq!(back.len(), 2);
        for (a, b) in recs.iter().zip(&back) {
            assert_eq!(
                (a.start, a.end, a.active_sessions),
                (b.start, b.end, b.active_sessions)
            );
            assert_eq!(a.rows.len(), b.rows.len());
            for (x, y) in a.rows.iter().zip(&b.rows) {
                assert_eq!(keys[x.row], back_keys[y.row]);
                assert_eq!(
                    (x.ok, x.errors, x.corrected_sum_us, x.corrected, x.service),
                    (y.ok, y.errors, y.corrected_sum_us, y.corrected, y.service)
                );
            }
            for (x, y) in a.queues.iter().zip(&b.queues) {
                assert_eq!((x.sum, x.samples, x.max), (y.sum, y.samples, y.max));
            }
        }
        assert!(String::from_utf8(qc).unwrap().starts_with("t_s,server,"));
    }
}
