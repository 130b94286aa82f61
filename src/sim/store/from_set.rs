//! Accounts built from a [`MailSet`] (the same folders, counts, sizes,
//! flags, dates and bytes `imapload populate` stores on a real server),
//! instead of the fixed [`super::FOLDERS`] set.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::{flags, Account, Body, Folder, Mailbox, Message, Store};
use crate::mailset::MailSet;
use crate::sim::message::{hash_str, mix};

impl Store {
    /// This store with its accounts built from `set`: every user gets the
    /// set's folders (INBOX first; an empty INBOX when the set has none)
    /// holding the set's messages, message `n` of a folder as UID `n + 1`.
    /// The seed, `messages_per_mailbox` and the mean size given to
    /// [`Store::new`] then play no part in the accounts. Folders past the
    /// 255th are left out.
    pub fn with_mailset(mut self, set: MailSet) -> Store {
        self.mailset = Some(Arc::new(set));
        self
    }

    /// The mail set accounts are built from, if any.
    pub fn mailset(&self) -> Option<&MailSet> {
        self.mailset.as_deref()
    }

    /// Message `uid - 1` of the set's folder `folder` (see [`Body::Synth`]).
    pub(super) fn set_message(&self, user: &str, folder: u8, uid: u32) -> Vec<u8> {
        let set = self.mailset.as_deref().expect("called with a mail set");
        set.message(user, folder as usize, uid.saturating_sub(1))
    }

    /// The header block of [`Store::set_message`].
    pub(super) fn set_header(&self, user: &str, folder: u8, uid: u32) -> Vec<u8> {
        let set = self.mailset.as_deref().expect("called with a mail set");
        set.header(user, folder as usize, uid.saturating_sub(1))
            .into_bytes()
    }
}

/// The special-use attribute of a folder of the fixed set, as the embedded
/// back ends list it.
pub(super) fn special_use(name: &str) -> Option<String> {
    matches!(name, "Sent" | "Drafts" | "Archive" | "Trash").then(|| format!("\\{name}"))
}

/// `user`'s account holding `set`.
pub(super) fn account(set: &MailSet, user: &str) -> Account {
    let user_seed = mix(set.seed ^ hash_str(user));
    let count = set.folders.len().min(u8::MAX as usize);
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|&i| !set.folders[i].is_inbox());
    let mut folders: Vec<Arc<Folder>> = order
        .into_iter()
        .map(|i| folder(set, user, user_seed, i))
        .collect();
    if folders.first().is_none_or(|f| f.name != "INBOX") {
        let empty = MailSet {
            folders: vec![crate::mailset::FolderSpec::new("INBOX", "", 0)],
            ..set.clone()
        };
        folders.insert(0, folder(&empty, user, user_seed, 0));
    }
    Account {
        user: user.to_string(),
        folders,
        scratch: Mutex::default(),
    }
}

/// Folder `i` of `set` for `user`, its messages as UIDs 1..=count.
fn folder(set: &MailSet, user: &str, user_seed: u64, i: usize) -> Arc<Folder> {
    let spec = &set.folders[i];
    let messages = (0..spec.messages)
        .map(|n| {
            let f = set.flags(user, i, n);
            let bits = [
                (f.seen, flags::SEEN),
                (f.answered, flags::ANSWERED),
                (f.flagged, flags::FLAGGED),
                (f.draft, flags::DRAFT),
            ];
            Message {
                uid: n + 1,
                flags: bits.iter().filter(|(on, _)| *on).fold(0, |a, (_, b)| a | b),
                date: set.date(user, i, n),
                size: set.size(user, i, n) as u32,
                body: Body::Synth {
                    mailbox: i as u8,
                    uid: n + 1,
                },
                modseq: 1,
            }
        })
        .collect();
    let name = if spec.is_inbox() {
        "INBOX".to_string()
    } else {
        spec.name.clone()
    };
    Arc::new(Folder {
        name,
        special_use: spec.special_use.clone(),
        index: i as u8,
        state: Mutex::new(Mailbox {
            uid_validity: (mix(user_seed ^ i as u64) as u32 & 0x7fff_ffff) | 1,
            uid_next: spec.messages + 1,
            messages,
            highest_modseq: 1,
        }),
        changes: watch::channel(0).0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::User;

    #[test]
    fn a_mail_set_store_holds_the_same_messages_populate_stores() {
        let users = [User {
            name: "user00001".into(),
            password: "secret".into(),
            backend: "mbx1".into(),
            token: None,
        }];
        let set = MailSet::default();
        let store = Store::new("mbx1", &users, 9, 50, 4096).with_mailset(set.clone());
        let account = store.login("user00001", "secret").unwrap();
        let names: Vec<&str> = account.folders.iter().map(|f| f.name.as_str()).collect();
        let want: Vec<&str> = set.folders.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, want);
        for (i, spec) in set.folders.iter().enumerate() {
            let folder = account.folder(&spec.name).unwrap();
            assert_eq!(folder.special_use, spec.special_use);
            let mailbox = folder.lock();
            assert_eq!(
                mailbox.messages.len() as u32,
                spec.messages,
                "{}",
                spec.name
            );
            for (n, m) in mailbox.messages.iter().enumerate() {
                let bytes = store.bytes("user00001", m);
                assert_eq!(&bytes[..], &set.message("user00001", i, n as u32)[..]);
                assert_eq!(bytes.len(), m.size as usize);
                assert_eq!(m.date, set.date("user00001", i, n as u32));
                let header = store.header("user00001", m);
                assert_eq!(&header[..], &bytes[..header.len()]);
                let f = set.flags("user00001", i, n as u32);
                assert_eq!(m.flags & flags::SEEN != 0, f.seen);
                assert_eq!(m.flags & flags::DRAFT != 0, f.draft);
            }
        }
        // Without a mail set, the fixed set as before.
        let plain = Store::new("mbx1", &users, 9, 50, 4096);
        let account = plain.login("user00001", "secret").unwrap();
        assert_eq!(account.folders.len(), super::super::FOLDERS.len());
        assert_eq!(account.folder("INBOX").unwrap().lock().messages.len(), 50);
    }
}
