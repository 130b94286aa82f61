//! The decision rule, row by row (see the module doc of [`super`]):
//!
//! 1. errors first: 0 -> some errors fails the row whatever its size;
//! 2. the statistic: the highest percentile, from `--metric` down to p50,
//!    that the row's smaller side supports with 10 samples beyond it and 10
//!    below it (`n * (1 - q) >= 10` and `n * q >= 10`: p99 from 1,000
//!    samples, p90 from 100, p50 from 20; the mean from 20). A row with fewer
//!    than 20 samples on a side (or fewer than `--min-samples`) is the only
//!    one left as "too few samples": no percentile can be estimated and no
//!    test can decide among ~80 rows on it;
//! 3. the test at that statistic ([`stats::quantile_test`], or the rank test
//!    for the mean) gives one-sided p-values, adjusted over every row tested
//!    by Holm's method ([`stats::holm`]);
//! 4. a row is a REGRESSION when its statistic grew by more than
//!    `--max-regression` and by at least `--min-delta`, the adjusted p-value
//!    is at most `--alpha`, and, when a side has several runs, the runs agree
//!    (with 3 or more a side: the per-run figures differ by a rank test at
//!    0.05; with 2: every current run beyond every baseline run). An
//!    improvement is the same downward. Anything else beyond the percentage
//!    is "within noise", with the reason.

use hdrhistogram::Histogram;

use super::input::RowSide;
use super::stats::{self, Tails};
use super::{CompareOptions, Metric, RowComparison, Side, Verdict};
use crate::results::RowLabels;

/// Samples a row needs beyond (and below) the percentile it is judged at.
pub const SUPPORT: f64 = 10.0;

/// Fewest samples a side needs for any statistic (p50 and the mean).
pub const FLOOR: u64 = 20;

/// The run-to-run rank test's level (benchstat's).
pub const RUNS_ALPHA: f64 = 0.05;

/// The statistics `metric` may be judged at, best first. The max cannot be
/// tested (it is one command); it is judged like p99.9.
pub fn ladder(metric: Metric) -> &'static [Metric] {
    use Metric::*;
    match metric {
        P999 | Max => &[P999, P99, P90, P50],
        P99 => &[P99, P90, P50],
        P90 => &[P90, P50],
        P50 => &[P50],
        Mean => &[Mean],
    }
}

/// Whether `n` samples support `stat` (the rule in the module doc).
pub fn supports(stat: Metric, n: u64) -> bool {
    let n = n as f64;
    match stat.quantile() {
        Some(q) => n * (1.0 - q) >= SUPPORT - 1e-9 && n * q >= SUPPORT - 1e-9,
        None => n >= FLOOR as f64,
    }
}

/// The statistic a row whose smaller side has `n` samples is judged at, or
/// `None` (too few samples). An explicit `--min-samples` below the floor
/// judges such rows at the ladder's last statistic.
pub fn statistic(metric: Metric, n: u64, min_samples: Option<u64>) -> Option<Metric> {
    let floor = min_samples.unwrap_or(FLOOR);
    if n < floor || n == 0 {
        return None;
    }
    let ladder = ladder(metric);
    let best = ladder.iter().copied().find(|s| supports(*s, n));
    best.or_else(|| (floor < FLOOR).then(|| ladder[ladder.len() - 1]))
}

/// `stat` of a histogram, µs (0 when empty).
pub fn value(h: &Histogram<u64>, stat: Metric) -> u64 {
    match stat.quantile() {
        _ if h.is_empty() => 0,
        Some(q) => h.value_at_quantile(q),
        None => h.mean().round() as u64,
    }
}

/// Percentage change; the baseline is floored at 1 µs so a 0 µs baseline (a
/// sub-microsecond GREETING) gives a finite number instead of infinity.
pub fn change_pct(base: u64, current: u64) -> f64 {
    (current as f64 - base as f64) / (base.max(1) as f64) * 100.0
}

/// What the decision of one tested row rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The change of the statistic, percent.
    pub pct: f64,
    /// Its absolute size, µs.
    pub delta_us: u64,
    /// The test's one-sided p-values, before adjustment.
    pub tails: Tails,
    /// Whether the runs agree on a rise (`None`: one run a side).
    pub runs_up: Option<bool>,
    /// Whether the runs agree on a fall.
    pub runs_down: Option<bool>,
    /// The runs' rank test, with 3 or more runs a side.
    pub runs_test: Option<Tails>,
}

/// The verdict of a tested row given its Holm-adjusted p-values, and why a
/// change beyond the percentage is only noise.
pub fn decide(
    ev: &Evidence,
    adjusted: Tails,
    opts: &CompareOptions,
) -> (Verdict, Option<&'static str>) {
    if ev.pct.abs() <= opts.max_regression_pct {
        return (Verdict::Ok, None);
    }
    let up = ev.pct > 0.0;
    let (p, runs) = if up {
        (adjusted.worse, ev.runs_up)
    } else {
        (adjusted.better, ev.runs_down)
    };
    let why = if ev.delta_us < opts.min_delta_us {
        Some("under --min-delta")
    } else if p > opts.alpha {
        Some("not significant")
    } else if runs == Some(false) {
        Some("runs disagree")
    } else {
        None
    };
    match (why, up) {
        (Some(w), _) => (Verdict::WithinNoise, Some(w)),
        (None, true) => (Verdict::Regression, None),
        (None, false) => (Verdict::Improvement, None),
    }
}

/// Whether the runs agree that the current side is higher (`up`) or lower.
fn runs_agree(base: &[u64], cur: &[u64], up: bool) -> Option<bool> {
    let (kb, kc) = (base.len(), cur.len());
    if kb.max(kc) < 2 || kb == 0 || kc == 0 {
        return None;
    }
    if kb >= 3 && kc >= 3 {
        let t = stats::runs_rank_test(base, cur);
        return Some(if up { t.worse } else { t.better } <= RUNS_ALPHA);
    }
    let (bmin, bmax) = (base.iter().min()?, base.iter().max()?);
    let (cmin, cmax) = (cur.iter().min()?, cur.iter().max()?);
    Some(if up { cmin > bmax } else { cmax < bmin })
}

/// The per-run figures of a side at `stat` (runs without the row left out).
fn run_values(s: &RowSide, stat: Metric) -> Vec<u64> {
    s.runs
        .iter()
        .filter(|h| !h.is_empty())
        .map(|h| value(h, stat))
        .collect()
}

fn side(s: &RowSide, stat: Metric) -> Side {
    Side {
        count: s.count,
        value_us: value(&s.pooled, stat),
        errors: s.errors,
        samples: s.pooled.len(),
        runs: s.runs.len(),
    }
}

/// One row before the adjustment: its comparison so far and, when tested,
/// its evidence.
fn prepare(
    labels: RowLabels,
    base: Option<&RowSide>,
    cur: Option<&RowSide>,
    opts: &CompareOptions,
) -> (RowComparison, Option<Evidence>) {
    let last = *ladder(opts.metric).last().unwrap_or(&Metric::P50);
    let n = match (base, cur) {
        (Some(b), Some(c)) => b.pooled.len().min(c.pooled.len()),
        (Some(s), None) | (None, Some(s)) => s.pooled.len(),
        (None, None) => 0,
    };
    let tested = statistic(opts.metric, n, opts.min_samples);
    let stat = tested.unwrap_or(last);
    let mut row = RowComparison::new(
        labels,
        base.map(|s| side(s, stat)),
        cur.map(|s| side(s, stat)),
    );
    row.stat = Some(stat);
    row.base_runs_us = base.map(|s| run_values(s, stat)).unwrap_or_default();
    row.current_runs_us = cur.map(|s| run_values(s, stat)).unwrap_or_default();
    let (Some(b), Some(c)) = (base, cur) else {
        return (row, None);
    };
    let pct = change_pct(
        row.base.map_or(0, |s| s.value_us),
        row.current.map_or(0, |s| s.value_us),
    );
    row.change_pct = Some(pct);
    let tails = match tested {
        Some(Metric::Mean) => stats::rank_test(&b.pooled, &c.pooled),
        Some(s) => s
            .quantile()
            .and_then(|q| stats::quantile_test(&b.pooled, &c.pooled, q)),
        None => None,
    };
    let Some(tails) = tails else {
        return (row, None);
    };
    let (bv, cv) = (&row.base_runs_us, &row.current_runs_us);
    let runs_test = (bv.len() >= 3 && cv.len() >= 3).then(|| stats::runs_rank_test(bv, cv));
    let ev = Evidence {
        pct,
        delta_us: row
            .base
            .zip(row.current)
            .map_or(0, |(b, c)| b.value_us.abs_diff(c.value_us)),
        tails,
        runs_up: runs_agree(bv, cv, true),
        runs_down: runs_agree(bv, cv, false),
        runs_test,
    };
    (row, Some(ev))
}

/// Every row's verdict: errors first, then the statistic its size supports,
/// the test adjusted over all tested rows by Holm, the decision rule.
pub fn judge_rows(
    rows: Vec<(RowLabels, Option<&RowSide>, Option<&RowSide>)>,
    opts: &CompareOptions,
) -> Vec<RowComparison> {
    let prepared: Vec<(RowComparison, Option<Evidence>)> = rows
        .into_iter()
        .map(|(labels, b, c)| prepare(labels, b, c, opts))
        .collect();
    let tested: Vec<&Evidence> = prepared.iter().filter_map(|(_, e)| e.as_ref()).collect();
    let worse = stats::holm(&tested.iter().map(|e| e.tails.worse).collect::<Vec<_>>());
    let better = stats::holm(&tested.iter().map(|e| e.tails.better).collect::<Vec<_>>());
    let mut k = 0;
    prepared
        .into_iter()
        .map(|(mut row, ev)| {
            let adjusted = ev.as_ref().map(|_| {
                k += 1;
                Tails {
                    worse: worse[k - 1],
                    better: better[k - 1],
                }
            });
            row.verdict = verdict_of(&row, ev.as_ref(), adjusted, opts);
            if let (Some(ev), Some(adj)) = (&ev, adjusted) {
                let up = ev.pct >= 0.0;
                row.p_value = Some(if up { adj.worse } else { adj.better });
                row.p_raw = Some(if up { ev.tails.worse } else { ev.tails.better });
                row.runs_p = ev.runs_test.map(|t| if up { t.worse } else { t.better });
                if row.verdict == Verdict::WithinNoise {
                    row.why = decide(ev, adj, opts).1;
                }
            }
            row
        })
        .collect()
}

fn verdict_of(
    row: &RowComparison,
    ev: Option<&Evidence>,
    adjusted: Option<Tails>,
    opts: &CompareOptions,
) -> Verdict {
    match (row.base, row.current) {
        (Some(_), None) => Verdict::OnlyInBaseline,
        (None, Some(c)) if c.errors > 0 => Verdict::ErrorsAppeared,
        (None, _) => Verdict::OnlyInCurrent,
        (Some(b), Some(c)) if b.errors == 0 && c.errors > 0 => Verdict::ErrorsAppeared,
        _ => match (ev, adjusted) {
            (Some(ev), Some(adj)) => decide(ev, adj, opts).0,
            _ => Verdict::TooFewSamples,
        },
    }
}
