//! Reads a results directory back for `report.html`, row by row, into what the page draws.
//!
//! Rows are read through the results types by header name; a column an older or newer file
//! lacks reads as blank or 0, so a report can still be drawn from a directory written by a
//! slightly older or newer imapload. The per-interval files are streamed into time buckets
//! ([`super::bins`]), so memory and the page's size depend on the number of servers and
//! monitors, not on the run's length.

use std::path::Path;

use anyhow::Context;

use super::bins::MAX_BUCKETS;
use super::percentiles::{self, Percentiles, Point};
use super::scan::Scan;
use crate::results::files;
use crate::results::probes::{HealthRow, ProbeResult, ProbeRow};
use crate::results::rows;
use crate::results::{RunRecord, SummaryRow};

/// Points per command line at most (a server has a line per command and percentile).
const MAX_COMMAND_POINTS: usize = 200;

/// State changes listed per monitor in the health table at most; the rest are counted.
const MAX_LISTED: usize = 12;

/// Everything the page is drawn from.
pub struct Results {
    /// `run.json`.
    pub run: RunRecord,
    /// `summary.csv`.
    pub summary: Vec<SummaryRow>,
    /// `health.csv`, without the judged values and with long transition lists shortened.
    pub health: Vec<HealthRow>,
    /// Probe attempts in `probes.csv`, and how many did not succeed.
    pub probes: (u64, u64),
    /// `timeseries.csv` and `queue.csv` in time buckets.
    pub scan: Scan,
    /// Exact percentiles from `latency.hlog`, when there is one.
    pub percentiles: Option<Percentiles>,
    /// The same from `service.hlog` (service time), when there is one.
    pub service: Option<Percentiles>,
    /// Bucket width of every time chart, seconds.
    pub width: f64,
}

/// Keeps the first [`MAX_LISTED`] of `a; b; c` and counts the rest: a monitor that changed
/// state every interval of a long run has thousands, which the timeline shows better.
fn shorten(list: &str) -> String {
    let items: Vec<&str> = list.split("; ").collect();
    if items.len() <= MAX_LISTED {
        return list.to_string();
    }
    let more = items.len() - MAX_LISTED;
    format!(
        "{}; ... and {more} more (health.csv)",
        items[..MAX_LISTED].join("; ")
    )
}

impl Results {
    /// Loads a results directory; only `run.json` is required.
    pub fn load(dir: &Path) -> anyhow::Result<Results> {
        let run_path = dir.join(files::RUN_JSON);
        let file =
            std::fs::File::open(&run_path).with_context(|| format!("{}", run_path.display()))?;
        let run: RunRecord = serde_json::from_reader(std::io::BufReader::new(file))
            .with_context(|| format!("{}", run_path.display()))?;
        let interval_s = run.interval().map_or(1.0, |d| d.as_secs_f64());
        let mut notes = Vec::new();
        let mut summary = Vec::new();
        notes.extend(rows::each(
            &dir.join(files::SUMMARY_CSV),
            rows::required::SUMMARY,
            |r: SummaryRow| summary.push(r),
        )?);
        let mut health = Vec::new();
        notes.extend(rows::each(
            &dir.join(files::HEALTH_CSV),
            &[],
            |mut r: HealthRow| {
                r.sample_values = String::new();
                r.transitions = shorten(&r.transitions);
                health.push(r);
            },
        )?);
        let mut probes = (0, 0);
        notes.extend(rows::each(
            &dir.join(files::PROBES_CSV),
            rows::required::PROBES,
            |r: ProbeRow| {
                probes.0 += 1;
                probes.1 += u64::from(r.result != ProbeResult::Succeeded);
            },
        )?);
        let mut scan = Scan::read(dir, interval_s)?;
        scan.notes.extend(notes);
        for s in &summary {
            scan.tags.entry(s.tag()).or_insert_with(|| s.server.clone());
        }
        let hlog = dir.join(files::LATENCY_HLOG);
        let mut width = scan.width();
        let end = percentiles::last_end(&hlog).unwrap_or(0.0);
        while end / width > MAX_BUCKETS as f64 && width.is_finite() {
            width *= 2.0;
        }
        scan.coarsen_to(width);
        // Commands get fewer, wider points than servers: a page has a line per command.
        let per_command = (end / width / MAX_COMMAND_POINTS as f64).ceil().max(1.0);
        let percentiles = percentiles::read(&hlog, &scan.tags, width, width * per_command)?;
        let service_log = dir.join(files::SERVICE_HLOG);
        let service = percentiles::read(&service_log, &scan.tags, width, width * per_command)?;
        Ok(Results {
            run,
            summary,
            health,
            probes,
            scan,
            percentiles,
            service,
            width,
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
        let seen = (self.scan.latency.iter().map(|(n, _)| n.clone()))
            .chain(self.scan.queue.iter().map(|(n, _)| n.clone()));
        for n in self.run.servers.names().into_iter().chain(seen) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }

    /// Right end of the time axis: the run's elapsed time, or the last interval seen.
    pub fn x_max(&self) -> f64 {
        self.run.elapsed_s.max(self.scan.data_end).max(1.0)
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

    /// What a point of a time chart is: one interval, or the intervals of a bucket.
    pub fn bucket_text(&self) -> String {
        let per = (self.width / self.interval_s()).round();
        if per <= 1.0 {
            "Each point is one interval".to_string()
        } else {
            let secs = format!("{:.3}", self.width);
            let secs = secs.trim_end_matches('0').trim_end_matches('.');
            format!("Each point merges {per:.0} intervals ({secs} s), so that a long run's chart stays readable")
        }
    }

    /// The x axis of the time charts: wall-clock times when the start is known.
    pub fn x_axis(&self) -> crate::report::svg::XAxis {
        match crate::report::svg::epoch_of(&self.run.started_at) {
            Some(start) => crate::report::svg::XAxis::Clock(start),
            None => crate::report::svg::XAxis::Seconds,
        }
    }

    /// The x axis title of the time charts.
    pub fn x_label(&self) -> String {
        match crate::report::svg::epoch_of(&self.run.started_at) {
            Some(start) => crate::report::svg::clock_label(start),
            None => super::charts::X_LABEL.to_string(),
        }
    }

    /// Notes on what the readers left out of damaged files (also warnings on stderr).
    pub fn damage(&self) -> impl Iterator<Item = &String> {
        let service = self.service.iter().flat_map(|p| p.notes.iter());
        let pct = self
            .percentiles
            .iter()
            .flat_map(|p| p.notes.iter())
            .chain(service);
        self.scan.notes.iter().chain(pct)
    }

    /// Notes on what the page leaves out: [`Results::damage`] and unshaded partial intervals.
    pub fn notes(&self) -> impl Iterator<Item = &String> {
        self.damage().chain(self.scan.shading_note.iter())
    }

    /// Exact percentile points of `server` (empty without a log or commands).
    pub fn percentile_points(&self, server: &str) -> &[Point] {
        (self.percentiles.as_ref())
            .and_then(|p| p.by_server.get(server))
            .map_or(&[], Vec::as_slice)
    }
}

/// Per-server latency, in ms, at each bucket's end: the exact mean and the fallback
/// upper bound of p99 (the highest p99 of any row and interval in the bucket).
pub fn latency(r: &Results, server: &str) -> Vec<(f64, f64, f64)> {
    let Some((_, bins)) = r.scan.latency.iter().find(|(n, _)| n == server) else {
        return Vec::new();
    };
    (bins.iter())
        .map(|(_, b)| match b.ok > 0.0 {
            true => (b.end, b.sum_us / b.ok / 1000.0, b.worst_p99_us / 1000.0),
            false => (b.end, f64::NAN, f64::NAN),
        })
        .collect()
}

/// Commands/s and errors/s per bucket: (end s, commands/s, errors/s), over the time of the
/// intervals counted (the short stub after the load stopped is not).
pub fn throughput(r: &Results) -> Vec<(f64, f64, f64)> {
    (r.scan.run.iter())
        .filter(|(_, b)| b.time > 0.0)
        .map(|(_, b)| (b.end, b.commands / b.time, b.errors / b.time))
        .collect()
}

/// The most sessions active at an interval's end, per bucket.
pub fn sessions(r: &Results) -> Vec<(f64, f64)> {
    (r.scan.run.iter())
        .map(|(_, b)| (b.end, b.sessions))
        .collect()
}

/// Queue series of `server`: (end s, client-side depth mean, server's own queued mean).
pub fn queue(r: &Results, server: &str) -> Option<Vec<(f64, f64, f64)>> {
    let (_, bins) = r.scan.queue.iter().find(|(n, _)| n == server)?;
    let mean = |v: f64, w: f64| if w > 0.0 { v / w } else { 0.0 };
    Some(
        (bins.iter())
            .map(|(_, b)| (b.end, mean(b.depth, b.weight), mean(b.own, b.weight)))
            .collect(),
    )
}

/// Whether `server` reported its own queue anywhere.
pub fn own_queue(r: &Results, server: &str) -> bool {
    r.scan.own_queue.get(server).copied().unwrap_or(false)
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

/// The `n` buckets of `server` with the highest p99, slowest first.
pub fn slowest(points: &[Point], n: usize) -> Vec<Point> {
    let mut v = points.to_vec();
    v.sort_by(|a, b| b.p99_us.cmp(&a.p99_us).then(a.index.cmp(&b.index)));
    v.truncate(n);
    v
}
