//! The in-memory mail store of one back end.
//!
//! Users are known at start (the users table); each user's account is built
//! lazily on first login through a `OnceLock`, so there is no lock across all
//! users. Each mailbox has its own mutex (held only for in-memory work, never
//! across an await) and a `watch` channel whose value is bumped on every
//! change, which wakes IDLEing sessions of the same user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::watch;

use crate::plan::{embedded_token, User};
use crate::sim::message::{hash_str, mix, Synth, EPOCH};

mod account;
mod from_set;
pub use account::{Account, FolderError};

/// Flag bits of a message.
pub mod flags {
    /// \Seen
    pub const SEEN: u8 = 1;
    /// \Answered
    pub const ANSWERED: u8 = 2;
    /// \Flagged
    pub const FLAGGED: u8 = 4;
    /// \Deleted
    pub const DELETED: u8 = 8;
    /// \Draft
    pub const DRAFT: u8 = 16;
    /// \Recent (session-independent approximation: cleared by a read-write SELECT)
    pub const RECENT: u8 = 32;
    /// The IMAP names of the storable flags, in bit order.
    pub const NAMES: [(u8, &str); 5] = [
        (SEEN, "\\Seen"),
        (ANSWERED, "\\Answered"),
        (FLAGGED, "\\Flagged"),
        (DELETED, "\\Deleted"),
        (DRAFT, "\\Draft"),
    ];
}

/// The fixed folder set every account has: (name, synthetic message count
/// as a share of `messages_per_mailbox` in percent, with a small floor).
pub const FOLDERS: [(&str, u32); 5] = [
    ("INBOX", 100),
    ("Sent", 10),
    ("Drafts", 4),
    ("Archive", 20),
    ("Trash", 0),
];

/// Where a message's bytes come from.
#[derive(Debug, Clone)]
pub enum Body {
    /// Regenerated on demand from (seed, user, mailbox, uid) of its origin (or from the mail set).
    Synth {
        /// Folder index it was generated in.
        mailbox: u8,
        /// UID it was generated with.
        uid: u32,
    },
    /// APPENDed bytes.
    Stored(Arc<[u8]>),
}

/// One message in a mailbox.
#[derive(Debug, Clone)]
pub struct Message {
    /// UID in this mailbox.
    pub uid: u32,
    /// Flag bits (see [`flags`]).
    pub flags: u8,
    /// INTERNALDATE, Unix seconds.
    pub date: i64,
    /// RFC822.SIZE.
    pub size: u32,
    /// MODSEQ (RFC 7162): the mailbox's change counter at this message's
    /// last change (its arrival or a flag change).
    pub modseq: u64,
    /// Bytes source.
    pub body: Body,
}

/// The state of one mailbox, shared by every session of its user.
#[derive(Debug)]
pub struct Mailbox {
    /// Fixed per mailbox; never changes since UIDs are never reused.
    pub uid_validity: u32,
    /// Next UID to assign.
    pub uid_next: u32,
    /// Messages in UID order.
    pub messages: Vec<Message>,
    /// HIGHESTMODSEQ (RFC 7162): bumped by every arrival, flag change and
    /// expunge.
    pub highest_modseq: u64,
}

impl Mailbox {
    /// Index of the message with `uid`.
    pub fn position(&self, uid: u32) -> Option<usize> {
        self.messages.binary_search_by_key(&uid, |m| m.uid).ok()
    }
    /// Adds a message with the next UID and a new MODSEQ; returns that UID.
    pub fn push(&mut self, mut m: Message) -> u32 {
        m.modseq = self.bump();
        m.uid = self.uid_next;
        self.uid_next += 1;
        let uid = m.uid;
        self.messages.push(m);
        uid
    }
    /// A new MODSEQ: the mailbox's counter, incremented.
    pub fn bump(&mut self) -> u64 {
        self.highest_modseq += 1;
        self.highest_modseq
    }
    /// Sets the flags of the message at `i`, with a new MODSEQ if they
    /// changed (ignoring \Recent); whether they did.
    pub fn set_flags(&mut self, i: usize, new: u8) -> bool {
        let old = self.messages[i].flags;
        if old == new {
            return false;
        }
        self.messages[i].flags = new;
        if (old ^ new) & !flags::RECENT != 0 {
            self.messages[i].modseq = self.bump();
        }
        true
    }
}

/// A mailbox plus its change signal.
#[derive(Debug)]
pub struct Folder {
    /// Name as listed (`INBOX`, `Sent`, `Projects/2026`...).
    pub name: String,
    /// Its RFC 6154 special-use attribute (`\\Sent`), if it has one.
    pub special_use: Option<String>,
    /// Index in [`FOLDERS`] (or in the mail set's folders).
    pub index: u8,
    /// The state; lock only for in-memory work.
    pub state: Mutex<Mailbox>,
    /// Bumped after every change; IDLE waits on it.
    pub changes: watch::Sender<u64>,
}

impl Folder {
    /// Locks the state (a poisoned lock is recovered: the data is plain
    /// counters and vectors, always consistent between statements).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, Mailbox> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Signals a change to every session watching this mailbox.
    pub fn touch(&self) {
        self.changes.send_modify(|v| *v += 1);
    }
}

/// A user homed here: the secrets a login must match, and the account,
/// made on the first login.
struct Homed {
    password: String,
    /// The OAuth 2 access token XOAUTH2 / OAUTHBEARER logins must carry.
    token: String,
    account: OnceLock<Arc<Account>>,
}

/// The store of one back end: the users homed here and their accounts.
pub struct Store {
    seed: u64,
    messages_per_mailbox: u32,
    message_size: usize,
    users: HashMap<String, Homed>,
    /// The mail set accounts are built from ([`Store::with_mailset`]), if any.
    mailset: Option<Arc<crate::mailset::MailSet>>,
}

/// Why a login was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    /// Unknown user, wrong password or a user homed on another back end.
    BadCredentials,
}

impl Store {
    /// A store for the users whose `backend` is `server`.
    pub fn new(server: &str, users: &[User], seed: u64, messages: u32, size: usize) -> Store {
        let users = users
            .iter()
            .filter(|u| u.backend == server)
            .map(|u| {
                (
                    u.name.clone(),
                    Homed {
                        password: u.password.clone(),
                        token: u.token.clone().unwrap_or_else(|| embedded_token(&u.name)),
                        account: OnceLock::new(),
                    },
                )
            })
            .collect();
        Store {
            seed,
            messages_per_mailbox: messages,
            message_size: size,
            users,
            mailset: None,
        }
    }

    /// Topology seed (messages are derived from it).
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Mean synthetic message size.
    pub fn message_size(&self) -> usize {
        self.message_size
    }

    /// Checks credentials and returns the account, creating it on first use.
    pub fn login(&self, user: &str, password: &str) -> Result<Arc<Account>, LoginError> {
        self.account(user, |homed| homed.password == password)
    }

    /// The account of a user homed here, without credentials (LMTP
    /// delivery); `None` for anyone else.
    pub fn homed(&self, user: &str) -> Option<Arc<Account>> {
        self.account(user, |_| true).ok()
    }

    /// Checks an OAuth 2 access token (XOAUTH2 / OAUTHBEARER) and returns the account.
    pub fn login_token(&self, user: &str, token: &str) -> Result<Arc<Account>, LoginError> {
        self.account(user, |homed| homed.token == token)
    }

    fn account(
        &self,
        user: &str,
        valid: impl Fn(&Homed) -> bool,
    ) -> Result<Arc<Account>, LoginError> {
        let homed = self.users.get(user).ok_or(LoginError::BadCredentials)?;
        if !valid(homed) {
            return Err(LoginError::BadCredentials);
        }
        Ok(homed
            .account
            .get_or_init(|| Arc::new(self.build(user)))
            .clone())
    }

    fn build(&self, user: &str) -> Account {
        if let Some(set) = &self.mailset {
            return from_set::account(set, user);
        }
        let user_seed = mix(self.seed ^ hash_str(user));
        let folders = FOLDERS
            .iter()
            .enumerate()
            .map(|(i, (name, share))| {
                let count = if i == 0 {
                    self.messages_per_mailbox
                } else if *share == 0 {
                    0
                } else {
                    (self.messages_per_mailbox * share / 100).max(2)
                };
                let messages = (1..=count)
                    .map(|uid| self.synth_message(user, user_seed, i as u8, uid, count))
                    .collect();
                let mailbox = Mailbox {
                    uid_validity: (mix(user_seed ^ i as u64) as u32 & 0x7fff_ffff) | 1,
                    uid_next: count + 1,
                    messages,
                    highest_modseq: 1,
                };
                Arc::new(Folder {
                    name: name.to_string(),
                    special_use: from_set::special_use(name),
                    index: i as u8,
                    state: Mutex::new(mailbox),
                    changes: watch::channel(0).0,
                })
            })
            .collect();
        Account {
            user: user.to_string(),
            folders,
            scratch: Mutex::default(),
        }
    }

    fn synth_message(
        &self,
        user: &str,
        user_seed: u64,
        folder: u8,
        uid: u32,
        count: u32,
    ) -> Message {
        let r = mix(user_seed ^ ((folder as u64) << 40) ^ uid as u64);
        // Older messages first, a few hours apart, ending near EPOCH.
        let date = EPOCH - (count - uid) as i64 * 7_200 - (r % 3_600) as i64;
        let spec = Synth {
            seed: self.seed,
            user,
            mailbox: folder,
            uid,
            mean_size: self.message_size,
            date,
        };
        let mut f = 0u8;
        let newest = uid + 3 > count;
        if !newest && r % 10 < 8 {
            f |= flags::SEEN;
        }
        if (r >> 8).is_multiple_of(20) {
            f |= flags::FLAGGED;
        }
        if (r >> 16).is_multiple_of(10) && f & flags::SEEN != 0 {
            f |= flags::ANSWERED;
        }
        if folder == 2 {
            f |= flags::DRAFT;
        }
        if folder == 1 {
            f |= flags::SEEN;
        }
        Message {
            uid,
            flags: f,
            date,
            size: spec.size() as u32,
            modseq: 1,
            body: Body::Synth {
                mailbox: folder,
                uid,
            },
        }
    }

    /// The full bytes of `m` as owned by `user`.
    pub fn bytes(&self, user: &str, m: &Message) -> Arc<[u8]> {
        match &m.body {
            Body::Stored(b) => b.clone(),
            Body::Synth { mailbox, uid } if self.mailset.is_some() => {
                self.set_message(user, *mailbox, *uid).into()
            }
            Body::Synth { mailbox, uid } => {
                self.synth(user, *mailbox, *uid, m.date).render().into()
            }
        }
    }

    /// The header block of `m` (cheaper than [`Store::bytes`] for synthetic messages).
    pub fn header(&self, user: &str, m: &Message) -> Vec<u8> {
        match &m.body {
            Body::Stored(b) => b[..header_len(b)].to_vec(),
            Body::Synth { mailbox, uid } if self.mailset.is_some() => {
                self.set_header(user, *mailbox, *uid)
            }
            Body::Synth { mailbox, uid } => self
                .synth(user, *mailbox, *uid, m.date)
                .header()
                .into_bytes(),
        }
    }

    fn synth<'a>(&self, user: &'a str, mailbox: u8, uid: u32, date: i64) -> Synth<'a> {
        Synth {
            seed: self.seed,
            user,
            mailbox,
            uid,
            mean_size: self.message_size,
            date,
        }
    }
}

/// Length of the header block of a raw message, including the empty line
/// (the whole message when there is no empty line).
pub fn header_len(b: &[u8]) -> usize {
    if b.starts_with(b"\r\n") {
        return 2;
    }
    if let Some(i) = memchr::memmem::find(b, b"\r\n\r\n") {
        return i + 4;
    }
    memchr::memmem::find(b, b"\n\n")
        .map(|i| i + 2)
        .unwrap_or(b.len())
}

#[cfg(test)]
mod tests;
