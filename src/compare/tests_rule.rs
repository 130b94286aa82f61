//! The decision rule on synthetic histograms: a real shift is caught
//! whatever the row's size, a draw of the same distribution is not, many rows
//! judged at once keep the false-alarm rate (Holm), too-small rows are left
//! unjudged, repeated runs must agree.

use std::path::PathBuf;

use super::tests::{draws, write_dir, Row};
use super::*;

/// One row of `values` on each side (one run each), judged with the defaults.
fn one_row(base: Vec<u64>, cur: Vec<u64>) -> RowComparison {
    let row =
        |v: Vec<u64>| -> Vec<Row<'static>> { vec![("cas", "cas1", "mbx2", "FETCH_BODY", v, 0)] };
    let (b, c) = super::tests::pair(&row(base), &row(cur));
    let mut rows = compare(b.path(), c.path(), &CompareOptions::default()).unwrap();
    rows.remove(0)
}

fn times(v: &[u64], f: f64) -> Vec<u64> {
    v.iter().map(|x| (*x as f64 * f) as u64).collect()
}

#[test]
fn a_2x_shift_in_200_samples_is_caught_at_the_percentile_they_support() {
    for seed in 0..5 {
        let base = draws(seed, 200, 3000.0);
        let cur = times(&draws(seed + 100, 200, 3000.0), 2.0);
        let r = one_row(base, cur);
        assert_eq!(r.verdict, Verdict::Regression, "seed {seed}: {r:#?}");
        assert_eq!(
            r.stat,
            Some(Metric::P90),
            "200 samples: 20 beyond p90, 2 beyond p99"
        );
        assert!(r.p_value.unwrap() < 1e-6, "{r:#?}");
    }
}

#[test]
fn two_draws_of_one_distribution_of_200_samples_pass() {
    // A 30 ms median: a 10% change of p90 is well over --min-delta, so only
    // the test stands between a twin and a failure.
    let r = one_row(draws(1, 200, 30_000.0), draws(1001, 200, 30_000.0));
    assert!(!r.verdict.fails() && r.p_value.unwrap() > 0.05, "{r:#?}");
    // Over many twin pairs the test fails about alpha of them (one-sided, one
    // row: no adjustment), while the magnitude alone would fail far more.
    let (mut failed, mut beyond) = (0, 0);
    for seed in 0..100 {
        let r = one_row(
            draws(seed, 200, 30_000.0),
            draws(seed + 1000, 200, 30_000.0),
        );
        failed += usize::from(r.verdict.fails());
        beyond += usize::from(r.change_pct.unwrap() > 10.0);
    }
    assert!(
        failed <= 8,
        "{failed} of 100 twin pairs failed at alpha 0.05"
    );
    assert!(
        beyond >= 10,
        "only {beyond} of 100 twin pairs moved p90 up by 10%"
    );
}

#[test]
fn a_small_slow_row_is_judged_at_p50_and_only_a_tiny_one_is_left_unjudged() {
    // The case: a slow back end serves few commands.
    let r = one_row(draws(1, 3000, 3000.0), times(&draws(2, 40, 3000.0), 3.0));
    assert_eq!(
        (r.stat, r.verdict),
        (Some(Metric::P50), Verdict::Regression),
        "{r:#?}"
    );
    let r = one_row(draws(1, 3000, 3000.0), times(&draws(2, 19, 3000.0), 3.0));
    assert_eq!(
        r.verdict,
        Verdict::TooFewSamples,
        "19 latencies: no median test"
    );
    assert!(r.change_pct.unwrap() > 100.0, "the change is still shown");
}

#[test]
fn many_rows_judged_at_once_are_held_to_the_whole_comparisons_alpha() {
    // 60 rows each with a modest but real p50 shift (raw p around 0.01) and one
    // clear one: alone, each modest row would be significant; among 61 rows,
    // Holm keeps only the clear one.
    let mut base: Vec<Row<'static>> = Vec::new();
    let mut cur: Vec<Row<'static>> = Vec::new();
    let names: Vec<&'static str> = (0..61)
        .map(|i| &*Box::leak(format!("C{i}").into_boxed_str()))
        .collect();
    for (i, name) in names.iter().enumerate() {
        let b = draws(i as u64, 60, 3000.0);
        let f = if i == 0 { 3.0 } else { 1.2 };
        let c = times(&draws(i as u64 + 500, 60, 3000.0), f);
        base.push(("cas", "cas1", "mbx1", name, b, 0));
        cur.push(("cas", "cas1", "mbx1", name, c, 0));
    }
    let (b, c) = super::tests::pair(&base, &cur);
    let opts = CompareOptions {
        metric: Metric::P50,
        ..CompareOptions::default()
    };
    let rows = compare(b.path(), c.path(), &opts).unwrap();
    let raw_significant = rows[1..]
        .iter()
        .filter(|r| r.p_raw.unwrap() <= 0.05)
        .count();
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r.verdict.fails())
        .map(|r| r.command.as_str())
        .collect();
    eprintln!("{raw_significant} modest rows significant alone");
    assert!(
        raw_significant >= 5,
        "only {raw_significant} modest rows significant alone"
    );
    assert_eq!(failed, ["C0"], "Holm lets only the clear row through");
    assert!(rows[1..]
        .iter()
        .all(|r| r.p_value.unwrap() >= r.p_raw.unwrap()));
}

/// `k` runs a side of one row, each from `draw(run)`.
fn runs(k: usize, tag: &str, draw: &dyn Fn(u64) -> Vec<u64>) -> (tempfile::TempDir, Vec<PathBuf>) {
    let d = tempfile::tempdir().unwrap();
    let dirs: Vec<PathBuf> = (0..k).map(|i| d.path().join(format!("{tag}{i}"))).collect();
    for (i, dir) in dirs.iter().enumerate() {
        std::fs::create_dir(dir).unwrap();
        let rows = vec![("cas", "cas1", "mbx2", "FETCH_BODY", draw(i as u64), 0)];
        write_dir(dir, &rows, "ci-regression", 7);
    }
    (d, dirs)
}

#[test]
fn repeated_runs_are_pooled_and_must_agree() {
    let opts = CompareOptions::default();
    // Each run 1.3x slower than the baseline's: pooled, significant, and every
    // current run above every baseline run.
    let (_b, base) = runs(3, "b", &|i| draws(i, 2000, 3000.0));
    let (_c, cur) = runs(3, "c", &|i| times(&draws(i + 50, 2000, 3000.0), 1.3));
    let c = load_runs(&base, &cur, &opts).unwrap();
    let r = &c.rows[0];
    assert_eq!(r.base.unwrap().samples, 6000);
    assert_eq!((r.base.unwrap().runs, r.current_runs_us.len()), (3, 3));
    assert_eq!(r.verdict, Verdict::Regression, "{r:#?}");
    assert!(
        (r.runs_p.unwrap() - 0.05).abs() < 1e-12,
        "3 v 3 all above: 1/20"
    );
    // One current run of three slow: pooled it is significant and beyond 10%,
    // but the runs disagree (one machine hiccup is not a regression).
    let (_c, cur) = runs(3, "c", &|i| {
        let f = if i == 0 { 2.0 } else { 1.0 };
        times(&draws(i + 50, 2000, 3000.0), f)
    });
    let c = load_runs(&base, &cur, &opts).unwrap();
    let r = &c.rows[0];
    assert!(
        r.p_value.unwrap() < 0.05 && r.change_pct.unwrap() > 10.0,
        "{r:#?}"
    );
    assert_eq!(
        (r.verdict, r.why),
        (Verdict::WithinNoise, Some("runs disagree"))
    );
}

#[test]
fn the_ladder_and_its_support_rule() {
    use judge::statistic;
    assert_eq!(statistic(Metric::P99, 1000, None), Some(Metric::P99));
    assert_eq!(statistic(Metric::P99, 999, None), Some(Metric::P90));
    assert_eq!(statistic(Metric::P99, 100, None), Some(Metric::P90));
    assert_eq!(statistic(Metric::P99, 99, None), Some(Metric::P50));
    assert_eq!(statistic(Metric::P99, 20, None), Some(Metric::P50));
    assert_eq!(statistic(Metric::P99, 19, None), None);
    assert_eq!(statistic(Metric::P99, 5, Some(1)), Some(Metric::P50));
    assert_eq!(statistic(Metric::P99, 5000, Some(10_000)), None);
    assert_eq!(statistic(Metric::Max, 20_000, None), Some(Metric::P999));
    assert_eq!(statistic(Metric::Mean, 20, None), Some(Metric::Mean));
}
