//! `timeseries.csv` and `queue.csv`: tidy per-interval rows (one observation
//! per row, units in the column names), written after a run and read back by
//! `imapload health` to re-judge monitors without re-running.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;

use crate::command::CommandKind;
use crate::metrics::store::{IntervalRecord, IntervalStats};
use crate::metrics::{ErrorReason, Path, QueueStats, RowKey};

const TS_FIXED: [&str; 13] = [
    "t_start_s",
    "t_end_s",
    "path",
    "server",
    "backend",
    "command",
    "count",
    "ok",
    "errors",
    "timeouts",
    "corrected_sum_us",
    "mean_us",
    "active_sessions",
];
const TS_LATENCY: [&str; 8] = [
    "p50_us",
    "p90_us",
    "p99_us",
    "max_us",
    "service_p50_us",
    "service_p90_us",
    "service_p99_us",
    "service_max_us",
];

/// Whether an interval is shorter than the run's interval length: the last
/// one (the drain after the load stopped, cut off where the run ended), or
/// one ended by an interrupt. Its rates are over less time than the others'.
pub fn is_partial(start: Duration, end: Duration, interval: Duration) -> bool {
    // 1 ms of slack for a tick that lands a hair early.
    end.saturating_sub(start) + Duration::from_millis(1) < interval
}

fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// Renders `timeseries.csv`; `interval` is the run's interval length (an
/// interval shorter than it is marked `partial`).
pub fn timeseries_csv(
    intervals: &[IntervalRecord],
    row_keys: &[RowKey],
    interval: Duration,
) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = TS_FIXED
        .iter()
        .chain(TS_LATENCY.iter())
        .map(|s| s.to_string())
        .collect();
    header.extend(
        ErrorReason::ALL
            .iter()
            .map(|r| format!("errors_{}", r.label())),
    );
    header.push("partial".to_string());
    w.write_record(&header)?;
    for rec in intervals {
        let partial = is_partial(rec.start, rec.end, interval);
        for row in &rec.rows {
            let k = &row_keys[row.row];
            let mean = row.corrected_sum_us.checked_div(row.ok).unwrap_or(0);
            let mut v = vec![
                secs(rec.start),
                secs(rec.end),
                k.path.to_string(),
                k.server.clone(),
                k.backend.clone(),
                k.command.to_string(),
                row.count().to_string(),
                row.ok.to_string(),
                row.errors.iter().sum::<u64>().to_string(),
                row.errors[ErrorReason::Timeout.index()].to_string(),
                row.corrected_sum_us.to_string(),
                mean.to_string(),
                rec.active_sessions.to_string(),
            ];
            v.extend(
                row.corrected
                    .iter()
                    .chain(row.service.iter())
                    .map(u64::to_string),
            );
            v.extend(row.errors.iter().map(u64::to_string));
            v.push(partial.to_string());
            w.write_record(&v)?;
        }
    }
    Ok(w.into_inner()?)
}

/// Renders `queue.csv`: per interval and server, the modelled queue depth and,
/// for embedded servers, their own queue (waiting for a worker) and busy workers.
pub fn queue_csv(intervals: &[IntervalRecord], servers: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "t_s",
        "server",
        "t_end_s",
        "depth_mean",
        "depth_max",
        "readings",
        "depth_sum",
        "server_queued_mean",
        "server_queued_max",
        "server_busy_mean",
    ])?;
    for rec in intervals {
        for (i, q) in rec.queues.iter().enumerate() {
            let opt = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_default();
            let busy = q.own_busy_sum.map(|b| {
                if q.samples == 0 {
                    0.0
                } else {
                    b as f64 / q.samples as f64
                }
            });
            w.write_record([
                secs(rec.start),
                servers.get(i).cloned().unwrap_or_default(),
                secs(rec.end),
                format!("{:.3}", q.mean()),
                q.max.to_string(),
                q.samples.to_string(),
                q.sum.to_string(),
                opt(q.own_mean()),
                q.own_max.map(|m| m.to_string()).unwrap_or_default(),
                opt(busy),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

fn dur(s: &str) -> anyhow::Result<Duration> {
    Ok(Duration::from_secs_f64(
        s.parse::<f64>()
            .with_context(|| format!("bad time `{s}`"))?,
    ))
}

/// Reads `timeseries.csv` and `queue.csv` back into interval records (with the
/// row table they index). `servers` gives the queue order (CAS then back ends).
pub fn read_intervals(
    timeseries: &[u8],
    queue: &[u8],
    servers: &[String],
) -> anyhow::Result<(Vec<IntervalRecord>, Vec<RowKey>)> {
    let mut keys: BTreeMap<RowKey, usize> = BTreeMap::new();
    let mut by_start: BTreeMap<u64, IntervalRecord> = BTreeMap::new();
    let mut r = csv::Reader::from_reader(timeseries);
    let header = r.headers()?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("timeseries.csv has no `{name}` column"))
    };
    let idx: Vec<usize> = TS_FIXED
        .iter()
        .chain(TS_LATENCY.iter())
        .map(|n| col(n))
        .collect::<anyhow::Result<_>>()?;
    let err_idx: Vec<usize> = ErrorReason::ALL
        .iter()
        .map(|e| col(&format!("errors_{}", e.label())))
        .collect::<anyhow::Result<_>>()?;
    for (line, rec) in r.records().enumerate() {
        let rec = rec?;
        let f = |i: usize| rec.get(idx[i]).unwrap_or_default();
        let num = |i: usize| {
            f(i).parse::<u64>()
                .with_context(|| format!("timeseries.csv line {}: bad number `{}`", line + 2, f(i)))
        };
        let path = match f(2) {
            "cas" => Path::Cas,
            "direct" => Path::Direct,
            p => anyhow::bail!("timeseries.csv line {}: unknown path `{p}`", line + 2),
        };
        let command = CommandKind::from_label(f(5))
            .with_context(|| format!("timeseries.csv line {}: unknown command", line + 2))?;
        let key = RowKey {
            path,
            server: f(3).to_string(),
            backend: f(4).to_string(),
            command,
        };
        let n = keys.len();
        let row = *keys.entry(key).or_insert(n);
        let start = dur(f(0))?;
        let interval = by_start
            .entry(start.as_micros() as u64)
            .or_insert_with(|| IntervalRecord {
                start,
                end: Duration::ZERO,
                active_sessions: 0,
                rows: Vec::new(),
                queues: vec![QueueStats::default(); servers.len()],
            });
        interval.end = dur(f(1))?;
        interval.active_sessions = num(12)?;
        let mut errors = [0u64; ErrorReason::COUNT];
        for (e, &i) in errors.iter_mut().zip(&err_idx) {
            *e = rec.get(i).unwrap_or("0").parse()?;
        }
        interval.rows.push(IntervalStats {
            row,
            ok: num(7)?,
            errors,
            corrected_sum_us: num(10)?,
            corrected: [num(13)?, num(14)?, num(15)?, num(16)?],
            service: [num(17)?, num(18)?, num(19)?, num(20)?],
        });
    }
    let mut q = csv::Reader::from_reader(queue);
    for rec in q.records() {
        let rec = rec?;
        let start = dur(&rec[0])?;
        let Some(i) = servers.iter().position(|s| s == &rec[1]) else {
            continue;
        };
        let interval = by_start
            .entry(start.as_micros() as u64)
            .or_insert_with(|| IntervalRecord {
                start,
                end: dur(&rec[2]).unwrap_or(start),
                active_sessions: 0,
                rows: Vec::new(),
                queues: vec![QueueStats::default(); servers.len()],
            });
        let qs = &mut interval.queues[i];
        qs.max = rec[4].parse()?;
        qs.samples = rec[5].parse()?;
        qs.sum = rec[6].parse()?;
        // The embedded servers' own queue, saved as means: back to sums.
        let own = |at: usize| rec.get(at).and_then(|c| c.parse::<f64>().ok());
        let n = qs.samples as f64;
        qs.own_sum = own(7).map(|m| (m * n).round() as u64);
        qs.own_max = own(8).map(|m| m as u64);
        qs.own_busy_sum = own(9).map(|m| (m * n).round() as u64);
    }
    let mut row_keys = vec![None; keys.len()];
    for (k, i) in keys {
        row_keys[i] = Some(k);
    }
    Ok((
        by_start.into_values().collect(),
        row_keys.into_iter().map(|k| k.expect("dense")).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_what_monitors_read() {
        let keys = vec![
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
        ];
        let mut errors = [0; ErrorReason::COUNT];
        errors[ErrorReason::No.index()] = 2;
        let stats = |row, ok| IntervalStats {
            row,
            ok,
            errors,
            corrected_sum_us: 1234 * ok,
            corrected: [1, 2, 3, 4],
            service: [5, 6, 7, 8],
        };
        let mut q = QueueStats::default();
        q.add(3, Some((1, 2)));
        q.add(5, Some((0, 2)));
        let recs = vec![
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
        ];
        let servers = vec!["cas1".to_string(), "mbx1".to_string()];
        let ts = timeseries_csv(&recs, &keys, Duration::from_secs(1)).unwrap();
        let text = String::from_utf8(ts.clone()).unwrap();
        let partial: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap())
            .collect();
        assert_eq!(partial, ["false", "false", "true"], "{text}");
        assert!(text.lines().next().unwrap().ends_with(",partial"));
        let qc = queue_csv(&recs, &servers).unwrap();
        // A file from before the column reads back the same.
        let old: String = text
            .lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
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
