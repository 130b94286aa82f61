//! Queue depth per server (a model of Exchange's "requests queued"): commands
//! outstanding on connections whose path includes the server, counted from
//! the moment a command is due until its answer. Sessions move per-server
//! atomic gauges; a sampler reads them 10 times a second into per-interval
//! figures. The embedded servers' own queues are sampled beside them.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::command::CommandKind;

use super::layout::{reaches_backend_via_cas, Layout, Route};

/// Queue-depth figures of one server over one interval.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QueueStats {
    /// Readings taken.
    pub samples: u32,
    /// Sum of the readings (mean = sum / samples).
    pub sum: u64,
    /// Highest reading.
    pub max: u64,
    /// The server's own queue (commands waiting for a worker), summed over
    /// the same readings; `None` for servers that do not report one.
    pub own_sum: Option<u64>,
    /// Highest own-queue reading.
    pub own_max: Option<u64>,
    /// The server's commands in service (holding a worker), summed.
    pub own_busy_sum: Option<u64>,
}

impl QueueStats {
    /// Mean modelled depth over the interval.
    pub fn mean(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.sum as f64 / self.samples as f64
        }
    }

    /// Mean of the server's own queue, when it reports one.
    pub fn own_mean(&self) -> Option<f64> {
        self.own_sum.map(|s| {
            if self.samples == 0 {
                0.0
            } else {
                s as f64 / self.samples as f64
            }
        })
    }

    /// Adds one reading.
    pub fn add(&mut self, depth: u64, own: Option<OwnReading>) {
        self.samples += 1;
        self.sum += depth;
        self.max = self.max.max(depth);
        if let Some(OwnReading { queued, busy }) = own {
            self.own_sum = Some(self.own_sum.unwrap_or(0) + queued);
            self.own_max = Some(self.own_max.unwrap_or(0).max(queued));
            self.own_busy_sum = Some(self.own_busy_sum.unwrap_or(0) + busy);
        }
    }
}

/// One reading of an embedded server's own queue, to check the model against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnReading {
    /// Commands waiting for a worker.
    pub queued: u64,
    /// Commands in service (busy workers).
    pub busy: u64,
}

/// One gauge per server, in layout order (CAS then back ends).
#[derive(Debug)]
pub struct QueueGauges {
    cas: usize,
    gauges: Vec<AtomicI64>,
}

impl QueueGauges {
    /// Gauges for the servers of `layout`, all zero.
    pub fn new(layout: &Layout) -> Self {
        let n = layout.cas_names.len() + layout.backend_names.len();
        QueueGauges {
            cas: layout.cas_names.len(),
            gauges: (0..n).map(|_| AtomicI64::new(0)).collect(),
        }
    }

    fn apply(&self, route: Route, kind: CommandKind, delta: i64) {
        match route.cas {
            Some(c) => {
                self.gauges[c as usize].fetch_add(delta, Ordering::Relaxed);
                if reaches_backend_via_cas(kind) {
                    self.gauges[self.cas + route.backend as usize]
                        .fetch_add(delta, Ordering::Relaxed);
                }
            }
            None => {
                self.gauges[self.cas + route.backend as usize].fetch_add(delta, Ordering::Relaxed);
            }
        }
    }

    /// Marks a command due on `route`; the returned guard marks it done when dropped
    /// (answered, failed or aborted alike).
    pub fn due(&self, route: Route, kind: CommandKind) -> Outstanding<'_> {
        self.apply(route, kind, 1);
        Outstanding {
            gauges: self,
            route,
            kind,
            undo: -1,
        }
    }

    /// Takes an outstanding command out of the depth while the server owes
    /// no answer: an IDLE being held waits on the client (and on new mail),
    /// not on the server, so thousands of idling sessions are not a queue.
    /// The guard puts it back when dropped (at DONE, or on failure).
    pub fn hold(&self, route: Route, kind: CommandKind) -> Outstanding<'_> {
        self.apply(route, kind, -1);
        Outstanding {
            gauges: self,
            route,
            kind,
            undo: 1,
        }
    }

    /// Current depth of every server, in layout order.
    pub fn read(&self) -> Vec<u64> {
        self.gauges
            .iter()
            .map(|g| g.load(Ordering::Relaxed).max(0) as u64)
            .collect()
    }
}

/// A change to the queue depth (a command counted, or a held one taken
/// out) that is undone when the guard is dropped.
#[derive(Debug)]
pub struct Outstanding<'a> {
    gauges: &'a QueueGauges,
    route: Route,
    kind: CommandKind,
    /// Applied on drop: -1 ends a [`QueueGauges::due`], +1 a [`QueueGauges::hold`].
    undo: i64,
}

impl Drop for Outstanding<'_> {
    fn drop(&mut self) {
        self.gauges.apply(self.route, self.kind, self.undo);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_toward_every_server_on_the_path_until_done() {
        let layout = Layout::new(vec!["cas1".into()], vec!["mbx1".into(), "mbx2".into()]);
        let g = QueueGauges::new(&layout);
        let a = g.due(
            Route {
                cas: Some(0),
                backend: 1,
            },
            CommandKind::FetchBody,
        );
        let b = g.due(
            Route {
                cas: None,
                backend: 1,
            },
            CommandKind::Noop,
        );
        let c = g.due(
            Route {
                cas: Some(0),
                backend: 0,
            },
            CommandKind::Greeting,
        );
        assert_eq!(g.read(), [2, 0, 2]);
        drop((a, b, c));
        assert_eq!(g.read(), [0, 0, 0]);
        let mut s = QueueStats::default();
        s.add(
            4,
            Some(crate::metrics::queue::OwnReading { queued: 1, busy: 2 }),
        );
        s.add(
            2,
            Some(crate::metrics::queue::OwnReading { queued: 3, busy: 2 }),
        );
        assert_eq!(
            (s.mean(), s.max, s.own_mean(), s.own_max),
            (3.0, 4, Some(2.0), Some(3))
        );
    }

    #[test]
    fn a_held_idle_leaves_the_depth_and_comes_back_for_its_done() {
        let layout = Layout::new(vec!["cas1".into()], vec!["mbx1".into()]);
        let g = QueueGauges::new(&layout);
        let route = Route {
            cas: Some(0),
            backend: 0,
        };
        let idle = g.due(route, CommandKind::Idle);
        assert_eq!(g.read(), [1, 1]);
        let held = g.hold(route, CommandKind::Idle);
        assert_eq!(g.read(), [0, 0], "an IDLE being held is not queued");
        drop(held);
        assert_eq!(g.read(), [1, 1], "DONE until the tagged OK is");
        drop(idle);
        assert_eq!(g.read(), [0, 0]);
    }
}
