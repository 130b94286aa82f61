//! Faults during a run (issue 7, part 3): a back end killed and restarted
//! mid-run, embedded (the `kill` fault) and a real Dovecot (SIGKILL of its
//! whole process group, then started again on the same port). Errors are
//! counted on that back end's rows, sessions recover after the restart,
//! monitors see it, and the results are complete.

use std::path::Path;
use std::time::Duration;

use imapload::health::{judge_monitors, HealthOptions};
use imapload::plan::Overrides;
use imapload::results::AlertValue;
use imapload::results::ErrorReason;
use imapload::run::RunReport;

use crate::dovecot::Dovecot;
use crate::support::*;

/// Per back end, commands that succeeded and that failed in intervals
/// starting in `[from, to)` seconds, from timeseries.csv.
fn ok_and_errors(dir: &Path, backend: &str, from: f64, to: f64) -> (u64, u64) {
    let (header, rows) = read_csv(&dir.join("timeseries.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (t, b, ok, err) = (col("t_start_s"), col("backend"), col("ok"), col("errors"));
    rows.iter()
        .filter(|r| r[b] == backend)
        .filter(|r| (from..to).contains(&r[t].parse::<f64>().unwrap()))
        .fold((0, 0), |(o, e), r| {
            (
                o + r[ok].parse::<u64>().unwrap(),
                e + r[err].parse::<u64>().unwrap(),
            )
        })
}

/// Errors of `reason` on rows of `backend`.
fn errors(report: &RunReport, backend: &str, reason: ErrorReason) -> u64 {
    report
        .rows
        .iter()
        .filter(|(k, _)| k.backend == backend)
        .map(|(_, r)| r.errors_of(reason))
        .sum()
}

fn assert_complete(report: &RunReport) {
    assert!(!report.partial);
    for f in [
        "run.json",
        "summary.csv",
        "timeseries.csv",
        "latency.hlog",
        "health.csv",
        "probes.csv",
        "report.html",
    ] {
        assert!(report.dir.join(f).exists(), "{f} missing");
    }
}

/// ImapSelfTestMonitor went Degraded or worse on `server` and on no other
/// back end, and a probe of `server` failed to connect.
fn assert_probe_monitor_fired(report: &RunReport, server: &str) {
    let judged = judge_monitors(&report.dir, &HealthOptions::default()).unwrap();
    let self_tests: Vec<_> = judged
        .iter()
        .filter(|r| r.monitor == "ImapSelfTestMonitor")
        .collect();
    assert!(
        self_tests.iter().any(|r| r.server == server),
        "no SelfTest on {server}"
    );
    for r in self_tests {
        let worst = r
            .transitions
            .iter()
            .map(|t| t.to)
            .max()
            .unwrap_or(AlertValue::Healthy);
        assert_eq!(
            worst >= AlertValue::Degraded,
            r.server == server,
            "{} SelfTest worst {worst:?}: {:?}",
            r.server,
            r.transitions
        );
    }
    let probes = std::fs::read_to_string(report.dir.join("probes.csv")).unwrap();
    assert!(
        probes
            .lines()
            .any(|l| l.contains(server) && l.contains(",connect,")),
        "no connect failure of a probe on {server}:\n{probes}"
    );
}

/// Two back ends under load; mbx2 is killed from 2 s to 5 s, with probes
/// and monitors fast enough to see it.
const KILL: &str = r#"
name = "kill"
seed = 11
duration = "9s"
interval = "1s"
[topology]
kind = "embedded"
cas = 1
backends = 2
messages_per_mailbox = 20
[users]
count = 100
[load]
sessions = 20
cas_share = 0.5
[session]
commands = [3, 8]
think_time = { dist = "exponential", mean = "20ms" }
command_timeout = "2s"
idle_duration = "100ms"
reconnect_delay = "200ms"
[monitors]
sample_period = "1s"
escalation_delay = "1s"
[probes]
interval_scale = 0.01
[[faults]]
server = "mbx2"
at = "2s"
duration = "3s"
kill = true
"#;

/// Prints each failing row of `backend` with its errors by reason, for a
/// failure's context.
fn print_error_rows(report: &RunReport, backend: &str) {
    for (k, r) in report
        .rows
        .iter()
        .filter(|(k, r)| k.backend == backend && r.errors > 0)
    {
        let reasons: Vec<_> = ErrorReason::ALL
            .iter()
            .filter(|x| r.errors_of(**x) > 0)
            .map(|x| format!("{} {}", x.label(), r.errors_of(*x)))
            .collect();
        eprintln!(
            "{:?} {} {} {}: {}",
            k.path,
            k.server,
            k.backend,
            k.command,
            reasons.join(", ")
        );
    }
}

/// What `run.json` says of each fault applied or reverted, in order.
fn fault_log(report: &RunReport) -> Vec<String> {
    let run = run_json(&report.dir);
    run.faults.into_iter().map(|f| f.what).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_backend_counts_errors_trips_its_probe_monitor_and_recovers_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_from(KILL, dir.path(), &quiet_out(dir.path()));
    let report = run(plan).await;
    assert_complete(&report);
    // Connects to mbx2 were refused while it was down; sessions on it dropped.
    let (refused, dropped) = (
        errors(&report, "mbx2", ErrorReason::Connect),
        errors(&report, "mbx2", ErrorReason::Disconnect),
    );
    print_error_rows(&report, "mbx2");
    assert!(
        refused > 0 && dropped > 0,
        "mbx2: {refused} refused, {dropped} dropped"
    );
    let via_cas = report
        .rows
        .iter()
        .find(|(k, _)| k.server == "cas1" && k.backend == "mbx2" && k.command.label() == "LOGIN")
        .map_or(0, |(_, r)| r.errors_of(ErrorReason::No));
    assert!(via_cas > 0, "the CAS should refuse logins for a dead mbx2");
    let others: u64 = ErrorReason::ALL
        .iter()
        .filter(|r| **r != ErrorReason::Aborted)
        .map(|r| errors(&report, "mbx1", *r))
        .sum();
    assert_eq!(others, 0, "mbx1 was not killed");
    // Errors while down, and mbx2 serves again after the restart at 5 s.
    let (_, down_errors) = ok_and_errors(&report.dir, "mbx2", 2.0, 5.0);
    let (after_ok, _) = ok_and_errors(&report.dir, "mbx2", 6.0, 9.0);
    assert!(down_errors > 0, "no errors while mbx2 was down");
    assert!(
        after_ok > 100,
        "only {after_ok} commands succeeded on mbx2 after its restart"
    );
    // The probes saw it: SelfTest (4 failures within the scaled 2.4 s window) fired on mbx2 only.
    assert_probe_monitor_fired(&report, "mbx2");
    assert_eq!(
        fault_log(&report),
        ["kill", "kill reverted to up (restarted)"]
    );
}

/// `users.csv` in `dir`: 20 users on the back end `dovecot`.
fn write_users(dir: &Path) -> std::path::PathBuf {
    let users = dir.join("users.csv");
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=20 {
        csv.push_str(&format!("kr{i:02},secret,dovecot\n"));
    }
    std::fs::write(&users, csv).unwrap();
    users
}

/// Eight sessions straight to the Dovecot on `port` for 10 s, with probes
/// and monitors fast enough to see it killed.
fn dovecot_kill_scenario(port: u16) -> String {
    format!(
        r#"
name = "dovecot-kill"
seed = 5
duration = "10s"
interval = "1s"
[topology]
kind = "real"
[[topology.backend]]
name = "dovecot"
url = "imap://127.0.0.1:{port}"
[load]
sessions = 8
cas_share = 0.0
[monitors]
sample_period = "1s"
escalation_delay = "1s"
[probes]
interval_scale = 0.01
[probes.self_test]
failures = 2
[session]
commands = [3, 8]
think_time = {{ dist = "exponential", mean = "50ms" }}
command_timeout = "2s"
reconnect_delay = "200ms"
idle_duration = "100ms"
[session.mix]
NOOP = 2
FETCH_FLAGS = 2
STATUS = 1
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_recover_and_the_probe_monitor_fires_when_dovecot_is_killed_and_restarted() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut dovecot) = Dovecot::start_with(dir.path(), None) else {
        return;
    };
    let users = write_users(dir.path());
    let text = dovecot_kill_scenario(dovecot.port);
    let overrides = Overrides {
        users: Some(users),
        ..quiet_out(dir.path())
    };
    let plan = plan_from(&text, dir.path(), &overrides);
    let report = run_during(plan, async {
        tokio::time::sleep(Duration::from_secs(3)).await;
        tokio::task::block_in_place(|| dovecot.crash());
        tokio::time::sleep(Duration::from_secs(2)).await;
        tokio::task::block_in_place(|| dovecot.restart());
    })
    .await;
    assert_complete(&report);
    let refused = errors(&report, "dovecot", ErrorReason::Connect);
    let dropped = errors(&report, "dovecot", ErrorReason::Disconnect);
    assert!(
        refused > 0 && dropped > 0,
        "dovecot: {refused} refused, {dropped} dropped\n{}",
        dovecot.log()
    );
    let (before_ok, _) = ok_and_errors(&report.dir, "dovecot", 0.0, 3.0);
    let (_, down_errors) = ok_and_errors(&report.dir, "dovecot", 3.0, 5.0);
    let (after_ok, _) = ok_and_errors(&report.dir, "dovecot", 7.0, 10.0);
    eprintln!(
        "dovecot kill: {refused} refused, {dropped} dropped, {before_ok} ok before, \
         {down_errors} errors while down, {after_ok} ok after"
    );
    assert!(
        before_ok > 0 && down_errors > 0,
        "{before_ok} ok before, {down_errors} errors while down"
    );
    assert_probe_monitor_fired(&report, "dovecot");
    assert!(
        after_ok > 20,
        "only {after_ok} commands succeeded after the restart\n{}",
        dovecot.log()
    );
}
