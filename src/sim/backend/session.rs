//! One back-end connection: greeting, the state machine (not authenticated,
//! authenticated, selected), authentication, IDLE and the per-command worker
//! admission. Command bodies live in `commands`, `fetch` and `search`.

use std::sync::Arc;

use base64::Engine as _;
use imap_codec::decode::Decoder;
use imap_codec::imap_types::auth::AuthMechanism;
use imap_codec::imap_types::command::{Command, CommandBody};
use imap_codec::CommandCodec;
use rand::rngs::SmallRng;
use tokio::sync::watch;

use super::{capabilities, Backend, MAX_BADS};
use crate::command::CommandKind;
use crate::sim::io::{tag_of, verb_of, Conn, Incoming, MAX_LINE};
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

    fn caps(&self) -> String {
        capabilities(
            self.conn.tls,
            self.be.acceptor.is_some(),
            self.be.login_disabled_without_tls,
        )
    }

    fn login_disabled(&self) -> bool {
        self.be.login_disabled_without_tls && !self.conn.tls
    }

    /// Appends one response line (CRLF added).
    pub fn line(&mut self, s: impl AsRef<str>) {
        self.out.extend_from_slice(s.as_ref().as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    async fn flush(&mut self) -> std::io::Result<()> {
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
                if !matches!(mechanism, AuthMechanism::Plain) {
                    self.line(format!("{tag} NO [CANNOT] Only AUTH=PLAIN is supported"));
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
                self.authenticate(&tag, response.unwrap_or_default());
                return Next::Continue;
            }
            _ => {}
        }
        let kind = kind_of(&cmd);
        let _worker = self.admit(kind).await;
        self.dispatch(&tag, cmd).await
    }

    async fn admit(&mut self, kind: CommandKind) -> crate::sim::service::WorkerGuard {
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
            CommandBody::Create { .. }
            | CommandBody::Delete { .. }
            | CommandBody::Rename { .. } => {
                self.line(format!(
                    "{tag} NO [CANNOT] The folder set of the simulator is fixed"
                ));
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
            _ => return self.bad(tag, "Command not supported by the simulator"),
        }
        Next::Continue
    }

    fn login(&mut self, tag: &str, user: &str, pass: &str) {
        if !matches!(self.state, State::NotAuth) {
            self.bad(tag, "Already authenticated");
            return;
        }
        if self.login_disabled() {
            self.be.control.count_login(false);
            self.line(format!(
                "{tag} NO [PRIVACYREQUIRED] LOGIN is disabled before STARTTLS"
            ));
            return;
        }
        if self.be.control.refuse_logins() {
            self.be.control.count_login(false);
            self.line(format!(
                "{tag} NO [UNAVAILABLE] Logins are refused right now"
            ));
            return;
        }
        match self.be.store.login(user, pass) {
            Ok(account) => {
                self.be.control.count_login(true);
                self.state = State::Auth(account);
                let caps = capabilities(self.conn.tls, false, false);
                self.line(format!("{tag} OK [CAPABILITY {caps}] LOGIN completed."));
            }
            Err(_) => {
                self.be.control.count_login(false);
                self.line(format!(
                    "{tag} NO [AUTHENTICATIONFAILED] Authentication failed."
                ));
            }
        }
    }

    /// Sends `+ ` and reads the client's base64 line. `Ok(None)` when the
    /// exchange ended with an answer already queued (cancel, bad base64).
    async fn sasl_continuation(&mut self, tag: &str) -> Result<Option<Vec<u8>>, ()> {
        if !matches!(self.state, State::NotAuth) {
            self.bad(tag, "Already authenticated");
            return Ok(None);
        }
        self.line("+ ");
        self.flush().await.map_err(|_| ())?;
        let line = match self.conn.read_line(MAX_LINE).await {
            Ok(Some(Ok(l))) => l,
            Ok(Some(Err(()))) => {
                self.bad(tag, "Line too long");
                return Ok(None);
            }
            _ => return Err(()),
        };
        let text = line.trim_ascii();
        if text == b"*" {
            self.bad(tag, "AUTHENTICATE cancelled");
            return Ok(None);
        }
        match base64::engine::general_purpose::STANDARD.decode(text) {
            Ok(b) => Ok(Some(b)),
            Err(_) => {
                self.bad(tag, "Invalid base64");
                Ok(None)
            }
        }
    }

    fn authenticate(&mut self, tag: &str, response: Vec<u8>) {
        if !matches!(self.state, State::NotAuth) {
            self.bad(tag, "Already authenticated");
            return;
        }
        let mut parts = response.split(|b| *b == 0);
        let (_authz, user, pass) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(z), Some(u), Some(p), None) => (z, u, p),
            _ => {
                self.be.control.count_login(false);
                self.line(format!(
                    "{tag} NO [AUTHENTICATIONFAILED] Malformed PLAIN response."
                ));
                return;
            }
        };
        let (user, pass) = (
            String::from_utf8_lossy(user).into_owned(),
            String::from_utf8_lossy(pass).into_owned(),
        );
        self.login(tag, &user, &pass);
    }

    async fn starttls(&mut self, tag: &str, raw: &[u8]) -> Next {
        let _worker = self.admit(CommandKind::StartTls).await;
        let line_end = raw
            .iter()
            .position(|b| *b == b'\r' || *b == b'\n')
            .unwrap_or(raw.len());
        if raw[..line_end].split(|b| *b == b' ').count() != 2 {
            return self.bad(tag, "STARTTLS takes no arguments");
        }
        let Some(acceptor) = self.be.acceptor.clone().filter(|_| !self.conn.tls) else {
            return self.bad(tag, "STARTTLS not available on this connection");
        };
        if !matches!(self.state, State::NotAuth) {
            return self.bad(tag, "STARTTLS only before authentication");
        }
        self.line(format!("{tag} OK Begin TLS negotiation now"));
        if self.flush().await.is_err() || self.conn.start_tls(&acceptor).await.is_err() {
            return Next::Close;
        }
        Next::Continue
    }

    async fn idle(&mut self, tag: &str) -> Next {
        if matches!(self.state, State::NotAuth) {
            return self.bad(tag, "Command received in Invalid state.");
        }
        self.line("+ idling");
        self.sync(true);
        if self.flush().await.is_err() {
            return Next::Close;
        }
        loop {
            let mut rx = match &self.state {
                State::Selected(s) => Some(s.rx.clone()),
                _ => None,
            };
            let changed = async {
                match rx.as_mut() {
                    Some(rx) => rx.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                line = self.conn.read_line(MAX_LINE) => {
                    match line {
                        Ok(Some(Ok(l))) if l.trim_ascii().eq_ignore_ascii_case(b"DONE") => {
                            self.sync(true);
                            self.line(format!("{tag} OK IDLE terminated"));
                        }
                        Ok(Some(_)) => {
                            self.bad(tag, "Expected DONE");
                        }
                        _ => return Next::Close,
                    }
                    return Next::Continue;
                }
                alive = changed => {
                    if !alive {
                        return Next::Close;
                    }
                    self.sync(true);
                    if self.flush().await.is_err() {
                        return Next::Close;
                    }
                }
            }
        }
    }

    /// Tells the client about changes made by other sessions: new messages
    /// (`EXISTS`) always, expunged ones (`EXPUNGE`) only when
    /// `allow_expunge` (RFC 3501 7.4.1 forbids them during FETCH, STORE and
    /// SEARCH, where they would shift the numbers the client is using).
    pub fn sync(&mut self, allow_expunge: bool) {
        let State::Selected(sel) = &mut self.state else {
            return;
        };
        let version = *sel.rx.borrow_and_update();
        if version == sel.seen_version {
            return;
        }
        let mut lines = Vec::new();
        {
            let mb = sel.folder.lock();
            if allow_expunge {
                for i in (0..sel.view.len()).rev() {
                    if mb.position(sel.view[i]).is_none() {
                        sel.view.remove(i);
                        lines.push(format!("* {} EXPUNGE", i + 1));
                    }
                }
                sel.seen_version = version;
            }
            let max = sel.view.last().copied().unwrap_or(0);
            let before = sel.view.len();
            sel.view
                .extend(mb.messages.iter().filter(|m| m.uid > max).map(|m| m.uid));
            if sel.view.len() != before {
                lines.push(format!("* {} EXISTS", sel.view.len()));
            }
        }
        for l in lines {
            self.line(l);
        }
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

/// The timing row a command belongs to (see [`CommandKind`]).
pub fn kind_of(cmd: &Command) -> CommandKind {
    match &cmd.body {
        CommandBody::Capability => CommandKind::Capability,
        CommandBody::Noop | CommandBody::Check => CommandKind::Noop,
        CommandBody::Logout => CommandKind::Logout,
        CommandBody::Login { .. } => CommandKind::Login,
        CommandBody::Authenticate { .. } => CommandKind::Authenticate,
        CommandBody::Select { .. } => CommandKind::Select,
        CommandBody::Examine { .. } => CommandKind::Examine,
        CommandBody::List { .. } => CommandKind::List,
        CommandBody::Lsub { .. } => CommandKind::Lsub,
        CommandBody::Status { .. } => CommandKind::Status,
        CommandBody::Append { .. } => CommandKind::Append,
        CommandBody::Expunge => CommandKind::Expunge,
        CommandBody::Close | CommandBody::Unselect => CommandKind::Close,
        CommandBody::Idle => CommandKind::Idle,
        CommandBody::Search { uid: true, .. } => CommandKind::UidSearch,
        CommandBody::Search { .. } => CommandKind::Search,
        CommandBody::Store { uid: true, .. } => CommandKind::UidStore,
        CommandBody::Store { .. } => CommandKind::Store,
        CommandBody::Copy { .. } => CommandKind::Copy,
        CommandBody::Fetch { uid: true, .. } => CommandKind::UidFetch,
        CommandBody::Fetch {
            macro_or_item_names,
            ..
        } => super::fetch::kind_of_items(macro_or_item_names),
        _ => CommandKind::Noop,
    }
}
