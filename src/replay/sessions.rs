//! The dispatcher's view of the logged sessions: what the look-ahead has
//! seen of each (its user, whether it is a probe, whether it upgraded with
//! STARTTLS, whether its log opened it), and, once it is due, the scripted
//! session it became (or why it was left out). Each logged command becomes
//! a step of its session, or is counted as skipped with its reason.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::command::CommandKind;
use crate::engine::scripted::{Action, Overrides, Script, Step};
use crate::plan::LoginMethod;

use super::classify::{classify, Class};
use super::event::{Event, Logged, Role, SessionKey, What};
use super::mapper::{stable_hash, MailboxMap, UserMap};
use super::tally::{Reason, Tally, ADDED};

/// How sessions are made from the log.
pub struct Rules {
    /// Log time -> run time: run start, log time at the start, speed.
    pub start: Instant,
    /// Log time (µs) replayed at `start`.
    pub t0_us: i64,
    /// Log seconds per run second.
    pub speed: f64,
    /// Share of sessions replayed (`--sample`).
    pub sample: f64,
    /// Leave Exchange's probe sessions out.
    pub filter_probes: bool,
    /// Folder DELETE / RENAME may be sent (embedded servers, or `--allow-destructive`).
    pub destructive_ok: bool,
    /// A logged STARTTLS can be done (some path is plain or STARTTLS).
    pub starttls_ok: bool,
    /// Path override (`--via`).
    pub via: Option<Role>,
    /// Each server's role.
    pub roles: HashMap<u32, Role>,
    /// Users.
    pub users: UserMap,
    /// Mailboxes.
    pub mailboxes: MailboxMap,
    /// The login method of an added login.
    pub login: LoginMethod,
    /// APPEND size when the log has none.
    pub append_size: usize,
    /// IDLE hold when the log has none.
    pub idle: Duration,
}

impl Rules {
    /// When a log time is due in the run.
    pub fn due(&self, at_us: i64) -> Instant {
        let us = (at_us - self.t0_us).max(0) as f64 / self.speed;
        self.start + Duration::from_micros(us as u64)
    }
}

/// What the look-ahead saw of a session.
#[derive(Debug, Default)]
struct Seen {
    user: Option<String>,
    probe: bool,
    starttls: bool,
    opened: bool,
}

enum State {
    Running {
        tx: mpsc::UnboundedSender<Step>,
        logged_in: bool,
    },
    Left(Reason),
}

/// Every session known to the dispatcher.
pub struct Sessions {
    rules: Rules,
    seen: HashMap<SessionKey, Seen>,
    state: HashMap<SessionKey, State>,
    messages: HashMap<usize, Arc<[u8]>>,
    seed: u64,
}

/// Commands valid before a login: a session without a logged login gets
/// one added before its first other command.
fn before_login(kind: CommandKind) -> bool {
    use CommandKind as K;
    matches!(
        kind,
        K::Capability | K::Noop | K::Id | K::Logout | K::StartTls
    )
}

impl Sessions {
    /// No sessions yet.
    pub fn new(rules: Rules, seed: u64) -> Sessions {
        Sessions {
            rules,
            seen: HashMap::new(),
            state: HashMap::new(),
            messages: HashMap::new(),
            seed,
        }
    }

    /// The rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Sessions running now.
    pub fn live(&self) -> usize {
        self.state
            .values()
            .filter(|s| matches!(s, State::Running { .. }))
            .count()
    }

    /// Notes what an event read ahead says about its session.
    pub fn note(&mut self, e: &Event) {
        let seen = self.seen.entry(e.session).or_default();
        match &e.what {
            What::Open => seen.opened = true,
            What::Command(l) => {
                if seen.user.is_none() {
                    seen.user = l.user.clone();
                }
                let user = l.user.as_deref().unwrap_or("");
                let login_probe = l.verb == "LOGIN" && starts_health(&l.args);
                seen.probe |= starts_health(user) || l.tag.as_deref() == Some("z") || login_probe;
                seen.starttls |= l.verb == "STARTTLS";
            }
            What::Close | What::NotCommand(_) => {}
        }
    }

    /// Dispatches one due event; a session it starts is returned, for the engine.
    pub fn dispatch(&mut self, e: Event, tally: &mut Tally) -> Option<Script> {
        let mut started = None;
        match e.what {
            What::Open => {
                started = self.start(e.session, e.at_us, tally);
            }
            What::Close => {
                self.state.remove(&e.session);
                self.seen.remove(&e.session);
            }
            What::NotCommand(name) => {
                let label = tally.label(&name);
                tally.logged(label, None);
                tally.skip(label, Reason::NotACommand);
            }
            What::Command(l) => {
                if !self.state.contains_key(&e.session) {
                    started = self.start(e.session, e.at_us, tally);
                }
                self.command(e.session, e.at_us, l, tally);
            }
        }
        started
    }

    /// Ends every session still open (the end of the logs).
    pub fn close_all(&mut self) {
        self.state.clear();
        self.seen.clear();
    }

    fn start(&mut self, key: SessionKey, at_us: i64, tally: &mut Tally) -> Option<Script> {
        let seen = self.seen.remove(&key).unwrap_or_default();
        let hash = stable_hash(
            &[
                key.server.to_le_bytes(),
                (key.id as u32).to_le_bytes(),
                ((key.id >> 32) as u32).to_le_bytes(),
            ]
            .concat(),
        );
        let left = if self.rules.filter_probes && seen.probe {
            Some(Reason::Probe)
        } else if (hash % 1_000_000) as f64 >= self.rules.sample * 1e6 {
            Some(Reason::SampledOut)
        } else {
            None
        };
        let connect = tally.label(CommandKind::Connect.label());
        if seen.opened {
            tally.logged(connect, None);
        }
        if let Some(why) = left {
            if seen.opened {
                tally.skip(connect, why);
            }
            self.state.insert(key, State::Left(why));
            return None;
        }
        tally.sessions += 1;
        tally.fragments += u64::from(!seen.opened);
        let role = self
            .rules
            .via
            .or(self.rules.roles.get(&key.server).copied())
            .unwrap_or(Role::FrontEnd);
        let (tx, rx) = mpsc::unbounded_channel();
        let script = Script {
            due: self.rules.due(at_us),
            user: self.rules.users.map(seen.user.as_deref(), hash),
            via_cas: role == Role::FrontEnd,
            starttls: Some(seen.starttls),
            connect_label: Some(if seen.opened {
                connect
            } else {
                connect | ADDED
            }),
            steps: rx,
        };
        self.state.insert(
            key,
            State::Running {
                tx,
                logged_in: false,
            },
        );
        Some(script)
    }

    fn command(&mut self, key: SessionKey, at_us: i64, l: Logged, tally: &mut Tally) {
        let class = classify(&l.verb, &l.args);
        let name = class.kind().map_or(l.verb.as_str(), |k| k.label());
        let label = tally.label(name);
        tally.logged(label, l.duration_us);
        let (tx, was_logged_in) = match self.state.get(&key) {
            Some(State::Running { tx, logged_in }) => (tx.clone(), *logged_in),
            Some(State::Left(why)) => return tally.skip(label, *why),
            None => return tally.skip(label, Reason::Stopped),
        };
        let due = self.rules.due(at_us);
        let mut logged_in = was_logged_in;
        let action = match class {
            Class::Unknown => return tally.skip(label, Reason::Unknown),
            Class::StartTls if self.rules.starttls_ok => return tally.replayed_by_opening(label),
            Class::StartTls => return tally.skip(label, Reason::SecurityByUrl),
            Class::Replay(CommandKind::Delete | CommandKind::Rename)
                if !self.rules.destructive_ok =>
            {
                return tally.skip(label, Reason::Destructive)
            }
            Class::Login(method) => {
                logged_in = true;
                Action::Login(method)
            }
            Class::Replay(kind) => {
                if !logged_in && !before_login(kind) {
                    logged_in = true;
                    let added = tally.label(CommandKind::Login.label()) | ADDED;
                    let _ = tx.send(Step {
                        due,
                        label: added,
                        action: Action::Login(self.rules.login),
                    });
                }
                Action::Command {
                    kind,
                    over: self.overrides(kind, &l),
                }
            }
        };
        if tx.send(Step { due, label, action }).is_err() {
            tally.skip(label, Reason::SessionEnded);
        }
        if let Some(State::Running { logged_in: l, .. }) = self.state.get_mut(&key) {
            *l = logged_in;
        }
    }

    /// Mailbox, APPEND message at the logged size, IDLE hold at the logged time / speed.
    fn overrides(&mut self, kind: CommandKind, l: &Logged) -> Overrides {
        use CommandKind as K;
        let mut over = Overrides::default();
        if matches!(kind, K::Select | K::Examine | K::Status | K::Append) {
            over.mailbox = Some(self.rules.mailboxes.map(&l.args));
        }
        if kind == K::Append {
            let size = super::conversation::literal_at_end(l.args.trim_end())
                .or(l.request_bytes)
                .map_or(self.rules.append_size, |n| n as usize)
                .clamp(64, 32 << 20);
            if self.messages.len() > 64 {
                self.messages.clear();
            }
            let seed = self.seed;
            let msg = self
                .messages
                .entry(size)
                .or_insert_with(|| Arc::from(crate::engine::cmd::synthetic_message(size, seed)));
            over.append = Some(msg.clone());
        }
        if kind == K::Idle {
            let logged = l
                .duration_us
                .map(|us| Duration::from_micros((us as f64 / self.rules.speed) as u64));
            over.idle_hold = Some(logged.unwrap_or(self.rules.idle));
        }
        over
    }
}

fn starts_health(s: &str) -> bool {
    s.trim_start_matches('"')
        .get(..13)
        .is_some_and(|p| p.eq_ignore_ascii_case("healthmailbox"))
}
