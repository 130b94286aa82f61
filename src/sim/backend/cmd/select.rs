//! SELECT mailbox (RFC 3501 6.3.1), which opens it read-write, clearing
//! \Recent, and EXAMINE mailbox (6.3.2), which opens it read-only, \Recent
//! kept.

use std::sync::Arc;

use imap_codec::imap_types::mailbox::Mailbox;

use crate::sim::backend::flags::flag_list;
use crate::sim::backend::session::{mailbox_name, Next, Selected, Session, State};
use crate::sim::store::{flags, Account};

/// What opening a mailbox tells the client beside the messages' UIDs.
struct Opened {
    view: Vec<u32>,
    recent: usize,
    first_unseen: Option<usize>,
    uid_validity: u32,
    uid_next: u32,
    highest_modseq: u64,
    /// QRESYNC: `* n FETCH` lines of the messages changed since the
    /// client's MODSEQ (no VANISHED: expunged UIDs are not remembered).
    changed: Vec<String>,
}

/// SELECT (`read_only` false) or EXAMINE: the untagged data, the tagged OK
/// with `[READ-WRITE]` / `[READ-ONLY]`, and the selected state.
pub(super) fn open(
    s: &mut Session,
    tag: &str,
    account: Arc<Account>,
    mailbox: &Mailbox<'_>,
    read_only: bool,
) -> Next {
    let name = &mailbox_name(mailbox);
    let verb = if read_only { "EXAMINE" } else { "SELECT" };
    let Some(folder) = account.folder(name).cloned() else {
        s.state = State::Auth(account);
        s.line(format!("{tag} NO [NONEXISTENT] No such mailbox"));
        return Next::Continue;
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
            highest_modseq: mb.highest_modseq,
            changed: resync(&mb, s.modifiers.qresync),
        }
    };
    let condstore = s.condstore;
    untagged(s, &o, read_only);
    if condstore {
        s.line(format!("* OK [HIGHESTMODSEQ {}] Highest", o.highest_modseq));
    }
    for line in &o.changed {
        s.line(line);
    }
    let code = if read_only { "READ-ONLY" } else { "READ-WRITE" };
    s.line(format!("{tag} OK [{code}] {verb} completed"));
    s.state = State::Selected(Selected {
        account,
        folder,
        read_only,
        view: o.view,
        rx,
        seen_version: version,
        condstore,
        known_modseq: o.highest_modseq,
    });
    Next::Continue
}

/// The FETCH lines QRESYNC (RFC 7162 3.2.5) owes a client that knew the
/// mailbox at `known` (uidvalidity, modseq): every message changed since,
/// when the UIDVALIDITY still matches.
fn resync(mb: &crate::sim::store::Mailbox, known: Option<(u32, u64)>) -> Vec<String> {
    let Some((_, modseq)) = known.filter(|(v, _)| *v == mb.uid_validity) else {
        return Vec::new();
    };
    mb.messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.modseq > modseq)
        .map(|(i, m)| {
            let flags = flag_list(m.flags);
            format!(
                "* {} FETCH (UID {} FLAGS {flags} MODSEQ ({}))",
                i + 1,
                m.uid,
                m.modseq
            )
        })
        .collect()
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
