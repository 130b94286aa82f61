//! The binary's contract: exit codes and one clear line for bad input.

use std::process::Command;

use imapload::results::run::Outcome;

use crate::support::{bin, imapload, run_json};

#[test]
fn bad_scenario_exits_2_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "name = \"x\"\nduration = \"10s\"\n[load]\nsessions = 5\nsesions = 3\n",
    )
    .unwrap();
    let out = imapload(dir.path(), &["run", "--quiet", "--out", "r", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:5"), "no file:line in {err}");
    assert!(err.contains("sesions"), "no key in {err}");
    assert_eq!(err.trim().lines().count(), 1, "more than one line: {err}");
    assert!(
        !dir.path().join("r").exists(),
        "a results directory was written for bad input"
    );
}

#[test]
fn existing_results_directory_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let out = imapload(
        dir.path(),
        &["run", "--quiet", "--duration", "1s", "--out", "."],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
}

#[test]
fn bad_duration_flag_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = imapload(dir.path(), &["run", "--quiet", "--duration", "0s"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--duration"));
}

#[test]
fn ctrl_c_leaves_a_complete_results_directory_marked_partial_within_5_s() {
    use std::time::{Duration, Instant};
    let _alone = crate::support::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let mut child = Command::new(bin())
        .args(["run", "--quiet", "--duration", "60s", "--out"])
        .arg(&out)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    let sent = Instant::now();
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if sent.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            panic!("still running 10 s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = sent.elapsed();
    eprintln!("stopped {took:?} after SIGINT");
    assert!(took < Duration::from_secs(5), "took {took:?} to stop");
    let run = run_json(&out);
    assert_eq!(
        status.code(),
        Some(0),
        "an interrupted healthy run still exits by its verdict and health: {:?} {:?}",
        run.verdict.map(|v| v.reasons),
        run.sessions
    );
    assert_eq!(run.outcome, Some(Outcome::Partial));
    assert!(run.elapsed_s < 15.0);
    assert!(run.totals.commands > 1000);
    for f in [
        "summary.csv",
        "timeseries.csv",
        "queue.csv",
        "latency.hlog",
        "health.csv",
        "probes.csv",
    ] {
        assert!(
            out.join(f).metadata().unwrap().len() > 0,
            "{f} missing or empty"
        );
    }
    let (_, rows) = crate::support::read_csv(&out.join("summary.csv"));
    assert!(rows.len() > 10);
}

#[test]
fn sigterm_while_sessions_are_still_starting_ends_the_run_within_5_s() {
    use std::time::{Duration, Instant};
    let _alone = crate::support::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let scenario = dir.path().join("s.toml");
    // 3,000 sessions started over a minute: at 2 s most are still to come.
    std::fs::write(
        &scenario,
        "duration = \"60s\"\n[load]\nsessions = 3000\nramp_up = \"60s\"\n\
         [users]\ncount = 3000\n[probes]\nenabled = false\n",
    )
    .unwrap();
    let mut child = Command::new(bin())
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&scenario)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let sent = Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if sent.elapsed() > Duration::from_secs(15) {
            child.kill().unwrap();
            panic!("still running 15 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let took = sent.elapsed();
    assert!(took < Duration::from_secs(5), "took {took:?} to stop");
    assert_eq!(run_json(&out).outcome, Some(Outcome::Partial));
}
