//! Exact latency percentiles per server and time bucket, from `latency.hlog`.
//!
//! Percentiles of different intervals or commands cannot be averaged, but histograms add:
//! the log holds each row's histogram per interval, so the histograms of every row counting
//! toward a server are added over a bucket's intervals and the bucket's p50 and p99 read from
//! the sum. The log is read line by line in time order and only the bucket being added is
//! held (one histogram per server), whatever the run's length. Inflating millions of
//! histograms is most of a long run's report, so two threads read the log, each adding the
//! histograms of half the servers.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use hdrhistogram::Histogram;

use super::bins::MAX_BUCKETS;
use crate::results::hdr::Decoder;
use crate::results::hlog::read::empty;

/// One bucket of one server (or of one command on a server).
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
    /// 90th percentile, µs.
    pub p90_us: u64,
    /// 99th percentile, µs.
    pub p99_us: u64,
}

/// The percentiles of every server and of every command on it, and what could not be used.
#[derive(Debug, Default)]
pub struct Percentiles {
    /// Points per server, in time order.
    pub by_server: HashMap<String, Vec<Point>>,
    /// Points per server and command (buckets `command_width` wide), in time order.
    pub by_command: HashMap<String, BTreeMap<String, Vec<Point>>>,
    /// Bucket width of `by_command`, seconds (a multiple of the servers' width, so a
    /// page with a point per command and bucket stays small).
    pub command_width: f64,
    /// Each server's histogram of the whole run (the percentile spectrum).
    pub totals: HashMap<String, Histogram<u64>>,
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

/// Buckets of one width over groups of rows (servers, or commands on a server): the bucket
/// being added holds one histogram per group, made when the group's first line comes (a
/// pass reads only half the groups).
struct Level {
    width: f64,
    hists: Vec<Option<Histogram<u64>>>,
    bucket: Option<(u64, f64)>,
    points: Vec<Vec<Point>>,
    /// Whole-run sums per group, when this level keeps them.
    totals: Option<Vec<Option<Histogram<u64>>>>,
}

impl Level {
    fn new(width: f64, groups: usize, totals: bool) -> Level {
        Level {
            width: if width.is_finite() && width > 0.0 {
                width
            } else {
                1.0
            },
            hists: vec![None; groups],
            bucket: None,
            points: vec![Vec::new(); groups],
            totals: totals.then(|| vec![None; groups]),
        }
    }

    /// Reads off the bucket being added, and empties it.
    fn close(&mut self) {
        let Some((index, end)) = self.bucket.take() else {
            return;
        };
        for (i, h) in self.hists.iter_mut().enumerate() {
            let Some(h) = h.as_mut().filter(|h| !h.is_empty()) else {
                continue;
            };
            self.points[i].push(Point {
                index,
                end,
                count: h.len(),
                p50_us: h.value_at_quantile(0.5),
                p90_us: h.value_at_quantile(0.9),
                p99_us: h.value_at_quantile(0.99),
            });
            if let Some(t) = self.totals.as_mut() {
                let _ = t[i].get_or_insert_with(empty).add(&*h);
            }
            h.reset();
        }
    }

    /// The bucket of an interval whose middle is `mid`, or `None` when it is before the
    /// bucket being added (out of time order).
    fn enter(&mut self, mid: f64, end: f64) -> Option<u64> {
        let index = (mid.max(0.0) / self.width).floor() as u64;
        match self.bucket {
            Some((b, _)) if index < b => return None,
            Some((b, _)) if index > b => self.close(),
            _ => {}
        }
        let end = self.bucket.map_or(0.0, |b| b.1).max(end);
        self.bucket = Some((index, end));
        Some(index)
    }
}

/// Where a row's histograms go: its server's group and its command's group.
#[derive(Debug, Clone, Copy)]
struct Groups {
    server: usize,
    command: usize,
}

/// One thread's pass: the servers `k` of every `shards`, the bucket being added.
struct Pass<'a> {
    shard: (usize, usize),
    group_of: HashMap<&'a str, Groups>,
    servers: Level,
    commands: Level,
    left: LeftOut,
}

impl Pass<'_> {
    /// Adds one line of the log, if its row is this pass's. Lines no pass can use are
    /// counted by the first pass only.
    fn line(&mut self, n: usize, line: &str, dec: &mut Decoder) {
        if line.is_empty() || line.starts_with('#') || line.starts_with('"') {
            return;
        }
        let first = self.shard.0 == 0;
        let rest = line.strip_prefix("Tag=").unwrap_or_default();
        let (Some((start, length)), Some(hist)) = (interval_of(rest), rest.splitn(5, ',').nth(4))
        else {
            // A line cut short names no row that can be trusted: the first pass says it.
            if first {
                self.bad_line(n, "expected Tag=...,start,length,max,histogram");
            }
            return;
        };
        let tag = rest.split(',').next();
        let Some(&groups) = tag.and_then(|t| self.group_of.get(t)) else {
            self.left.unknown += u64::from(first);
            return;
        };
        if groups.server % self.shard.1 != self.shard.0 {
            return;
        }
        let mid = start + length / 2.0;
        if !mid.is_finite() {
            return self.bad_line(n, "start or length is not a number");
        }
        // The width is chosen from the log's last line, so this is a stray time.
        if (mid.max(0.0) / self.servers.width).floor() > 2.0 * MAX_BUCKETS as f64 {
            self.left.beyond += 1;
            return;
        }
        if self.servers.enter(mid, start + length).is_none() {
            self.left.late += 1;
            return;
        }
        let _ = self.commands.enter(mid, start + length);
        let into = [
            self.servers.hists[groups.server].get_or_insert_with(empty),
            self.commands.hists[groups.command].get_or_insert_with(empty),
        ];
        if let Err(e) = dec.add_base64_each(hist.trim_end(), into) {
            let tag = tag.unwrap_or_default();
            self.bad_line(n, &format!("{tag} of the interval at {start:.3} s: {e}"));
        }
    }

    fn bad_line(&mut self, n: usize, why: &str) {
        if self.left.bad.0 == 0 {
            self.left.bad.1 = format!("line {n}: {why}");
        }
        self.left.bad.0 += 1;
    }

    /// Reads the whole of `file`.
    fn run(mut self, file: File) -> std::io::Result<(Level, Level, LeftOut)> {
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
        self.servers.close();
        self.commands.close();
        Ok((self.servers, self.commands, self.left))
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

/// The command of a row's tag (`path.server.backend.COMMAND`).
fn command_of(tag: &str) -> &str {
    tag.rsplit('.').next().unwrap_or(tag)
}

/// The groups of a pass: servers, and (server, command) pairs, each numbered.
struct Grouping<'a> {
    servers: Vec<&'a str>,
    commands: Vec<(&'a str, &'a str)>,
    of: HashMap<&'a str, Groups>,
}

impl<'a> Grouping<'a> {
    fn new(tags: &'a HashMap<String, String>) -> Self {
        let mut servers: Vec<&str> = tags.values().map(String::as_str).collect();
        servers.sort_unstable();
        servers.dedup();
        let mut commands: Vec<(&str, &str)> = (tags.iter())
            .map(|(t, s)| (s.as_str(), command_of(t)))
            .collect();
        commands.sort_unstable();
        commands.dedup();
        let server_index: HashMap<&str, usize> =
            servers.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        let command_index: HashMap<(&str, &str), usize> =
            commands.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let of = (tags.iter())
            .map(|(t, s)| {
                let groups = Groups {
                    server: server_index[s.as_str()],
                    command: command_index[&(s.as_str(), command_of(t))],
                };
                (t.as_str(), groups)
            })
            .collect();
        Grouping {
            servers,
            commands,
            of,
        }
    }
}

/// Reads `path` into buckets `width` seconds wide per server and `command_width` wide per
/// server and command; `tags` maps each row's tag to the server it counts toward. `None`
/// when there is no log (results from before it, or a shard's).
pub fn read(
    path: &Path,
    tags: &HashMap<String, String>,
    width: f64,
    command_width: f64,
) -> anyhow::Result<Option<Percentiles>> {
    match File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => anyhow::bail!("{}: {e}", path.display()),
        Ok(_) => {}
    }
    let g = Grouping::new(tags);
    let shards = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let pass = |k: usize| -> anyhow::Result<_> {
        let pass = Pass {
            shard: (k, shards),
            group_of: g.of.clone(),
            servers: Level::new(width, g.servers.len(), true),
            commands: Level::new(command_width, g.commands.len(), false),
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
    let mut out = Percentiles {
        command_width: Level::new(command_width, 0, false).width,
        ..Default::default()
    };
    let mut left = Vec::new();
    for d in done {
        let (servers, commands, l) = d?;
        gather(&mut out, &g, servers, commands);
        left.push(l);
    }
    let name = path
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into());
    out.notes = notes(&name, &left);
    Ok(Some(out))
}

/// Adds one pass's points (only its servers have any) to `out`, by name.
fn gather(out: &mut Percentiles, g: &Grouping, servers: Level, commands: Level) {
    let mut totals = servers.totals.unwrap_or_default();
    for (i, points) in servers.points.into_iter().enumerate() {
        if points.is_empty() {
            continue;
        }
        out.by_server.insert(g.servers[i].to_string(), points);
        if let Some(t) = totals.get_mut(i).and_then(Option::take) {
            out.totals.insert(g.servers[i].to_string(), t);
        }
    }
    for (i, points) in commands.points.into_iter().enumerate() {
        if points.is_empty() {
            continue;
        }
        let (server, command) = g.commands[i];
        (out.by_command.entry(server.to_string()).or_default()).insert(command.to_string(), points);
    }
}
