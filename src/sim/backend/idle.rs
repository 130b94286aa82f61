//! IDLE (RFC 2177): pushing `EXISTS` / `EXPUNGE` and flag changes
//! (`FETCH (FLAGS ...)`) caused by other sessions of the same user as they
//! happen, until DONE.

use super::flags::flag_list;
use super::session::{InMailbox, Next, Selected, Session, State};
use crate::sim::io::MAX_LINE;
use crate::sim::store::Mailbox;

impl Session {
    pub(super) async fn idle(&mut self, tag: &str) -> Next {
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
}

impl InMailbox<'_> {
    /// Tells the client about changes made by other sessions: flag changes
    /// (`FETCH (FLAGS ...)`, with MODSEQ under CONDSTORE) and new messages
    /// (`EXISTS`) always, expunged ones (`EXPUNGE`) only when
    /// `allow_expunge` (RFC 3501 7.4.1 forbids them during FETCH, STORE and
    /// SEARCH, where they would shift the numbers the client is using).
    pub fn sync(&mut self, allow_expunge: bool) {
        let sel = &mut *self.sel;
        let version = *sel.rx.borrow_and_update();
        if version == sel.seen_version {
            return;
        }
        let mut lines = Vec::new();
        {
            let folder = sel.folder.clone();
            let mb = folder.lock();
            if allow_expunge {
                for i in (0..sel.view.len()).rev() {
                    if mb.position(sel.view[i]).is_none() {
                        sel.view.remove(i);
                        lines.push(format!("* {} EXPUNGE", i + 1));
                    }
                }
                sel.seen_version = version;
            }
            if mb.highest_modseq > sel.known_modseq {
                flag_changes(sel, &mb, &mut lines);
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

/// `* n FETCH (UID u FLAGS ...)` for each message in the session's view
/// whose MODSEQ is past what the session knows; it then knows them all.
/// The UID is always there: RFC 3501 6.4.8 wants it in any FETCH a UID
/// command causes, and these may go out during one.
fn flag_changes(sel: &mut Selected, mb: &Mailbox, lines: &mut Vec<String>) {
    for (i, uid) in sel.view.iter().enumerate() {
        let Some(m) = mb.position(*uid).map(|p| &mb.messages[p]) else {
            continue;
        };
        if m.modseq > sel.known_modseq {
            let modseq = if sel.condstore {
                format!(" MODSEQ ({})", m.modseq)
            } else {
                String::new()
            };
            let flags = flag_list(m.flags);
            lines.push(format!(
                "* {} FETCH (UID {uid} FLAGS {flags}{modseq})",
                i + 1
            ));
        }
    }
    sel.known_modseq = mb.highest_modseq;
}
