//! `--metrics-listen`: a run (and `serve`) answers Prometheus scrapes at
//! `/metrics` while it goes, with the `imapload_` families and their labels,
//! and counters that grow between two scrapes.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::support::{bin, embedded_scenario, exclusive};

/// A plain HTTP GET on loopback: `(status line, body)`. It asks in HTTP/1.0,
/// so no server answers with chunked encoding.
pub fn http_get(addr: &str, target: &str) -> std::io::Result<(String, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {target} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Ok((
        head.lines().next().unwrap_or("").to_string(),
        body.to_string(),
    ))
}

/// A sample line of a scrape: metric name, labels, value.
#[derive(Debug, Clone)]
pub struct Sample {
    /// `imapload_commands_total`...
    pub name: String,
    /// Label name -> value.
    pub labels: BTreeMap<String, String>,
    /// The value.
    pub value: f64,
}

/// Parses the sample lines of an exposition (label values here never hold `,` or `"`).
pub fn samples(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = line.rsplit_once(' ').expect("name value");
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => (n, l.trim_end_matches('}')),
            None => (series, ""),
        };
        let labels = (labels.split(',').filter(|p| !p.is_empty()))
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect();
        out.push(Sample {
            name: name.to_string(),
            labels,
            value: value.parse().unwrap_or(f64::NAN),
        });
    }
    out
}

/// Sum of `name` per value of label `by`.
pub fn sum_by(samples: &[Sample], name: &str, by: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for s in samples.iter().filter(|s| s.name == name) {
        let key = s.labels.get(by).cloned().unwrap_or_default();
        *out.entry(key).or_insert(0.0) += s.value;
    }
    out
}

/// A child process killed (by its own pid) when dropped, so a failing test leaves nothing running.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `imapload args...` in `dir` and waits for the line of its `stream`
/// (stderr for `run`, stdout for `serve`) that starts with `marker`; returns
/// the child and the `host:port` in that line's `http://host:port/metrics`.
pub fn start_with_metrics(dir: &std::path::Path, args: &[&str], marker: &str) -> (Killed, String) {
    let mut child = Command::new(bin())
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("imapload starts");
    let lines: Box<dyn Read + Send> = match marker.starts_with("METRICS") {
        true => Box::new(child.stdout.take().unwrap()),
        false => Box::new(child.stderr.take().unwrap()),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(lines).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let child = Killed(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        if let Some(rest) = line.find(marker).map(|i| &line[i + marker.len()..]) {
            let addr = rest.trim().trim_start_matches("http://");
            let addr = addr.trim_end_matches("/metrics").to_string();
            // Keep draining, so the child never blocks on a full pipe.
            std::thread::spawn(move || while rx.recv().is_ok() {});
            return (child, addr);
        }
    }
    panic!("no `{marker}` line from imapload {args:?} within 30 s");
}

/// The families a run's scrape must hold, with the labels each must carry.
const FAMILIES: &[(&str, &[&str])] = &[
    ("imapload_run_info", &["scenario", "seed", "shard"]),
    (
        "imapload_commands_total",
        &["path", "server", "backend", "command"],
    ),
    (
        "imapload_errors_total",
        &["path", "server", "backend", "command", "reason"],
    ),
    (
        "imapload_latency_seconds_bucket",
        &["path", "server", "backend", "command", "le"],
    ),
    ("imapload_latency_seconds_count", &["server"]),
    (
        "imapload_service_seconds_bucket",
        &["path", "server", "backend", "command", "le"],
    ),
    ("imapload_queue_depth", &["server"]),
    ("imapload_server_queued", &["server"]),
    ("imapload_sessions_active", &[]),
    ("imapload_sessions_started_total", &[]),
    ("imapload_arrivals_not_started_total", &[]),
    ("imapload_generator_saturated", &[]),
    ("imapload_monitor_state", &["server", "monitor"]),
    ("imapload_monitor_over_threshold", &["server", "monitor"]),
    ("imapload_threshold_passing", &["threshold"]),
];

#[test]
fn a_running_run_serves_its_families_and_the_counters_grow() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    // mbx2 refuses logins from 1 s: errors by reason appear beside the commands.
    let extra = "[monitors]\nsample_period = \"1s\"\n[[faults]]\nserver = \"mbx2\"\nat = \"1s\"\nrefuse_logins = true\n";
    std::fs::write(
        dir.path().join("s.toml"),
        embedded_scenario(20, "10s", "") + extra,
    )
    .unwrap();
    let args = [
        "run",
        "s.toml",
        "--quiet",
        "--out",
        "r",
        "--metrics-listen",
        "127.0.0.1:0",
    ];
    let (_child, addr) = start_with_metrics(dir.path(), &args, "live metrics at ");
    std::thread::sleep(Duration::from_secs(3));
    let (status, first) = http_get(&addr, "/metrics").unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    // Past 6 s, when the thresholds were judged a second time (every 5 s).
    std::thread::sleep(Duration::from_millis(4500));
    let second = samples(&http_get(&addr, "/metrics").unwrap().1);
    for (family, labels) in FAMILIES {
        let found: Vec<&Sample> = second.iter().filter(|s| s.name == *family).collect();
        assert!(!found.is_empty(), "no {family} in the scrape");
        for l in *labels {
            assert!(
                found.iter().all(|s| s.labels.contains_key(*l)),
                "{family} without label {l}"
            );
        }
    }
    let info = second
        .iter()
        .find(|s| s.name == "imapload_run_info")
        .unwrap();
    assert_eq!(
        (
            info.labels["scenario"].as_str(),
            info.labels["seed"].as_str(),
            info.labels["shard"].as_str()
        ),
        ("test", "7", "1/1")
    );
    let (before, after) = (
        sum_by(&samples(&first), "imapload_commands_total", "server"),
        sum_by(&second, "imapload_commands_total", "server"),
    );
    for server in ["cas1", "mbx1", "mbx2"] {
        let (b, a) = (before.get(server).copied().unwrap_or(0.0), after[server]);
        assert!(a > b && b > 0.0, "{server}: commands {b} then {a}");
    }
    let refused = second.iter().filter(|s| s.name == "imapload_errors_total");
    let refused: f64 = refused
        .filter(|s| s.labels["server"] == "mbx2" && s.labels["reason"] == "no")
        .map(|s| s.value)
        .sum();
    assert!(
        refused > 0.0,
        "mbx2's refused logins are not counted as `no`"
    );
    // The refused logins cross the default error gate, and the endpoint says so live.
    let gate = second.iter().find(|s| {
        s.name == "imapload_threshold_passing" && s.labels["threshold"].starts_with("errors.rate")
    });
    assert_eq!(
        gate.map(|s| s.value),
        Some(0.0),
        "errors.rate gate: {gate:?}"
    );
    let states = second.iter().filter(|s| s.name == "imapload_monitor_state");
    assert!(states.clone().count() >= 6, "2 monitors x 3 servers");
    assert!(states.clone().all(|s| [0.0, 1.0, 2.0].contains(&s.value)));
    check_histograms(&second, "imapload_latency_seconds");
    check_histograms(&second, "imapload_service_seconds");
    let (status, _) = http_get(&addr, "/nothing").unwrap();
    assert_eq!(status, "HTTP/1.1 404 Not Found");
}

/// Labels without `le`: one histogram's series.
type Series = Vec<(String, String)>;

/// Every histogram of `family` in a scrape is one: 22 buckets from 100 µs to
/// 120 s and +Inf, counts that never fall from a bucket to the next
/// (cumulative), `+Inf` equal to `_count`, and (the embedded servers answer in
/// milliseconds) most of a busy row's commands at or below 1 s.
fn check_histograms(scrape: &[Sample], family: &str) {
    let mut histograms: BTreeMap<Series, Vec<(f64, f64)>> = BTreeMap::new();
    for s in scrape
        .iter()
        .filter(|s| s.name == format!("{family}_bucket"))
    {
        let mut series = s.labels.clone();
        let le = series.remove("le").expect("a bucket has `le`");
        let le = if le == "+Inf" {
            f64::INFINITY
        } else {
            le.parse().unwrap()
        };
        let series = series.into_iter().collect();
        histograms.entry(series).or_default().push((le, s.value));
    }
    let counts: BTreeMap<Series, f64> = (scrape.iter())
        .filter(|s| s.name == format!("{family}_count"))
        .map(|s| (s.labels.clone().into_iter().collect(), s.value))
        .collect();
    assert!(!histograms.is_empty(), "no {family}_bucket");
    let mut busy = 0;
    for (series, buckets) in &histograms {
        let les: Vec<f64> = buckets.iter().map(|b| b.0).collect();
        assert_eq!(les.len(), 22, "{family} {series:?}: {les:?}");
        assert_eq!((les[0], les[20], les[21]), (0.0001, 120.0, f64::INFINITY));
        assert!(
            buckets
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
            "{family} {series:?} is not cumulative: {buckets:?}"
        );
        let count = counts[series];
        assert_eq!(
            buckets[21].1, count,
            "{family} {series:?}: +Inf is not _count"
        );
        if count >= 20.0 {
            busy += 1;
            let at_1s = buckets.iter().find(|b| b.0 >= 1.0).unwrap().1;
            assert!(at_1s >= count / 2.0, "{family} {series:?}: {buckets:?}");
        }
    }
    assert!(busy > 0, "no {family} row with 20 commands");
}

#[test]
fn serve_exports_the_embedded_servers_own_queue_and_workers() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "serve",
        "--backends",
        "2",
        "--users",
        "10",
        "--workers",
        "7",
        "--metrics-listen",
        ":0",
        "--dir",
        ".",
    ];
    let (_child, addr) = start_with_metrics(dir.path(), &args, "METRICS ");
    assert!(addr.starts_with("127.0.0.1:"), "`:0` is loopback: {addr}");
    let (status, body) = http_get(&addr, "/metrics").unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    let s = samples(&body);
    let workers = sum_by(&s, "imapload_server_workers", "server");
    assert_eq!(
        (workers["mbx1"], workers["mbx2"]),
        (7.0, 7.0),
        "{workers:?}"
    );
    for family in [
        "imapload_server_queued",
        "imapload_server_busy_workers",
        "imapload_server_connections",
    ] {
        let per = sum_by(&s, family, "server");
        assert!(
            ["cas1", "mbx1", "mbx2"]
                .iter()
                .all(|n| per.contains_key(*n)),
            "{family}: {per:?}"
        );
    }
    assert!(!body.contains("imapload_run_info"), "serve is not a run");
}
