//! SELECT mailbox (RFC 3501 6.3.1): opens it read-write, clearing \Recent.

use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{mailbox_name, Next, Selected, Session, State};
use crate::sim::store::flags;

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Select { .. }";
/// Base IMAP4rev1.
pub(super) const ADVERTISE: &[&str] = &[];
/// Authenticated or selected (a new SELECT replaces the selection).
pub(super) const STATE: Needs = Needs::Authenticated;

/// Its timing row.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    Some(CommandKind::Select)
}

/// Opens the mailbox read-write.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Select { mailbox } = body else {
        return s.misrouted(tag);
    };
    open(s, tag, &mailbox_name(mailbox), false);
    Next::Continue
}

/// What opening a mailbox tells the client beside the messages' UIDs.
struct Opened {
    view: Vec<u32>,
    recent: usize,
    first_unseen: Option<usize>,
    uid_validity: u32,
    uid_next: u32,
}

/// SELECT (`read_only` false) or EXAMINE: the untagged data, the tagged OK
/// with `[READ-WRITE]` / `[READ-ONLY]`, and the selected state.
pub(super) fn open(s: &mut Session, tag: &str, name: &str, read_only: bool) {
    let account = s.account().expect("authenticated");
    let verb = if read_only { "EXAMINE" } else { "SELECT" };
    let Some(folder) = account.folder(name).cloned() else {
        s.state = State::Auth(account);
        s.line(format!("{tag} NO [NONEXISTENT] No such mailbox"));
        return;
    };
    let mut rx = folder.changes.subscribe();
    let version = *rx.borrow_and_update();
    let o = {
        let mut mb = folder.lock();
        let recent = mb
            .messages
            .iter()
            .filter(|m| m.flags & flags::RECENT != 0)
            .count();
        if !read_only {
            mb.messages
                .iter_mut()
                .for_each(|m| m.flags &= !flags::RECENT);
        }
        Opened {
            view: mb.messages.iter().map(|m| m.uid).collect(),
            recent,
            first_unseen: mb.messages.iter().position(|m| m.flags & flags::SEEN == 0),
            uid_validity: mb.uid_validity,
            uid_next: mb.uid_next,
        }
    };
    untagged(s, &o, read_only);
    let code = if read_only { "READ-ONLY" } else { "READ-WRITE" };
    s.line(format!("{tag} OK [{code}] {verb} completed"));
    s.state = State::Selected(Selected {
        account,
        folder,
        read_only,
        view: o.view,
        rx,
        seen_version: version,
    });
}

fn untagged(s: &mut Session, o: &Opened, read_only: bool) {
    s.line("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
    s.line(format!("* {} EXISTS", o.view.len()));
    s.line(format!("* {} RECENT", o.recent));
    if let Some(i) = o.first_unseen {
        s.line(format!("* OK [UNSEEN {}] First unseen", i + 1));
    }
    s.line(format!("* OK [UIDVALIDITY {}] UIDs valid", o.uid_validity));
    s.line(format!("* OK [UIDNEXT {}] Predicted next UID", o.uid_next));
    if read_only {
        s.line("* OK [PERMANENTFLAGS ()] Read-only mailbox");
    } else {
        s.line("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] Limited");
    }
}
