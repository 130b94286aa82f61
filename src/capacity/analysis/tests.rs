use super::*;
use crate::results::capacity::ServerFigures;

fn trial(load: f64, result: &str, mean_ms: f64, blamed: &[&str]) -> TrialDoc {
    let servers = ["cas1", "mbx1", "mbx2"]
        .iter()
        .map(|s| ServerFigures {
            server: s.to_string(),
            blamed: blamed.contains(s),
            ..ServerFigures::default()
        })
        .collect();
    TrialDoc {
        load,
        result: result.into(),
        commands_per_s: load.min(20.0) * 10.0,
        mean_ms,
        servers,
        ..TrialDoc::default()
    }
}

#[test]
fn the_knee_is_where_latency_turns_up_and_a_flat_curve_has_none() {
    let curve = [
        (5.0, 10.0),
        (10.0, 10.5),
        (20.0, 12.0),
        (30.0, 40.0),
        (40.0, 90.0),
    ];
    let trials: Vec<TrialDoc> = curve
        .iter()
        .map(|&(l, m)| trial(l, "passed", m, &[]))
        .collect();
    assert_eq!(knee(&trials).unwrap().load, 20.0);
    // Flat but for noise (the embedded servers at light load): no knee.
    let noisy = [10.0, 9.5, 9.8, 9.9, 10.0];
    let flat: Vec<TrialDoc> = (curve.iter().zip(noisy))
        .map(|(&(l, _), m)| trial(l, "passed", m, &[]))
        .collect();
    assert_eq!(knee(&flat), None);
    assert_eq!(knee(&trials[..2]), None, "two loads are too few");
}

#[test]
fn the_server_blamed_at_the_smallest_load_gave_out_first_and_the_others_held() {
    let trials = vec![
        trial(10.0, "passed", 10.0, &[]),
        trial(20.0, "failed", 50.0, &["mbx2"]),
        trial(15.0, "failed", 30.0, &["mbx1"]),
        trial(12.0, "passed", 12.0, &[]),
        trial(40.0, "invalid", 90.0, &[]),
    ];
    let s = servers(&trials);
    let of = |n: &str| s.iter().find(|c| c.server == n).unwrap().clone();
    assert_eq!(
        (of("mbx1").gave_out_at, of("mbx1").held, of("mbx1").first),
        (Some(15.0), Some(12.0), true)
    );
    assert_eq!(
        (of("mbx2").gave_out_at, of("mbx2").held, of("mbx2").first),
        (Some(20.0), Some(15.0), false)
    );
    assert_eq!(
        (of("cas1").gave_out_at, of("cas1").held),
        (None, Some(20.0)),
        "an invalid trial is not held"
    );
}
