use super::*;

/// A back end of `w` workers of `s` seconds each, driven by closed sessions
/// without think time: X = min(N, w) / s, R = max(s, N s / w).
fn workers_bound(n: f64, w: f64, s: f64) -> Point {
    Point {
        load: n,
        throughput: n.min(w) / s,
        latency_s: s.max(n * s / w),
    }
}

#[test]
fn a_workers_bound_back_end_is_predicted_at_twice_its_measured_load() {
    let (w, s) = (10.0, 0.1);
    let pts: Vec<Point> = [2.0, 4.0, 8.0, 16.0, 19.0, 20.0, 21.0, 23.0]
        .map(|n| workers_bound(n, w, s))
        .to_vec();
    let mva = fit(&pts, 0.0).unwrap();
    assert_eq!(mva.servers, 10.0, "{mva:?}");
    let p = mva.predict(46.0);
    let truth = workers_bound(46.0, w, s);
    let err = |a: f64, b: f64| (a - b).abs() / b;
    assert!(
        err(p.throughput, truth.throughput) < 0.15,
        "{p:?} vs {truth:?}"
    );
    assert!(
        err(p.latency_s.unwrap(), truth.latency_s) < 0.25,
        "{p:?} vs {truth:?}"
    );
    // Past saturation nearly every session waits at the station.
    assert!(p.in_flight.unwrap() > 40.0, "{p:?}");
}

#[test]
fn think_time_keeps_sessions_out_of_the_station() {
    let mva = Mva {
        demand_s: 0.01,
        servers: 1.0,
        think_s: 0.09,
    };
    // 5 sessions thinking 90 ms per 10 ms command: about half the worker's time.
    let p = mva.predict(5.0);
    assert!(p.throughput > 40.0 && p.throughput < 50.0, "{p:?}");
    assert!(fit(&[workers_bound(1.0, 1.0, 0.1)], 0.0).is_none());
}
