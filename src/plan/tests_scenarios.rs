//! The shipped scenarios: every file in `scenarios/` loads, the fault
//! scenarios carry what they claim to reproduce, and `--duration` can make a
//! scheduled fault impossible (an error, not a silent no-op).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

#[test]
fn a_shorter_duration_flag_makes_a_late_fault_an_error() {
    let path = scenario("slow-backend.toml");
    let ov = Overrides {
        duration: Some("10s".into()),
        ..Default::default()
    };
    let e = load(Some(&path), &ov).unwrap_err();
    let text = std::fs::read_to_string(&path).unwrap();
    let at_line = line_of(&text, text.find("at = \"15s\"").unwrap());
    assert_eq!(
        (e.line, e.key.as_deref()),
        (Some(at_line), Some("faults[1].at")),
        "{e}"
    );
    assert!(e.message.contains("--duration"), "{e}");
    // And a long enough override is fine.
    let ov = Overrides {
        duration: Some("16s".into()),
        ..Default::default()
    };
    assert_eq!(load(Some(&path), &ov).unwrap().faults.len(), 1);
}

#[test]
fn every_shipped_scenario_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            load(Some(&path), &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 5, "only {n} scenarios in {}", dir.display());
}

#[test]
fn fault_scenarios_say_what_they_reproduce() {
    let p = load(Some(&scenario("slow-backend.toml")), &Overrides::default()).unwrap();
    assert_eq!(p.monitors.command_time.threshold, 200.0);
    assert_eq!(p.faults[0].server, "mbx2");
    assert!(matches!(p.faults[0].kind, FaultKind::Slow(_)));
    assert_eq!(p.probes.interval_scale, 0.05);

    let p = load(Some(&scenario("queue-buildup.toml")), &Overrides::default()).unwrap();
    assert_eq!(p.monitors.requests_queued.threshold, 150.0);
    assert!(p
        .faults
        .iter()
        .any(|f| f.server == "mbx1" && f.kind == FaultKind::Workers(1)));

    let p = load(Some(&scenario("probe-failure.toml")), &Overrides::default()).unwrap();
    assert_eq!(p.probes.deep_test.failures, 3);
    assert_eq!(p.faults[0].kind, FaultKind::RefuseLogins);
    // DeepTest runs every 180 s x 0.05 = 9 s: 3 failures fit well before the end.
    assert!(Duration::from_secs(10) + Duration::from_secs(9 * 4) < p.duration);
}
