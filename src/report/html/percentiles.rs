//! Exact latency percentiles per server and time bucket, from `latency.hlog`.
//!
//! Percentiles of different intervals or commands cannot be averaged, but histograms add:
//! the log holds each row's histogram per interval, so the histograms of every row counting
//! toward a server are added over a bucket's intervals and the bucket's p50 and p99 read from
//! the sum. The log is read line by line in time order and only the bucket being added is
//! held (one histogram per server), whatever the run's length. Inflating millions of
//! histograms is most of a long run's report, so two threads read the log, each adding the
//! histograms of half the servers.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use hdrhistogram::Histogram;

use super::bins::MAX_BUCKETS;
use crate::results::hdr::Decoder;

/// One bucket of one server.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The bucket's number (its start is `index * width`).
    pub index: u64,
    /// The last interval end in it, where its point is drawn.
    pub end: f64,
    /// Successful commands in it.
    pub count: u64,
    /// Median, µs.
    pub p50_us: u64,
    /// 99th percentile, µs.
    pub p99_us: u64,
}

/// The percentiles of every server, and what could not be used.
#[derive(Debug, Default)]
pub struct Percentiles {
    /// Points per server, in time order.
    pub by_server: HashMap<String, Vec<Point>>,
    /// What was left out, for the page to say.
    pub notes: Vec<String>,
}

/// The end (`start + length`) of the last interval line of the log at `path`, read from its
/// tail: the bucket width must be known before the pass, since percentiles cannot be merged
/// afterwards.
pub fn last_end(path: &Path) -> Option<f64> {
    let mut f = File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(256 << 10)))
        .ok()?;
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).ok()?;
    let text = String::from_utf8_lossy(&tail);
    (text.lines().rev())
        .filter_map(|l| interval_of(l.strip_prefix("Tag=")?))
        .map(|(start, length)| start + length)
        .find(|e| e.is_finite())
}

/// `(start, length)` of an interval line after its `Tag=`.
fn interval_of(rest: &str) -> Option<(f64, f64)> {
    let mut f = rest.split(',').skip(1);
    Some((f.next()?.parse().ok()?, f.next()?.parse().ok()?))
}

/// What a pass left out, counted to be said on the page.
#[derive(Debug, Default)]
struct LeftOut {
    late: u64,
    unknown: u64,
    beyond: u64,
    bad: (u64, String),
}

/// One thread's pass: the servers `k` of every `shards`, the bucket being added.
struct Pass<'a> {
    width: f64,
    shard: (usize, usize),
    server_of: HashMap<&'a str, usize>,
    servers: Vec<&'a str>,
    hists: Vec<Histogram<u64>>,
    bucket: Option<(u64, f64)>,
    points: HashMap<String, Vec<Point>>,
    left: LeftOut,
}

impl Pass<'_> {
    /// Reads off the bucket being added, and empties it.
    fn close_bucket(&mut self) {
        let Some((index, end)) = self.bucket.take() else {
            return;
        };
        let hists = self.hists.iter_mut().enumerate();
        for (i, h) in hists.filter(|(_, h)| !h.is_empty()) {
            let p = Point {
                index,
                end,
                count: h.len(),
                p50_us: h.value_at_quantile(0.5),
                p99_us: h.value_at_quantile(0.99),
            };
            let points = self.points.entry(self.servers[i].to_string());
            points.or_default().push(p);
            h.reset();
        }
    }

    /// Adds one line of the log, if its row is this pass's. Lines no pass can use are
    /// counted by the first pass only.
    fn line(&mut self, n: usize, line: &str, dec: &mut Decoder) {
        if line.is_empty() || line.starts_with('#') || line.starts_with('"') {
            return;
        }
        let first = self.shard.0 == 0;
        let tag = (line.strip_prefix("Tag=")).map(|r| r.split(',').next().unwrap_or_default());
        let Some(&server) = tag.and_then(|t| self.server_of.get(t)) else {
            self.left.unknown += u64::from(first);
            return;
        };
        if server % self.shard.1 != self.shard.0 {
            return;
        }
        let rest = line.strip_prefix("Tag=").unwrap_or_default();
        let (Some((start, length)), Some(hist)) = (interval_of(rest), rest.splitn(5, ',').nth(4))
        else {
            return self.bad_line(n, "expected Tag=...,start,length,max,histogram");
        };
        let mid = start + length / 2.0;
        if !mid.is_finite() {
            return self.bad_line(n, "start or length is not a number");
        }
        let index = (mid.max(0.0) / self.width).floor() as u64;
        // The width is chosen from the log's last line, so this is a stray time.
        if index > 2 * MAX_BUCKETS as u64 {
            self.left.beyond += 1;
            return;
        }
        match self.bucket {
            Some((b, _)) if index < b => {
                self.left.late += 1;
                return;
            }
            Some((b, _)) if index > b => self.close_bucket(),
            _ => {}
        }
        let end = self.bucket.map_or(0.0, |b| b.1).max(start + length);
        self.bucket = Some((index, end));
        if let Err(e) = dec.add_base64(hist.trim_end(), &mut self.hists[server]) {
            self.bad_line(n, &e);
        }
    }

    fn bad_line(&mut self, n: usize, why: &str) {
        if self.left.bad.0 == 0 {
            self.left.bad.1 = format!("line {n}: {why}");
        }
        self.left.bad.0 += 1;
    }

    /// Reads the whole of `file`.
    fn run(mut self, file: File) -> std::io::Result<(HashMap<String, Vec<Point>>, LeftOut)> {
        let (mut reader, mut buf, mut n) = (BufReader::with_capacity(1 << 16, file), Vec::new(), 0);
        let mut dec = Decoder::default();
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            n += 1;
            let line = String::from_utf8_lossy(&buf);
            self.line(n, line.trim_end_matches(['\n', '\r']), &mut dec);
        }
        self.close_bucket();
        Ok((self.points, self.left))
    }
}

/// "1 histogram", "2 histograms".
fn histograms(n: u64) -> String {
    format!("{n} histogram{}", if n == 1 { "" } else { "s" })
}

/// The notes on what the passes left out of `name`.
fn notes(name: &str, left: &[LeftOut]) -> Vec<String> {
    let sum = |f: fn(&LeftOut) -> u64| left.iter().map(f).sum::<u64>();
    let first = left
        .iter()
        .find(|l| l.bad.0 > 0)
        .map_or("", |l| l.bad.1.as_str());
    let said = [
        (
            sum(|l| l.bad.0),
            format!("unreadable (the first at {first})"),
        ),
        (sum(|l| l.late), "out of time order".to_string()),
        (
            sum(|l| l.unknown),
            "of rows that neither timeseries.csv nor summary.csv has".to_string(),
        ),
        (
            sum(|l| l.beyond),
            "far beyond the end of the run".to_string(),
        ),
    ];
    (said.into_iter().filter(|(n, _)| *n > 0))
        .map(|(n, why)| {
            format!(
                "{name}: left out of the percentiles: {} {why}",
                histograms(n)
            )
        })
        .collect()
}

/// Reads `path` into buckets `width` seconds wide; `tags` maps each row's tag to the server
/// it counts toward. `None` when there is no log (results from before it, or a shard's).
pub fn read(
    path: &Path,
    tags: &HashMap<String, String>,
    width: f64,
) -> anyhow::Result<Option<Percentiles>> {
    match File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => anyhow::bail!("{}: {e}", path.display()),
        Ok(_) => {}
    }
    let mut servers: Vec<&str> = tags.values().map(String::as_str).collect();
    servers.sort_unstable();
    servers.dedup();
    let index: HashMap<&str, usize> = servers.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let shards = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let pass = |k: usize| -> anyhow::Result<_> {
        let pass = Pass {
            width: if width.is_finite() && width > 0.0 {
                width
            } else {
                1.0
            },
            shard: (k, shards),
            server_of: tags
                .iter()
                .filter_map(|(t, s)| Some((t.as_str(), *index.get(s.as_str())?)))
                .collect(),
            servers: servers.clone(),
            hists: vec![crate::merge::hlog::empty(); servers.len()],
            bucket: None,
            points: HashMap::new(),
            left: LeftOut::default(),
        };
        let file = File::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        pass.run(file)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    };
    let done: Vec<anyhow::Result<_>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..shards).map(|k| s.spawn(move || pass(k))).collect();
        (threads.into_iter())
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("reading {} failed", path.display())))
            })
            .collect()
    });
    let mut out = Percentiles::default();
    let mut left = Vec::new();
    for d in done {
        let (points, l) = d?;
        out.by_server.extend(points);
        left.push(l);
    }
    let name = path
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into());
    out.notes = notes(&name, &left);
    Ok(Some(out))
}
