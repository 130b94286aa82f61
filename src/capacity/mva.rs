//! Mean value analysis of the closed network a `--by sessions` search
//! drives: the sessions (a delay of Z, the client's own time per command)
//! and the servers as one station of `m` parallel workers with demand D per
//! command, solved exactly by MVA with Seidmann's approximation for the
//! multi-worker station (a single queue of demand D/m in series with a
//! delay of D(m−1)/m). Unlike the USL it knows the station saturates at
//! m/D commands per second and stays there, and it predicts the queue at
//! the station, which is what `RequestsQueuedGt500` watches.
//!
//! D is the mean latency of the least loaded trial (where nothing queues),
//! Z as the USL's workload has it, and m is fitted: the worker count whose
//! predictions best match every trial's throughput and latency (least
//! squares on relative errors).

use super::model::{Point, Predicted};

/// A closed network: sessions thinking Z, one station of `servers` workers of demand D.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mva {
    /// Demand per command at the station, seconds.
    pub demand_s: f64,
    /// Parallel workers at the station.
    pub servers: f64,
    /// Client time per command between commands, seconds.
    pub think_s: f64,
}

impl Mva {
    /// Throughput, latency and the station's queue (waiting and in service) with `load` sessions.
    pub fn predict(&self, load: f64) -> Predicted {
        let n_max = load.round().max(1.0) as u64;
        let (queueing, delay) = (
            self.demand_s / self.servers,
            self.demand_s * (self.servers - 1.0) / self.servers,
        );
        let (mut q, mut x, mut r) = (0.0, 0.0, self.demand_s);
        for n in 1..=n_max {
            let rq = queueing * (1.0 + q);
            r = rq + delay;
            x = n as f64 / (r + self.think_s);
            q = x * rq;
        }
        Predicted {
            throughput: x,
            latency_s: Some(r),
            in_flight: Some(q + x * delay),
        }
    }
}

fn cost(m: &Mva, points: &[Point]) -> f64 {
    points
        .iter()
        .map(|p| {
            let got = m.predict(p.load);
            let r = got.latency_s.unwrap_or(f64::INFINITY);
            ((got.throughput - p.throughput) / p.throughput).powi(2)
                + ((r - p.latency_s) / p.latency_s).powi(2)
        })
        .sum()
}

/// Fits the network on closed trials (`None` with fewer than three).
pub fn fit(points: &[Point], think_s: f64) -> Option<Mva> {
    let pts: Vec<Point> = (points.iter())
        .filter(|p| p.throughput > 0.0 && p.latency_s > 0.0 && p.load >= 1.0)
        .copied()
        .collect();
    if pts.len() < 3 {
        return None;
    }
    let least = pts.iter().min_by(|a, b| a.load.total_cmp(&b.load))?;
    let top = pts.iter().map(|p| p.load).fold(1.0, f64::max);
    let mut candidates: Vec<f64> = (1..=64).map(f64::from).collect();
    let mut c = 64.0_f64;
    while c < top * 2.0 {
        c *= 1.1;
        candidates.push(c.round());
    }
    candidates
        .into_iter()
        .map(|servers| Mva {
            demand_s: least.latency_s,
            servers,
            think_s,
        })
        .min_by(|a, b| cost(a, &pts).total_cmp(&cost(b, &pts)))
}

#[cfg(test)]
mod tests;
