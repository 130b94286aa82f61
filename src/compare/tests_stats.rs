//! The tests' arithmetic against brute force and known values.

use super::stats::*;
use hdrhistogram::Histogram;

fn choose(n: u64, k: u64) -> f64 {
    if k > n {
        return 0.0;
    }
    (0..k).map(|i| (n - i) as f64 / (i + 1) as f64).product()
}

#[test]
fn hypergeometric_tails_match_brute_force() {
    for (n, k, draws) in [(40, 12, 15), (200, 20, 100), (30, 29, 3), (1000, 10, 500)] {
        let pmf = |i: u64| choose(k, i) * choose(n - k, draws - i) / choose(n, draws);
        for x in 0..=k.min(draws) {
            let up: f64 = (x..=k.min(draws)).map(pmf).sum();
            let down: f64 = (0..=x).map(pmf).sum();
            let t = hypergeometric_tails(n, k, draws, x);
            assert!(
                (t.worse - up).abs() < 1e-9,
                "{n} {k} {draws} {x}: {} vs {up}",
                t.worse
            );
            assert!(
                (t.better - down).abs() < 1e-9,
                "{n} {k} {draws} {x}: {} vs {down}",
                t.better
            );
        }
    }
}

#[test]
fn the_runs_rank_test_is_exact() {
    let all_above = runs_rank_test(&[10, 11, 12], &[20, 21, 22]);
    assert!((all_above.worse - 0.05).abs() < 1e-12);
    assert!((all_above.better - 1.0).abs() < 1e-12);
    let mixed = runs_rank_test(&[10, 21, 12], &[20, 11, 22]);
    assert!(mixed.worse > 0.2 && mixed.better > 0.2, "{mixed:?}");
    let t = runs_rank_test(&[1, 2, 3, 4, 5], &[6, 7, 8, 9, 10]);
    assert!((t.worse - 1.0 / 252.0).abs() < 1e-12);
}

#[test]
fn holm_adjusts_step_down_and_keeps_order() {
    let adj = holm(&[0.01, 0.04, 0.03, 0.005]);
    let want = [0.03, 0.06, 0.06, 0.02];
    for (a, w) in adj.iter().zip(want) {
        assert!((a - w).abs() < 1e-12, "{adj:?}");
    }
    assert_eq!(holm(&[0.5, 0.9]), vec![1.0, 1.0]);
}

#[test]
fn the_tests_see_a_shift_and_not_a_twin() {
    let h = |vals: &mut dyn Iterator<Item = u64>| {
        let mut h = Histogram::<u64>::new(3).unwrap();
        vals.for_each(|v| h.record(v).unwrap());
        h
    };
    let base = h(&mut (1..=1000).map(|v| v * 10));
    let twin = h(&mut (1..=1000).map(|v| v * 10 + 3));
    let slow = h(&mut (1..=1000).map(|v| v * 13));
    let q = quantile_test(&base, &twin, 0.9).unwrap();
    assert!(q.worse > 0.3 && q.better > 0.3, "{q:?}");
    let q = quantile_test(&base, &slow, 0.9).unwrap();
    assert!(q.worse < 1e-6 && q.better > 0.99, "{q:?}");
    let r = rank_test(&base, &slow).unwrap();
    assert!(r.worse < 1e-6, "{r:?}");
    let r = rank_test(&base, &twin).unwrap();
    assert!(r.worse > 0.3, "{r:?}");
    assert!((normal_upper(1.959_964) - 0.025).abs() < 1e-6);
}
