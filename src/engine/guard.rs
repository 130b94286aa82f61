//! What bounds a command in time: its deadline and the run's stops, applied
//! once around the whole exchange.
//!
//! Every session used to wait on the run's two process-wide cancellation
//! tokens in every send and read, so each command took their mutexes several
//! times from every worker thread, and armed a timer per send and per read.
//! Now a session takes its own child of each token once when it starts
//! (the only touch of the shared ones), and a command arms one timer and one
//! stop wait around its send and all its reads.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::failure::CommandError;
use super::Ctx;

/// A session's own view of the run's stops: children of the run's tokens,
/// made once per session, so waiting on them per command locks only this
/// session's token (never the run's, which every worker would contend on).
#[derive(Debug)]
pub struct SessionStop {
    /// Cancelled with the run's soft stop: finish the current command, log out.
    pub soft: CancellationToken,
    /// Cancelled with the run's hard stop: whatever is in flight is aborted.
    pub hard: CancellationToken,
}

impl SessionStop {
    /// The stops of one session of the run in `ctx`.
    pub fn new(ctx: &Ctx) -> Self {
        SessionStop {
            soft: ctx.soft_stop.child_token(),
            hard: ctx.hard_stop.child_token(),
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

/// One command's bounds: its deadline and its session's hard stop.
#[derive(Debug, Clone, Copy)]
pub struct Guard<'a> {
    /// When the command times out.
    pub deadline: Deadline,
    /// The session's hard stop.
    pub hard_stop: &'a CancellationToken,
}

impl Guard<'_> {
    /// Runs `work` (a whole exchange: sends and reads) under one timer and
    /// one stop wait: a timeout says what `phase` was waiting for, a hard
    /// stop is [`CommandError::aborted`]. The work is polled first, so an
    /// answer that is there wins over a stop or deadline that came with it.
    pub async fn run<T>(
        self,
        phase: &Phase,
        work: impl Future<Output = Result<T, CommandError>>,
    ) -> Result<T, CommandError> {
        tokio::select! {
            biased;
            r = work => r,
            _ = self.hard_stop.cancelled() => Err(CommandError::aborted()),
            _ = tokio::time::sleep_until(self.deadline.at.into()) => {
                Err(self.deadline.missed(phase.what()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ErrorReason;

    #[tokio::test]
    async fn one_guard_times_out_with_the_phase_and_stops_on_the_hard_stop() {
        let stop = CancellationToken::new();
        let guard = Guard {
            deadline: Deadline::after(Duration::from_millis(20)),
            hard_stop: &stop,
        };
        let phase = Phase::command();
        let sending = async {
            phase.set_sending(true);
            std::future::pending::<Result<(), CommandError>>().await
        };
        let e = guard.run(&phase, sending).await.unwrap_err();
        assert_eq!(e.message, "could not send within 20ms");
        let phase = Phase::command();
        let e = guard
            .run(&phase, std::future::pending::<Result<(), CommandError>>())
            .await
            .unwrap_err();
        assert_eq!(e.message, "no answer within 20ms");

        let parent = CancellationToken::new();
        let session = parent.child_token();
        let guard = Guard {
            deadline: Deadline::after(Duration::from_secs(60)),
            hard_stop: &session,
        };
        let cancel = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            parent.cancel();
            std::future::pending::<Result<(), CommandError>>().await
        };
        let t = Instant::now();
        let e = guard.run(&Phase::command(), cancel).await.unwrap_err();
        assert_eq!(e.reason, ErrorReason::Aborted);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "the run's stop reaches the session's"
        );
        let ready = guard.run(&Phase::command(), async { Ok(7) }).await;
        assert_eq!(ready.unwrap(), 7, "work that is done wins over a stop");
    }
}
