//! A scripted session's life on its connection: connect, TLS and greeting as
//! any session, then each step at its due time; a step whose command is not
//! valid in the mailbox state as it is gets what a client sends first (a
//! login, a SELECT), reported as added; a step needing an extension the
//! server lacks is skipped. The session ends after LOGOUT or when its script
//! ends (a logged session that just closed its connection).

use std::time::Instant;

use crate::command::CommandKind;
use crate::imap::conn::Connection;
use crate::results::ErrorReason;

use super::cmd::spec;
use super::due::wait_until;
use super::failure::FailedCommand;
use super::mailbox::MailboxState;
use super::scripted::{drain, Action, Script, Skip, Step, StepOutcome, StepResult};
use super::session::{Session, SessionEnd};

/// At most this many commands added before one step (SELECT, then APPEND
/// into an empty mailbox, then a CREATE: the longest chain of preconditions).
const MAX_ADDED: usize = 3;

/// Whether the server offers what `kind` needs (capabilities not known count as offered).
fn offered(kind: CommandKind, mbox: &MailboxState) -> bool {
    match &spec(kind).extension {
        Some(ext) => mbox
            .capabilities
            .as_ref()
            .is_none_or(|c| c.offers(ext.atom)),
        None => true,
    }
}

fn sent(label: u32, due: Instant, ok: bool) -> StepResult {
    StepResult {
        label,
        outcome: StepOutcome::Sent {
            latency: Instant::now().saturating_duration_since(due),
            ok,
        },
    }
}

impl Session<'_> {
    /// Runs a script to its end; results go into `out`.
    pub(super) async fn run_script(
        mut self,
        script: &mut Script,
        out: &mut Vec<StepResult>,
    ) -> SessionEnd {
        let (mut conn, connected) = match self.connect(script.due).await {
            Ok(c) => c,
            Err(failed) => {
                if let Some(label) = script.connect_label {
                    out.push(sent(label, script.due, false));
                }
                drain(&mut script.steps, Skip::SessionFailed, out).await;
                return self.ended(None, failed);
            }
        };
        if let Some(label) = script.connect_label {
            out.push(StepResult {
                label,
                outcome: StepOutcome::Sent {
                    latency: connected.saturating_duration_since(script.due),
                    ok: true,
                },
            });
        }
        let r = match self.open(&mut conn, connected).await {
            Ok(_) => self.follow(&mut conn, script, out).await,
            Err(failed) => Err(failed),
        };
        let end = match r {
            Ok(end) => end,
            Err(failed) => {
                drain(&mut script.steps, Skip::SessionFailed, out).await;
                self.ended(Some(&mut conn), failed)
            }
        };
        conn.shutdown().await;
        end
    }

    /// The steps, each at its due time, until LOGOUT or the end of the script.
    async fn follow(
        &mut self,
        conn: &mut Connection,
        script: &mut Script,
        out: &mut Vec<StepResult>,
    ) -> Result<SessionEnd, FailedCommand> {
        loop {
            let step = tokio::select! {
                s = script.steps.recv() => s,
                _ = self.stop.soft.cancelled() => None,
            };
            let Some(step) = step else {
                if self.stop.soft.is_cancelled() {
                    drain(&mut script.steps, Skip::Stopped, out).await;
                    return Ok(SessionEnd::Stopped);
                }
                return Ok(SessionEnd::Completed);
            };
            if step.due >= self.ctx.deadline || !wait_until(step.due, &self.stop.soft).await {
                out.push(StepResult {
                    label: step.label,
                    outcome: StepOutcome::Skipped(Skip::Stopped),
                });
                drain(&mut script.steps, Skip::Stopped, out).await;
                return Ok(SessionEnd::Stopped);
            }
            if self.step(conn, &step, out).await? {
                drain(&mut script.steps, Skip::AfterLogout, out).await;
                return Ok(SessionEnd::Completed);
            }
        }
    }

    /// Sends one step (and what it needs first); `true` after LOGOUT.
    async fn step(
        &mut self,
        conn: &mut Connection,
        step: &Step,
        out: &mut Vec<StepResult>,
    ) -> Result<bool, FailedCommand> {
        let (kind, over) = match &step.action {
            Action::Login(method) => {
                self.over.login = Some(*method);
                let r = self.login(conn, step.due).await;
                self.over.login = None;
                return self.settle(r, step, out).map(|_| false);
            }
            Action::Command { kind, over } => (*kind, over),
        };
        if !offered(kind, &self.mbox) {
            out.push(StepResult {
                label: step.label,
                outcome: StepOutcome::Skipped(Skip::NotOffered),
            });
            return Ok(false);
        }
        for _ in 0..MAX_ADDED {
            let Some(first) = (spec(kind).instead)(&self.mbox).filter(|k| *k != kind) else {
                break;
            };
            let r = self.simple(conn, first, Instant::now()).await;
            out.push(StepResult {
                label: step.label,
                outcome: StepOutcome::Added(first),
            });
            match r {
                Err(f) if !matches!(f.error.reason, ErrorReason::No | ErrorReason::Bad) => {
                    return Err(f)
                }
                _ => {}
            }
        }
        self.over.mailbox = over.mailbox.clone();
        self.over.append = over.append.clone();
        self.over.idle_hold = over.idle_hold;
        let r = self.simple(conn, kind, step.due).await;
        let starttls = self.over.starttls;
        self.over = Default::default();
        self.over.starttls = starttls;
        self.settle(r, step, out)?;
        Ok(kind == CommandKind::Logout)
    }

    /// Reports a sent step; a NO or BAD leaves the session going, anything
    /// else ends it.
    fn settle(
        &self,
        r: Result<Instant, FailedCommand>,
        step: &Step,
        out: &mut Vec<StepResult>,
    ) -> Result<(), FailedCommand> {
        match r {
            Ok(done) => {
                out.push(StepResult {
                    label: step.label,
                    outcome: StepOutcome::Sent {
                        latency: done.saturating_duration_since(step.due),
                        ok: true,
                    },
                });
                Ok(())
            }
            Err(f) => {
                out.push(sent(step.label, step.due, false));
                match f.error.reason {
                    ErrorReason::No | ErrorReason::Bad => Ok(()),
                    _ => Err(f),
                }
            }
        }
    }
}
