//! Monitors on the embedded topology with faults: the slow-command alert, the
//! queue model against the servers' own queues (Little's law), probe failures,
//! and re-judging saved results.

use imapload::health::{judge_monitors, judge_verdict, HealthOptions};
use imapload::results::AlertValue;

use crate::support::*;

const FAST_MONITORS: &str = r#"
[monitors]
sample_period = "1s"
escalation_delay = "2s"
[monitors.command_time]
threshold = "100ms"
[monitors.requests_queued]
threshold = 1000
"#;

fn states(
    results: &[imapload::monitor::evaluate::MonitorResult],
    monitor: &str,
) -> Vec<(String, AlertValue)> {
    results
        .iter()
        .filter(|r| r.monitor == monitor)
        .map(|r| (r.server.clone(), r.alert_value))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_backend_turns_its_monitor_and_the_cas_unhealthy_and_rejudging_higher_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "{FAST_MONITORS}[probes]\nenabled = false\n\n[[faults]]\nserver = \"mbx2\"\nat = \"2s\"\nslow = 200.0\n"
    );
    // 50 ms: the CAS's mean mixes mbx2's ~400 ms with mbx1's ~2 ms commands
    // (weighted by count, and fast sessions send more), so it runs 130-300 ms;
    // at 100 ms a busy machine could dip one sample under and reset the chain.
    let text = (embedded_scenario(30, "10s", "") + &extra)
        .replace("threshold = \"100ms\"", "threshold = \"50ms\"");
    assert!(text.contains("threshold = \"50ms\""));
    let plan = plan_from(&text, dir.path(), &quiet_out(dir.path()));
    let report = run(plan).await;
    assert_eq!(report.exit_code, 3, "a monitor should end Unhealthy");
    assert_eq!(report.errors, 0, "{}", error_rows(&report));
    let judged = judge_monitors(&report.dir, &HealthOptions::default()).unwrap();
    assert_eq!(
        states(&judged, "AverageCommandProcessingTimeGt60sMonitor"),
        [
            ("cas1".into(), AlertValue::Unhealthy),
            ("mbx1".into(), AlertValue::Healthy),
            ("mbx2".into(), AlertValue::Unhealthy)
        ]
    );
    let cas = judged
        .iter()
        .find(|r| r.server == "cas1" && r.monitor.starts_with("Average"))
        .unwrap();
    assert!(
        cas.behind.starts_with("mbx2 "),
        "the CAS alert should name mbx2 first: {}",
        cas.behind
    );
    // The saved run's own verdicts equal the re-judged ones.
    let health = std::fs::read_to_string(report.dir.join("health.csv")).unwrap();
    assert!(health.starts_with("server,health_set,monitor,alert_value"));
    assert_eq!(
        health.lines().filter(|l| l.contains(",Unhealthy,")).count(),
        2,
        "{health}"
    );
    // A higher threshold on the same saved histograms: healthy.
    let higher = HealthOptions {
        command_time_threshold: Some("60s".into()),
        ..Default::default()
    };
    let rejudged = judge_monitors(&report.dir, &higher).unwrap();
    assert!(rejudged
        .iter()
        .all(|r| r.alert_value == AlertValue::Healthy));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_logins_fail_the_deep_test_but_not_the_self_test() {
    let dir = tempfile::tempdir().unwrap();
    let extra = "[monitors]\nsample_period = \"1s\"\nescalation_delay = \"1s\"\n\
                 [probes]\ninterval_scale = 0.01\n[probes.deep_test]\nfailures = 2\n\
                 [[faults]]\nserver = \"mbx2\"\nat = \"1s\"\nrefuse_logins = true\n\
                 [thresholds]\nmax_error_rate = \"100%\"\nmax_session_failure_rate = \"100%\"\n\
                 checks = [\"errors.rate(*.*.mbx1) <= 1%\"]\n";
    let plan = plan_from(
        &(embedded_scenario(6, "8s", "") + extra),
        dir.path(),
        &quiet_out(dir.path()),
    );
    let report = run(plan).await;
    let judged = judge_monitors(&report.dir, &HealthOptions::default()).unwrap();
    assert_eq!(
        states(&judged, "ImapDeepTestMonitor"),
        [
            ("mbx1".into(), AlertValue::Healthy),
            ("mbx2".into(), AlertValue::Unhealthy)
        ]
    );
    assert_eq!(
        states(&judged, "ImapSelfTestMonitor"),
        [
            ("mbx1".into(), AlertValue::Healthy),
            ("mbx2".into(), AlertValue::Healthy)
        ]
    );
    let probes = std::fs::read_to_string(report.dir.join("probes.csv")).unwrap();
    assert!(
        probes
            .lines()
            .any(|l| l.contains("ImapDeepTestProbe") && l.contains("mbx2") && l.contains(",auth,")),
        "{probes}"
    );
    // The refused logins are the fault, by design: the scenario opens the
    // run-wide gates, so its exit code is the monitors' (3); with the default
    // gates the same run fails its verdict (5).
    assert!(report.verdict.passed, "{:?}", report.verdict.reasons);
    assert_eq!(report.exit_code, 3);
    let gated = judge_verdict(
        &report.dir,
        &HealthOptions {
            thresholds: vec!["errors.rate <= 1%".into()],
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!gated.passed, "refused logins are more than 1% of commands");
}

/// One back end with 2 workers and a fixed 20 ms service time, 20 sessions
/// without think time: the server is saturated and a queue forms.
const LITTLE: &str = r#"
name = "little"
seed = 3
duration = "5s"
[topology]
kind = "embedded"
cas = 1
backends = 1
workers_per_backend = 2
[topology.service]
default = { median = "20ms", p99 = "20ms" }
[users]
count = 50
[load]
sessions = 20
cas_share = 0.0
[session]
commands = [50, 50]
think_time = { dist = "none" }
[session.mix]
NOOP = 1
FETCH_FLAGS = 1
[probes]
enabled = false
"#;

/// Throughput and latency of mbx1's commands over the steady seconds 1..4
/// (after ramp and connection set-up, before the end), from `timeseries.csv`.
struct Steady {
    /// Commands per second.
    throughput: f64,
    /// Mean corrected latency, seconds.
    latency_s: f64,
}

/// [`Steady`] from the results directory `dir`.
fn steady_figures(dir: &std::path::Path) -> Steady {
    let (h, ts) = read_csv(&dir.join("timeseries.csv"));
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (t, server, command, ok, sum) = (
        col("t_start_s"),
        col("server"),
        col("command"),
        col("ok"),
        col("corrected_sum_us"),
    );
    let steady = |r: &Vec<String>| {
        let s: f64 = r[t].parse().unwrap();
        (1.0..4.0).contains(&s)
            && r[server] == "mbx1"
            && !["CONNECT", "TLS", "GREETING"].contains(&r[command].as_str())
    };
    let (n, total_us) = ts.iter().filter(|r| steady(r)).fold((0f64, 0f64), |a, r| {
        (
            a.0 + r[ok].parse::<f64>().unwrap(),
            a.1 + r[sum].parse::<f64>().unwrap(),
        )
    });
    Steady {
        throughput: n / 3.0,
        latency_s: total_us / n / 1e6,
    }
}

/// The mean of `queue.csv`'s `column` for mbx1 over the steady seconds 1..4.
fn steady_queue_mean(dir: &std::path::Path, column: &str) -> f64 {
    let (qh, q) = read_csv(&dir.join("queue.csv"));
    let qcol = |name: &str| qh.iter().position(|c| c == name).unwrap();
    let q_steady: Vec<&Vec<String>> = q
        .iter()
        .filter(|r| {
            r[qcol("server")] == "mbx1"
                && (1.0..4.0).contains(&r[qcol("t_s")].parse::<f64>().unwrap())
        })
        .collect();
    q_steady
        .iter()
        .map(|r| r[qcol(column)].parse::<f64>().unwrap())
        .sum::<f64>()
        / q_steady.len() as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_depth_model_agrees_with_the_servers_own_queue_by_littles_law() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(plan_from(LITTLE, dir.path(), &quiet_out(dir.path()))).await;
    assert_eq!(report.errors, 0, "{}", error_rows(&report));
    let Steady {
        throughput,
        latency_s,
    } = steady_figures(&report.dir);
    let little = throughput * latency_s;
    let mean = |c: &str| steady_queue_mean(&report.dir, c);
    let modelled = mean("depth_mean");
    let own = mean("server_queued_mean") + mean("server_busy_mean");
    eprintln!(
        "little's law: throughput {throughput:.1}/s x latency {:.2} ms = {little:.2}; modelled depth {modelled:.2}; server queued+busy {own:.2}",
        latency_s * 1e3
    );
    assert!(little > 10.0, "no queue formed: L = {little:.1}");
    for (what, depth) in [
        ("modelled depth", modelled),
        ("server's own queue + busy", own),
    ] {
        let off = (depth - little).abs() / little;
        assert!(off < 0.10, "{what} {depth:.2} vs throughput x latency {little:.2} ({throughput:.0}/s x {:.1} ms): {:.0}% off", latency_s * 1e3, off * 100.0);
    }
}
