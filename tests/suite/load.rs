//! Load models: coordinated-omission-correct timing, ramps that the open
//! model follows, and a saturated generator that says so.

use imapload::command::CommandKind;
use imapload::plan::{Arrivals, LoadModel, Pacing, Stage};
use std::time::Duration;

use crate::support::*;

const ONE_BACKEND: &str = r#"
name = "load"
seed = 11
duration = "6s"
[topology]
kind = "embedded"
cas = 1
backends = 1
workers_per_backend = 64
[topology.service]
default = { median = "1ms", p99 = "2ms" }
[users]
count = 300
[load]
sessions = 10
cas_share = 0.0
[session]
commands = [100000, 100000]
think_time = { dist = "fixed", value = "10ms" }
command_timeout = "10s"
[session.mix]
NOOP = 1
[probes]
enabled = false
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_second_stall_shows_in_corrected_p99_and_not_in_service_p99() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{ONE_BACKEND}\n[[faults]]\nserver = \"mbx1\"\nat = \"2s\"\nduration = \"2s\"\nstall = true\n");
    let mut plan = plan_from(&text, dir.path(), &quiet_out(dir.path()));
    plan.session.pacing = Pacing::Schedule;
    let report = run(plan).await;
    assert_eq!(report.errors, 0, "{}", error_rows(&report));
    let (_, noop) = report
        .rows
        .iter()
        .find(|(k, _)| k.command == CommandKind::Noop)
        .unwrap();
    let corrected = noop.p99_us;
    let service = noop.service_p99_us;
    eprintln!(
        "stall: {} NOOPs, corrected p99 {:.1} ms, service p99 {:.1} ms",
        noop.ok(),
        corrected as f64 / 1e3,
        service as f64 / 1e3
    );
    assert!(noop.ok() > 2000, "only {} NOOPs", noop.ok());
    assert!(
        corrected > 1_000_000,
        "corrected p99 {corrected} µs does not show the 2 s stall"
    );
    assert!(
        service < 100_000,
        "service p99 {service} µs should not show the stall"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_model_throughput_follows_its_ramp_within_5_percent() {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = plan_from(ONE_BACKEND, dir.path(), &quiet_out(dir.path()));
    plan.load.model = LoadModel::Open;
    plan.load.arrivals = Arrivals::Uniform;
    plan.load.max_sessions = 500;
    plan.load.stages = vec![
        Stage {
            duration: Duration::from_secs(3),
            target: 150.0,
        },
        Stage {
            duration: Duration::from_secs(3),
            target: 150.0,
        },
    ];
    plan.session.commands_per_session = (2, 2);
    let load = plan.load.clone();
    let report = run(plan).await;
    assert!(!report.saturated, "{:?}", report.generator);
    let (h, rows) = read_csv(&report.dir.join("timeseries.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let mut checked = 0;
    for second in 1..6 {
        let started: f64 = rows
            .iter()
            .filter(|r| {
                r[col("command")] == "CONNECT"
                    && r[col("t_start_s")].parse::<f64>().unwrap() as u64 == second
            })
            .map(|r| r[col("count")].parse::<f64>().unwrap())
            .sum();
        // Expected arrivals in [second, second+1): the mean target over it.
        let expected: f64 = (0..100)
            .map(|i| load.target_at(Duration::from_millis(second * 1000 + i * 10 + 5)))
            .sum::<f64>()
            / 100.0;
        let off = (started - expected).abs() / expected;
        eprintln!(
            "ramp second {second}: {started} sessions started, target {expected:.1}/s ({:.1}% off)",
            off * 100.0
        );
        assert!(
            off <= 0.05,
            "second {second}: {started} started vs {expected:.1} due"
        );
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generator_that_cannot_deliver_the_rate_says_it_is_saturated() {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = plan_from(ONE_BACKEND, dir.path(), &quiet_out(dir.path()));
    plan.duration = Duration::from_secs(3);
    plan.load.model = LoadModel::Open;
    plan.load.rate = 200.0;
    plan.load.max_sessions = 5;
    plan.session.commands_per_session = (20, 20); // ~200 ms per session: 5 slots carry ~25/s
    let report = run(plan).await;
    let g = report.generator.unwrap();
    let (arrivals, max_backlog, not_started) = (g.arrivals, g.max_backlog, g.not_started);
    eprintln!(
        "saturated run: {arrivals} arrivals, max backlog {max_backlog}, {not_started} not started"
    );
    assert!(report.saturated);
    assert!(not_started > 0 && max_backlog >= 2);
    let json = run_json(&report.dir);
    assert_eq!(json.generator.map(|g| g.saturated), Some(true));
}

/// Fewer users than sessions: without sharing, sessions wait for a free user
/// and run.json counts them; with sharing allowed, none wait and the shared
/// sessions are counted instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_wait_for_a_free_user_and_run_json_counts_them() {
    let mut counts = Vec::new();
    for shared in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let text = embedded_scenario(20, "2s", "[probes]\nenabled = false\n")
            .replace("count = 200", "count = 6")
            .replace(
                "cas_share = 0.5",
                &format!("cas_share = 0.5\nallow_shared_users = {shared}"),
            );
        let report = run(plan_from(&text, dir.path(), &quiet_out(dir.path()))).await;
        let s = run_json(&report.dir).sessions;
        counts.push((s.user_waits, s.shared_users));
    }
    let ((waits, shares), (waits_shared, shares_shared)) = (counts[0], counts[1]);
    assert!(waits > 0 && shares == 0, "without sharing: {counts:?}");
    assert!(
        waits_shared == 0 && shares_shared > 0,
        "with sharing: {counts:?}"
    );
}
