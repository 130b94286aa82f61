//! Mailbox-level commands: SELECT/EXAMINE, LIST/LSUB, STATUS, APPEND, CLOSE,
//! UNSELECT, EXPUNGE, STORE and COPY.

use std::sync::Arc;

use imap_codec::imap_types::flag::{Flag, StoreResponse, StoreType};
use imap_codec::imap_types::sequence::SequenceSet;
use imap_codec::imap_types::status::StatusDataItemName;

use super::moves::file_into;
use super::seqset::{format_uids, resolve};
use super::session::{Selected, Session, State};
use crate::sim::store::{flags, Account, Body, Message, FOLDERS};

/// `(\Seen \Answered ...)` for a flag byte.
pub(super) fn flag_list(f: u8) -> String {
    let mut out = Vec::with_capacity(32);
    write_flags(&mut out, f);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends a flag list `(\Seen \Flagged)` to `out` without allocating:
/// FETCH answers write one per message.
pub(super) fn write_flags(out: &mut Vec<u8>, f: u8) {
    out.push(b'(');
    let mut first = true;
    for (bit, name) in flags::NAMES {
        if f & bit != 0 {
            if !first {
                out.push(b' ');
            }
            first = false;
            out.extend_from_slice(name.as_bytes());
        }
    }
    if f & flags::RECENT != 0 {
        if !first {
            out.push(b' ');
        }
        out.extend_from_slice(b"\\Recent");
    }
    out.push(b')');
}

/// The bits of the system flags in `list` (keywords are not kept).
fn flag_bits(list: &[Flag]) -> u8 {
    list.iter()
        .map(|f| match f {
            Flag::Seen => flags::SEEN,
            Flag::Answered => flags::ANSWERED,
            Flag::Flagged => flags::FLAGGED,
            Flag::Deleted => flags::DELETED,
            Flag::Draft => flags::DRAFT,
            _ => 0,
        })
        .fold(0, |a, b| a | b)
}

/// LIST pattern match: `*` and `%` match any run of characters (the folder
/// set is flat, so the two only differ in hierarchy we do not have).
pub(super) fn wildcard(pattern: &[u8], name: &[u8]) -> bool {
    // Dynamic programming over name prefixes: linear in the pattern, so a
    // hostile pattern of thousands of `*` costs nothing.
    let mut reach = vec![false; name.len() + 1];
    reach[0] = true;
    for &p in pattern {
        if p == b'*' || p == b'%' {
            for i in 1..=name.len() {
                reach[i] |= reach[i - 1];
            }
        } else {
            for i in (1..=name.len()).rev() {
                reach[i] = reach[i - 1] && name[i - 1] == p;
            }
            reach[0] = false;
        }
    }
    reach[name.len()]
}

impl Session {
    pub(super) fn account(&self) -> Option<Arc<Account>> {
        match &self.state {
            State::NotAuth => None,
            State::Auth(a) => Some(a.clone()),
            State::Selected(s) => Some(s.account.clone()),
        }
    }

    pub(super) fn select(&mut self, tag: &str, name: &str, read_only: bool) {
        let account = self.account().expect("authenticated");
        let verb = if read_only { "EXAMINE" } else { "SELECT" };
        let Some(folder) = account.folder(name).cloned() else {
            self.state = State::Auth(account);
            self.line(format!("{tag} NO [NONEXISTENT] No such mailbox"));
            return;
        };
        let mut rx = folder.changes.subscribe();
        let version = *rx.borrow_and_update();
        let (view, recent, first_unseen, uid_validity, uid_next) = {
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
            let unseen = mb.messages.iter().position(|m| m.flags & flags::SEEN == 0);
            (
                mb.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
                recent,
                unseen,
                mb.uid_validity,
                mb.uid_next,
            )
        };
        self.line("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
        self.line(format!("* {} EXISTS", view.len()));
        self.line(format!("* {recent} RECENT"));
        if let Some(i) = first_unseen {
            self.line(format!("* OK [UNSEEN {}] First unseen", i + 1));
        }
        self.line(format!("* OK [UIDVALIDITY {uid_validity}] UIDs valid"));
        self.line(format!("* OK [UIDNEXT {uid_next}] Predicted next UID"));
        if read_only {
            self.line("* OK [PERMANENTFLAGS ()] Read-only mailbox");
        } else {
            self.line(
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] Limited",
            );
        }
        let code = if read_only { "READ-ONLY" } else { "READ-WRITE" };
        self.line(format!("{tag} OK [{code}] {verb} completed"));
        self.state = State::Selected(Selected {
            account,
            folder,
            read_only,
            view,
            rx,
            seen_version: version,
        });
    }

    pub(super) fn list(&mut self, tag: &str, verb: &str, reference: &str, pattern: &[u8]) {
        if pattern.is_empty() {
            self.line(format!("* {verb} (\\Noselect) \"/\" \"\""));
        } else {
            let mut full = reference.as_bytes().to_vec();
            full.extend_from_slice(pattern);
            for (name, _) in FOLDERS {
                let matched = if name == "INBOX" {
                    wildcard(&full.to_ascii_uppercase(), b"INBOX")
                } else {
                    wildcard(&full, name.as_bytes())
                };
                if matched {
                    let special = match name {
                        "Sent" => " \\Sent",
                        "Drafts" => " \\Drafts",
                        "Archive" => " \\Archive",
                        "Trash" => " \\Trash",
                        _ => "",
                    };
                    self.line(format!("* {verb} (\\HasNoChildren{special}) \"/\" {name}"));
                }
            }
            self.list_scratch(verb, &full);
        }
        self.line(format!("{tag} OK {verb} completed"));
    }

    pub(super) fn status(&mut self, tag: &str, name: &str, items: &[StatusDataItemName]) {
        let account = self.account().expect("authenticated");
        let Some(folder) = account.folder(name).cloned() else {
            self.line(format!("{tag} NO [NONEXISTENT] No such mailbox"));
            return;
        };
        let mut parts = Vec::new();
        {
            let mb = folder.lock();
            for item in items {
                let (label, value) = match item {
                    StatusDataItemName::Messages => ("MESSAGES", mb.messages.len() as u64),
                    StatusDataItemName::Recent => (
                        "RECENT",
                        mb.messages
                            .iter()
                            .filter(|m| m.flags & flags::RECENT != 0)
                            .count() as u64,
                    ),
                    StatusDataItemName::UidNext => ("UIDNEXT", mb.uid_next as u64),
                    StatusDataItemName::UidValidity => ("UIDVALIDITY", mb.uid_validity as u64),
                    StatusDataItemName::Unseen => (
                        "UNSEEN",
                        mb.messages
                            .iter()
                            .filter(|m| m.flags & flags::SEEN == 0)
                            .count() as u64,
                    ),
                    StatusDataItemName::Deleted => (
                        "DELETED",
                        mb.messages
                            .iter()
                            .filter(|m| m.flags & flags::DELETED != 0)
                            .count() as u64,
                    ),
                    _ => continue,
                };
                parts.push(format!("{label} {value}"));
            }
        }
        self.line(format!("* STATUS {} ({})", folder.name, parts.join(" ")));
        self.line(format!("{tag} OK STATUS completed"));
    }

    pub(super) fn append(
        &mut self,
        tag: &str,
        name: &str,
        list: &[Flag],
        date: Option<i64>,
        data: &[u8],
    ) {
        let account = self.account().expect("authenticated");
        let Some(folder) = account.folder(name).cloned() else {
            self.line(format!("{tag} NO [TRYCREATE] No such mailbox"));
            return;
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let msg = Message {
            uid: 0,
            flags: flag_bits(list) | flags::RECENT,
            date: date.unwrap_or(now),
            size: data.len() as u32,
            body: Body::Stored(Arc::from(data)),
        };
        let (validity, uid) = {
            let mut mb = folder.lock();
            let uid = mb.push(msg);
            (mb.uid_validity, uid)
        };
        folder.touch();
        self.sync(true);
        self.line(format!(
            "{tag} OK [APPENDUID {validity} {uid}] APPEND completed"
        ));
    }

    /// Removes \Deleted messages; the caller reports them (EXPUNGE lines via
    /// sync, or nothing for CLOSE).
    fn remove_deleted(&mut self) -> bool {
        let State::Selected(sel) = &self.state else {
            return false;
        };
        if sel.read_only {
            return false;
        }
        let removed = {
            let mut mb = sel.folder.lock();
            let before = mb.messages.len();
            mb.messages.retain(|m| m.flags & flags::DELETED == 0);
            before != mb.messages.len()
        };
        if removed {
            sel.folder.touch();
        }
        true
    }

    pub(super) fn expunge(&mut self, tag: &str) {
        if !self.remove_deleted() {
            self.line(format!("{tag} NO [READ-ONLY] Mailbox is read-only"));
            return;
        }
        self.sync(true);
        self.line(format!("{tag} OK EXPUNGE completed"));
    }

    pub(super) fn close(&mut self, tag: &str, expunge: bool) {
        if expunge {
            self.remove_deleted();
        }
        let State::Selected(sel) = &self.state else {
            return;
        };
        self.state = State::Auth(sel.account.clone());
        let verb = if expunge { "CLOSE" } else { "UNSELECT" };
        self.line(format!("{tag} OK {verb} completed"));
    }

    pub(super) fn store(
        &mut self,
        tag: &str,
        set: &SequenceSet,
        kind: &StoreType,
        response: &StoreResponse,
        list: &[Flag],
        uid: bool,
    ) {
        self.sync(false);
        let State::Selected(sel) = &self.state else {
            return;
        };
        if sel.read_only {
            self.line(format!("{tag} NO [READ-ONLY] Mailbox is read-only"));
            return;
        }
        let Ok(targets) = resolve(set, &sel.view, uid) else {
            self.bad(tag, "Invalid message sequence number");
            return;
        };
        let bits = flag_bits(list);
        let mut lines = Vec::new();
        {
            let mut mb = sel.folder.lock();
            for (seq, u) in targets {
                let Some(i) = mb.position(u) else { continue };
                let m = &mut mb.messages[i];
                let keep = m.flags & flags::RECENT;
                m.flags = match kind {
                    StoreType::Replace => bits | keep,
                    StoreType::Add => m.flags | bits,
                    StoreType::Remove => m.flags & !bits,
                };
                if matches!(response, StoreResponse::Answer) {
                    let uid_part = if uid {
                        format!("UID {u} ")
                    } else {
                        String::new()
                    };
                    lines.push(format!(
                        "* {seq} FETCH ({uid_part}FLAGS {})",
                        flag_list(m.flags)
                    ));
                }
            }
        }
        sel.folder.touch();
        for l in lines {
            self.line(l);
        }
        self.line(format!("{tag} OK STORE completed"));
    }

    pub(super) fn copy(&mut self, tag: &str, set: &SequenceSet, target: &str, uid: bool) {
        self.sync(false);
        let State::Selected(sel) = &self.state else {
            return;
        };
        let Some(dest) = sel.account.folder(target).cloned() else {
            self.line(format!("{tag} NO [TRYCREATE] No such mailbox"));
            return;
        };
        let Ok(targets) = resolve(set, &sel.view, uid) else {
            self.bad(tag, "Invalid message sequence number");
            return;
        };
        let msgs: Vec<Message> = {
            let mb = sel.folder.lock();
            targets
                .iter()
                .filter_map(|(_, u)| mb.position(*u).map(|i| mb.messages[i].clone()))
                .collect()
        };
        let src: Vec<u32> = msgs.iter().map(|m| m.uid).collect();
        let (validity, dst) = file_into(&dest, msgs);
        self.sync(true);
        if src.is_empty() {
            self.line(format!("{tag} OK COPY completed"));
        } else {
            self.line(format!(
                "{tag} OK [COPYUID {validity} {} {}] COPY completed",
                format_uids(&src),
                format_uids(&dst)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_flags() {
        assert!(wildcard(b"*", b"Sent"));
        assert!(wildcard(b"%", b"INBOX"));
        assert!(wildcard(b"S*t", b"Sent"));
        assert!(!wildcard(b"Dr", b"Drafts"));
        assert_eq!(flag_list(flags::SEEN | flags::DRAFT), "(\\Seen \\Draft)");
        assert_eq!(flag_list(0), "()");
    }
}
