//! What bounds a command in time: its deadline and the run's stops, applied
//! once around the whole exchange.
//!
//! Every session used to wait on the run's two process-wide cancellation
//! tokens in every send and read, then on its own child tokens with a tokio
//! timer per command: a timer-wheel insert and two mutex locks per command.
//! Now a command writes its deadline on its session's [`Post`] on the run's
//! [`super::watch::Watch`] and leaves its waker there: atomics only.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::failure::CommandError;
use super::watch::{Alarm, Post};
use super::Ctx;

/// A session's own view of the run's stops: children of the run's tokens
/// for its waits between commands (think time, an IDLE hold), and its post
/// on the run's watch for its commands. Made once per session, so nothing
/// per command touches what every worker shares.
#[derive(Debug)]
pub struct SessionStop {
    /// Cancelled with the run's soft stop: finish the current command, log out.
    pub soft: CancellationToken,
    /// Cancelled with the run's hard stop: whatever is in flight is aborted.
    pub hard: CancellationToken,
    /// Where this session's command in flight is watched.
    pub post: Post,
}

impl SessionStop {
    /// The stops of one session of the run in `ctx`.
    pub fn new(ctx: &Ctx) -> Self {
        SessionStop {
            soft: ctx.soft_stop.child_token(),
            hard: ctx.hard_stop.child_token(),
            post: ctx.watch.post(),
        }
    }
}

/// When a command must be done, and the limit it came from (for the
/// message of a timeout: `no answer within 30s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The instant the command times out.
    pub at: Instant,
    /// The command timeout that set it.
    pub limit: Duration,
}

impl Deadline {
    /// A deadline `limit` from now.
    pub fn after(limit: Duration) -> Self {
        Deadline {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// The timeout failure of waiting for `what` until this deadline.
    pub fn missed(&self, what: &str) -> CommandError {
        CommandError::timeout(what, self.limit)
    }
}

/// What a guarded exchange is waiting for, so its timeout can say it:
/// `could not send` while bytes are being written, else the phase's own words.
#[derive(Debug)]
pub struct Phase {
    sending: AtomicBool,
    waiting: &'static str,
}

impl Phase {
    /// A command: `could not send` while writing, `no answer` otherwise.
    pub fn command() -> Self {
        Self::waiting("no answer")
    }

    /// A step that only waits (`no connection`, `no greeting`, `TLS handshake not done`).
    pub fn waiting(what: &'static str) -> Self {
        Phase {
            sending: AtomicBool::new(false),
            waiting: what,
        }
    }

    /// Marks the start (`true`) and end (`false`) of a write.
    pub fn set_sending(&self, busy: bool) {
        self.sending.store(busy, Ordering::Relaxed);
    }

    /// What a timeout now would say was not done.
    pub fn what(&self) -> &'static str {
        match self.sending.load(Ordering::Relaxed) {
            true => "could not send",
            false => self.waiting,
        }
    }
}

/// One command's bounds: its deadline and its session's post on the run's
/// watch (which the hard stop wakes).
#[derive(Debug, Clone, Copy)]
pub struct Guard<'a> {
    /// When the command times out.
    pub deadline: Deadline,
    /// The session's post.
    pub post: &'a Post,
}

impl Guard<'_> {
    /// Runs `work` (a whole exchange: sends and reads) with its deadline on
    /// the session's post: a timeout says what `phase` was waiting for, a
    /// hard stop is [`CommandError::aborted`]. The work is polled first, so an
    /// answer that is there wins over a stop or deadline that came with it.
    pub async fn run<T>(
        self,
        phase: &Phase,
        work: impl Future<Output = Result<T, CommandError>>,
    ) -> Result<T, CommandError> {
        let armed = self.post.arm(self.deadline.at);
        let mut work = std::pin::pin!(work);
        std::future::poll_fn(|cx| {
            if let Poll::Ready(r) = work.as_mut().poll(cx) {
                return Poll::Ready(r);
            }
            match armed.check(cx, self.deadline.at) {
                Alarm::Quiet => Poll::Pending,
                Alarm::Stopped => Poll::Ready(Err(CommandError::aborted())),
                Alarm::TimedOut => Poll::Ready(Err(self.deadline.missed(phase.what()))),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::watch::Watch;
    use crate::results::ErrorReason;

    /// The guard's own end, or a failure (not a hang) when the watch never
    /// woke it.
    async fn ended<T>(guarded: impl Future<Output = Result<T, CommandError>>) -> CommandError {
        let r = tokio::time::timeout(Duration::from_secs(5), guarded).await;
        match r.expect("the watch ended the command within 5 s") {
            Ok(_) => panic!("the command was to end with an error"),
            Err(e) => e,
        }
    }

    #[tokio::test]
    async fn one_guard_times_out_with_the_phase_and_stops_on_the_hard_stop() {
        let watch = Watch::new(Duration::from_millis(20));
        let post = watch.post();
        let guard = Guard {
            deadline: Deadline::after(Duration::from_millis(20)),
            post: &post,
        };
        let phase = Phase::command();
        let sending = async {
            phase.set_sending(true);
            std::future::pending::<Result<(), CommandError>>().await
        };
        let e = ended(guard.run(&phase, sending)).await;
        assert_eq!(e.message, "could not send within 20ms");
        let phase = Phase::command();
        let e = ended(guard.run(&phase, std::future::pending::<Result<(), CommandError>>())).await;
        assert_eq!(e.message, "no answer within 20ms");

        let guard = Guard {
            deadline: Deadline::after(Duration::from_secs(60)),
            post: &post,
        };
        let stop = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            watch.stop_hard();
            std::future::pending::<Result<(), CommandError>>().await
        };
        let t = Instant::now();
        let phase = Phase::command();
        let e = ended(guard.run(&phase, stop)).await;
        assert_eq!(e.reason, ErrorReason::Aborted);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "the run's stop reaches the session's"
        );
        let ready = guard.run(&Phase::command(), async { Ok(7) }).await;
        assert_eq!(ready.unwrap(), 7, "work that is done wins over a stop");
    }

    #[tokio::test]
    async fn an_answer_in_time_is_not_a_timeout_though_an_earlier_deadline_passed() {
        let watch = Watch::new(Duration::from_millis(20));
        let post = watch.post();
        let short = Guard {
            deadline: Deadline::after(Duration::from_millis(5)),
            post: &post,
        };
        let phase = Phase::command();
        let e = short.run(&phase, std::future::pending::<Result<(), CommandError>>());
        assert_eq!(ended(e).await.reason, ErrorReason::Timeout);
        // The next command's deadline is its own: a slow answer within it is an answer.
        let long = Guard {
            deadline: Deadline::after(Duration::from_secs(30)),
            post: &post,
        };
        let slow = async {
            tokio::time::sleep(Duration::from_millis(60)).await;
            Ok(1)
        };
        assert_eq!(long.run(&Phase::command(), slow).await.unwrap(), 1);
    }
}
