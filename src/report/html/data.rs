//! Reads a results directory back for `report.html` and aggregates it per chart.
//!
//! Rows are read through the results types by header name; a column an older or newer file
//! lacks reads as blank or 0, so a report can still be drawn from a directory written by a
//! slightly older or newer imapload.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use crate::results::cells;
use crate::results::probes::{HealthRow, ProbeRow};
use crate::results::timeseries::{QueueRow, TimeseriesRow};
use crate::results::{RunRecord, SummaryRow};

/// Everything the page is drawn from.
pub struct Results {
    /// `run.json`.
    pub run: RunRecord,
    /// `summary.csv`.
    pub summary: Vec<SummaryRow>,
    /// `timeseries.csv`.
    pub timeseries: Vec<TimeseriesRow>,
    /// `queue.csv`.
    pub queue: Vec<QueueRow>,
    /// `health.csv`.
    pub health: Vec<HealthRow>,
    /// `probes.csv`.
    pub probes: Vec<ProbeRow>,
}

/// Reads a CSV by header; a missing file is no rows (a partial run may lack some files).
fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    cells::from_csv(&bytes).with_context(|| format!("{}", path.display()))
}

impl Results {
    /// Loads a results directory; only `run.json` is required.
    pub fn load(dir: &Path) -> anyhow::Result<Results> {
        let run_path = dir.join(crate::results::files::RUN_JSON);
        let run: RunRecord = serde_json::from_slice(
            &std::fs::read(&run_path).with_context(|| format!("{}", run_path.display()))?,
        )
        .with_context(|| format!("{}", run_path.display()))?;
        Ok(Results {
            run,
            summary: read_csv(&dir.join(crate::results::files::SUMMARY_CSV))?,
            timeseries: read_csv(&dir.join(crate::results::files::TIMESERIES_CSV))?,
            queue: read_csv(&dir.join(crate::results::files::QUEUE_CSV))?,
            health: read_csv(&dir.join(crate::results::files::HEALTH_CSV))?,
            probes: read_csv(&dir.join(crate::results::files::PROBES_CSV))?,
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
        let seen =
            (self.timeseries.iter().map(|r| &r.server)).chain(self.queue.iter().map(|r| &r.server));
        for n in seen {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        out
    }

    /// Right end of the time axis: the run's elapsed time, or the last interval seen.
    pub fn x_max(&self) -> f64 {
        let data_end = (self.timeseries.iter().map(|r| r.t_end_s))
            .chain(self.queue.iter().map(|r| r.t_end_s))
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

fn interval(r: &TimeseriesRow) -> Interval {
    (r.t_start_s.to_bits(), r.t_end_s.to_bits())
}

fn end_of(i: &Interval) -> f64 {
    f64::from_bits(i.1)
}

/// Corrected latency per server per interval, at the interval's end time. Every row whose
/// `server` is S counts toward S, so a via-CAS command counts toward the CAS and its back end,
/// as design.md attributes it.
pub fn latency_by_server(ts: &[TimeseriesRow]) -> BTreeMap<String, Vec<(f64, LatencyPoint)>> {
    // (sum_us, ok, worst p99, interval end) per server per interval start.
    type Acc = (f64, f64, f64, f64);
    let mut acc: BTreeMap<String, BTreeMap<u64, Acc>> = BTreeMap::new();
    for r in ts {
        let (start, end) = interval(r);
        let e = acc
            .entry(r.server.clone())
            .or_default()
            .entry(start)
            .or_insert((0.0, 0.0, 0.0, f64::from_bits(end)));
        e.0 += r.corrected_sum_us as f64;
        e.1 += r.ok as f64;
        if r.ok > 0 {
            e.2 = e.2.max(r.p99_us as f64);
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
pub fn throughput(ts: &[TimeseriesRow], min_len: f64) -> Vec<(f64, f64, f64)> {
    let mut acc: BTreeMap<Interval, (f64, f64)> = BTreeMap::new();
    for r in ts {
        let once = match r.path.as_str() {
            "direct" => true,
            "cas" => r.server != r.backend,
            _ => false,
        };
        let e = acc.entry(interval(r)).or_default();
        if once {
            e.0 += r.count as f64;
            e.1 += r.errors as f64;
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
pub fn sessions(ts: &[TimeseriesRow]) -> Vec<(f64, f64)> {
    let mut acc: BTreeMap<Interval, f64> = BTreeMap::new();
    for r in ts {
        let e = acc.entry(interval(r)).or_default();
        *e = e.max(r.active_sessions as f64);
    }
    acc.into_iter().map(|(i, v)| (end_of(&i), v)).collect()
}

/// Queue series per server: (end s, client-side depth_mean, server's own queued mean).
pub fn queue_by_server(q: &[QueueRow]) -> BTreeMap<String, Vec<(f64, f64, f64)>> {
    let mut out: BTreeMap<String, Vec<(f64, f64, f64)>> = BTreeMap::new();
    for r in q {
        out.entry(r.server.clone()).or_default().push((
            r.t_end_s,
            r.depth_mean,
            r.server_queued_mean.unwrap_or(0.0),
        ));
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
