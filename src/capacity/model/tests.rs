use super::*;

fn points(usl: Usl, loads: &[f64]) -> Vec<Point> {
    loads
        .iter()
        .map(|&n| {
            let x = usl.throughput(n);
            Point {
                load: n,
                throughput: x,
                latency_s: n / x,
            }
        })
        .collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}

#[test]
fn known_parameters_are_recovered_from_exact_points() {
    let truth = Usl {
        lambda: 995.6486,
        sigma: 0.02671591,
        kappa: 7.690945e-4,
    };
    let fitted = fit(&points(
        truth,
        &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 48.0, 64.0],
    ))
    .unwrap();
    assert!(close(fitted.lambda, truth.lambda, 1e-3), "{fitted:?}");
    assert!(close(fitted.sigma, truth.sigma, 1e-2), "{fitted:?}");
    assert!(close(fitted.kappa, truth.kappa, 1e-2), "{fitted:?}");
    // The book's figures for these parameters: the peak at N = 35.
    assert_eq!(fitted.n_max().unwrap().floor(), 35.0);
}

#[test]
fn parameters_stay_in_their_bounds_on_superlinear_data() {
    // Throughput growing faster than linearly would want a negative σ.
    let pts: Vec<Point> = [1.0, 2.0, 4.0, 8.0]
        .iter()
        .map(|&n: &f64| Point {
            load: n,
            throughput: 100.0 * n.powf(1.1),
            latency_s: n / (100.0 * n.powf(1.1)),
        })
        .collect();
    let fitted = fit(&pts).unwrap();
    assert!(
        fitted.sigma >= 0.0 && fitted.kappa >= 0.0 && fitted.lambda > 0.0,
        "{fitted:?}"
    );
    assert!(fit(&pts[..2]).is_none(), "two points are too few");
}

#[test]
fn a_usl_shaped_server_is_predicted_at_twice_what_was_measured_from_noisy_points() {
    let truth = Usl {
        lambda: 100.0,
        sigma: 0.05,
        kappa: 0.0005,
    };
    // ±3% noise on the throughput, alternating.
    let pts: Vec<Point> = (points(truth, &[1.0, 2.0, 4.0, 8.0, 12.0, 16.0]).into_iter())
        .enumerate()
        .map(|(i, p)| Point {
            throughput: p.throughput * if i % 2 == 0 { 1.03 } else { 0.97 },
            ..p
        })
        .collect();
    let usl = fit(&pts).unwrap();
    let p = usl.predict(32.0, Workload::Closed { think_s: 0.0 });
    let x = truth.throughput(32.0);
    assert!(close(p.throughput, x, 0.15), "{p:?} vs {x} ({usl:?})");
    assert!(
        close(p.latency_s.unwrap(), 32.0 / x, 0.25),
        "{p:?} vs {}",
        32.0 / x
    );
}

#[test]
fn sessions_with_think_time_are_more_than_the_commands_in_flight() {
    let usl = Usl {
        lambda: 100.0,
        sigma: 0.0,
        kappa: 0.0,
    };
    // Each session thinks 90 ms per 10 ms command: 10 sessions keep 1 in flight.
    let p = usl.predict(10.0, Workload::Closed { think_s: 0.09 });
    assert!(close(p.in_flight.unwrap(), 1.0, 1e-6), "{p:?}");
    assert!(close(p.throughput, 100.0, 1e-6), "{p:?}");
    let pts = points(usl, &[1.0, 2.0]);
    assert_eq!(workload(&pts, false), Workload::Closed { think_s: 0.0 });
}

#[test]
fn an_open_load_past_the_peak_has_no_bounded_latency() {
    let usl = Usl {
        lambda: 100.0,
        sigma: 0.1,
        kappa: 0.001,
    };
    let peak = usl.x_max();
    let under = usl.predict(peak * 0.5 / 10.0, Workload::Open { per_arrival: 10.0 });
    assert!(close(under.throughput, peak * 0.5, 1e-9) && under.latency_s.is_some());
    let over = usl.predict(peak * 2.0 / 10.0, Workload::Open { per_arrival: 10.0 });
    assert_eq!((over.latency_s, over.in_flight), (None, None));
    assert!(close(over.throughput, peak, 1e-6));
}
