//! Exact latency percentiles per server and time bucket, from `latency.hlog`.
//!
//! Percentiles of different intervals or commands cannot be averaged, but histograms add:
//! the log holds each row's histogram per interval, so the histograms of every row counting
//! toward a server are added over a bucket's intervals and the bucket's p50 and p99 read from
//! the sum. The log is read line by line in time order and only the bucket being added is
//! held (one histogram per server), whatever the run's length.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use hdrhistogram::Histogram;

use super::bins::MAX_BUCKETS;
use super::hdr::Decoder;

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

/// The pass: the bucket being added and what it found.
struct Pass<'a> {
    width: f64,
    server_of: HashMap<&'a str, usize>,
    servers: Vec<&'a str>,
    hists: Vec<Histogram<u64>>,
    bucket: Option<(u64, f64)>,
    out: Percentiles,
    late: u64,
    unknown: u64,
    beyond: u64,
    bad: (u64, String),
}

impl Pass<'_> {
    /// Reads off the bucket being added, and empties it.
    fn close_bucket(&mut self) {
        let Some((index, end)) = self.bucket.take() else {
            return;
        };
        for (i, h) in self
            .hists
            .iter_mut()
            .enumerate()
            .filter(|(_, h)| !h.is_empty())
        {
            let p = Point {
                index,
                end,
                count: h.len(),
                p50_us: h.value_at_quantile(0.5),
                p99_us: h.value_at_quantile(0.99),
            };
            (self.out.by_server.entry(self.servers[i].to_string()))
                .or_default()
                .push(p);
            h.reset();
        }
    }

    /// Adds one line of the log.
    fn line(&mut self, n: usize, line: &str, dec: &mut Decoder) {
        if line.is_empty() || line.starts_with('#') || line.starts_with('"') {
            return;
        }
        let Some(rest) = line.strip_prefix("Tag=") else {
            self.unknown += 1;
            return;
        };
        let mut fields = rest.splitn(5, ',');
        let tag = fields.next().unwrap_or_default();
        let (Some((start, length)), Some(hist)) = (interval_of(rest), fields.nth(3)) else {
            self.bad_line(n, "expected Tag=...,start,length,max,histogram");
            return;
        };
        let Some(&server) = self.server_of.get(tag) else {
            self.unknown += 1;
            return;
        };
        let mid = start + length / 2.0;
        if !mid.is_finite() {
            self.bad_line(n, "start or length is not a number");
            return;
        }
        let index = (mid.max(0.0) / self.width).floor() as u64;
        // The width is chosen from the log's last line, so this is a stray time.
        if index > 2 * MAX_BUCKETS as u64 {
            self.beyond += 1;
            return;
        }
        match self.bucket {
            Some((b, _)) if index < b => {
                self.late += 1;
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
        if self.bad.0 == 0 {
            self.bad.1 = format!("line {n}: {why}");
        }
        self.bad.0 += 1;
    }
}

/// Reads `path` into buckets `width` seconds wide; `tags` maps each row's tag to the server
/// it counts toward. `None` when there is no log (results from before it, or a shard's).
pub fn read(
    path: &Path,
    tags: &HashMap<String, String>,
    width: f64,
) -> anyhow::Result<Option<Percentiles>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => anyhow::bail!("{}: {e}", path.display()),
    };
    let mut servers: Vec<&str> = tags.values().map(String::as_str).collect();
    servers.sort_unstable();
    servers.dedup();
    let index: HashMap<&str, usize> = servers.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut pass = Pass {
        width: if width.is_finite() && width > 0.0 {
            width
        } else {
            1.0
        },
        server_of: tags
            .iter()
            .map(|(t, s)| (t.as_str(), index[s.as_str()]))
            .collect(),
        hists: vec![crate::merge::hlog::empty(); servers.len()],
        servers,
        bucket: None,
        out: Percentiles::default(),
        late: 0,
        unknown: 0,
        beyond: 0,
        bad: (0, String::new()),
    };
    let (mut reader, mut buf, mut n) = (BufReader::with_capacity(1 << 16, file), Vec::new(), 0);
    let mut dec = Decoder::default();
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        n += 1;
        let line = String::from_utf8_lossy(&buf);
        pass.line(n, line.trim_end_matches(['\n', '\r']), &mut dec);
    }
    pass.close_bucket();
    let name = path
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into());
    let notes = &mut pass.out.notes;
    if pass.bad.0 > 0 {
        notes.push(format!(
            "{name}: {} histograms do not read and are left out of the percentiles (first at {})",
            pass.bad.0, pass.bad.1
        ));
    }
    if pass.late > 0 {
        notes.push(format!("{name}: {} histograms come after a later interval's and are left out of the percentiles", pass.late));
    }
    if pass.unknown > 0 {
        notes.push(format!("{name}: {} histograms of rows that neither timeseries.csv nor summary.csv has are left out", pass.unknown));
    }
    if pass.beyond > 0 {
        notes.push(format!(
            "{name}: {} histograms far beyond the end of the run are left out",
            pass.beyond
        ));
    }
    Ok(Some(pass.out))
}
