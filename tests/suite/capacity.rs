//! `imapload capacity` (issue 25) against `imapload serve` in another
//! process: a back end of W workers of S each (W / S commands per second)
//! and a threshold on p99. The lower bound found passes a fixed run, 1.3
//! times it fails one, and the model's prediction at about twice the upper
//! bound matches what a fixed run there measures.

use std::path::Path;

use imapload::results::capacity::{self, CapacityRecord};

use crate::support::*;

/// `imapload serve` with one back end of `workers` workers of a fixed
/// `service` time each, on ephemeral loopback ports, its users file in
/// `dir/srv`; and its back end's plain URL.
fn serve(dir: &Path, workers: &str, service: &str) -> (Served, String) {
    let srv = dir.join("srv");
    let srv = srv.to_str().unwrap();
    let served = Served::start(&[
        "--backends",
        "1",
        "--users",
        "200",
        "--dir",
        srv,
        "--workers",
        workers,
        "--service-time",
        service,
    ]);
    let url = served.url("backend");
    (served, url)
}

/// Closed sessions of NOOPs without think time, straight to the back end,
/// judged on the p99 of every row.
fn scenario(url: &str, p99: &str) -> String {
    format!(
        r#"
name = "serve-capacity"
seed = 5
duration = "3s"
interval = "500ms"
[topology]
kind = "real"
[[topology.backend]]
name = "mbx1"
url = "{url}"
[users]
file = "srv/users.csv"
[load]
sessions = 2
cas_share = 0.0
warmup = "500ms"
[probes]
enabled = false
[session]
login = "login"
commands = [40, 40]
think_time = {{ dist = "none" }}
command_timeout = "10s"
[session.mix]
NOOP = 1
[thresholds]
checks = ["p99(*) < {p99}"]
"#
    )
}

/// A fixed run of `sessions` for 3 s after the warm-up: its exit code and
/// (commands/s, mean latency ms over the first-hop rows).
fn fixed_run(dir: &Path, sessions: f64, out: &str) -> (i32, f64, f64) {
    let n = format!("{}", sessions.round());
    let args = [
        "run",
        "cap.toml",
        "--sessions",
        &n,
        "--duration",
        "3.5s",
        "-q",
    ];
    let o = imapload(dir, &[&args[..], &["-o", out]].concat());
    let code = o.status.code().unwrap_or(-1);
    let r = run_json(&dir.join(out));
    let rows: Vec<_> = r
        .summary
        .iter()
        .filter(|x| x.first_hop != Some(false) && x.count > 0)
        .collect();
    let count: u64 = rows.iter().map(|x| x.count).sum();
    let sum: f64 = rows.iter().map(|x| x.count as f64 * x.mean_us as f64).sum();
    (
        code,
        r.totals.commands_per_s,
        sum / count.max(1) as f64 / 1000.0,
    )
}

fn check_files(out: &Path, rec: &CapacityRecord) {
    let (_, rows) = read_csv(&out.join(capacity::CAPACITY_CSV));
    assert_eq!(
        rows.len(),
        rec.trials.len(),
        "one capacity.csv row per trial"
    );
    for t in &rec.trials {
        assert!(
            out.join(&t.dir).join("run.json").is_file(),
            "{} has its own results",
            t.dir
        );
    }
    assert!(out.join("capacity.html").is_file());
}

#[test]
fn the_lower_bound_holds_in_a_fixed_run_and_1_3_times_it_fails_against_serve() {
    let _one = exclusive();
    let dir = tempfile::tempdir().unwrap();
    // 10 workers of 100 ms: 100 commands/s; p99 < 300 ms gives out near 20 sessions.
    let (_serve, url) = serve(dir.path(), "10", "100ms");
    std::fs::write(dir.path().join("cap.toml"), scenario(&url, "300ms")).unwrap();
    let args = [
        "capacity", "cap.toml", "--min", "4", "--max", "64", "--trial", "3s",
    ];
    let more = [
        "--confirm",
        "4s",
        "--idle",
        "200ms",
        "-o",
        "cap",
        "--predict",
        "36,40,44,48",
    ];
    let o = imapload(dir.path(), &[&args[..], &more[..]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = dir.path().join("cap");
    let rec = capacity::read(&out).unwrap();
    check_files(&out, &rec);
    let (lower, upper) = (rec.lower_bound.unwrap(), rec.upper_bound.unwrap());
    assert_eq!(rec.outcome, "bound_found");
    assert!(
        lower < upper && upper <= (lower * 1.1).ceil() + 1.0,
        "{lower}..{upper}"
    );
    assert!(rec.lower_bound_confirmed, "{:?}", rec.trials);
    let first = rec.first_failure.as_ref().unwrap();
    assert_eq!(
        (first.kind.as_str(), first.server.as_deref()),
        ("threshold", Some("mbx1"))
    );
    assert!(rec
        .servers
        .iter()
        .any(|s| s.server == "mbx1" && s.first && s.gave_out_at == Some(upper)));
    let (at_lower, ..) = fixed_run(dir.path(), lower, "at-lower");
    assert_eq!(at_lower, 0, "a fixed run at the lower bound {lower} passes");
    let (above, ..) = fixed_run(dir.path(), (lower * 1.3).round(), "above");
    assert_eq!(above, 5, "a fixed run at 1.3 x {lower} fails its threshold");
    // The prediction nearest twice the upper bound, against a fixed run there.
    let p = (rec.predictions.iter())
        .min_by(|a, b| {
            (a.load - 2.0 * upper)
                .abs()
                .total_cmp(&(b.load - 2.0 * upper).abs())
        })
        .unwrap();
    assert!(p.beyond_measured == (p.load > rec.model.as_ref().unwrap().measured_up_to));
    let (_, x, mean) = fixed_run(dir.path(), p.load, "predicted");
    let (px, pm) = (p.commands_per_s, p.mean_ms.unwrap());
    let report = format!(
        "at {}: predicted {px:.1}/s {pm:.1} ms, measured {x:.1}/s {mean:.1} ms",
        p.load
    );
    eprintln!("{report}");
    assert!((px - x).abs() / x < 0.15, "throughput {report}");
    assert!((pm - mean).abs() / mean < 0.25, "latency {report}");
    // The minimum already failing: exit 5, one trial.
    let args = [
        "capacity", "cap.toml", "--min", "40", "--max", "64", "--trial", "2s", "-o", "min",
    ];
    let o = imapload(dir.path(), &args);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    let rec = capacity::read(&dir.path().join("min")).unwrap();
    assert_eq!((rec.outcome.as_str(), rec.trials.len()), ("min_fails", 1));
}

#[test]
fn flags_the_search_sets_itself_and_bad_search_flags_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    for (flags, says) in [
        (&["--sessions", "5"][..], "--sessions"),
        (&["--duration", "5s"][..], "--duration"),
        (&["--precision", "0"][..], "--precision"),
        (&["--min", "10", "--max", "5"][..], "--max"),
        (&["--trial", "0s"][..], "--trial"),
        (&["--predict", "0"][..], "--predict"),
    ] {
        let o = imapload(dir.path(), &[&["capacity"][..], flags].concat());
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{flags:?}: {err}");
    }
}

#[test]
fn a_load_the_generator_cannot_hold_is_invalid_not_failed_and_caps_the_search() {
    let _one = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let (_serve, url) = serve(dir.path(), "10", "100ms");
    // An open model with at most 2 sessions at once: sessions of about 0.5 s
    // arriving 8 times a second need 4; the servers would take far more.
    let toml = scenario(&url, "300ms")
        .replace(
            "sessions = 2\ncas_share",
            "model = \"open\"\nrate = 1\nmax_sessions = 2\narrivals = \"uniform\"\ncas_share",
        )
        .replace("commands = [40, 40]", "commands = [2, 2]");
    std::fs::write(dir.path().join("rate.toml"), toml).unwrap();
    let args = [
        "capacity",
        "rate.toml",
        "--by",
        "rate",
        "--min",
        "1",
        "--max",
        "16",
    ];
    let more = [
        "--trial",
        "2s",
        "--confirm",
        "0",
        "--idle",
        "200ms",
        "-o",
        "rate",
    ];
    let o = imapload(dir.path(), &[&args[..], &more[..]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rec = capacity::read(&dir.path().join("rate")).unwrap();
    assert_eq!(
        (rec.outcome.as_str(), rec.by.as_str()),
        ("generator_limited", "rate")
    );
    assert_eq!(
        rec.upper_bound, None,
        "an invalid trial is no failure: {:?}",
        rec.trials
    );
    let ceiling = rec.generator_ceiling.unwrap();
    assert!(
        rec.lower_bound.unwrap() < ceiling && ceiling <= 8.0,
        "{rec:?}"
    );
    let invalid: Vec<_> = rec
        .trials
        .iter()
        .filter(|t| t.result == "invalid")
        .collect();
    assert!(
        !invalid.is_empty()
            && invalid.iter().all(|t| t
                .invalid
                .as_deref()
                .is_some_and(|w| w.starts_with("generator")))
    );
    assert!(
        rec.trials.iter().all(|t| t.result != "failed"),
        "{:?}",
        rec.trials
    );
}
