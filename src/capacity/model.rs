//! The capacity model: the Universal Scalability Law fitted on the trials'
//! throughput against their concurrency by Little's law (commands in flight
//! = commands/s x mean latency, not connected sessions), with bounded
//! parameters (λ > 0, σ and κ in [0, 1]).
//!
//! The fit is by variable projection, by hand: for given σ and κ the best λ
//! is a closed form (the model is linear in λ), so only σ and κ are
//! searched, on a log grid and then by a shrinking pattern search, always
//! inside their bounds. The crates surveyed either fit without bounds
//! (`levenberg-marquardt`, whose USL use also needed a reparametrisation),
//! or are thinly maintained (`rmpfit`, and `usl`, archived); a two-parameter
//! bounded search needs neither. Residuals are relative, so the low loads
//! weigh as much as the high ones.

/// The Universal Scalability Law: X(N) = λN / (1 + σ(N−1) + κN(N−1)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usl {
    /// Throughput at concurrency 1.
    pub lambda: f64,
    /// Contention.
    pub sigma: f64,
    /// Coherency.
    pub kappa: f64,
}

/// One measured point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The trial's load (sessions or arrivals/s).
    pub load: f64,
    /// Commands per second.
    pub throughput: f64,
    /// Mean latency, seconds.
    pub latency_s: f64,
}

impl Point {
    /// Commands in flight, by Little's law.
    pub fn concurrency(&self) -> f64 {
        self.throughput * self.latency_s
    }
}

/// How load turns into concurrency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Workload {
    /// Closed (sessions): each session spends this long between commands
    /// outside the servers, seconds (sessions = N + X·Z).
    Closed {
        /// Client time per command.
        think_s: f64,
    },
    /// Open (arrivals/s): each arrival brings this many commands.
    Open {
        /// Commands per arrival.
        per_arrival: f64,
    },
}

/// A prediction at one load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Predicted {
    /// Commands per second.
    pub throughput: f64,
    /// Mean latency, seconds (`None`: past the peak, without bound).
    pub latency_s: Option<f64>,
    /// Commands in flight (`None`: without bound).
    pub in_flight: Option<f64>,
}

impl Usl {
    /// X(N).
    pub fn throughput(&self, n: f64) -> f64 {
        let n = n.max(0.0);
        n * self.lambda / self.denominator(n)
    }

    fn denominator(&self, n: f64) -> f64 {
        1.0 + self.sigma * (n - 1.0) + self.kappa * n * (n - 1.0)
    }

    /// The concurrency of the highest throughput (`None` when κ is 0: no peak).
    pub fn n_max(&self) -> Option<f64> {
        (self.kappa > 0.0).then(|| ((1.0 - self.sigma) / self.kappa).max(1.0).sqrt())
    }

    /// The highest throughput: at the peak, or the roof λ/σ (unbounded when both are 0).
    pub fn x_max(&self) -> f64 {
        match self.n_max() {
            Some(n) => self.throughput(n),
            None if self.sigma > 0.0 => self.lambda / self.sigma,
            None => f64::INFINITY,
        }
    }

    /// The throughput and latency at `load`.
    pub fn predict(&self, load: f64, workload: Workload) -> Predicted {
        match workload {
            Workload::Closed { think_s } => {
                // Solve load = N + X(N)·Z for N in [0, load].
                let n = bisect(0.0, load, |n| n + self.throughput(n) * think_s - load);
                let x = self.throughput(n);
                Predicted {
                    throughput: x,
                    latency_s: Some(n / x.max(1e-12)),
                    in_flight: Some(n),
                }
            }
            Workload::Open { per_arrival } => {
                let offered = load * per_arrival;
                let top = self.n_max().unwrap_or(1e9);
                if offered >= self.throughput(top) {
                    return Predicted {
                        throughput: self.throughput(top).min(offered),
                        latency_s: None,
                        in_flight: None,
                    };
                }
                let n = bisect(0.0, top, |n| self.throughput(n) - offered);
                Predicted {
                    throughput: offered,
                    latency_s: Some(n / offered.max(1e-12)),
                    in_flight: Some(n),
                }
            }
        }
    }
}

/// The root of an increasing `f` in [lo, hi] (the nearer end when there is none).
fn bisect(mut lo: f64, mut hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        match f(mid) < 0.0 {
            true => lo = mid,
            false => hi = mid,
        }
    }
    (lo + hi) / 2.0
}

/// The best λ for σ and κ, and the sum of squared relative residuals.
fn project(points: &[(f64, f64)], sigma: f64, kappa: f64) -> (f64, f64) {
    let unit = Usl {
        lambda: 1.0,
        sigma,
        kappa,
    };
    let (mut num, mut den) = (0.0, 0.0);
    for &(n, x) in points {
        let g = unit.throughput(n) / x;
        num += g;
        den += g * g;
    }
    let lambda = num / den.max(1e-300);
    let cost = (points.iter())
        .map(|&(n, x)| (1.0 - lambda * unit.throughput(n) / x).powi(2))
        .sum();
    (lambda, cost)
}

/// Fits the USL on (concurrency, throughput) points; `None` with fewer
/// than three usable points.
pub fn fit(points: &[Point]) -> Option<Usl> {
    let pts: Vec<(f64, f64)> = (points.iter())
        .filter(|p| p.throughput > 0.0 && p.latency_s > 0.0)
        .map(|p| (p.concurrency(), p.throughput))
        .collect();
    if pts.len() < 3 {
        return None;
    }
    let grid = |lo: f64| {
        let steps = 30;
        std::iter::once(0.0)
            .chain((0..=steps).map(move |i| lo * (1.0 / lo).powf(i as f64 / steps as f64)))
            .collect::<Vec<f64>>()
    };
    let mut best = (0.0, 0.0, f64::INFINITY);
    for &s in &grid(1e-6) {
        for &k in &grid(1e-9) {
            let (_, cost) = project(&pts, s, k);
            if cost < best.2 {
                best = (s, k, cost);
            }
        }
    }
    let (mut s, mut k, mut cost) = best;
    let mut step = 2.0_f64;
    while step > 1.0 + 1e-7 {
        let mut moved = false;
        let (ds, dk) = (s.max(1e-9), k.max(1e-12));
        let tries = [
            (ds * step, k),
            (ds / step, k),
            (s, dk * step),
            (s, dk / step),
        ];
        for (ts, tk) in tries {
            let (ts, tk) = (ts.clamp(0.0, 1.0), tk.clamp(0.0, 1.0));
            let (_, c) = project(&pts, ts, tk);
            if c < cost {
                (s, k, cost, moved) = (ts, tk, c, true);
            }
        }
        if !moved {
            step = step.sqrt();
        }
    }
    let (lambda, _) = project(&pts, s, k);
    Some(Usl {
        lambda,
        sigma: s,
        kappa: k,
    })
}

/// The median of `values` (0 when empty).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// How load turns into concurrency, from the points: a closed run's client
/// time per command (load / X − R, the median, never below 0), or an open
/// run's commands per arrival (X / load, the median).
pub fn workload(points: &[Point], open: bool) -> Workload {
    match open {
        true => Workload::Open {
            per_arrival: median(points.iter().map(|p| p.throughput / p.load).collect()),
        },
        false => Workload::Closed {
            think_s: median(
                (points.iter())
                    .map(|p| (p.load / p.throughput - p.latency_s).max(0.0))
                    .collect(),
            )
            .max(0.0),
        },
    }
}

#[cfg(test)]
mod tests;
