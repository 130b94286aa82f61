//! The verdict's rules on hand-made measurements.

use std::collections::BTreeMap;

use super::*;
use crate::command::CommandKind;
use crate::error::{judged_exit_code, FailOn, EXIT_FAILED};
use crate::plan::expr::Expr;
use crate::results::ErrorReason;
use crate::results::Path;
use crate::results::RowHistograms;
use crate::results::RowKey;
use crate::results::SessionTally;

/// `ok` commands of `us` µs and `errors` connect errors.
fn row(ok: u64, us: u64, errors: u64) -> RowHistograms {
    let mut r = RowHistograms::new();
    for _ in 0..ok {
        r.record_ok(us, us / 2);
    }
    for _ in 0..errors {
        r.record_error(ErrorReason::Connect);
    }
    r
}

fn measured(rows: Vec<(RowKey, RowHistograms)>, started: u64, failed: u64) -> Measured {
    Measured {
        rows: (rows.into_iter())
            .map(|(k, r)| (k, std::sync::Arc::new(r)))
            .collect::<BTreeMap<_, _>>(),
        sessions: SessionTally {
            started,
            completed: started - failed,
            failed,
            aborted: 0,
        },
        seconds: 10.0,
    }
}

fn checks(texts: &[&str]) -> Vec<Threshold> {
    texts
        .iter()
        .map(|t| Threshold {
            expr: Expr::parse(t).unwrap(),
            origin: Origin::Scenario,
        })
        .collect()
}

#[test]
fn a_run_where_every_session_failed_never_passes() {
    let m = measured(
        vec![(
            RowKey::new(Path::Direct, "mbx1", "mbx1", CommandKind::Connect),
            row(0, 0, 16),
        )],
        16,
        16,
    );
    // Even with gates that would let everything through.
    let plan = ThresholdPlan::with(Vec::new(), 1.0, 1.0);
    let v = judge(&plan, &m, Window::WHOLE);
    assert!(!v.passed);
    assert_eq!(
        judged_exit_code(v.passed, false, FailOn::Unhealthy),
        EXIT_FAILED
    );
    assert!(v
        .reasons
        .iter()
        .any(|r| r.contains("every session failed (16 of 16)")));
    assert!(v.reasons.iter().any(|r| r.contains("no command succeeded")));
    assert!(!v.render().contains("Healthy"));
}

#[test]
fn the_default_gates_fail_a_run_over_one_percent() {
    let ok = RowKey::new(Path::Direct, "mbx1", "mbx1", CommandKind::Noop);
    let m = measured(vec![(ok.clone(), row(980, 1000, 20))], 100, 0);
    let v = judge(&ThresholdPlan::default(), &m, Window::WHOLE);
    assert!(!v.passed, "2% errors is over the 1% gate");
    assert_eq!(v.thresholds[0].origin, Origin::Gate);
    assert_eq!(v.thresholds[0].shown, "2%");
    let m = measured(vec![(ok, row(995, 1000, 5))], 100, 1);
    let v = judge(&ThresholdPlan::default(), &m, Window::WHOLE);
    assert!(v.passed, "{:?}", v.reasons);
}

#[test]
fn a_threshold_on_the_same_metric_replaces_its_gate() {
    let plan = ThresholdPlan::with(checks(&["errors.rate < 5%"]), 0.01, 0.01);
    let texts: Vec<&str> = plan.checks.iter().map(|c| c.expr.text.as_str()).collect();
    assert_eq!(texts, ["sessions.failed.rate <= 1%", "errors.rate < 5%"]);
    // One on a selection does not.
    let plan = ThresholdPlan::with(checks(&["errors.rate(cas) < 5%"]), 0.01, 0.01);
    assert_eq!(plan.checks.len(), 3);
}

#[test]
fn percentiles_come_from_the_selected_rows_merged() {
    let login = RowKey::new(Path::Cas, "cas1", "mbx1", CommandKind::Login);
    let behind = RowKey::new(Path::Cas, "mbx1", "mbx1", CommandKind::Login);
    let noop = RowKey::new(Path::Direct, "mbx1", "mbx1", CommandKind::Noop);
    let m = measured(
        vec![
            (login, row(100, 600_000, 0)),
            (behind, row(100, 600_000, 0)),
            (noop, row(10_000, 1_000, 0)),
        ],
        10,
        0,
    );
    let plan = ThresholdPlan::with(
        checks(&[
            "p99(cas.*.*.LOGIN) < 500ms",
            "p99(direct) < 500ms",
            "service.max(*.*.*.LOGIN) < 400ms",
            "commands.rate > 1000/s",
            "commands.count(*) >= 10100",
            "mean(cas.cas1) > 599ms",
        ]),
        0.01,
        0.01,
    );
    let v = judge(&plan, &m, Window::WHOLE);
    let passed: Vec<bool> = v.thresholds[2..].iter().map(|t| t.passed).collect();
    assert_eq!(passed, [false, true, true, true, true, true], "{v:#?}");
    assert!(
        v.thresholds[2].shown.starts_with("600"),
        "{}",
        v.thresholds[2].shown
    );
    assert!(v.reasons[0].starts_with("p99(cas.*.*.LOGIN) < 500ms (measured 600"));
}

#[test]
fn nothing_to_measure_fails_rates_and_percentiles_but_not_counts() {
    let m = measured(
        vec![(
            RowKey::new(Path::Direct, "mbx1", "mbx1", CommandKind::Noop),
            row(10, 1000, 0),
        )],
        1,
        0,
    );
    let plan = ThresholdPlan::with(
        checks(&["p99(*.*.*.IDLE) < 1s", "errors.count(*.*.*.IDLE) < 1"]),
        0.01,
        0.01,
    );
    let v = judge(&plan, &m, Window::WHOLE);
    assert_eq!(v.thresholds[2].shown, "no data");
    assert!(!v.thresholds[2].passed);
    assert!(v.thresholds[3].passed);
    let empty = Measured::default();
    let v = judge(&ThresholdPlan::default(), &empty, Window::WHOLE);
    assert!(!v.passed);
    assert!(v
        .reasons
        .iter()
        .any(|r| r.contains("no command was measured")));
}

#[test]
fn the_verdict_round_trips_through_json() {
    let m = measured(
        vec![(
            RowKey::new(Path::Direct, "mbx1", "mbx1", CommandKind::Noop),
            row(10, 1000, 0),
        )],
        1,
        0,
    );
    let v = judge(&ThresholdPlan::default(), &m, Window::WHOLE);
    let back: Verdict = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
    assert_eq!(back, v);
}

#[test]
fn sessions_still_open_when_the_run_was_cut_do_not_count_as_failed() {
    let ok = RowKey::new(Path::Direct, "mbx1", "mbx1", CommandKind::Noop);
    // A SIGKILLed run: 30 sessions started, none had ended at the last checkpoint.
    let m = measured(vec![(ok, row(1000, 1000, 0))], 30, 0);
    let m = Measured {
        sessions: SessionTally {
            completed: 0,
            ..m.sessions
        },
        ..m
    };
    let v = judge(
        &ThresholdPlan::with(Vec::new(), 0.01, 0.01),
        &m,
        Window::WHOLE,
    );
    assert!(v.passed, "{:?}", v.reasons);
    // Once one of them has failed, and none completed, the run fails.
    let failed = Measured {
        sessions: SessionTally {
            failed: 1,
            ..m.sessions
        },
        ..m
    };
    let v = judge(
        &ThresholdPlan::with(Vec::new(), 0.01, 0.01),
        &failed,
        Window::WHOLE,
    );
    assert!(v
        .reasons
        .iter()
        .any(|r| r.contains("no session completed (1 failed")));
}
