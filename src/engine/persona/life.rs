//! One persona connection's life: connect (TLS, greeting as any session),
//! the persona's connect lines, discovery once per device, its mailbox
//! opened, then its mode: IDLE left for new mail and polls, polling, or a
//! short session; logout; back-off after a failure. Every timer is client
//! time divided by the run's time scale.

use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::Rng;

use crate::command::CommandKind;
use crate::imap::conn::Connection;
use crate::plan::persona::{ConnectionSpec, Line, Mode, Persona};
use crate::results::ErrorReason;

use super::super::failure::FailedCommand;
use super::super::guard::SessionStop;
use super::super::session::{SeatBuffers, Session};
use super::burst::burstable;
use super::idle::{sends_wanted, Woke};
use super::wire::Known;
use super::{Device, Runtime};

/// One connection of a device, for the whole run.
pub async fn connection(
    rt: &Runtime,
    dev: &Device,
    spec: &ConnectionSpec,
    instance: u32,
    primary: bool,
    mut rng: SmallRng,
) {
    let ctx = &*rt.ctx;
    let persona = &rt.personas[dev.persona];
    let mailbox = match spec.folders.len() {
        n if spec.count > 1 && n > 0 => spec.folders[instance as usize % n].clone(),
        _ => spec.mailbox.clone(),
    };
    let stagger = match spec.mode {
        Mode::Session => spec.every,
        _ => rt.stagger,
    };
    let mut next = Instant::now() + rt.wall(stagger).mul_f64(rng.random::<f64>());
    let mut failures = 0usize;
    let mut remembered_uid = 0u32;
    loop {
        if !super::super::due::wait_until(next, &ctx.soft_stop).await || ctx.load_stopped() {
            return;
        }
        if !rt.online(dev.user_rank) {
            next = Instant::now() + Duration::from_millis(200);
            continue;
        }
        let mut known = Known {
            mailbox: mailbox.clone(),
            primary,
            highest_uid: remembered_uid,
            ..Known::default()
        };
        let r = live(rt, dev, persona, spec, &mut known, &mut rng).await;
        if spec.mode == Mode::Session {
            remembered_uid = known.highest_uid;
        }
        let wait = match r {
            Ok(()) => {
                failures = 0;
                rt.jittered(spec.every, spec.jitter, &mut rng)
            }
            Err(()) => {
                failures += 1;
                let b = &persona.backoff;
                rt.wall(b[(failures - 1).min(b.len() - 1)])
            }
        };
        next = Instant::now() + wait;
    }
}

/// One connection from connect to logout; `Err` after a failure (recorded).
async fn live(
    rt: &Runtime,
    dev: &Device,
    persona: &Persona,
    spec: &ConnectionSpec,
    known: &mut Known,
    rng: &mut SmallRng,
) -> Result<(), ()> {
    let ctx = &*rt.ctx;
    let (user, _) = ctx.users.at(dev.user);
    let stop = SessionStop::new(ctx);
    let mut bufs = SeatBuffers::default();
    let profile = ctx.profile_of(dev.user);
    let mut session = Session::new(ctx, &stop, dev.route, user, profile, &mut bufs, rng);
    let c = &ctx.counters;
    c.started.fetch_add(1, Relaxed);
    c.active.fetch_add(1, Relaxed);
    let tally = &rt.tallies[dev.persona];
    tally.connections.fetch_add(1, Relaxed);
    tally.open.fetch_add(1, Relaxed);
    let now_dev = dev.active.fetch_add(1, Relaxed) + 1;
    tally.max_per_device.fetch_max(now_dev, Relaxed);
    let now_user = rt.user_active[dev.user_rank].fetch_add(1, Relaxed) + 1;
    tally.max_per_user.fetch_max(now_user, Relaxed);
    let r = session
        .persona_connection(rt, dev, persona, spec, known)
        .await;
    tally.open.fetch_sub(1, Relaxed);
    dev.active.fetch_sub(1, Relaxed);
    rt.user_active[dev.user_rank].fetch_sub(1, Relaxed);
    c.active.fetch_sub(1, Relaxed);
    if r.is_err() {
        // A connection ends at its first failure: one error each.
        tally.errors.fetch_add(1, Relaxed);
    }
    match r {
        Ok(()) => {
            c.completed.fetch_add(1, Relaxed);
            Ok(())
        }
        Err(f) if f.error.reason == ErrorReason::Aborted => {
            c.aborted.fetch_add(1, Relaxed);
            Err(())
        }
        Err(_) => {
            c.failed.fetch_add(1, Relaxed);
            Err(())
        }
    }
}

impl Session<'_> {
    /// Connect, open, the mode's work, logout.
    async fn persona_connection(
        &mut self,
        rt: &Runtime,
        dev: &Device,
        persona: &Persona,
        spec: &ConnectionSpec,
        known: &mut Known,
    ) -> Result<(), FailedCommand> {
        let (mut conn, connected) = self.connect(Instant::now()).await?;
        let r: Result<(), FailedCommand> = async {
            let ready = self.open(&mut conn, connected).await?;
            // The greeting's capabilities count until login ([NOCAPS]).
            known.observe(&conn.last_response());
            let mut at = self
                .lines(&mut conn, known, rt, dev, &persona.connect, ready)
                .await?;
            if !dev.discovered.swap(true, Relaxed) {
                at = self
                    .lines(&mut conn, known, rt, dev, &persona.discover, at)
                    .await?;
            }
            let before = known.highest_uid;
            at = self
                .lines(&mut conn, known, rt, dev, &spec.open, at)
                .await?;
            let at = match spec.mode {
                Mode::Session => {
                    let at = (self.after_poll(&mut conn, known, rt, dev, spec, before, at)).await?;
                    self.send(&mut conn, known, rt, dev, at).await?
                }
                Mode::Poll | Mode::Idle => self.steady(&mut conn, known, rt, dev, spec).await?,
            };
            self.lines(&mut conn, known, rt, dev, &persona.logout, at)
                .await?;
            Ok(())
        }
        .await;
        if let Err(f) = &r {
            self.ended(Some(&mut conn), f.clone());
        }
        conn.shutdown().await;
        r
    }

    /// Runs `lines` in order (a list naming `{folder}` once per folder of
    /// the connection); lines whose condition fails are left out.
    pub(super) async fn lines(
        &mut self,
        conn: &mut Connection,
        known: &mut Known,
        rt: &Runtime,
        dev: &Device,
        lines: &[Line],
        mut at: Instant,
    ) -> Result<Instant, FailedCommand> {
        let persona = &rt.personas[dev.persona];
        let tally = &rt.tallies[dev.persona];
        let folders: Vec<String> = match lines.iter().any(|l| l.per_folder) {
            true => dev.folders_of(persona, &known.mailbox),
            false => vec![String::new()],
        };
        let depth = persona.pipeline.max(1) as usize;
        for folder in folders {
            known.folder = folder;
            let mut rest = lines;
            while let Some((line, after)) = rest.split_first() {
                rest = after;
                if !known.wants(line) {
                    continue;
                }
                if depth > 1 && burstable(line) {
                    // The burstable lines that follow (and are wanted) go with it.
                    let run = rest.iter().take_while(|l| burstable(l)).count();
                    let (more, after) = rest.split_at(run.min(depth - 1));
                    let mut burst = vec![line];
                    burst.extend(more.iter().filter(|l| known.wants(l)));
                    rest = after;
                    let prefix = &persona.tag_prefix;
                    at = self.burst(conn, known, tally, &burst, at, prefix).await?;
                    continue;
                }
                at = self
                    .line(conn, known, tally, line, at, &persona.tag_prefix)
                    .await?;
                if line.kind == CommandKind::Compress {
                    conn.start_compress();
                }
            }
        }
        Ok(at)
    }

    /// After a poll or a session's open: new mail found runs the persona's
    /// new-mail lines (and maybe a read).
    #[allow(clippy::too_many_arguments)]
    async fn after_poll(
        &mut self,
        conn: &mut Connection,
        known: &mut Known,
        rt: &Runtime,
        dev: &Device,
        spec: &ConnectionSpec,
        before: u32,
        at: Instant,
    ) -> Result<Instant, FailedCommand> {
        let newest = known.uidnext.saturating_sub(1).max(known.highest_uid);
        if !spec.new_mail || newest <= before {
            return Ok(at);
        }
        known.highest_uid = before;
        let persona = &rt.personas[dev.persona];
        rt.tallies[dev.persona].poll_fetches.fetch_add(1, Relaxed);
        let at = self
            .lines(conn, known, rt, dev, &persona.new_mail, at)
            .await?;
        known.highest_uid = known.highest_uid.max(newest);
        self.maybe_read(conn, known, rt, dev, at).await
    }

    async fn maybe_read(
        &mut self,
        conn: &mut Connection,
        known: &mut Known,
        rt: &Runtime,
        dev: &Device,
        at: Instant,
    ) -> Result<Instant, FailedCommand> {
        let persona = &rt.personas[dev.persona];
        if persona.read.is_empty() || !self.rng.random_bool(persona.read_share) {
            return Ok(at);
        }
        let delay = rt.wall(persona.read_delay);
        if !super::super::due::wait_until(Instant::now() + delay, &self.stop.soft).await {
            return Ok(at);
        }
        rt.tallies[dev.persona].reads.fetch_add(1, Relaxed);
        let mut at = Instant::now();
        match &persona.chunked {
            Some(c) if known.last_size > c.above => {
                for offset in (0..known.last_size).step_by(c.size as usize) {
                    known.chunk = format!("{offset}.{}", c.size);
                    at = self.lines(conn, known, rt, dev, &c.lines, at).await?;
                }
            }
            _ => at = self.lines(conn, known, rt, dev, &persona.read, at).await?,
        }
        // At most one action on the message just read, by the actions' shares.
        let mut u: f64 = self.rng.random();
        for action in &persona.after_read {
            if u < action.share {
                return self.lines(conn, known, rt, dev, &action.lines, at).await;
            }
            u -= action.share;
        }
        Ok(at)
    }

    /// Poll and Idle: until the run stops or the lifetime ends.
    async fn steady(
        &mut self,
        conn: &mut Connection,
        known: &mut Known,
        rt: &Runtime,
        dev: &Device,
        spec: &ConnectionSpec,
    ) -> Result<Instant, FailedCommand> {
        let end = spec.lifetime.map(|l| Instant::now() + rt.wall(l));
        // The poll keeps its own schedule: new mail and sends in between do not move it.
        let mut poll_at = Instant::now() + rt.jittered(spec.every, spec.jitter, self.rng);
        loop {
            let until = end.map_or(poll_at, |e| e.min(poll_at));
            let woke = match spec.mode {
                Mode::Idle => {
                    (self.persona_idle(conn, known, rt, dev, until, spec.new_mail)).await?
                }
                _ => self.wait(until, known.primary.then_some(dev)).await,
            };
            match woke {
                Woke::Stop => return Ok(Instant::now()),
                Woke::Send => {
                    self.send(conn, known, rt, dev, Instant::now()).await?;
                }
                Woke::NewMail => {
                    let persona = &rt.personas[dev.persona];
                    rt.tallies[dev.persona].idle_fetches.fetch_add(1, Relaxed);
                    let at = self
                        .lines(conn, known, rt, dev, &persona.new_mail, Instant::now())
                        .await?;
                    self.maybe_read(conn, known, rt, dev, at).await?;
                }
                Woke::Timer => {
                    // The lifetime ran out, or the user went offline (the
                    // day's curve fell): log out, come back later.
                    let over = end.is_some_and(|e| Instant::now() >= e);
                    if over || !rt.online(dev.user_rank) {
                        return Ok(Instant::now());
                    }
                    let before = known.highest_uid;
                    let at = self
                        .lines(conn, known, rt, dev, &spec.poll, poll_at)
                        .await?;
                    self.after_poll(conn, known, rt, dev, spec, before, at)
                        .await?;
                    poll_at = Instant::now() + rt.jittered(spec.every, spec.jitter, self.rng);
                }
            }
        }
    }

    /// Waits for `until`, the run's stop, or (the device's primary
    /// connection) a message to send.
    async fn wait(&self, until: Instant, sender: Option<&Device>) -> Woke {
        tokio::select! {
            on_time = super::super::due::wait_until(until, &self.stop.soft) => match on_time {
                true => Woke::Timer,
                false => Woke::Stop,
            },
            _ = sends_wanted(sender) => Woke::Send,
        }
    }

    /// The messages the user wrote on this device, APPENDed to Sent (the
    /// primary connection only).
    async fn send(
        &mut self,
        conn: &mut Connection,
        known: &mut Known,
        rt: &Runtime,
        dev: &Device,
        mut at: Instant,
    ) -> Result<Instant, FailedCommand> {
        let persona = &rt.personas[dev.persona];
        if !known.primary || persona.send.is_empty() {
            return Ok(at);
        }
        let n = dev.sends.swap(0, Relaxed);
        for _ in 0..n {
            at = self.lines(conn, known, rt, dev, &persona.send, at).await?;
            rt.tallies[dev.persona].sends.fetch_add(1, Relaxed);
        }
        Ok(at)
    }
}
