//! The run's watch over commands in flight: their deadlines and the run's
//! stops, kept without a timer or a lock per command.
//!
//! A command used to arm a tokio timer and wait on its session's stop
//! token: a timer-wheel insert and removal and two mutex locks per command.
//! Now each session has a [`Post`] on the run's [`Watch`] (taken once per
//! session): a command writes its deadline there and leaves its waker, all
//! atomics. One patrol task per run wakes the posts whose deadline has
//! passed, a few times per command timeout, so a timeout fires at most a
//! twentieth of the timeout (and at most 100 ms) late. A stop sets a flag
//! and wakes every post at once.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::Context;
use std::time::{Duration, Instant};

use futures_util::task::AtomicWaker;

/// No deadline: the post's session has no command in flight.
const UNARMED: u64 = u64::MAX;

/// The run's watch: its stop flags and the posts of its sessions.
#[derive(Debug)]
pub struct Watch {
    shared: Arc<Shared>,
    /// How often the patrol looks for passed deadlines.
    tick: Duration,
    /// Whether the patrol task has been started (by the first post).
    patrolling: AtomicBool,
}

#[derive(Debug)]
struct Shared {
    /// Deadlines are kept as nanoseconds since this instant.
    epoch: Instant,
    soft: AtomicBool,
    hard: AtomicBool,
    posts: Mutex<Posts>,
}

/// The posts of live sessions; a session's slot is reused after it ends.
#[derive(Debug, Default)]
struct Posts {
    slots: Vec<Option<Arc<Slot>>>,
    free: Vec<usize>,
}

/// One session's command in flight as the watch sees it.
#[derive(Debug)]
struct Slot {
    deadline: AtomicU64,
    expired: AtomicBool,
    waker: AtomicWaker,
}

impl Watch {
    /// A watch whose commands time out after about `command_timeout`: the
    /// patrol looks every twentieth of it, between 1 and 100 ms.
    pub fn new(command_timeout: Duration) -> Self {
        let tick =
            (command_timeout / 20).clamp(Duration::from_millis(1), Duration::from_millis(100));
        Watch {
            shared: Arc::new(Shared {
                epoch: Instant::now(),
                soft: AtomicBool::new(false),
                hard: AtomicBool::new(false),
                posts: Mutex::new(Posts::default()),
            }),
            tick,
            patrolling: AtomicBool::new(false),
        }
    }

    /// The soft stop came: the load finishes its commands and logs out.
    pub fn soft_stopped(&self) -> bool {
        self.shared.soft.load(Ordering::Acquire)
    }

    /// Marks the soft stop (the caller cancels the run's token with it).
    pub fn stop_soft(&self) {
        self.shared.soft.store(true, Ordering::Release);
    }

    /// The hard stop: every command in flight is woken and ends aborted.
    pub fn stop_hard(&self) {
        self.shared.hard.store(true, Ordering::Release);
        let posts = self.shared.posts.lock().unwrap_or_else(|e| e.into_inner());
        for slot in posts.slots.iter().flatten() {
            slot.waker.wake();
        }
    }

    /// A post for one session, given back when it drops. The first post
    /// starts the patrol (on the current tokio runtime).
    pub fn post(&self) -> Post {
        if !self.patrolling.swap(true, Ordering::AcqRel) {
            tokio::spawn(patrol(Arc::downgrade(&self.shared), self.tick));
        }
        let slot = Arc::new(Slot {
            deadline: AtomicU64::new(UNARMED),
            expired: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        });
        let mut posts = self.shared.posts.lock().unwrap_or_else(|e| e.into_inner());
        let index = match posts.free.pop() {
            Some(i) => i,
            None => {
                posts.slots.push(None);
                posts.slots.len() - 1
            }
        };
        posts.slots[index] = Some(slot.clone());
        Post {
            shared: self.shared.clone(),
            slot,
            index,
        }
    }
}

/// Wakes the posts whose deadline has passed, every `tick`, until the
/// watch is gone or the hard stop came.
async fn patrol(shared: Weak<Shared>, tick: Duration) {
    loop {
        tokio::time::sleep(tick).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        if shared.hard.load(Ordering::Acquire) {
            return;
        }
        let now = shared.epoch.elapsed().as_nanos() as u64;
        let posts = shared.posts.lock().unwrap_or_else(|e| e.into_inner());
        for slot in posts.slots.iter().flatten() {
            if slot.deadline.load(Ordering::Acquire) <= now {
                slot.expired.store(true, Ordering::Release);
                slot.waker.wake();
            }
        }
    }
}

/// A session's place on the run's watch.
#[derive(Debug)]
pub struct Post {
    shared: Arc<Shared>,
    slot: Arc<Slot>,
    index: usize,
}

/// What a command's wait came to while its work was not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alarm {
    /// Keep waiting.
    Quiet,
    /// The hard stop came.
    Stopped,
    /// The deadline passed.
    TimedOut,
}

impl Post {
    /// Arms the post for a command due by `deadline`; disarmed when the
    /// returned guard drops.
    pub fn arm(&self, deadline: Instant) -> Armed<'_> {
        let at = deadline
            .saturating_duration_since(self.shared.epoch)
            .as_nanos() as u64;
        self.slot.expired.store(false, Ordering::Relaxed);
        let previous = self.slot.deadline.swap(at, Ordering::AcqRel);
        debug_assert_eq!(previous, UNARMED, "one command at a time per post");
        Armed {
            post: self,
            previous,
        }
    }
}

/// A post armed for one command.
#[derive(Debug)]
pub struct Armed<'a> {
    post: &'a Post,
    /// The deadline armed before (none unless guards nest).
    previous: u64,
}

impl Armed<'_> {
    /// Called when the command's work is not done: leaves the task's waker
    /// and says whether the hard stop came or the deadline (`deadline`, the
    /// one armed) passed.
    pub fn check(&self, cx: &mut Context<'_>, deadline: Instant) -> Alarm {
        let slot = &self.post.slot;
        slot.waker.register(cx.waker());
        if self.post.shared.hard.load(Ordering::Acquire) {
            return Alarm::Stopped;
        }
        if slot.expired.swap(false, Ordering::AcqRel) && Instant::now() >= deadline {
            return Alarm::TimedOut;
        }
        Alarm::Quiet
    }
}

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        self.post
            .slot
            .deadline
            .store(self.previous, Ordering::Release);
    }
}

impl Drop for Post {
    fn drop(&mut self) {
        let mut posts = self.shared.posts.lock().unwrap_or_else(|e| e.into_inner());
        posts.slots[self.index] = None;
        posts.free.push(self.index);
    }
}
