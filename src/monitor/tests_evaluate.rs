//! [`super::evaluate::evaluate`] on a small topology: only the slow server
//! and the CAS in front of it go unhealthy.

use std::time::Duration;

use super::evaluate::*;
use super::rules::{Attempt, Sample};
use crate::plan::{MonitorPlan, ProbePlan};
use crate::results::AlertValue;

fn s(x: u64) -> Duration {
    Duration::from_secs(x)
}

/// cas1 and mbx2 slow from the third 5 s sample on (mbx2 the cause, cas1
/// slow behind it), mbx1 fast; one good deep-test probe on mbx2.
fn slow_mbx2_input() -> HealthInput {
    let series = |vals: &[f64]| -> Vec<Sample> {
        vals.iter()
            .enumerate()
            .map(|(i, v)| Sample {
                start: s(5 * i as u64),
                end: s(5 * i as u64 + 5),
                value: Some(*v),
            })
            .collect()
    };
    let mut input = HealthInput {
        servers: vec![
            ("cas1".into(), ServerRole::Cas),
            ("mbx1".into(), ServerRole::Backend),
            ("mbx2".into(), ServerRole::Backend),
        ],
        end: s(40),
        ..Default::default()
    };
    input.latency.insert(
        "cas1".into(),
        series(&[5.0, 5.0, 300.0, 300.0, 300.0, 300.0, 300.0, 300.0]),
    );
    input.latency.insert("mbx1".into(), series(&[5.0; 8]));
    input.latency.insert(
        "mbx2".into(),
        series(&[5.0, 5.0, 600.0, 600.0, 600.0, 600.0, 600.0, 600.0]),
    );
    let sums = |ms: &[u64]| ms.iter().map(|m| (m * 1000 * 10, 10)).collect::<Vec<_>>();
    input
        .behind
        .entry("cas1".into())
        .or_default()
        .insert("mbx1".into(), sums(&[5; 8]));
    input
        .behind
        .entry("cas1".into())
        .or_default()
        .insert("mbx2".into(), sums(&[5, 5, 600, 600, 600, 600, 600, 600]));
    input.probes.insert(
        ("ImapDeepTestProbe".into(), "mbx2".into()),
        vec![Attempt { at: s(3), ok: true }],
    );
    input
}

#[test]
fn only_the_slow_server_goes_unhealthy() {
    let mut plan = MonitorPlan {
        sample_period: s(5),
        escalation_delay: s(10),
        ..Default::default()
    };
    plan.command_time.threshold = 200.0;
    let input = slow_mbx2_input();
    let probes = ProbePlan {
        enabled: true,
        ..Default::default()
    };
    let r = evaluate(&plan, &probes, &input);
    let find = |server: &str, monitor: &str| {
        r.iter()
            .find(|x| x.server == server && x.monitor == monitor)
            .unwrap()
    };
    let mbx2 = find("mbx2", COMMAND_TIME);
    assert_eq!(mbx2.alert_value, AlertValue::Unhealthy);
    assert_eq!(
        mbx2.transitions[0].at,
        s(20),
        "fires at the end of the 2nd consecutive sample"
    );
    assert_eq!(mbx2.target_resource, "MSExchangeImap4BE");
    assert_eq!(
        find("cas1", COMMAND_TIME).alert_value,
        AlertValue::Unhealthy
    );
    assert_eq!(find("mbx1", COMMAND_TIME).alert_value, AlertValue::Healthy);
    assert_eq!(
        find("mbx2", "ImapDeepTestMonitor").alert_value,
        AlertValue::Healthy
    );
    assert!(
        r.iter()
            .all(|x| x.server != "cas1" || x.monitor != "ImapDeepTestMonitor"),
        "back-end probes are not judged on a CAS"
    );
    assert_eq!(r.iter().filter(|x| x.server == "cas1").count(), 4);
    assert_eq!(worst_final(&r), AlertValue::Unhealthy);
    // A higher threshold re-judges the same samples as healthy.
    plan.command_time.threshold = 1000.0;
    assert_eq!(
        worst_final(&evaluate(&plan, &probes, &input)),
        AlertValue::Healthy
    );
}
