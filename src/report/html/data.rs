//! Reads a results directory back for `report.html` and aggregates it per chart.
//!
//! Rows are read by header name into maps rather than into the writers' structs, so a report
//! can still be drawn from a directory written by a slightly older or newer imapload (a column
//! added or missing only blanks that cell).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Context;

use crate::results::RunRecord;

/// One CSV row, by column name.
pub type Row = HashMap<String, String>;

/// Everything the page is drawn from.
pub struct Results {
    /// `run.json`.
    pub run: RunRecord,
    /// `summary.csv`.
    pub summary: Vec<Row>,
    /// `timeseries.csv`.
    pub timeseries: Vec<Row>,
    /// `queue.csv`.
    pub queue: Vec<Row>,
    /// `health.csv`.
    pub health: Vec<Row>,
    /// `probes.csv`.
    pub probes: Vec<Row>,
}

/// Reads a CSV by header; a missing file is no rows (a partial run may lack some files).
fn read_csv(path: &Path) -> anyhow::Result<Vec<Row>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut r = csv::Reader::from_path(path).with_context(|| format!("{}", path.display()))?;
    let headers = r.headers()?.clone();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.with_context(|| format!("{}", path.display()))?;
        rows.push(
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect(),
        );
    }
    Ok(rows)
}

impl Results {
    /// Loads a results directory; only `run.json` is required.
    pub fn load(dir: &Path) -> anyhow::Result<Results> {
        let run_path = dir.join("run.json");
        let run: RunRecord = serde_json::from_slice(
            &std::fs::read(&run_path).with_context(|| format!("{}", run_path.display()))?,
        )
        .with_context(|| format!("{}", run_path.display()))?;
        Ok(Results {
            run,
            summary: read_csv(&dir.join("summary.csv"))?,
            timeseries: read_csv(&dir.join("timeseries.csv"))?,
            queue: read_csv(&dir.join("queue.csv"))?,
            health: read_csv(&dir.join("health.csv"))?,
            probes: read_csv(&dir.join("probes.csv"))?,
        })
    }

    /// The run's name (`plan.name`), or a placeholder.
    pub fn name(&self) -> &str {
        match self.run.plan.name.as_str() {
            "" => "unnamed run",
            n => n,
        }
    }

    /// The recording interval in seconds (1 when the plan lacks one).
    pub fn interval_s(&self) -> f64 {
        self.run.interval().map_or(1.0, |d| d.as_secs_f64())
    }

    /// Server names in topology order (CAS first, then back ends), then any others seen in data.
    pub fn servers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in self.run.servers.names() {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        for r in self.timeseries.iter().chain(&self.queue) {
            if let Some(n) = r.get("server") {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
        }
        out
    }

    /// Right end of the time axis: the run's elapsed time, or the last interval seen.
    pub fn x_max(&self) -> f64 {
        let data_end = self
            .timeseries
            .iter()
            .chain(&self.queue)
            .filter_map(|r| r.get("t_end_s").and_then(|v| v.parse::<f64>().ok()))
            .fold(0.0, f64::max);
        self.run.elapsed_s.max(data_end).max(1.0)
    }

    /// Faults injected during the run: (time s, label).
    pub fn faults(&self) -> Vec<(f64, String)> {
        let mut out = Vec::new();
        for f in &self.run.faults {
            let mut label = format!("{} {}", f.server, f.what);
            if !f.applied {
                label.push_str(" (not applied)");
            }
            out.push((f.at_s, label));
        }
        out
    }
}

/// A cell as a number; blank or malformed is 0 (a count that was not written is none).
pub fn num(r: &Row, col: &str) -> f64 {
    r.get(col).and_then(|v| v.parse().ok()).unwrap_or(0.0)
}

/// Per-server latency of one interval, in ms.
#[derive(Default, Clone, Copy)]
pub struct LatencyPoint {
    /// Mean corrected latency over all ok commands of the server (exact: sum / count).
    pub mean_ms: f64,
    /// The largest p99 of any command row: an upper bound, since percentiles can't be averaged.
    pub worst_p99_ms: f64,
}

/// Interval key: (start s, end s), ordered by start.
type Interval = (u64, u64);

fn interval(r: &Row) -> Interval {
    (num(r, "t_start_s").to_bits(), num(r, "t_end_s").to_bits())
}

fn end_of(i: &Interval) -> f64 {
    f64::from_bits(i.1)
}

/// Corrected latency per server per interval, at the interval's end time. Every row whose
/// `server` is S counts toward S, so a via-CAS command counts toward the CAS and its back end,
/// as design.md attributes it.
pub fn latency_by_server(ts: &[Row]) -> BTreeMap<String, Vec<(f64, LatencyPoint)>> {
    // (sum_us, ok, worst p99, interval end) per server per interval start.
    type Acc = (f64, f64, f64, f64);
    let mut acc: BTreeMap<String, BTreeMap<u64, Acc>> = BTreeMap::new();
    for r in ts {
        let Some(server) = r.get("server") else {
            continue;
        };
        let (start, end) = interval(r);
        let e = acc
            .entry(server.clone())
            .or_default()
            .entry(start)
            .or_insert((0.0, 0.0, 0.0, f64::from_bits(end)));
        e.0 += num(r, "corrected_sum_us");
        e.1 += num(r, "ok");
        if num(r, "ok") > 0.0 {
            e.2 = e.2.max(num(r, "p99_us"));
        }
    }
    acc.into_iter()
        .map(|(server, by_t)| {
            let pts = by_t
                .into_values()
                .map(|(sum, ok, p99, end)| {
                    let p = if ok > 0.0 {
                        LatencyPoint {
                            mean_ms: sum / ok / 1000.0,
                            worst_p99_ms: p99 / 1000.0,
                        }
                    } else {
                        LatencyPoint {
                            mean_ms: f64::NAN,
                            worst_p99_ms: f64::NAN,
                        }
                    };
                    (end, p)
                })
                .collect();
            (server, pts)
        })
        .collect()
}

/// Commands/s and errors/s per interval: (end s, commands/s, errors/s). Each command counts
/// once: direct rows, and via-CAS rows of the CAS (server != backend); the back end's copy of a
/// via-CAS command is the same command attributed twice. Intervals shorter than `min_len`
/// seconds (the stub between the last full interval and the end of the run, where shutdown
/// drains every session at once) are left out: a rate over a few milliseconds is noise that
/// would flatten the rest of the chart.
pub fn throughput(ts: &[Row], min_len: f64) -> Vec<(f64, f64, f64)> {
    let mut acc: BTreeMap<Interval, (f64, f64)> = BTreeMap::new();
    for r in ts {
        let path = r.get("path").map(String::as_str);
        let once =
            path == Some("direct") || (path == Some("cas") && r.get("server") != r.get("backend"));
        let e = acc.entry(interval(r)).or_default();
        if once {
            e.0 += num(r, "count");
            e.1 += num(r, "errors");
        }
    }
    acc.into_iter()
        .filter_map(|(i, (c, e))| {
            let len = end_of(&i) - f64::from_bits(i.0);
            (len >= min_len && len > 0.0).then(|| (end_of(&i), c / len, e / len))
        })
        .collect()
}

/// Active sessions per interval: (end s, sessions). The column repeats the run-wide figure on
/// every row of an interval, so the maximum is that figure.
pub fn sessions(ts: &[Row]) -> Vec<(f64, f64)> {
    let mut acc: BTreeMap<Interval, f64> = BTreeMap::new();
    for r in ts {
        let e = acc.entry(interval(r)).or_default();
        *e = e.max(num(r, "active_sessions"));
    }
    acc.into_iter().map(|(i, v)| (end_of(&i), v)).collect()
}

/// Queue series per server: (end s, client-side depth_mean, server's own queued mean).
pub fn queue_by_server(q: &[Row]) -> BTreeMap<String, Vec<(f64, f64, f64)>> {
    let mut out: BTreeMap<String, Vec<(f64, f64, f64)>> = BTreeMap::new();
    for r in q {
        if let Some(s) = r.get("server") {
            out.entry(s.clone()).or_default().push((
                num(r, "t_end_s"),
                num(r, "depth_mean"),
                num(r, "server_queued_mean"),
            ));
        }
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// One monitor's state history, for a lane of the timeline.
pub struct MonitorHistory {
    /// Server the monitor judges.
    pub server: String,
    /// Monitor name as Exchange spells it.
    pub monitor: String,
    /// (at s, new state), in order.
    pub transitions: Vec<(f64, String)>,
}

/// The monitors' state histories from `run.json`, in its order.
pub fn monitor_histories(run: &RunRecord) -> Vec<MonitorHistory> {
    (run.monitors.iter())
        .map(|m| MonitorHistory {
            server: m.server.clone(),
            monitor: m.monitor.clone(),
            transitions: (m.transitions.iter())
                .map(|t| (t.at_s, t.to.to_string()))
                .collect(),
        })
        .collect()
}
