//! Loader tests for `[monitors]`, `[probes]` and `[[faults]]`: defaults,
//! values, and one case per error (file, line, key).

use std::path::Path;
use std::time::Duration;

use super::*;

fn ok(text: &str) -> RunPlan {
    load_str(text, Path::new("s.toml"), &Overrides::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn absent_sections_get_exchange_defaults() {
    let p = ok("duration = \"10s\"\n");
    assert_eq!(p.monitors, MonitorPlan::default());
    assert_eq!(p.probes, ProbePlan::default());
    assert!(p.faults.is_empty());
    // Present but empty tables are the same as absent ones.
    let p = ok("duration = \"10s\"\n[monitors]\n[monitors.command_time]\n[probes]\n[probes.ctp]\n");
    assert_eq!(p.monitors, MonitorPlan::default());
    assert_eq!(p.probes, ProbePlan::default());
}

#[test]
fn monitor_settings_are_read() {
    let p = ok(r#"duration = "10s"
[monitors]
sample_period = "5s"
escalation_delay = "0s"
[monitors.command_time]
threshold = "200ms"
consecutive = 3
[monitors.requests_queued]
enabled = false
threshold = 100
rule = "max"
"#);
    let m = p.monitors;
    assert_eq!(
        (m.sample_period, m.escalation_delay),
        (Duration::from_secs(5), Duration::ZERO)
    );
    assert_eq!(
        m.command_time,
        ThresholdMonitor {
            enabled: true,
            threshold: 200.0,
            consecutive: 3
        }
    );
    assert_eq!(
        m.requests_queued,
        ThresholdMonitor {
            enabled: false,
            threshold: 100.0,
            consecutive: 2
        }
    );
    assert_eq!(m.queue_rule, QueueRule::Max);
}

#[test]
fn probe_windows_are_scaled() {
    let p = ok(r#"duration = "10s"
[probes]
interval_scale = 0.05
timeout_light = "5s"
[probes.deep_test]
failures = 3
[probes.proxy_test]
window = "120s"
[probes.ctp]
window = "1200s"
"#);
    let pr = p.probes;
    assert_eq!(pr.interval_scale, 0.05);
    assert_eq!(
        (pr.timeout_light, pr.timeout_full),
        (Duration::from_secs(5), Duration::from_secs(110))
    );
    assert_eq!(
        pr.deep_test,
        ProbeMonitor {
            failures: 3,
            window: None
        }
    );
    assert_eq!(pr.proxy_test.window, Some(Duration::from_secs(6)));
    // Default windows are scaled too, given or not.
    assert_eq!(pr.self_test.window, Some(Duration::from_secs(12)));
    assert_eq!(pr.ctp.window, Some(Duration::from_secs(60)));
    assert_eq!(pr.ctp.failures, 5);
}

#[test]
fn faults_are_read_in_order_with_their_kinds() {
    let p = ok(r#"duration = "60s"
[[faults]]
server = "mbx2"
at = "20s"
duration = "30s"
slow = 200.0
[[faults]]
server = "cas1"
delay = "50ms"
[[faults]]
server = "mbx1"
at = "5s"
workers = 1
[[faults]]
server = "mbx2"
at = "50s"
slow = 3
[[faults]]
server = "mbx1"
at = "40s"
duration = "5s"
kill = true
"#);
    let kinds: Vec<_> = p.faults.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FaultKind::Slow(200.0),
            FaultKind::Delay(Duration::from_millis(50)),
            FaultKind::Workers(1),
            FaultKind::Slow(3.0),
            FaultKind::Kill
        ]
    );
    assert_eq!(
        p.faults[0],
        FaultPlan {
            server: "mbx2".into(),
            at: Duration::from_secs(20),
            duration: Some(Duration::from_secs(30)),
            kind: FaultKind::Slow(200.0),
        }
    );
    assert_eq!(
        (p.faults[1].at, p.faults[1].duration),
        (Duration::ZERO, None)
    );
}

/// A run long enough for every fault below.
const D: &str = "duration = \"60s\"\n";
/// [`D`] and the start of a fault on `mbx2`.
const F: &str = "duration = \"60s\"\n[[faults]]\nserver = \"mbx2\"\n";

/// An error case: scenario text (after its prefix), line, key, a word the
/// message must contain.
type Case = (&'static str, usize, &'static str, &'static str);

/// `[monitors]` and `[probes]` errors, after [`D`].
const SETTINGS_ERRORS: &[Case] = &[
    (
        "[monitors]\nsample_period = \"0s\"\n",
        3,
        "monitors.sample_period",
        "greater than zero",
    ),
    (
        "interval = \"2s\"\n[monitors]\nsample_period = \"1s\"\n",
        4,
        "monitors.sample_period",
        "recording interval",
    ),
    (
        "[monitors]\nescalation_delay = \"soon\"\n",
        3,
        "monitors.escalation_delay",
        "unit",
    ),
    (
        "[monitors]\nsampel_period = \"5s\"\n",
        3,
        "monitors.sampel_period",
        "`sample_period`",
    ),
    (
        "[monitors.command_time]\nthreshold = 60\n",
        3,
        "monitors.command_time.threshold",
        "string",
    ),
    (
        "[monitors.command_time]\nthreshold = \"0ms\"\n",
        3,
        "monitors.command_time.threshold",
        "greater than zero",
    ),
    (
        "[monitors.command_time]\nconsecutive = 0\n",
        3,
        "monitors.command_time.consecutive",
        "from 1 to",
    ),
    (
        "[monitors.command_time]\nrule = \"max\"\n",
        3,
        "monitors.command_time.rule",
        "`threshold`",
    ),
    (
        "[monitors.requests_queued]\nthreshold = 0\n",
        3,
        "monitors.requests_queued.threshold",
        "> 0",
    ),
    (
        "[monitors.requests_queued]\nrule = \"median\"\n",
        3,
        "monitors.requests_queued.rule",
        "\"max\"",
    ),
    (
        "[monitors.requests_queued]\nenabled = \"yes\"\n",
        3,
        "monitors.requests_queued.enabled",
        "true or false",
    ),
    (
        "[probes]\ninterval_scale = 0\n",
        3,
        "probes.interval_scale",
        "> 0",
    ),
    (
        "[probes]\ninterval_scale = 101.0\n",
        3,
        "probes.interval_scale",
        "<= 100",
    ),
    (
        "[probes]\ntimeout_full = \"0s\"\n",
        3,
        "probes.timeout_full",
        "greater than zero",
    ),
    (
        "[probes]\ntimeout_lite = \"5s\"\n",
        3,
        "probes.timeout_lite",
        "`timeout_light`",
    ),
    (
        "[probes.deep_test]\nfailures = 0\n",
        3,
        "probes.deep_test.failures",
        "from 1 to",
    ),
    (
        "[probes.self_test]\nwindow = \"0s\"\n",
        3,
        "probes.self_test.window",
        "greater than zero",
    ),
    (
        "[probes.ctp]\nfailure = 3\n",
        3,
        "probes.ctp.failure",
        "`failures`",
    ),
    (
        "[probes.ctp_test]\nfailures = 3\n",
        2,
        "probes.ctp_test",
        "`deep_test`",
    ),
];

/// Errors within one fault, after [`F`] (a fault on `mbx2`).
const FAULT_ERRORS: &[Case] = &[
    ("slow = 0.0\n", 4, "faults[1].slow", "0.001"),
    (
        "slow = 2\ndelay = \"1s\"\n",
        5,
        "faults[1].delay",
        "exactly one",
    ),
    ("at = \"1s\"\n", 2, "faults[1]", "exactly one of slow"),
    ("stall = false\n", 4, "faults[1].stall", "write true"),
    ("workers = 0\n", 4, "faults[1].workers", "from 1 to"),
    (
        "delay = \"0s\"\n",
        4,
        "faults[1].delay",
        "greater than zero",
    ),
    (
        "stall = true\nat = \"60s\"\n",
        5,
        "faults[1].at",
        "not before the end",
    ),
    (
        "stall = true\nat = \"-1s\"\n",
        5,
        "faults[1].at",
        "ms, s, m, h",
    ),
    (
        "stall = true\nduration = \"0s\"\n",
        5,
        "faults[1].duration",
        "greater than zero",
    ),
    ("kill = false\n", 4, "faults[1].kill", "false does nothing"),
    (
        "kill = true\nstall = true\n",
        4,
        "faults[1].kill",
        "`stall` is given too",
    ),
    (
        "stall = true\nsever = \"x\"\n",
        5,
        "faults[1].sever",
        "`server`",
    ),
    (
        "stall = true\n[[faults]]\nserver = \"mbx2\"\nat = \"10s\"\nstall = true\n",
        7,
        "faults[2].at",
        "overlaps faults[1]",
    ),
];

/// Fault errors that need a whole `[[faults]]` table of their own, after [`D`].
const WHOLE_FAULT_ERRORS: &[Case] = &[
    ("[[faults]]\nstall = true\n", 2, "faults[1].server", "missing"),
    ("[[faults]]\nserver = \"mbx3\"\nstall = true\n", 3, "faults[1].server", "cas1, mbx1, mbx2"),
    ("[[faults]]\nserver = \"cas1\"\nslow = 5\n", 4, "faults[1].slow", "a CAS has no"),
    ("[[faults]]\nserver = \"cas1\"\nworkers = 5\n", 4, "faults[1].workers", "a CAS has no"),
    ("[topology]\nkind = \"real\"\n[[topology.backend]]\nname = \"mbx1\"\nurl = \"imap://m\"\n[load]\ncas_share = 0\n[[faults]]\nserver = \"mbx1\"\nstall = true\n", 9, "faults[1]", "embedded"),
];

/// Every error case with its prefix: text, line, key, a word the message must contain.
fn errors() -> Vec<(String, usize, &'static str, &'static str)> {
    let with = |prefix: &'static str, cases: &'static [Case]| {
        (cases.iter()).map(move |(t, l, k, n)| (format!("{prefix}{t}"), *l, *k, *n))
    };
    (with(D, SETTINGS_ERRORS))
        .chain(with(F, FAULT_ERRORS))
        .chain(with(D, WHOLE_FAULT_ERRORS))
        .collect()
}

#[test]
fn every_error_names_file_line_and_key() {
    let mut failures = Vec::new();
    for (text, line, key, needle) in errors() {
        let e = match load_str(&text, Path::new("dir/s.toml"), &Overrides::default()) {
            Ok(_) => {
                failures.push(format!("{text:?} loaded"));
                continue;
            }
            Err(e) => e,
        };
        let got = (e.file.as_deref(), e.line, e.key.as_deref());
        if got != (Some(Path::new("dir/s.toml")), Some(line), Some(key))
            || !e.message.contains(needle)
        {
            failures.push(format!(
                "{text:?}\n  want line {line} key {key} containing `{needle}`\n  got  {e}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn faults_back_to_back_or_of_other_kinds_may_share_a_server() {
    let p = ok(&format!(
        "{F}at = \"0s\"\nduration = \"10s\"\nstall = true\n[[faults]]\nserver = \"mbx2\"\nat = \"10s\"\nstall = true\n[[faults]]\nserver = \"mbx2\"\nat = \"5s\"\nrefuse_logins = true\n"
    ));
    assert_eq!(p.faults.len(), 3);
}
