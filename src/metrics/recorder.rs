//! The hot-path recorder: one shard per worker thread, swapped out on a tick.
//!
//! Recording a command takes the current thread's own shard lock, which is
//! only ever contended for the instant the tick task swaps the shard out. There
//! is no global lock and no allocation per successful command once a slot's
//! sample list is warm (see [`SlotSamples`] for why samples, not histograms).
//! A failure may allocate: its message is kept in the slot's bounded
//! [`Causes`] table.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::command::CommandKind;

use super::layout::{Layout, Route};
use super::samples::SlotSamples;
use crate::results::causes::Causes;
use crate::results::ErrorReason;

static NEXT_RECORDER_ID: AtomicU64 = AtomicU64::new(1);

/// Measurements of one shard: one optional row per slot.
#[derive(Debug, Default)]
pub struct Slots {
    /// Indexed by [`Layout::slot`]; `None` until a slot sees its first command.
    pub rows: Vec<Option<Box<SlotSamples>>>,
    /// Error messages per slot, indexed like `rows`; `None` until a slot
    /// sees its first failure.
    pub causes: Vec<Option<Box<Causes>>>,
}

impl Slots {
    fn with_len(n: usize) -> Self {
        Slots {
            rows: (0..n).map(|_| None).collect(),
            causes: (0..n).map(|_| None).collect(),
        }
    }

    #[inline]
    fn row(&mut self, slot: usize) -> &mut SlotSamples {
        self.rows[slot].get_or_insert_with(Default::default)
    }

    /// Clears every row, keeping allocations for the next interval.
    pub fn reset(&mut self) {
        for r in self.rows.iter_mut().flatten() {
            r.reset();
        }
        for c in self.causes.iter_mut().flatten() {
            c.reset();
        }
    }
}

type Shard = Arc<Mutex<Slots>>;

thread_local! {
    /// This thread's shard of each live recorder, by recorder id. Usually one.
    static LOCAL: RefCell<Vec<(u64, Shard)>> = const { RefCell::new(Vec::new()) };
}

/// Collects command outcomes from every worker thread.
#[derive(Debug)]
pub struct Recorder {
    id: u64,
    layout: Arc<Layout>,
    shards: Mutex<Vec<Shard>>,
}

impl Recorder {
    /// A recorder for the servers of `layout`.
    pub fn new(layout: Arc<Layout>) -> Arc<Recorder> {
        Arc::new(Recorder {
            id: NEXT_RECORDER_ID.fetch_add(1, Ordering::Relaxed),
            layout,
            shards: Mutex::new(Vec::new()),
        })
    }

    /// The server layout slots refer to.
    pub fn layout(&self) -> &Arc<Layout> {
        &self.layout
    }

    /// Records a successful command: `corrected` from its intended start,
    /// `service` from its last byte sent.
    #[inline]
    pub fn record_ok(
        &self,
        route: Route,
        kind: CommandKind,
        corrected: Duration,
        service: Duration,
    ) {
        let slot = self.layout.slot(route, kind);
        self.with_shard(|s| s.row(slot).record_ok(micros(corrected), micros(service)));
    }

    /// Records a failed command under its reason, keeping `message` among
    /// the slot's first distinct messages of that reason.
    #[inline]
    pub fn record_error(
        &self,
        route: Route,
        kind: CommandKind,
        reason: ErrorReason,
        message: &str,
    ) {
        let slot = self.layout.slot(route, kind);
        self.with_shard(|s| {
            s.row(slot).record_error(reason);
            s.causes[slot]
                .get_or_insert_with(Default::default)
                .record(reason, message);
        });
    }

    fn with_shard(&self, f: impl FnOnce(&mut Slots)) {
        LOCAL.with(|local| {
            let mut local = local.borrow_mut();
            let at = match local.iter().position(|(id, _)| *id == self.id) {
                Some(at) => at,
                None => {
                    // First command of this recorder on this thread: register a shard.
                    let shard = Arc::new(Mutex::new(Slots::with_len(self.layout.slots())));
                    self.shards
                        .lock()
                        .expect("shard registry")
                        .push(shard.clone());
                    // Forget shards of recorders that are gone (only this thread holds them then).
                    local.retain(|(_, s)| Arc::strong_count(s) > 1);
                    local.push((self.id, shard));
                    local.len() - 1
                }
            };
            // Lock through the thread-local borrow: no Arc clone per command.
            let mut slots = local[at].1.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut slots);
        });
    }

    /// Swaps every shard's slots for empty ones and hands each filled one to
    /// `merge`. `spare` supplies reset slot tables (reused, so ticks don't
    /// allocate once warm); filled ones are returned to it after merging.
    pub fn drain(&self, spare: &mut Vec<Slots>, mut merge: impl FnMut(&Slots)) {
        let shards: Vec<Shard> = self.shards.lock().expect("shard registry").clone();
        for shard in shards {
            let mut fresh = spare
                .pop()
                .unwrap_or_else(|| Slots::with_len(self.layout.slots()));
            {
                let mut slots = shard.lock().unwrap_or_else(|p| p.into_inner());
                std::mem::swap(&mut *slots, &mut fresh);
            }
            merge(&fresh);
            fresh.reset();
            spare.push(fresh);
        }
    }
}

fn micros(d: Duration) -> u64 {
    d.as_micros().min(u64::MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::RowHistograms;

    #[test]
    fn records_from_many_threads_and_drains_everything_once() {
        let layout = Arc::new(Layout::new(
            vec!["cas1".into()],
            vec!["mbx1".into(), "mbx2".into()],
        ));
        let rec = Recorder::new(layout.clone());
        let route = Route {
            cas: Some(0),
            backend: 1,
        };
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for i in 0..1000u64 {
                        rec.record_ok(
                            route,
                            CommandKind::Noop,
                            Duration::from_micros(100 + i),
                            Duration::from_micros(50),
                        );
                    }
                    rec.record_error(route, CommandKind::Login, ErrorReason::No, "denied");
                });
            }
        });
        let mut spare = Vec::new();
        let mut total = RowHistograms::new();
        let mut logins = 0;
        let mut causes = Causes::default();
        rec.drain(&mut spare, |slots| {
            let login = layout.slot(route, CommandKind::Login);
            if let Some(r) = &slots.rows[layout.slot(route, CommandKind::Noop)] {
                r.add_to(&mut total);
            }
            if let Some(r) = &slots.rows[login] {
                logins += r.errors(ErrorReason::No);
            }
            if let Some(c) = &slots.causes[login] {
                causes.merge(c);
            }
        });
        assert_eq!(total.ok(), 4000);
        assert_eq!(logins, 4);
        let no = &causes.by_reason[ErrorReason::No.index()];
        assert_eq!(
            (no.messages[0].message.as_str(), no.messages[0].count),
            ("denied", 4)
        );
        // A second drain finds nothing: every sample is handed over exactly once.
        let mut again = 0;
        let mut messages = 0;
        rec.drain(&mut spare, |slots| {
            again += slots.rows.iter().flatten().map(|r| r.count()).sum::<u64>();
            messages += slots
                .causes
                .iter()
                .flatten()
                .filter(|c| !c.is_empty())
                .count();
        });
        assert_eq!((again, messages), (0, 0));
    }
}
