//! The end of a run and the generator's own timing, against a separate
//! `imapload serve` process: no login storm when the load stops (a slot whose
//! session was cut by the deadline starts no other), and a session without
//! think time sends its next command at once (no timer tick per command).

use std::collections::BTreeMap;

use std::path::Path;

use crate::support::{exclusive, imapload, read_csv, Served};

/// Runs `imapload run` on `scenario` with `flags`, results in `dir/out`.
fn run(dir: &Path, scenario: &str, flags: &[String]) {
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    let mut args = vec![
        "run",
        "s.toml",
        "--quiet",
        "--fail-on",
        "never",
        "--out",
        "out",
    ];
    args.extend(flags.iter().map(String::as_str));
    let out = imapload(dir, &args);
    assert!(
        out.status.success(),
        "run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Logins (LOGIN + AUTHENTICATE) per whole second from `timeseries.csv`,
/// counted once per session: on its first hop (direct rows, and CAS rows
/// whose server is the CAS).
fn logins_per_second(ts: &Path, cas: &[String]) -> BTreeMap<u64, u64> {
    let (header, rows) = read_csv(ts);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (t, path, server, command, count) = (
        col("t_start_s"),
        col("path"),
        col("server"),
        col("command"),
        col("count"),
    );
    let mut out = BTreeMap::new();
    for r in rows {
        let login = r[command] == "LOGIN" || r[command] == "AUTHENTICATE";
        let first_hop = r[path] == "direct" || cas.contains(&r[server]);
        if login && first_hop {
            let second = r[t].parse::<f64>().unwrap().floor() as u64;
            *out.entry(second).or_default() += r[count].parse::<u64>().unwrap();
        }
    }
    out
}

const STORM: &str = r#"
name = "storm"
seed = 5
duration = "20s"
interval = "1s"
[load]
sessions = 1000
cas_share = 0.8
ramp_up = "2s"
[session]
login = "mixed"
commands = [3, 6]
think_time = { dist = "exponential", mean = "500ms" }
command_timeout = "10s"
[probes]
enabled = false
"#;

#[test]
fn the_end_of_a_closed_run_has_no_login_storm() {
    let _alone = exclusive();
    let served = Served::start(&["--users", "1000"]);
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path(), STORM, &served.flags(false));
    let cas = served.cas_names();
    drop(served);
    let per_second = logins_per_second(&tmp.path().join("out/timeseries.csv"), &cas);
    // A generator whose interval ticks fell behind (a loaded machine) would
    // fold the last seconds into one interval: nothing to judge then.
    assert!(
        per_second.contains_key(&18) && per_second.contains_key(&19),
        "no intervals for seconds 18 and 19: {per_second:?}"
    );
    let at = |s: u64| per_second.get(&s).copied().unwrap_or(0);
    let mut steady: Vec<u64> = (6..=15).map(at).collect();
    steady.sort_unstable();
    let median = (steady[4] + steady[5]) as f64 / 2.0;
    let last = [at(18), at(19)];
    eprintln!(
        "logins/s: seconds 6-15 median {median}, last two seconds {last:?}; all {per_second:?}"
    );
    assert!(median > 100.0, "too few logins to judge: {per_second:?}");
    for l in last {
        assert!(
            l as f64 <= 2.0 * median,
            "login storm at the end: {last:?} against a median of {median}/s ({per_second:?})"
        );
    }
}

const NO_THINK: &str = r#"
name = "no-think"
seed = 3
duration = "5s"
[load]
sessions = 10
cas_share = 0.0
[session]
login = "login"
commands = [1000000, 1000000]
think_time = { dist = "none" }
command_timeout = "10s"
[session.mix]
NOOP = 1
[probes]
enabled = false
"#;

/// The NOOP rows of `summary.csv`: (count, corrected p50 µs, service p50 µs),
/// the p50s count-weighted over the back ends.
fn noop_figures(summary: &Path) -> (u64, f64, f64) {
    let (header, rows) = read_csv(summary);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (command, count, p50, service) = (
        col("command"),
        col("count"),
        col("p50_us"),
        col("service_p50_us"),
    );
    let (mut n, mut c, mut s) = (0u64, 0.0, 0.0);
    for r in rows.iter().filter(|r| r[command] == "NOOP") {
        let k: u64 = r[count].parse().unwrap();
        n += k;
        c += k as f64 * r[p50].parse::<f64>().unwrap();
        s += k as f64 * r[service].parse::<f64>().unwrap();
    }
    (n, c / n.max(1) as f64, s / n.max(1) as f64)
}

#[test]
fn without_think_time_commands_go_back_to_back() {
    let _alone = exclusive();
    let served = Served::start(&["--users", "100", "--service-time", "0"]);
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path(), NO_THINK, &served.flags(true));
    drop(served);
    let (count, corrected, service) = noop_figures(&tmp.path().join("out/summary.csv"));
    let per_session = count as f64 / 5.0 / 10.0;
    eprintln!(
        "no think time: {count} NOOPs, {per_session:.0}/s per session, corrected p50 {corrected:.0} µs, service p50 {service:.0} µs"
    );
    assert!(
        corrected <= service * 1.2,
        "corrected p50 {corrected:.0} µs is not within 20% of service p50 {service:.0} µs: the generator waits before sending"
    );
    // The share of a session's time its commands spend in the server: back to
    // back, most of it (a machine's speed cancels out of the ratio; a 1 ms
    // wait per command would bring it under 0.3).
    let busy = per_session * service / 1e6;
    assert!(
        busy > 0.3,
        "{per_session:.0} commands/s per session at service p50 {service:.0} µs: in service {:.0}% of the time; the generator waits between commands",
        busy * 100.0
    );
}
