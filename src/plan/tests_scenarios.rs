//! The shipped scenarios: every file in `scenarios/` loads, the fault
//! scenarios carry what they claim to reproduce, the capacity ramp (and its
//! commented real-server variant) is what it says, and `--duration` can make a
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
    assert!(n >= 6, "only {n} scenarios in {}", dir.display());
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

    let p = load(
        Some(&scenario("backend-restart.toml")),
        &Overrides::default(),
    )
    .unwrap();
    let f = &p.faults[0];
    assert_eq!((f.server.as_str(), f.kind), ("mbx2", FaultKind::Kill));
    // Restarted well before the end, so the recovery shows.
    assert!(f.at + f.duration.unwrap() + Duration::from_secs(10) < p.duration);
}

#[test]
fn capacity_ramp_is_an_open_ramp_with_profiles() {
    let p = load(Some(&scenario("capacity-ramp.toml")), &Overrides::default()).unwrap();
    let l = &p.load;
    assert_eq!(
        (l.model, l.max_sessions, p.users.len()),
        (LoadModel::Open, 2000, 2000)
    );
    assert_eq!(
        p.duration,
        Duration::from_secs(50),
        "duration follows the stages"
    );
    let at = |s| l.target_at(Duration::from_secs(s));
    assert_eq!(
        (at(0), at(10), at(20), at(39), at(45), at(50)),
        (0.0, 20.0, 40.0, 40.0, 20.0, 0.0)
    );
    let TopologyPlan::Embedded(e) = &p.topology else {
        panic!("embedded expected")
    };
    assert_eq!((e.cas, e.backends, e.workers_per_backend), (1, 2, 16));
    let names: Vec<_> = p.session.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["light", "medium", "heavy"]);
    let medium = &p.session.profiles[1];
    assert_eq!(
        medium.mix,
        DEFAULT_MIX.to_vec(),
        "medium inherits the session's mix"
    );
    assert_eq!(medium.commands_per_session, p.session.commands_per_session);
    assert_ne!(p.session.profiles[0].mix, p.session.profiles[2].mix);
    assert_eq!(
        (p.monitors.sample_period, p.probes.interval_scale),
        (Duration::from_secs(5), 0.05)
    );
}

/// The commented real-server block, swapped in for the embedded topology and
/// users, loads too (with a users file next to it).
#[test]
fn capacity_ramp_real_variant_loads() {
    let text = std::fs::read_to_string(scenario("capacity-ramp.toml")).unwrap();
    let (head, rest) = text.split_once("[topology]\nkind = \"embedded\"").unwrap();
    let (_, tail) = rest.split_once("[load]").unwrap();
    let (_, block) = tail
        .split_once("# The same ramp against real servers")
        .unwrap();
    let real: String = block
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .skip_while(|l| !l.starts_with("[topology]"))
        .take_while(|l| !l.starts_with("The [topology.service]"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        real.contains("kind = \"real\"") && real.contains("file = \"users.csv\""),
        "{real}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("users.csv"), "u1,p1,mbx1\nu2,p2,mbx2\n").unwrap();
    let path = dir.path().join("capacity-real.toml");
    std::fs::write(&path, format!("{head}{real}[load]{tail}")).unwrap();
    let p = load(Some(&path), &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
    let TopologyPlan::Real(r) = &p.topology else {
        panic!("real expected")
    };
    assert_eq!((r.cas.len(), r.backends.len(), p.users.len()), (1, 2, 2));
    assert_eq!(p.load.model, LoadModel::Open);
}
