//! One back-end connection: greeting, the state machine (not authenticated,
//! authenticated, selected), authentication, IDLE and the per-command worker
//! admission. Command bodies live in `commands`, `fetch` and `search`.

use std::sync::Arc;

use imap_codec::decode::Decoder;
use imap_codec::imap_types::auth::AuthMechanism;
use imap_codec::imap_types::command::{Command, CommandBody};
use imap_codec::CommandCodec;
use rand::rngs::SmallRng;
use tokio::sync::watch;

use super::kinds::{kind_of, Undecoded};
use super::{capabilities, Backend, MAX_BADS};
use crate::command::CommandKind;
use crate::sim::io::{tag_of, verb_of, Conn, Incoming};
use crate::sim::oauth::Bearer;
use crate::sim::service::connection_rng;
use crate::sim::store::{Account, Folder};

/// A selected mailbox as this session sees it.
pub(super) struct Selected {
    pub account: Arc<Account>,
    pub folder: Arc<Folder>,
    pub read_only: bool,
    /// UIDs in sequence-number order, as last told to the client.
    pub view: Vec<u32>,
    pub rx: watch::Receiver<u64>,
    pub seen_version: u64,
}

pub(super) enum State {
    NotAuth,
    Auth(Arc<Account>),
    Selected(Selected),
}

/// What a handler wants the session loop to do next.
#[derive(PartialEq, Eq)]
pub(super) enum Next {
    Continue,
    Close,
}

pub(super) struct Session {
    pub be: Arc<Backend>,
    pub conn: Conn,
    pub rng: SmallRng,
    pub state: State,
    pub out: Vec<u8>,
    bads: u32,
}

impl Session {
    pub fn new(be: Arc<Backend>, conn: Conn, n: u64) -> Session {
        let rng = connection_rng(be.seed ^ crate::sim::message::hash_str(&be.name), n);
        Session {
            be,
            conn,
            rng,
            state: State::NotAuth,
            out: Vec::with_capacity(1024),
            bads: 0,
        }
    }

    pub(super) fn caps(&self) -> String {
        capabilities(
            self.conn.tls,
            self.be.acceptor.is_some(),
            self.be.login_disabled_without_tls,
        )
    }

    pub(super) fn login_disabled(&self) -> bool {
        self.be.login_disabled_without_tls && !self.conn.tls
    }

    /// Appends one response line (CRLF added).
    pub fn line(&mut self, s: impl AsRef<str>) {
        self.out.extend_from_slice(s.as_ref().as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    pub(super) async fn flush(&mut self) -> std::io::Result<()> {
        let r = self.conn.send(&self.out).await;
        self.out.clear();
        if self.out.capacity() > 64 * 1024 {
            self.out = Vec::with_capacity(1024);
        }
        r
    }

    pub async fn run(mut self) {
        let greeting = format!(
            "* OK [CAPABILITY {}] imapload mailbox server {} ready",
            self.caps(),
            self.be.name
        );
        self.line(greeting);
        if self.flush().await.is_err() {
            return;
        }
        loop {
            let next = match self.conn.read_command().await {
                Err(_) | Ok(Incoming::Eof) => return,
                Ok(Incoming::LineTooLong) => self.bad("*", "Line too long"),
                Ok(Incoming::LiteralRefused(cmd)) => self.bad(&tag_of(&cmd), "Literal too large"),
                Ok(Incoming::LiteralTooLarge(_)) => {
                    self.line("* BYE Literal too large");
                    Next::Close
                }
                Ok(Incoming::Command(cmd)) => self.command(&cmd).await,
            };
            if self.bads >= MAX_BADS {
                self.line("* BYE Too many invalid commands");
                let _ = self.flush().await;
                return;
            }
            if self.flush().await.is_err() || next == Next::Close {
                return;
            }
        }
    }

    pub fn bad(&mut self, tag: &str, why: &str) -> Next {
        self.bads += 1;
        self.line(format!("{tag} BAD {why}"));
        Next::Continue
    }

    async fn command(&mut self, raw: &[u8]) -> Next {
        let tag = tag_of(raw);
        if verb_of(raw) == "STARTTLS" {
            return self.starttls(&tag, raw).await;
        }
        if let Some(cmd) = Undecoded::of(raw) {
            return self.undecoded(&tag, cmd, raw).await;
        }
        let cmd = match CommandCodec::new().decode(raw) {
            Ok((&[], cmd)) => cmd,
            _ => {
                let verb = verb_of(raw);
                let why = if verb.is_empty() {
                    "Missing command".to_string()
                } else {
                    format!("Invalid {verb} command")
                };
                return self.bad(&tag, &why);
            }
        };
        match &cmd.body {
            CommandBody::Idle => return self.idle(&tag).await,
            CommandBody::Authenticate {
                mechanism,
                initial_response,
            } => {
                let bearer = Bearer::of(mechanism);
                if bearer.is_none() && !matches!(mechanism, AuthMechanism::Plain) {
                    let only = "Only AUTH=PLAIN, XOAUTH2 and OAUTHBEARER are supported";
                    self.line(format!("{tag} NO [CANNOT] {only}"));
                    return Next::Continue;
                }
                let response = match initial_response {
                    Some(r) => Some(r.declassify().to_vec()),
                    None => match self.sasl_continuation(&tag).await {
                        Ok(Some(r)) => Some(r),
                        Ok(None) => return Next::Continue,
                        Err(()) => return Next::Close,
                    },
                };
                let _worker = self.admit(CommandKind::Authenticate).await;
                let response = response.unwrap_or_default();
                return match bearer {
                    Some(mech) => self.authenticate_bearer(&tag, mech, &response).await,
                    None => {
                        self.authenticate(&tag, response);
                        Next::Continue
                    }
                };
            }
            _ => {}
        }
        let kind = kind_of(&cmd);
        let _worker = self.admit(kind).await;
        self.dispatch(&tag, cmd).await
    }

    pub(super) async fn admit(&mut self, kind: CommandKind) -> crate::sim::service::WorkerGuard {
        let base = self.be.model.sample(kind, &mut self.rng);
        self.be.control.admit(base).await
    }

    async fn dispatch(&mut self, tag: &str, cmd: Command<'_>) -> Next {
        let authenticated = !matches!(self.state, State::NotAuth);
        let selected = matches!(self.state, State::Selected(_));
        match cmd.body {
            CommandBody::Capability => {
                let caps = self.caps();
                self.line(format!("* CAPABILITY {caps}"));
                self.line(format!("{tag} OK CAPABILITY completed"));
            }
            CommandBody::Noop | CommandBody::Check => {
                self.sync(true);
                self.line(format!(
                    "{tag} OK {} completed",
                    if matches!(cmd.body, CommandBody::Noop) {
                        "NOOP"
                    } else {
                        "CHECK"
                    }
                ));
            }
            CommandBody::Logout => {
                self.line("* BYE imapload mailbox server logging out");
                self.line(format!("{tag} OK LOGOUT completed"));
                return Next::Close;
            }
            CommandBody::Login { username, password } => {
                let user = String::from_utf8_lossy(username.as_ref()).into_owned();
                let pass = String::from_utf8_lossy(password.declassify().as_ref()).into_owned();
                self.login(tag, &user, &pass);
            }
            _ if !authenticated => {
                return self.bad(tag, "Command received in Invalid state.");
            }
            CommandBody::Select { mailbox } => self.select(tag, &mailbox_name(&mailbox), false),
            CommandBody::Examine { mailbox } => self.select(tag, &mailbox_name(&mailbox), true),
            CommandBody::List {
                reference,
                mailbox_wildcard,
            } => self.list(
                tag,
                "LIST",
                &mailbox_name(&reference),
                &list_pattern(&mailbox_wildcard),
            ),
            CommandBody::Lsub {
                reference,
                mailbox_wildcard,
            } => self.list(
                tag,
                "LSUB",
                &mailbox_name(&reference),
                &list_pattern(&mailbox_wildcard),
            ),
            CommandBody::Status {
                mailbox,
                item_names,
            } => self.status(tag, &mailbox_name(&mailbox), &item_names),
            CommandBody::Append {
                mailbox,
                flags,
                date,
                message,
            } => {
                let date = date.map(|d| d.as_ref().timestamp());
                self.append(tag, &mailbox_name(&mailbox), &flags, date, message.data());
            }
            CommandBody::Subscribe { .. } | CommandBody::Unsubscribe { .. } => {
                self.line(format!("{tag} OK Subscriptions are fixed"));
            }
            CommandBody::Create { mailbox } => self.create(tag, &mailbox_name(&mailbox)),
            CommandBody::Delete { mailbox } => self.delete(tag, &mailbox_name(&mailbox)),
            CommandBody::Rename { from, to } => {
                self.rename(tag, &mailbox_name(&from), &mailbox_name(&to))
            }
            // RFC 5161 3.1: authenticated state only. The simulator
            // supports no extension that needs enabling, so it enables none.
            CommandBody::Enable { .. } if selected => {
                return self.bad(tag, "ENABLE is valid only before SELECT")
            }
            CommandBody::Enable { .. } => {
                self.line("* ENABLED");
                self.line(format!("{tag} OK ENABLE completed"));
            }
            _ if !selected && is_selected_only(&cmd.body) => {
                return self.bad(tag, "No mailbox selected")
            }
            CommandBody::Close => self.close(tag, true),
            CommandBody::Unselect => self.close(tag, false),
            CommandBody::Expunge => self.expunge(tag),
            CommandBody::Fetch {
                sequence_set,
                macro_or_item_names,
                uid,
            } => self.fetch(tag, &sequence_set, macro_or_item_names, uid),
            CommandBody::Search { criteria, uid, .. } => self.search(tag, &criteria, uid),
            CommandBody::Store {
                sequence_set,
                kind,
                response,
                flags,
                uid,
            } => self.store(tag, &sequence_set, &kind, &response, &flags, uid),
            CommandBody::Copy {
                sequence_set,
                mailbox,
                uid,
            } => self.copy(tag, &sequence_set, &mailbox_name(&mailbox), uid),
            CommandBody::Move {
                sequence_set,
                mailbox,
                uid,
            } => self.move_to(tag, &sequence_set, &mailbox_name(&mailbox), uid),
            // Answered before dispatch (they need the connection itself).
            CommandBody::Idle | CommandBody::Authenticate { .. } => {
                return self.bad(tag, "Command not supported here")
            }
            CommandBody::Compress { .. }
            | CommandBody::GetQuota { .. }
            | CommandBody::GetQuotaRoot { .. }
            | CommandBody::SetQuota { .. } => {
                return self.bad(tag, "Command not supported by the simulator")
            }
        }
        Next::Continue
    }
}

fn is_selected_only(body: &CommandBody) -> bool {
    matches!(
        body,
        CommandBody::Close
            | CommandBody::Unselect
            | CommandBody::Expunge
            | CommandBody::Fetch { .. }
            | CommandBody::Search { .. }
            | CommandBody::Store { .. }
            | CommandBody::Copy { .. }
            | CommandBody::Move { .. }
    )
}

/// A LIST pattern as bytes.
fn list_pattern(p: &imap_codec::imap_types::mailbox::ListMailbox) -> Vec<u8> {
    use imap_codec::imap_types::mailbox::ListMailbox;
    match p {
        ListMailbox::Token(t) => t.as_ref().to_vec(),
        ListMailbox::String(s) => s.as_ref().to_vec(),
    }
}

/// A mailbox argument as text.
pub(super) fn mailbox_name(m: &imap_codec::imap_types::mailbox::Mailbox) -> String {
    use imap_codec::imap_types::mailbox::Mailbox;
    match m {
        Mailbox::Inbox => "INBOX".to_string(),
        Mailbox::Other(o) => String::from_utf8_lossy(o.as_ref()).into_owned(),
    }
}
