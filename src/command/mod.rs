//! The kinds of IMAP work imapload times, one row each in every output.
//!
//! Connection phases (connect, TLS, greeting, login, select) are timed as
//! "commands" of their own so that a slow handshake or a slow authentication
//! back end shows up on its own row instead of inflating FETCH.
//!
//! The order the variants are declared in is the order of the rows in every
//! output (phases first, LOGOUT last); a new command goes before LOGOUT, with
//! its label in [`CommandKind::label`] and its place in [`CommandKind::ALL`].
//! This module imports nothing else of the crate.

use std::fmt;

pub mod fetch_items;

/// One row kind of the summary: a connection phase or an IMAP command variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CommandKind {
    /// TCP connect.
    Connect,
    /// TLS handshake (implicit TLS, or after STARTTLS).
    Tls,
    /// Waiting for the server greeting.
    Greeting,
    /// The STARTTLS command itself (without the handshake).
    StartTls,
    /// LOGIN user password.
    Login,
    /// AUTHENTICATE PLAIN, XOAUTH2 or OAUTHBEARER.
    Authenticate,
    /// SELECT mailbox (RFC 3501 6.3.1): opens it read-write.
    Select,
    /// EXAMINE mailbox (RFC 3501 6.3.2): opens it read-only.
    Examine,
    /// CAPABILITY (RFC 3501 6.1.1): clients re-asking what the server supports.
    Capability,
    /// NOOP (RFC 3501 6.1.2): a keep-alive and poll for new mail.
    Noop,
    /// LIST "" "*" (RFC 3501 6.3.8): the folder tree.
    List,
    /// LSUB "" "*" (RFC 3501 6.3.9): subscribed folders (older clients).
    Lsub,
    /// STATUS mailbox (MESSAGES UIDNEXT UNSEEN) (RFC 3501 6.3.10): unread counts.
    Status,
    /// FETCH lo:hi (UID FLAGS): the message list.
    FetchFlags,
    /// FETCH of envelope + header section (`BODY.PEEK[HEADER]`): the list view.
    FetchHeaders,
    /// FETCH of a whole message (BODY[]): opening a message.
    FetchBody,
    /// FETCH of a partial body (BODY.PEEK[]<0.2048>): a preview.
    FetchPartial,
    /// UID FETCH lo:* (UID FLAGS): clients resyncing by UID.
    UidFetch,
    /// SEARCH with one of a few typical criteria.
    Search,
    /// UID SEARCH: the same searches, answered with UIDs.
    UidSearch,
    /// STORE n +FLAGS.SILENT (...): marking messages seen / flagged / deleted.
    Store,
    /// UID STORE uid +FLAGS.SILENT (...): the same by UID, never \Deleted.
    UidStore,
    /// COPY n mailbox (RFC 3501 6.4.7): filing a message, into the session's own mailbox.
    Copy,
    /// APPEND mailbox (\Seen) {n} (RFC 3501 6.3.11): saving a sent message or draft.
    /// Its new state arrives as EXISTS and `[APPENDUID]`, which the mailbox state
    /// folds in itself.
    Append,
    /// EXPUNGE (RFC 3501 6.4.3): emptying deleted messages.
    Expunge,
    /// CLOSE (RFC 3501 6.4.2): expunges silently and leaves the mailbox.
    Close,
    /// IDLE until DONE (RFC 2177): waiting for new mail (push).
    Idle,
    /// UNSELECT (RFC 3691): leave the mailbox without expunging.
    Unselect,
    /// ID (RFC 2971): client and server identify themselves.
    Id,
    /// NAMESPACE (RFC 2342): where the personal and shared folders are.
    Namespace,
    /// UID EXPUNGE uid-set (RFC 4315 UIDPLUS): expunges only the \Deleted
    /// messages in the set, so clients sharing a mailbox don't expunge each
    /// other's deletions.
    UidExpunge,
    /// ENABLE CONDSTORE (RFC 5161): turns on an extension, before SELECT.
    Enable,
    /// MOVE n Archive (RFC 6851): filing a message, which leaves the mailbox.
    Move,
    /// CREATE imapload-n (RFC 3501 6.3.3): a scratch folder of the session's own.
    Create,
    /// DELETE imapload-n (RFC 3501 6.3.4): removes the session's scratch folder.
    Delete,
    /// RENAME imapload-n imapload-m (RFC 3501 6.3.5): renames the scratch folder.
    Rename,
    /// SUBSCRIBE mailbox (RFC 3501 6.3.6): a client adding a folder to its
    /// subscription list; here the session's own mailbox, which real servers
    /// already list, so the load leaves no trace.
    Subscribe,
    /// UNSUBSCRIBE imapload-unsubscribed (RFC 3501 6.3.7): a client dropping a
    /// folder from its subscription list; here a name imapload never subscribes
    /// or creates, so the user's own subscriptions stay as they are.
    Unsubscribe,
    /// CHECK (RFC 3501 6.4.1): a checkpoint of the selected mailbox (older
    /// clients send it before a poll).
    Check,
    /// GETQUOTAROOT mailbox (RFC 9208 4.3.2): a client showing how full the
    /// account is (the quota roots of its mailbox and their usage).
    Getquotaroot,
    /// LIST "" "*" RETURN (SPECIAL-USE) (RFC 6154, in RFC 5258's syntax): the
    /// folder tree with each folder's role (\Sent, \Drafts, \Trash...), as
    /// iOS Mail and Thunderbird ask for it.
    ListSpecialUse,
    /// COMPRESS DEFLATE (RFC 4978): a client (Thunderbird, K-9, FairEmail)
    /// turning on compression after login; sent by personas, not the mix.
    Compress,
    /// One message delivered into a user's INBOX by the delivery actor (an
    /// LMTP transaction, or an APPEND where the server speaks no LMTP): mail
    /// arriving, not a client command; sent by personas' population only.
    Deliver,
    /// LOGOUT (RFC 3501 6.1.3).
    Logout,
}

impl CommandKind {
    /// Every kind, in the order rows are printed: the declaration order.
    pub const ALL: [CommandKind; 44] = [
        CommandKind::Connect,
        CommandKind::Tls,
        CommandKind::Greeting,
        CommandKind::StartTls,
        CommandKind::Login,
        CommandKind::Authenticate,
        CommandKind::Select,
        CommandKind::Examine,
        CommandKind::Capability,
        CommandKind::Noop,
        CommandKind::List,
        CommandKind::Lsub,
        CommandKind::Status,
        CommandKind::FetchFlags,
        CommandKind::FetchHeaders,
        CommandKind::FetchBody,
        CommandKind::FetchPartial,
        CommandKind::UidFetch,
        CommandKind::Search,
        CommandKind::UidSearch,
        CommandKind::Store,
        CommandKind::UidStore,
        CommandKind::Copy,
        CommandKind::Append,
        CommandKind::Expunge,
        CommandKind::Close,
        CommandKind::Idle,
        CommandKind::Unselect,
        CommandKind::Id,
        CommandKind::Namespace,
        CommandKind::UidExpunge,
        CommandKind::Enable,
        CommandKind::Move,
        CommandKind::Create,
        CommandKind::Delete,
        CommandKind::Rename,
        CommandKind::Subscribe,
        CommandKind::Unsubscribe,
        CommandKind::Check,
        CommandKind::Getquotaroot,
        CommandKind::ListSpecialUse,
        CommandKind::Compress,
        CommandKind::Deliver,
        CommandKind::Logout,
    ];

    /// Number of kinds; sizes dense per-kind tables.
    pub const COUNT: usize = Self::ALL.len();

    /// The label used in CSV, hlog tags and scenario mix keys (`FETCH_FLAGS`).
    pub fn label(self) -> &'static str {
        match self {
            CommandKind::Connect => "CONNECT",
            CommandKind::Tls => "TLS",
            CommandKind::Greeting => "GREETING",
            CommandKind::StartTls => "STARTTLS",
            CommandKind::Login => "LOGIN",
            CommandKind::Authenticate => "AUTHENTICATE",
            CommandKind::Select => "SELECT",
            CommandKind::Examine => "EXAMINE",
            CommandKind::Capability => "CAPABILITY",
            CommandKind::Noop => "NOOP",
            CommandKind::List => "LIST",
            CommandKind::Lsub => "LSUB",
            CommandKind::Status => "STATUS",
            CommandKind::FetchFlags => "FETCH_FLAGS",
            CommandKind::FetchHeaders => "FETCH_HEADERS",
            CommandKind::FetchBody => "FETCH_BODY",
            CommandKind::FetchPartial => "FETCH_PARTIAL",
            CommandKind::UidFetch => "UID_FETCH",
            CommandKind::Search => "SEARCH",
            CommandKind::UidSearch => "UID_SEARCH",
            CommandKind::Store => "STORE",
            CommandKind::UidStore => "UID_STORE",
            CommandKind::Copy => "COPY",
            CommandKind::Append => "APPEND",
            CommandKind::Expunge => "EXPUNGE",
            CommandKind::Close => "CLOSE",
            CommandKind::Idle => "IDLE",
            CommandKind::Unselect => "UNSELECT",
            CommandKind::Id => "ID",
            CommandKind::Namespace => "NAMESPACE",
            CommandKind::UidExpunge => "UID_EXPUNGE",
            CommandKind::Enable => "ENABLE",
            CommandKind::Move => "MOVE",
            CommandKind::Create => "CREATE",
            CommandKind::Delete => "DELETE",
            CommandKind::Rename => "RENAME",
            CommandKind::Subscribe => "SUBSCRIBE",
            CommandKind::Unsubscribe => "UNSUBSCRIBE",
            CommandKind::Check => "CHECK",
            CommandKind::Getquotaroot => "GETQUOTAROOT",
            CommandKind::ListSpecialUse => "LIST_SPECIAL_USE",
            CommandKind::Compress => "COMPRESS",
            CommandKind::Deliver => "DELIVER",
            CommandKind::Logout => "LOGOUT",
        }
    }

    /// Whether a scenario may put this kind in its weighted mix. Connection
    /// phases and LOGOUT are part of every session, not of the mix; COMPRESS
    /// (once per connection) and DELIVER (mail arriving) belong to personas.
    pub fn mixable(self) -> bool {
        use CommandKind as K;
        !matches!(
            self,
            K::Connect
                | K::Tls
                | K::Greeting
                | K::StartTls
                | K::Login
                | K::Authenticate
                | K::Compress
                | K::Deliver
                | K::Logout
        )
    }

    /// Whether a pipelining session may send this kind while others are in
    /// flight (RFC 3501 5.5): one command line that leaves the mailbox's
    /// selection, its message numbers and the connection as they were.
    /// The others go alone, once every earlier answer is in: state changes
    /// (SELECT, CLOSE, ENABLE, COMPRESS, folder changes), expunges (EXPUNGE,
    /// MOVE, which renumber messages), IDLE, APPEND (its literal) and LOGOUT.
    pub fn pipelinable(self) -> bool {
        use CommandKind as K;
        matches!(
            self,
            K::Capability
                | K::Noop
                | K::List
                | K::Lsub
                | K::Status
                | K::FetchFlags
                | K::FetchHeaders
                | K::FetchBody
                | K::FetchPartial
                | K::UidFetch
                | K::Search
                | K::UidSearch
                | K::Store
                | K::UidStore
                | K::Copy
                | K::Id
                | K::Namespace
                | K::Subscribe
                | K::Unsubscribe
                | K::Check
                | K::Getquotaroot
                | K::ListSpecialUse
        )
    }

    /// Dense index in `0..COUNT`, for table lookups on the hot path.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses a label, case-insensitively.
    pub fn from_label(s: &str) -> Option<CommandKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.label().eq_ignore_ascii_case(s))
    }
}

// `ALL` lists the variants in declaration order (so `index` is dense and the
// rows come out in declaration order), and LOGOUT is the last of them.
const _: () = {
    let mut i = 0;
    while i < CommandKind::COUNT {
        assert!(
            CommandKind::ALL[i] as usize == i,
            "ALL out of declaration order"
        );
        i += 1;
    }
    assert!(CommandKind::Logout as usize == CommandKind::COUNT - 1);
};

impl fmt::Display for CommandKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_dense_and_labels_round_trip() {
        for (i, k) in CommandKind::ALL.into_iter().enumerate() {
            assert_eq!(k.index(), i);
            assert_eq!(CommandKind::from_label(&k.label().to_lowercase()), Some(k));
        }
    }

    #[test]
    fn phases_come_first_and_logout_last() {
        let phases = CommandKind::ALL.iter().take_while(|k| !k.mixable()).count();
        assert_eq!(phases, 6);
        assert_eq!(CommandKind::ALL[phases], CommandKind::Select);
        assert_eq!(CommandKind::ALL.last(), Some(&CommandKind::Logout));
        let persona_only = [CommandKind::Compress, CommandKind::Deliver];
        assert!(CommandKind::ALL[phases..CommandKind::COUNT - 1]
            .iter()
            .all(|k| k.mixable() != persona_only.contains(k)));
    }
}
