//! One file per IMAP command the embedded back end answers (`<command>.rs`):
//! how the session recognises it (`DECODED`, a pattern over imap-codec's
//! decoded `CommandBody`, or `VERB`, the words after the tag, for what
//! imap-codec 1.0 does not decode), the capability atoms it advertises
//! (`ADVERTISE`), the state it is valid in (`STATE`), the timing row whose
//! service time it costs (`row`) and its handler (`handle`).
//!
//! `build.rs` lists the files and generates their module declarations, the
//! advertised list and the two dispatchers below: an exhaustive match over
//! `CommandBody` (no fallback, so no command silently gets another's row) and
//! a match on the verb.

use std::sync::OnceLock;

use imap_codec::imap_types::command::CommandBody;

use super::session::{Next, Session, State};
use crate::command::CommandKind;
use crate::sim::service::WorkerGuard;

include!(concat!(env!("OUT_DIR"), "/server_commands.rs"));

/// The state a command is valid in (RFC 3501 section 3).
pub(super) enum Needs {
    /// Any state, before login too.
    Any,
    /// Authenticated or selected.
    Authenticated,
    /// A selected mailbox.
    Selected,
}

/// The capability atoms the command files advertise, space-separated, in
/// file order (computed once).
pub(super) fn advertised() -> &'static str {
    static LIST: OnceLock<String> = OnceLock::new();
    LIST.get_or_init(|| {
        let atoms: Vec<&str> = ADVERTISED.iter().flat_map(|a| a.iter().copied()).collect();
        atoms.join(" ")
    })
}

/// The first two words after the tag, upper-cased, for [`serve_by_verb`].
struct VerbWords {
    first: String,
    second: String,
}

impl VerbWords {
    fn of(raw: &[u8]) -> VerbWords {
        let line_end = memchr::memchr(b'\n', raw).unwrap_or(raw.len());
        let mut words = raw[..line_end]
            .split(|b| *b == b' ')
            .map(|w| w.strip_suffix(b"\r").unwrap_or(w));
        words.next();
        let mut word = || {
            let w = words.next().unwrap_or_default();
            String::from_utf8_lossy(&w[..w.len().min(32)]).to_ascii_uppercase()
        };
        let first = word();
        VerbWords {
            first,
            second: word(),
        }
    }
}

impl Session {
    /// Waits for a worker when the command has a row (`None`: its handler
    /// admits itself, or it holds no worker, like IDLE).
    async fn admit_row(&mut self, row: Option<CommandKind>) -> Option<WorkerGuard> {
        match row {
            Some(kind) => Some(self.admit(kind).await),
            None => None,
        }
    }

    /// The BAD answer of a command sent in a state it is not valid in.
    fn refused(&mut self, tag: &str, needs: Needs) -> Option<Next> {
        let why = match (needs, &self.state) {
            (Needs::Any, _) => return None,
            (Needs::Authenticated | Needs::Selected, State::NotAuth) => {
                "Command received in Invalid state."
            }
            (Needs::Selected, State::Auth(_)) => "No mailbox selected",
            (Needs::Authenticated, State::Auth(_) | State::Selected(_))
            | (Needs::Selected, State::Selected(_)) => return None,
        };
        Some(self.bad(tag, why))
    }

    /// The answer when the dispatcher handed a handler another command's
    /// body (a pattern in a file that does not match its handler).
    pub(super) fn misrouted(&mut self, tag: &str) -> Next {
        self.bad(tag, "Command dispatched to the wrong handler")
    }
}
