//! Queue depth per server (a model of Exchange's "requests queued"): commands
//! outstanding on connections whose path includes the server, counted from
//! the moment a command is due until its answer. Sessions move per-server
//! atomic gauges; a sampler reads them 10 times a second into per-interval
//! figures. The embedded servers' own queues are sampled beside them.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::command::CommandKind;

use super::layout::{reaches_backend_via_cas, Layout, Route};

/// One gauge per server, in layout order (CAS then back ends), kept as one
/// stripe per thread so that sessions on different worker threads never
/// write the same cache line: every command moves a gauge twice, and one
/// shared line bouncing between cores costs more than the command's own
/// bookkeeping. The sampler adds the stripes up.
#[derive(Debug)]
pub struct QueueGauges {
    cas: usize,
    /// Servers per stripe.
    servers: usize,
    /// Distance between stripes, in counters: `servers` plus a gap of one
    /// cache line pair, so no two stripes share a line whatever the base
    /// address.
    stride: usize,
    /// `stripes x stride` counters; a stripe's counters may go negative
    /// when a command ends on another thread than it began (only the sum
    /// over stripes is a depth).
    counts: Box<[AtomicI64]>,
}

/// Counters of padding between stripes (16 x 8 bytes = 128 bytes, two
/// 64-byte lines, since adjacent-line prefetch pairs lines on x86).
const STRIPE_GAP: usize = 16;

/// Stripes per gauge set: enough that the runtime's worker threads (one
/// per core) rarely share one; threads beyond it share round-robin.
fn stripe_count() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(4)
        .clamp(1, 64)
}

/// This thread's stripe number, handed out round-robin on first use.
fn this_stripe() -> usize {
    use std::cell::Cell;
    use std::sync::atomic::AtomicUsize;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    STRIPE.with(|s| {
        if s.get() == usize::MAX {
            s.set(NEXT.fetch_add(1, Ordering::Relaxed));
        }
        s.get()
    })
}

impl QueueGauges {
    /// Gauges for the servers of `layout`, all zero.
    pub fn new(layout: &Layout) -> Self {
        Self::with_stripes(layout, stripe_count())
    }

    fn with_stripes(layout: &Layout, stripes: usize) -> Self {
        let servers = layout.cas_names.len() + layout.backend_names.len();
        let stride = servers + STRIPE_GAP;
        QueueGauges {
            cas: layout.cas_names.len(),
            servers,
            stride,
            counts: (0..stripes * stride).map(|_| AtomicI64::new(0)).collect(),
        }
    }

    fn apply(&self, route: Route, kind: CommandKind, delta: i64) {
        let stripes = self.counts.len() / self.stride;
        let base = (this_stripe() % stripes) * self.stride;
        let add = |server: usize| {
            self.counts[base + server].fetch_add(delta, Ordering::Relaxed);
        };
        match route.cas {
            Some(c) => {
                add(c as usize);
                if reaches_backend_via_cas(kind) {
                    add(self.cas + route.backend as usize);
                }
            }
            None => add(self.cas + route.backend as usize),
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

    /// Current depth of every server, in layout order: the stripes added up.
    pub fn read(&self) -> Vec<u64> {
        (0..self.servers)
            .map(|server| {
                let sum: i64 = self
                    .counts
                    .iter()
                    .skip(server)
                    .step_by(self.stride)
                    .map(|g| g.load(Ordering::Relaxed))
                    .sum();
                sum.max(0) as u64
            })
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
        let mut s = crate::results::QueueStats::default();
        s.add(4, Some(crate::results::OwnReading { queued: 1, busy: 2 }));
        s.add(2, Some(crate::results::OwnReading { queued: 3, busy: 2 }));
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

    #[test]
    fn a_command_ended_on_another_thread_still_adds_up() {
        let layout = Layout::new(vec![], vec!["mbx1".into(), "mbx2".into()]);
        let g = QueueGauges::with_stripes(&layout, 4);
        let route = Route {
            cas: None,
            backend: 1,
        };
        let started: Vec<_> = (0..3).map(|_| g.due(route, CommandKind::Noop)).collect();
        assert_eq!(g.read(), [0, 3]);
        std::thread::scope(|s| {
            s.spawn(|| {
                // Another thread (another stripe) sees the sum and ends them.
                assert_eq!(g.read(), [0, 3]);
                drop(started);
                let other = g.due(route, CommandKind::Noop);
                assert_eq!(g.read(), [0, 1]);
                std::mem::forget(other);
            });
        });
        assert_eq!(g.read(), [0, 1], "the forgotten guard stays counted");
    }
}
