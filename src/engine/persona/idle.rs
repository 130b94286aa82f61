//! A persona connection's IDLE (RFC 2177): entered after its work, left
//! with DONE for new mail pushed by the server (`* N EXISTS`), its poll
//! timer, the user's own mail to send, or the run's stop.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use crate::command::CommandKind;
use crate::imap::client;
use crate::imap::conn::Connection;
use crate::imap::response::Response;
use crate::results::ErrorReason;

use super::super::failure::{CommandError, FailedCommand};
use super::super::guard::Phase;
use super::super::session::Session;
use super::wire::{answer, failure, Known};
use super::{Device, Runtime};

impl Session<'_> {
    /// IDLE until `until`, new mail (when the connection `react`s to it) or
    /// the run's stop; DONE and its OK.
    /// Recorded as the engine records IDLE: time to the continuation plus
    /// time from DONE to the tagged OK.
    pub(super) async fn persona_idle(
        &mut self,
        conn: &mut Connection,
        known: &mut Known,
        rt: &Runtime,
        dev: &Device,
        until: Instant,
        react: bool,
    ) -> Result<Woke, FailedCommand> {
        let tally = &rt.tallies[dev.persona];
        let persona = &rt.personas[dev.persona];
        known.tag += 1;
        let tag = format!("{}{}", persona.tag_prefix, known.tag);
        let intended = Instant::now();
        let begin = enter(conn, &tag, known);
        let began = self.guard().run(&Phase::command(), begin).await;
        let began = began.map_err(|e| self.fail(CommandKind::Idle, e))?;
        let entered = Instant::now();
        conn.park();
        let exists = known.exists;
        let known_primary = known.primary;
        let held = self.ctx.queues.hold(self.route, CommandKind::Idle);
        let woke = {
            let mut obs = |r: &Response<'_>| -> Result<(), ()> {
                known.observe(r);
                if react && known.exists > exists {
                    return Err(());
                }
                Ok(())
            };
            let watch = client::watch(conn, &mut obs);
            tokio::select! {
                biased;
                e = watch => match e {
                    client::ClientError::Observer(()) => Ok(Woke::NewMail),
                    other => Err(failure(other)),
                },
                _ = self.stop.soft.cancelled() => Ok(Woke::Stop),
                _ = tokio::time::sleep_until(until.into()) => Ok(Woke::Timer),
                _ = sends_wanted(known_primary.then_some(dev)) => Ok(Woke::Send),
            }
        };
        drop(held);
        let woke = woke.map_err(|e| self.fail(CommandKind::Idle, e))?;
        if matches!(woke, Woke::NewMail) {
            tally.exists_pushed.fetch_add(1, Relaxed);
        }
        let done = leave(conn, &tag, known);
        let done_sent = self.guard().run(&Phase::command(), done).await;
        let done_sent = done_sent.map_err(|e| self.fail(CommandKind::Idle, e))?;
        let tail = Instant::now().saturating_duration_since(done_sent);
        self.ctx.recorder.record_ok(
            self.route,
            CommandKind::Idle,
            entered.saturating_duration_since(intended) + tail,
            entered.saturating_duration_since(began) + tail,
        );
        tally.command(entered.saturating_duration_since(intended) + tail);
        Ok(woke)
    }
}

/// Sends IDLE and waits for its continuation; returns when it was sent.
async fn enter(
    conn: &mut Connection,
    tag: &str,
    known: &mut Known,
) -> Result<Instant, CommandError> {
    conn.send(format!("{tag} IDLE\r\n").as_bytes())
        .await
        .map_err(|e| CommandError::transport(&e))?;
    let sent = Instant::now();
    let expect = client::Expect {
        tag: client::Tag::Text(tag.as_bytes()),
        on_continue: client::OnContinue::Return,
        on_bye: client::OnBye::Fail,
    };
    let mut obs = |r: &Response<'_>| -> Result<(), CommandError> {
        known.observe(r);
        Ok(())
    };
    match client::read(conn, &expect, &mut obs)
        .await
        .map_err(failure)?
    {
        client::Reply::Continue => Ok(sent),
        client::Reply::Tagged(s) => {
            answer(conn, s)?;
            Err(CommandError::new(
                ErrorReason::Protocol,
                "IDLE ended without a continuation",
            ))
        }
    }
}

/// Sends DONE and reads IDLE's tagged OK; returns when DONE was sent.
async fn leave(
    conn: &mut Connection,
    tag: &str,
    known: &mut Known,
) -> Result<Instant, CommandError> {
    conn.send(b"DONE\r\n")
        .await
        .map_err(|e| CommandError::transport(&e))?;
    let sent = Instant::now();
    let expect = client::Expect::tagged(client::Tag::Text(tag.as_bytes()));
    let mut obs = |r: &Response<'_>| -> Result<(), CommandError> {
        known.observe(r);
        Ok(())
    };
    match client::read(conn, &expect, &mut obs)
        .await
        .map_err(failure)?
    {
        client::Reply::Tagged(st) => answer(conn, st).map(|()| sent),
        client::Reply::Continue => Err(CommandError::new(
            ErrorReason::Protocol,
            "continuation after DONE",
        )),
    }
}

/// What ended a wait.
pub(super) enum Woke {
    /// The poll timer (or the lifetime).
    Timer,
    /// New mail was pushed during IDLE.
    NewMail,
    /// The run stops.
    Stop,
    /// The user wrote a message on this device.
    Send,
}

/// Resolves when `dev` has a message to send (never without a device).
pub(super) async fn sends_wanted(dev: Option<&Device>) {
    let Some(dev) = dev else {
        return std::future::pending().await;
    };
    loop {
        if dev.sends.load(Relaxed) > 0 {
            return;
        }
        dev.send_wake.notified().await;
    }
}
