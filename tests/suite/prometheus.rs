//! A real Prometheus (Debian's `prometheus`) scrapes a 30 s run every second,
//! and its HTTP API answers the queries an operator's dashboard would ask:
//! a command rate per server and a p99 from the latency histograms.
//! Skipped when Prometheus is not installed, unless IMAPLOAD_REQUIRE_PROMETHEUS=1.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::live_metrics::{http_get, start_with_metrics, Killed};
use super::support::{embedded_scenario, exclusive};

const PROMETHEUS: &str = "/usr/bin/prometheus";

/// A loopback port nobody listens on now.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `s` percent-encoded for a query string.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An instant query's result: `(labels, value)` per series.
fn query(prom: &str, q: &str) -> Vec<(serde_json::Value, f64)> {
    let (status, body) = http_get(prom, &format!("/api/v1/query?query={}", encode(q))).unwrap();
    assert!(status.contains("200"), "{q}: {status}\n{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "success", "{q}: {body}");
    (v["data"]["result"].as_array().unwrap().iter())
        .map(|r| {
            let value = r["value"][1]
                .as_str()
                .unwrap_or("NaN")
                .parse()
                .unwrap_or(f64::NAN);
            (r["metric"].clone(), value)
        })
        .collect()
}

/// The servers (label `server`) of a result.
fn servers(result: &[(serde_json::Value, f64)]) -> Vec<String> {
    let mut s: Vec<String> = (result.iter())
        .filter_map(|(m, _)| m["server"].as_str().map(String::from))
        .collect();
    s.sort();
    s
}

/// Every query of the Grafana dashboard, with `$server` and `$command` set to
/// real values, is PromQL this Prometheus accepts and answers with series, and
/// each series carries the labels it groups by, set to those values.
fn dashboard_queries_return_series(prom: &str) {
    use super::dashboard::{dashboard, label_names, queries, COMMAND, SERVER};
    for q in queries(&dashboard()) {
        let result = query(prom, &q);
        assert!(!result.is_empty(), "`{q}` returned no series");
        let grouped = q
            .split("by (")
            .skip(1)
            .flat_map(|p| p[..p.find(')').unwrap()].split(','));
        let grouped: Vec<&str> = grouped.map(str::trim).filter(|l| *l != "le").collect();
        for (labels, _) in &result {
            for l in &grouped {
                assert!(
                    labels[l].is_string(),
                    "`{q}`: a series without {l}: {labels}"
                );
            }
            for (l, want) in [("server", SERVER), ("command", COMMAND)] {
                let named = label_names(&q).contains(l);
                assert!(
                    !named || labels[l].is_null() || labels[l] == want,
                    "`{q}`: {l} is {} for {want}",
                    labels[l]
                );
            }
        }
    }
}

#[test]
fn prometheus_scrapes_a_30s_run_and_answers_rate_and_p99_per_server() {
    if !std::path::Path::new(PROMETHEUS).exists() {
        if std::env::var("IMAPLOAD_REQUIRE_PROMETHEUS").as_deref() == Ok("1") {
            panic!("Prometheus is required (IMAPLOAD_REQUIRE_PROMETHEUS=1) but {PROMETHEUS} is missing");
        }
        eprintln!("SKIPPED: Prometheus is not installed (apt-get install prometheus)");
        return;
    }
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    // mbx1 refuses logins for 2 s (so there are errors by reason), the
    // thresholds say what a refused login costs, and the monitors sample
    // every 2 s (so they have values).
    let extra = "[thresholds]\nchecks = [\"errors.rate < 50%\", \"sessions.failed.rate < 50%\"]\n\
                 [monitors]\nsample_period = \"2s\"\n\
                 [[faults]]\nserver = \"mbx1\"\nat = \"2s\"\nduration = \"2s\"\nrefuse_logins = true\n";
    std::fs::write(
        dir.path().join("s.toml"),
        embedded_scenario(20, "30s", extra),
    )
    .unwrap();
    let args = [
        "run",
        "s.toml",
        "--quiet",
        "--out",
        "r",
        "--metrics-listen",
        ":0",
    ];
    let started = Instant::now();
    let (mut run, target) = start_with_metrics(dir.path(), &args, "live metrics at ");
    let prom = format!("127.0.0.1:{}", free_port());
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: imapload\n    static_configs:\n      - targets: ['{target}']\n"
    );
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    let _prometheus = Killed(
        Command::new(PROMETHEUS)
            .current_dir(dir.path())
            .arg("--config.file=prometheus.yml")
            .arg("--storage.tsdb.path=data")
            .arg(format!("--web.listen-address={prom}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus starts"),
    );
    // Ask while the run still goes (after it, the series are marked stale).
    std::thread::sleep(Duration::from_secs(24).saturating_sub(started.elapsed()));
    let up = query(&prom, "up{job=\"imapload\"}");
    assert_eq!(
        up.first().map(|u| u.1),
        Some(1.0),
        "the target is not up: {up:?}"
    );
    let rate = query(
        &prom,
        "sum by (server) (rate(imapload_commands_total[10s])) > 0",
    );
    assert_eq!(servers(&rate), ["cas1", "mbx1", "mbx2"], "{rate:?}");
    let p99 = query(
        &prom,
        "histogram_quantile(0.99, sum by (le, server) (rate(imapload_latency_seconds_bucket[10s])))",
    );
    assert_eq!(servers(&p99), ["cas1", "mbx1", "mbx2"], "{p99:?}");
    for (m, v) in &p99 {
        assert!(v.is_finite() && *v > 0.0 && *v < 10.0, "p99 of {m}: {v} s");
    }
    eprintln!("rate per server: {rate:?}\np99 per server (s): {p99:?}");
    dashboard_queries_return_series(&prom);
    // The run still ends by itself, and well: the endpoint cost it nothing.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = run.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the run did not end");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(status.code(), Some(0), "the 30 s run failed");
}
