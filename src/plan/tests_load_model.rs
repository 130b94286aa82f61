//! Loader tests for `[load]`'s model keys: closed / open, `rate`,
//! `max_sessions`, `allow_shared_users`, `stages` (and the duration that
//! follows from them), `--rate`, and `target_at` on a parsed ramp.

use std::path::Path;
use std::time::Duration;

use super::tests::assert_errors;
use super::*;
use crate::error::InputError;

fn with(text: &str, ov: &Overrides) -> Result<RunPlan, InputError> {
    load_str(text, Path::new("dir/s.toml"), ov)
}

fn ok(text: &str) -> RunPlan {
    with(text, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

const RAMP: &str = "[load]\nmodel = \"open\"\nstages = [\n  { duration = \"20s\", target = 40 },\n  { duration = \"20s\", target = 40 },\n  { duration = \"10s\", target = 0 },\n]\n";

#[test]
fn closed_is_the_default_model() {
    let p = ok("duration = \"10s\"\n");
    let l = &p.load;
    assert_eq!(l.model, LoadModel::Closed);
    assert_eq!((l.sessions, l.max_sessions, l.rate), (100, 100, 0.0));
    assert!(l.stages.is_empty() && !l.allow_shared_users);
    assert_eq!(l.target_at(secs(3)), 100.0);
}

#[test]
fn open_model_keys_parse() {
    let p = ok("duration = \"10s\"\n[load]\nmodel = \"open\"\nrate = 12.5\nmax_sessions = 300\nallow_shared_users = true\n");
    let l = &p.load;
    assert_eq!(l.model, LoadModel::Open);
    assert_eq!((l.rate, l.max_sessions), (12.5, 300));
    assert!(l.allow_shared_users);
    assert_eq!(l.target_at(secs(5)), 12.5);
}

#[test]
fn open_max_sessions_defaults_to_sessions_then_10000() {
    let p = ok("duration = \"10s\"\n[load]\nmodel = \"open\"\nrate = 5\nsessions = 700\n");
    assert_eq!(p.load.max_sessions, 700);
    let p = ok("duration = \"10s\"\n[load]\nmodel = \"open\"\nrate = 5\n");
    assert_eq!(p.load.max_sessions, 10_000);
    let ov = Overrides {
        sessions: Some(42),
        ..Default::default()
    };
    let p = with(
        "duration = \"10s\"\n[load]\nmodel = \"open\"\nrate = 5\n",
        &ov,
    )
    .unwrap();
    assert_eq!(p.load.max_sessions, 42);
}

#[test]
fn stages_give_the_duration_and_the_ramp() {
    let p = ok(RAMP);
    assert_eq!(p.duration, secs(50));
    let l = &p.load;
    assert_eq!(l.stages.len(), 3);
    assert_eq!(
        l.stages[0],
        Stage {
            duration: secs(20),
            target: 40.0
        }
    );
    assert_eq!(l.rate, 40.0, "rate is the peak of the stages");
    assert_eq!(l.max_sessions, 10_000);
    let at = |s: f64| l.target_at(Duration::from_secs_f64(s));
    assert_eq!((at(0.0), at(10.0), at(20.0)), (0.0, 20.0, 40.0));
    assert_eq!(
        (at(30.0), at(45.0), at(50.0), at(60.0)),
        (40.0, 20.0, 0.0, 0.0)
    );
}

#[test]
fn closed_stages_default_sessions_to_the_peak_rounded_up() {
    let p = ok("[load]\nstages = [{ duration = \"10s\", target = 12.2 }, { duration = \"5s\", target = 3 }]\n");
    assert_eq!((p.load.model, p.load.sessions), (LoadModel::Closed, 13));
    assert_eq!(p.load.max_sessions, 13);
    assert_eq!(p.duration, secs(15));
    assert!((p.load.target_at(secs(5)) - 6.1).abs() < 1e-9);
    // An explicit duration at least as long as the stages holds the last target.
    let p = ok("duration = \"1m\"\n[load]\nsessions = 20\nstages = [{ duration = \"10s\", target = 10 }]\n");
    assert_eq!((p.duration, p.load.sessions), (secs(60), 20));
    assert_eq!(p.load.target_at(secs(30)), 10.0);
}

#[test]
fn rate_flag_forces_the_open_model() {
    let ov = Overrides {
        rate: Some(7.5),
        ..Default::default()
    };
    // Closed quickstart (500 sessions) -> open at 7.5/s, capped at 500.
    let p = load(None, &ov).unwrap();
    assert_eq!(
        (p.load.model, p.load.rate, p.load.max_sessions),
        (LoadModel::Open, 7.5, 500)
    );
    // Stages are replaced by the constant rate; the duration still follows them.
    let p = with(RAMP, &ov).unwrap();
    assert!(p.load.stages.is_empty());
    assert_eq!((p.load.rate, p.duration), (7.5, secs(50)));
    assert_eq!(p.load.target_at(secs(10)), 7.5);
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let ov = Overrides {
            rate: Some(bad),
            ..Default::default()
        };
        let e = load(None, &ov).unwrap_err();
        assert_eq!(
            (e.file.as_deref(), e.key.as_deref()),
            (None, Some("--rate")),
            "{e}"
        );
        assert!(e.message.contains("> 0"), "{e}");
    }
}

#[test]
fn duration_flag_shorter_than_the_stages_is_an_error() {
    let ov = Overrides {
        duration: Some("30s".into()),
        ..Default::default()
    };
    let e = with(RAMP, &ov).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("--duration"), "{e}");
    assert!(
        e.message.contains("50s") && e.message.contains("s.toml"),
        "{e}"
    );
    let ov = Overrides {
        duration: Some("2m".into()),
        ..Default::default()
    };
    assert_eq!(with(RAMP, &ov).unwrap().duration, secs(120));
}

#[test]
fn sessions_flag_below_the_closed_peak_is_an_error() {
    let ov = Overrides {
        sessions: Some(5),
        ..Default::default()
    };
    let e = with(
        "[load]\nstages = [{ duration = \"10s\", target = 10 }]\n",
        &ov,
    )
    .unwrap_err();
    assert_eq!(
        (e.file, e.key.as_deref()),
        (None, Some("--sessions")),
        "{}",
        e.message
    );
}

/// Scenario text, expected line, key, and a word the message must contain.
const ERRORS: &[(&str, usize, &str, &str)] = &[
    ("duration = \"1s\"\n[load]\nmodel = \"poisson\"\n", 3, "load.model", "\"open\""),
    ("duration = \"1s\"\n[load]\nrate = 5\n", 3, "load.rate", "model = \"open\""),
    ("duration = \"1s\"\n[load]\nmax_sessions = 5\n", 3, "load.max_sessions", "model = \"open\""),
    ("duration = \"1s\"\n[load]\nmodel = \"open\"\n", 2, "load.rate", "missing"),
    ("duration = \"1s\"\n[load]\nmodel = \"open\"\nrate = 0\n", 4, "load.rate", "> 0"),
    ("duration = \"1s\"\n[load]\nmodel = \"open\"\nrate = -2.5\n", 4, "load.rate", "> 0"),
    ("duration = \"1s\"\n[load]\nmodel = \"open\"\nrate = 1\nmax_sessions = 0\n", 5, "load.max_sessions", "from 1 to"),
    ("duration = \"1s\"\n[load]\nallow_shared_users = \"yes\"\n", 3, "load.allow_shared_users", "true or false"),
    ("[load]\nstages = []\n", 2, "load.stages", "at least one"),
    ("[load]\nstages = [\n  { duration = \"10s\", target = 5 },\n  { duration = \"0s\", target = 5 },\n]\n", 4, "load.stages[2].duration", "greater than zero"),
    ("[load]\nstages = [\n  { duration = \"10\", target = 5 },\n]\n", 3, "load.stages[1].duration", "unit"),
    ("[load]\nstages = [\n  { target = 5 },\n]\n", 3, "load.stages[1].duration", "missing"),
    ("[load]\nstages = [\n  { duration = \"10s\" },\n]\n", 3, "load.stages[1].target", "missing"),
    ("[load]\nstages = [\n  { duration = \"10s\", target = -1 },\n]\n", 3, "load.stages[1].target", ">= 0"),
    ("[load]\nstages = [\n  { duration = \"10s\", target = 5, ramp = 1 },\n]\n", 3, "load.stages[1].ramp", "`target`"),
    ("[load]\nstages = [\n  { duration = \"10s\", target = 0 },\n]\n", 2, "load.stages", "target > 0"),
    ("[load]\nmodel = \"open\"\nstages = [{ duration = \"10s\", target = 0 }]\n", 3, "load.stages", "target > 0"),
    ("[load]\nsessions = 5\nstages = [{ duration = \"10s\", target = 9 }]\n", 2, "load.sessions", "highest target"),
    ("[load]\nramp_up = \"5s\"\nstages = [{ duration = \"10s\", target = 9 }]\n", 2, "load.ramp_up", "stages"),
    ("[load]\nmodel = \"open\"\nrate = 3\nstages = [{ duration = \"10s\", target = 9 }]\n", 3, "load.rate", "one or the other"),
    ("duration = \"20s\"\n[load]\nstages = [{ duration = \"30s\", target = 9 }]\n", 1, "duration", "30s"),
    ("seed = 1\n[load]\nsessions = 3\n", 1, "duration", "load.stages"),
];

#[test]
fn every_load_model_error_names_file_line_and_key() {
    assert_errors(ERRORS);
}

#[test]
fn warmup_and_cooldown_parse_and_must_leave_something_to_judge() {
    let p = ok("duration = \"30s\"\n[load]\nwarmup = \"5s\"\ncooldown = \"3s\"\n");
    assert_eq!((p.load.warmup, p.load.cooldown), (secs(5), Some(secs(3))));
    let p = ok("duration = \"30s\"\n");
    assert_eq!((p.load.warmup, p.load.cooldown), (Duration::ZERO, None));
    let e = with(
        "duration = \"10s\"\n[load]\nwarmup = \"4s\"\ncooldown = \"6s\"\n",
        &Overrides::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("s.toml:4") && e.contains("load.cooldown"), "{e}");
    // A --duration that leaves nothing is refused the same way.
    let ov = Overrides {
        duration: Some("5s".into()),
        ..Default::default()
    };
    let e = with("duration = \"30s\"\n[load]\nwarmup = \"5s\"\n", &ov)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("load.warmup") && e.contains("5s duration"),
        "{e}"
    );
}
