//! The tests `compare` decides with, on whole-run latency histograms (every
//! sample a run measured, bucketed to 3 significant figures) and on the
//! per-run figures of repeated runs:
//!
//! - [`quantile_test`]: is the current run's q-quantile higher than the
//!   baseline's? Pool both samples, take the pooled q-quantile `t`, and count
//!   how many samples of each side lie above it. If both sides came from one
//!   distribution, which samples are the current run's is a random draw, so
//!   the current side's count above `t` is hypergeometric; its upper tail is
//!   the p-value (Mood's median test, generalised to any quantile). It is
//!   exact for any sample size, ties included (it conditions on the pooled
//!   values), and it looks at the tail the gate judges, not at the median.
//! - [`rank_test`]: Mann-Whitney U on the whole distributions (for `--metric
//!   mean`), normal approximation with the tie correction.
//! - [`runs_rank_test`]: exact Mann-Whitney U on a few per-run figures (as
//!   Go's benchstat does across repeated runs).
//! - [`holm`]: Holm's step-down adjustment, so that ~80 rows judged at once
//!   keep the chance of *any* false alarm at alpha.

use hdrhistogram::Histogram;

/// One-sided p-values of a test: that the current side is worse (higher
/// latency) and that it is better.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tails {
    /// P(a difference at least this large upward | same distribution).
    pub worse: f64,
    /// P(a difference at least this large downward | same distribution).
    pub better: f64,
}

/// Samples of `h` strictly above `t` (`t` a value the histogram reported,
/// i.e. the highest value of its bucket).
fn above(h: &Histogram<u64>, t: u64) -> u64 {
    let at_or_below: u64 = h
        .iter_recorded()
        .take_while(|v| v.value_iterated_to() <= t)
        .map(|v| v.count_at_value())
        .sum();
    h.len() - at_or_below
}

/// [`Tails`] of the quantile test at `q` (see the module doc); `None` when a
/// side is empty.
pub fn quantile_test(base: &Histogram<u64>, cur: &Histogram<u64>, q: f64) -> Option<Tails> {
    if base.is_empty() || cur.is_empty() {
        return None;
    }
    let mut pooled = base.clone();
    pooled.add(cur).ok()?;
    let t = pooled.value_at_quantile(q);
    let (k_cur, k_all) = (above(cur, t), above(&pooled, t));
    Some(hypergeometric_tails(pooled.len(), k_all, cur.len(), k_cur))
}

/// ln(n!) by Stirling's series (exact table below 16): enough digits for
/// p-values down to 1e-300.
fn ln_factorial(n: u64) -> f64 {
    if n < 16 {
        return (1..=n).map(|k| (k as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x.powi(3))
        + 1.0 / (1260.0 * x.powi(5))
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// P(X >= x) and P(X <= x) for X ~ Hypergeometric(population `n`, `k`
/// marked, `draws` drawn).
pub fn hypergeometric_tails(n: u64, k: u64, draws: u64, x: u64) -> Tails {
    let lo = (draws + k).saturating_sub(n);
    let hi = k.min(draws);
    let pmf = |i: u64| (ln_choose(k, i) + ln_choose(n - k, draws - i) - ln_choose(n, draws)).exp();
    // Each tail is summed walking away from the mode, where the terms only
    // shrink, so the sum can stop once they no longer count; the other tail
    // is one minus the complement's.
    let mode = ((draws + 1) as f64 * (k + 1) as f64 / (n + 2) as f64).floor() as u64;
    let sum_up = |from: u64| -> f64 {
        let mut s = 0.0;
        for i in from..=hi {
            let t = pmf(i);
            s += t;
            if t < s * 1e-17 {
                break;
            }
        }
        s
    };
    let sum_down = |from: u64| -> f64 {
        let mut s = 0.0;
        for i in (lo..=from).rev() {
            let t = pmf(i);
            s += t;
            if t < s * 1e-17 {
                break;
            }
        }
        s
    };
    if x < lo || x > hi {
        let below = x < lo;
        return Tails {
            worse: if below { 1.0 } else { 0.0 },
            better: if below { 0.0 } else { 1.0 },
        };
    }
    let worse = if x > mode {
        sum_up(x)
    } else if x <= lo {
        1.0
    } else {
        1.0 - sum_down(x - 1)
    };
    let better = if x < mode {
        sum_down(x)
    } else if x >= hi {
        1.0
    } else {
        1.0 - sum_up(x + 1)
    };
    Tails {
        worse: worse.clamp(0.0, 1.0),
        better: better.clamp(0.0, 1.0),
    }
}

/// Standard normal upper tail, P(Z > z) (Abramowitz-Stegun 7.1.26 on erfc:
/// absolute error below 1.5e-7, plenty for a decision at 0.05 / 80).
pub fn normal_upper(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-x * x).exp();
    if z >= 0.0 {
        erfc / 2.0
    } else {
        1.0 - erfc / 2.0
    }
}

/// Mann-Whitney U of the whole distributions: [`Tails`] from the normal
/// approximation with the correction for ties (bucketed values tie a lot).
pub fn rank_test(base: &Histogram<u64>, cur: &Histogram<u64>) -> Option<Tails> {
    let (nb, nc) = (base.len() as f64, cur.len() as f64);
    if base.is_empty() || cur.is_empty() {
        return None;
    }
    let mut pooled = base.clone();
    pooled.add(cur).ok()?;
    // Walk the pooled buckets in order: each bucket's samples share the mid-rank.
    let (mut rank_sum_cur, mut below, mut ties) = (0.0, 0.0, 0.0);
    for v in pooled.iter_recorded() {
        let t = v.count_at_value() as f64;
        let in_cur = cur.count_at(v.value_iterated_to()) as f64;
        rank_sum_cur += in_cur * (below + (t + 1.0) / 2.0);
        below += t;
        ties += t * t * t - t;
    }
    let n = nb + nc;
    let u = rank_sum_cur - nc * (nc + 1.0) / 2.0;
    let mean = nb * nc / 2.0;
    let var = nb * nc / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)).max(1.0));
    if var <= 0.0 {
        return Some(Tails {
            worse: 1.0,
            better: 1.0,
        });
    }
    let sd = var.sqrt();
    Some(Tails {
        worse: normal_upper((u - mean - 0.5) / sd),
        better: normal_upper((mean - u - 0.5) / sd),
    })
}

/// Exact one-sided Mann-Whitney U on per-run figures: [`Tails`] of the
/// current runs being higher (ties count a half). With 3 runs a side the
/// smallest p-value is 1/20 = 0.05: every current run above every baseline
/// run.
pub fn runs_rank_test(base: &[u64], cur: &[u64]) -> Tails {
    let (m, n) = (cur.len(), base.len());
    // Twice U: pairs with the current run higher count 2, ties 1.
    let u2: usize = cur
        .iter()
        .map(|c| {
            base.iter()
                .map(|b| match c.cmp(b) {
                    std::cmp::Ordering::Greater => 2,
                    std::cmp::Ordering::Equal => 1,
                    std::cmp::Ordering::Less => 0,
                })
                .sum::<usize>()
        })
        .sum();
    // counts[u]: arrangements of m current among m + n ranks with U = u.
    let counts = u_distribution(m, n);
    let total: f64 = counts.iter().sum();
    let tail = |pred: &dyn Fn(usize) -> bool| {
        counts
            .iter()
            .enumerate()
            .filter(|(u, _)| pred(*u))
            .map(|(_, c)| c)
            .sum::<f64>()
            / total
    };
    Tails {
        worse: tail(&|u| 2 * u >= u2),
        better: tail(&|u| 2 * u <= u2),
    }
}

/// The null distribution of U for samples of `m` and `n` (no ties), as
/// counts indexed by U, by the usual recursion over the largest value.
fn u_distribution(m: usize, n: usize) -> Vec<f64> {
    // f[j][u] for the current (i, j), rolled over i.
    let mut f: Vec<Vec<f64>> = (0..=n).map(|_| vec![1.0]).collect();
    for i in 1..=m {
        let mut g: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
        g.push(vec![1.0]);
        for j in 1..=n {
            // The largest value is a current one (it beats all j baseline
            // ones: U grows by j) or a baseline one.
            let mut row = vec![0.0; i * j + 1];
            for (u, c) in f[j].iter().enumerate() {
                row[u + j] += c;
            }
            for (u, c) in g[j - 1].iter().enumerate() {
                row[u] += c;
            }
            g.push(row);
        }
        f = g;
    }
    f.pop().unwrap_or_else(|| vec![1.0])
}

/// Holm's step-down adjusted p-values, in the input's order: rejecting every
/// adjusted p <= alpha keeps the chance of one or more false rejections among
/// all of them at most alpha, whatever their dependence.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|a, b| p[*a].total_cmp(&p[*b]));
    let mut adjusted = vec![1.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}
