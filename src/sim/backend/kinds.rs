//! Which timing row a command belongs to, and the commands imap-codec 1.0
//! does not decode (recognised by their verb). Kept apart from the session
//! loop so adding a command touches one short file here.

use imap_codec::imap_types::command::{Command, CommandBody};

use super::session::{Next, Session, State};
use crate::command::CommandKind;
use crate::sim::io::verb_of;

/// A command imap-codec 1.0 cannot decode, answered from its verb.
#[derive(Clone, Copy)]
pub(super) enum Undecoded {
    /// ID (RFC 2971); the client's parameters are not kept.
    Id,
    /// NAMESPACE (RFC 2342): one personal namespace, no others.
    Namespace,
    /// UID EXPUNGE set (RFC 4315): imap-codec 1.0 has no UIDPLUS.
    UidExpunge,
}

impl Undecoded {
    /// The undecoded command `raw` is, if it is one (by its verb).
    pub(super) fn of(raw: &[u8]) -> Option<Undecoded> {
        match verb_of(raw).as_str() {
            "ID" => Some(Undecoded::Id),
            "NAMESPACE" => Some(Undecoded::Namespace),
            "UID" if second_word_is(raw, b"EXPUNGE") => Some(Undecoded::UidExpunge),
            _ => None,
        }
    }

    /// Its timing row.
    fn kind(self) -> CommandKind {
        match self {
            Undecoded::Id => CommandKind::Id,
            Undecoded::Namespace => CommandKind::Namespace,
            Undecoded::UidExpunge => CommandKind::UidExpunge,
        }
    }
}

/// Whether the word after the verb (`tag UID EXPUNGE ...`) is `word`.
fn second_word_is(raw: &[u8], word: &[u8]) -> bool {
    let line = raw.split(|b| *b == b'\r' || *b == b'\n').next();
    line.and_then(|l| l.split(|b| *b == b' ').nth(2))
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
}

impl Session {
    /// Commands imap-codec 1.0 does not decode, recognised by their verb and
    /// timed as their own row.
    pub(super) async fn undecoded(&mut self, tag: &str, cmd: Undecoded, raw: &[u8]) -> Next {
        let _worker = self.admit(cmd.kind()).await;
        match cmd {
            Undecoded::Id => {
                self.line("* ID (\"name\" \"imapload\" \"vendor\" \"imapload simulator\")");
                self.line(format!("{tag} OK ID completed"));
            }
            Undecoded::Namespace if matches!(self.state, State::NotAuth) => {
                return self.bad(tag, "Command received in Invalid state.");
            }
            Undecoded::Namespace => {
                self.line("* NAMESPACE ((\"\" \"/\")) NIL NIL");
                self.line(format!("{tag} OK NAMESPACE completed"));
            }
            Undecoded::UidExpunge if matches!(self.state, State::NotAuth) => {
                return self.bad(tag, "Command received in Invalid state.");
            }
            Undecoded::UidExpunge => self.uid_expunge(tag, raw),
        }
        Next::Continue
    }
}

/// The timing row a command belongs to (see [`CommandKind`]): which
/// service time the worker model draws. Every decoded command is matched by
/// name (no fallback), so a command imap-codec learns to decode cannot
/// silently get NOOP's service time.
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
        CommandBody::Close => CommandKind::Close,
        CommandBody::Unselect => CommandKind::Unselect,
        CommandBody::Enable { .. } => CommandKind::Enable,
        CommandBody::Create { .. } => CommandKind::Create,
        CommandBody::Delete { .. } => CommandKind::Delete,
        CommandBody::Rename { .. } => CommandKind::Rename,
        // Not modelled on their own yet: timed like the cheap bookkeeping
        // command they resemble. Each is named so a new decoded command
        // makes the compiler ask where it belongs.
        CommandBody::Subscribe { .. }
        | CommandBody::Unsubscribe { .. }
        | CommandBody::Compress { .. }
        | CommandBody::GetQuota { .. }
        | CommandBody::GetQuotaRoot { .. }
        | CommandBody::SetQuota { .. } => CommandKind::Noop,
        CommandBody::Move { .. } => CommandKind::Move,
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
    }
}
