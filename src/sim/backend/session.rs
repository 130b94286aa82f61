//! One back-end connection: greeting, the state machine (not authenticated,
//! authenticated, selected) and the per-command worker admission. Each
//! command is recognised and answered by `cmd/`.

use std::sync::Arc;

use imap_codec::decode::Decoder;
use imap_codec::CommandCodec;
use rand::rngs::SmallRng;
use tokio::sync::watch;

use super::cmd::{serve_by_verb, serve_decoded};
use super::condstore::{self, Modifiers};
use super::{authenticated_capabilities, capabilities, Backend, MAX_BADS};
use crate::command::CommandKind;
use crate::sim::io::{tag_of, verb_of, Conn, Incoming};
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
    /// CONDSTORE is on for this mailbox (ENABLEd, or used since SELECT):
    /// flag changes are reported with their MODSEQ.
    pub condstore: bool,
    /// The highest MODSEQ whose flag changes this session was told of (or
    /// made itself): later ones are pushed as `* n FETCH (FLAGS ...)`.
    pub known_modseq: u64,
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
    /// CONDSTORE was enabled (ENABLE CONDSTORE / QRESYNC, or used).
    pub condstore: bool,
    /// The RFC 7162 parts of the command being served.
    pub modifiers: Modifiers,
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
            condstore: false,
            modifiers: Modifiers::default(),
        }
    }

    /// The capability list for the session as it is now: before login,
    /// STARTTLS / LOGINDISABLED where they apply; after it, the
    /// authenticated list.
    pub(super) fn caps(&self) -> String {
        if !matches!(self.state, State::NotAuth) {
            return authenticated_capabilities();
        }
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
        push_line(&mut self.out, s.as_ref());
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
        bad(&mut self.out, &mut self.bads, tag, why)
    }

    /// Answers one command: by its verb when imap-codec 1.0 does not decode
    /// it, else decoded; BAD when it does not parse.
    async fn command(&mut self, raw: &[u8]) -> Next {
        let tag = tag_of(raw);
        let stripped = condstore::strip(raw);
        let raw = match stripped {
            Some((ref rest, ref modifiers)) => {
                self.modifiers = modifiers.clone();
                if modifiers.enables_condstore() && !matches!(self.state, State::NotAuth) {
                    self.condstore = true;
                    if let State::Selected(sel) = &mut self.state {
                        sel.condstore = true;
                    }
                }
                &rest[..]
            }
            None => {
                self.modifiers = Modifiers::default();
                raw
            }
        };
        if let Some(next) = serve_by_verb(self, &tag, raw).await {
            return next;
        }
        match CommandCodec::new().decode(raw) {
            Ok((&[], cmd)) => serve_decoded(self, &tag, cmd.body).await,
            _ => {
                let verb = verb_of(raw);
                let why = if verb.is_empty() {
                    "Missing command".to_string()
                } else {
                    format!("Invalid {verb} command")
                };
                self.bad(&tag, &why)
            }
        }
    }

    /// Waits for a worker of the back end's pool; the service time of
    /// `kind` is drawn from the model and spent holding it.
    pub(super) async fn admit(&mut self, kind: CommandKind) -> crate::sim::service::WorkerGuard {
        let base = self.be.model.sample(kind, &mut self.rng);
        self.be.control.admit(base).await
    }

    /// The account of an authenticated session.
    pub(super) fn account(&self) -> Option<Arc<Account>> {
        match &self.state {
            State::NotAuth => None,
            State::Auth(a) => Some(a.clone()),
            State::Selected(s) => Some(s.account.clone()),
        }
    }

    /// Back to the authenticated state (CLOSE, UNSELECT): the mailbox left,
    /// `None` (and no change) when none was selected.
    pub(super) fn leave_mailbox(&mut self) -> Option<Selected> {
        match std::mem::replace(&mut self.state, State::NotAuth) {
            State::Selected(sel) => {
                self.state = State::Auth(sel.account.clone());
                Some(sel)
            }
            other => {
                self.state = other;
                None
            }
        }
    }

    /// The session as a command of the selected state sees it, `None` when
    /// no mailbox is selected.
    pub(super) fn in_mailbox(&mut self) -> Option<InMailbox<'_>> {
        let Session {
            be,
            state: State::Selected(sel),
            out,
            bads,
            modifiers,
            ..
        } = self
        else {
            return None;
        };
        Some(InMailbox {
            be,
            sel,
            out,
            bads,
            modifiers,
        })
    }

    /// Tells the client what other sessions changed in the selected mailbox
    /// (see [`InMailbox::sync`]); nothing when none is selected.
    pub fn sync(&mut self, allow_expunge: bool) {
        if let Some(mut m) = self.in_mailbox() {
            m.sync(allow_expunge);
        }
    }
}

/// A session with a mailbox selected, as a command of the selected state is
/// handed it: the mailbox, and where its answer goes.
pub(super) struct InMailbox<'a> {
    /// The back end (its store renders messages).
    pub be: &'a Backend,
    /// The selected mailbox.
    pub sel: &'a mut Selected,
    /// The session's output buffer.
    pub out: &'a mut Vec<u8>,
    bads: &'a mut u32,
    /// The RFC 7162 parts of the command being served.
    pub modifiers: &'a Modifiers,
}

impl InMailbox<'_> {
    /// Appends one response line (CRLF added).
    pub fn line(&mut self, s: impl AsRef<str>) {
        push_line(self.out, s.as_ref());
    }

    /// A BAD answer, counted against the connection like the session's.
    pub fn bad(&mut self, tag: &str, why: &str) -> Next {
        bad(self.out, self.bads, tag, why)
    }
}

fn push_line(out: &mut Vec<u8>, line: &str) {
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn bad(out: &mut Vec<u8>, bads: &mut u32, tag: &str, why: &str) -> Next {
    *bads += 1;
    push_line(out, &format!("{tag} BAD {why}"));
    Next::Continue
}

/// A mailbox argument as text.
pub(super) fn mailbox_name(m: &imap_codec::imap_types::mailbox::Mailbox) -> String {
    use imap_codec::imap_types::mailbox::Mailbox;
    match m {
        Mailbox::Inbox => "INBOX".to_string(),
        Mailbox::Other(o) => String::from_utf8_lossy(o.as_ref()).into_owned(),
    }
}
