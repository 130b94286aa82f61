//! One pass over `timeseries.csv` and one over `queue.csv`, row by row, into time buckets:
//! what the throughput, sessions, latency-mean and queue charts draw, in memory bounded by
//! the number of servers and [`MAX_BUCKETS`](super::bins::MAX_BUCKETS), not by the run's
//! length.

use std::collections::HashMap;
use std::path::Path;

use super::bins::{Bins, Merge};
use crate::results::files;
use crate::results::rows;
use crate::results::timeseries::{QueueRow, TimeseriesRow};

/// Partial intervals shaded at most; more are counted and said in a note.
const MAX_PARTIALS: usize = 100;

/// A bucket of the whole run: throughput and sessions.
#[derive(Debug, Default, Clone)]
pub struct RunBucket {
    /// The last interval end in the bucket, where its point is drawn.
    pub end: f64,
    /// Commands, each counted once (direct rows and a CAS's own rows).
    pub commands: f64,
    /// Failed commands, counted the same way.
    pub errors: f64,
    /// Seconds of the intervals whose commands are counted (rates are per this).
    pub time: f64,
    /// The most sessions active at the end of any interval in it.
    pub sessions: f64,
    /// Failed commands by reason (in [`crate::results::ErrorReason::ALL`] order), counted once.
    pub reasons: [f64; crate::results::ErrorReason::COUNT],
}

impl Merge for RunBucket {
    fn merge(&mut self, o: Self) {
        self.end = self.end.max(o.end);
        self.commands += o.commands;
        self.errors += o.errors;
        self.time += o.time;
        self.sessions = self.sessions.max(o.sessions);
        for (a, b) in self.reasons.iter_mut().zip(o.reasons) {
            *a += b;
        }
    }
}

/// A bucket of one server's latency, from the CSV rows whose `server` is it.
#[derive(Debug, Default, Clone)]
pub struct LatencyBucket {
    /// The last interval end in the bucket.
    pub end: f64,
    /// Sum of corrected latencies, µs.
    pub sum_us: f64,
    /// Successful commands (the mean is `sum_us / ok`, exact).
    pub ok: f64,
    /// The highest p99 of any row and interval in it: an upper bound, drawn only when there
    /// is no `latency.hlog` to take exact percentiles from.
    pub worst_p99_us: f64,
}

impl Merge for LatencyBucket {
    fn merge(&mut self, o: Self) {
        self.end = self.end.max(o.end);
        self.sum_us += o.sum_us;
        self.ok += o.ok;
        self.worst_p99_us = self.worst_p99_us.max(o.worst_p99_us);
    }
}

/// A bucket of one server's queue depth; means are sums over readings, so they merge exactly.
#[derive(Debug, Default, Clone)]
pub struct QueueBucket {
    /// The last interval end in the bucket.
    pub end: f64,
    /// Sum of the depth readings (or of interval means, for rows without readings).
    pub depth: f64,
    /// The server's own queue, summed the same way (0 where not reported).
    pub own: f64,
    /// Readings (or rows) summed.
    pub weight: f64,
}

impl Merge for QueueBucket {
    fn merge(&mut self, o: Self) {
        self.end = self.end.max(o.end);
        self.depth += o.depth;
        self.own += o.own;
        self.weight += o.weight;
    }
}

/// What the CSV passes found.
pub struct Scan {
    /// Throughput and sessions.
    pub run: Bins<RunBucket>,
    /// Latency per server, in the order servers were first seen.
    pub latency: Vec<(String, Bins<LatencyBucket>)>,
    /// Queue depth per server.
    pub queue: Vec<(String, Bins<QueueBucket>)>,
    /// Whether any server reported its own queue.
    pub own_queue: HashMap<String, bool>,
    /// `latency.hlog` tag of each row seen, with the server it counts toward.
    pub tags: HashMap<String, String>,
    /// Partial intervals `(start, end)`, at most [`MAX_PARTIALS`].
    pub partials: Vec<(f64, f64)>,
    /// Partial intervals beyond those.
    pub more_partials: usize,
    /// The last interval end of either file.
    pub data_end: f64,
    /// Intervals read from `timeseries.csv`.
    pub intervals: u64,
    /// What the reader had to leave out of damaged files, for the page to say.
    pub notes: Vec<String>,
    /// How many partial intervals are not shaded, when some are not.
    pub shading_note: Option<String>,
}

/// The buckets of `name` in `list`, made at `width` if new.
fn of<'a, A: Merge>(
    list: &'a mut Vec<(String, Bins<A>)>,
    name: &str,
    width: f64,
) -> &'a mut Bins<A> {
    let i = match list.iter().position(|(n, _)| n == name) {
        Some(i) => i,
        None => {
            list.push((name.to_string(), Bins::new(width)));
            list.len() - 1
        }
    };
    &mut list[i].1
}

impl Scan {
    /// Reads `dir`'s `timeseries.csv` and `queue.csv`; `interval_s` is the run's interval.
    pub fn read(dir: &Path, interval_s: f64) -> anyhow::Result<Scan> {
        let mut s = Scan {
            run: Bins::new(interval_s),
            latency: Vec::new(),
            queue: Vec::new(),
            own_queue: HashMap::new(),
            tags: HashMap::new(),
            partials: Vec::new(),
            more_partials: 0,
            data_end: 0.0,
            intervals: 0,
            notes: Vec::new(),
            shading_note: None,
        };
        let mut last: Option<(u64, u64)> = None;
        let note = rows::each(
            &dir.join(files::TIMESERIES_CSV),
            rows::required::TIMESERIES,
            |r: TimeseriesRow| {
                s.timeseries_row(&r, interval_s, &mut last);
            },
        )?;
        s.notes.extend(note);
        let note = rows::each(
            &dir.join(files::QUEUE_CSV),
            rows::required::QUEUE,
            |r: QueueRow| {
                s.queue_row(&r, interval_s);
            },
        )?;
        s.notes.extend(note);
        if s.more_partials > 0 {
            let note = format!("{} more partial intervals are not shaded", s.more_partials);
            s.shading_note = Some(note);
        }
        Ok(s)
    }

    fn timeseries_row(
        &mut self,
        r: &TimeseriesRow,
        interval_s: f64,
        last: &mut Option<(u64, u64)>,
    ) {
        let (start, end) = (r.t_start_s, r.t_end_s);
        let (len, mid) = (end - start, (start + end) / 2.0);
        self.data_end = self.data_end.max(if end.is_finite() { end } else { 0.0 });
        // Rows of an interval come together; a new (start, end) is a new interval.
        let new = *last != Some((start.to_bits(), end.to_bits()));
        *last = Some((start.to_bits(), end.to_bits()));
        // The stub after the load stopped is left out of rates: over a few ms they are noise.
        let counted = len >= interval_s / 2.0 && len > 0.0;
        let Some(b) = self.run.at(mid) else {
            return;
        };
        b.end = b.end.max(end);
        b.sessions = b.sessions.max(r.active_sessions as f64);
        if counted {
            if new {
                b.time += len;
            }
            let once = match r.path.as_str() {
                "direct" => true,
                "cas" => r.server != r.backend,
                _ => false,
            };
            if once {
                b.commands += r.count as f64;
                b.errors += r.errors as f64;
                for (a, n) in b.reasons.iter_mut().zip(r.errors_by_reason()) {
                    *a += n as f64;
                }
            }
        }
        if new {
            self.intervals += 1;
            if r.partial.unwrap_or(len + 0.001 < interval_s) {
                match self.partials.len() < MAX_PARTIALS {
                    true => self.partials.push((start, end)),
                    false => self.more_partials += 1,
                }
            }
        }
        if let Some(l) = of(&mut self.latency, &r.server, interval_s).at(mid) {
            l.end = l.end.max(end);
            l.sum_us += r.corrected_sum_us as f64;
            l.ok += r.ok as f64;
            if r.ok > 0 {
                l.worst_p99_us = l.worst_p99_us.max(r.p99_us as f64);
            }
        }
        let tag = crate::results::hlog::tag(&r.path, &r.server, &r.backend, &r.command);
        self.tags.entry(tag).or_insert_with(|| r.server.clone());
    }

    fn queue_row(&mut self, r: &QueueRow, interval_s: f64) {
        let end = if r.t_end_s.is_finite() {
            r.t_end_s
        } else {
            0.0
        };
        self.data_end = self.data_end.max(end);
        let Some(q) = of(&mut self.queue, &r.server, interval_s).at((r.t_s + r.t_end_s) / 2.0)
        else {
            return;
        };
        // Exact mean over the readings when the row has them, else the row's mean counts once.
        let (depth, weight) = match r.readings {
            0 => (r.depth_mean, 1.0),
            n => (r.depth_sum as f64, n as f64),
        };
        let own = r.server_queued_mean.unwrap_or(0.0);
        q.end = q.end.max(end);
        q.depth += depth;
        q.own += own * weight;
        q.weight += weight;
        if own > 0.0 {
            self.own_queue.insert(r.server.clone(), true);
        }
    }

    /// The widest bucket of any series: every chart is drawn at one width.
    pub fn width(&self) -> f64 {
        let lat = self.latency.iter().map(|(_, b)| b.width());
        let queue = self.queue.iter().map(|(_, b)| b.width());
        lat.chain(queue).fold(self.run.width(), f64::max)
    }

    /// Merges every series to buckets `width` wide.
    pub fn coarsen_to(&mut self, width: f64) {
        self.run.coarsen_to(width);
        for (_, b) in &mut self.latency {
            b.coarsen_to(width);
        }
        for (_, b) in &mut self.queue {
            b.coarsen_to(width);
        }
    }
}
