//! The kinds of IMAP work imapload times, one row each in every output.
//!
//! Connection phases (connect, TLS, greeting, login, select) are timed as
//! "commands" of their own so that a slow handshake or a slow authentication
//! back end shows up on its own row instead of inflating FETCH.

use std::fmt;

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
    /// AUTHENTICATE PLAIN.
    Authenticate,
    /// SELECT mailbox.
    Select,
    /// EXAMINE mailbox (read-only select).
    Examine,
    /// CAPABILITY.
    Capability,
    /// NOOP.
    Noop,
    /// LIST "" *.
    List,
    /// LSUB "" * (subscribed folders).
    Lsub,
    /// STATUS mailbox (MESSAGES UIDNEXT UNSEEN).
    Status,
    /// FETCH of FLAGS over a range.
    FetchFlags,
    /// FETCH of envelope + header section (BODY.PEEK[HEADER]).
    FetchHeaders,
    /// FETCH of a whole message (BODY[]).
    FetchBody,
    /// FETCH of a partial body (BODY.PEEK[]<0.N>).
    FetchPartial,
    /// UID FETCH.
    UidFetch,
    /// SEARCH.
    Search,
    /// UID SEARCH.
    UidSearch,
    /// STORE flags.
    Store,
    /// UID STORE flags.
    UidStore,
    /// COPY to another mailbox.
    Copy,
    /// APPEND a message.
    Append,
    /// EXPUNGE.
    Expunge,
    /// CLOSE.
    Close,
    /// IDLE until DONE.
    Idle,
    /// UNSELECT (RFC 3691): leave the mailbox without expunging.
    Unselect,
    /// ID (RFC 2971): client and server identify themselves.
    Id,
    /// NAMESPACE (RFC 2342): where the personal and shared folders are.
    Namespace,
    /// UID EXPUNGE uid-set (RFC 4315 UIDPLUS): expunges only the \\Deleted
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
    /// LOGOUT.
    Logout,
}

impl CommandKind {
    /// Every kind, in the order rows are printed.
    pub const ALL: [CommandKind; 37] = [
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
        CommandKind::Logout,
    ];

    /// Number of kinds; sizes dense per-kind tables.
    pub const COUNT: usize = Self::ALL.len();

    /// Dense index in `0..COUNT`, for table lookups on the hot path.
    pub fn index(self) -> usize {
        self as usize
    }

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
            CommandKind::Logout => "LOGOUT",
        }
    }

    /// Parses a label, case-insensitively.
    pub fn from_label(s: &str) -> Option<CommandKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.label().eq_ignore_ascii_case(s))
    }

    /// Whether a scenario may put this kind in its weighted mix. Connection
    /// phases and LOGIN/LOGOUT are part of every session, not of the mix.
    pub fn mixable(self) -> bool {
        !matches!(
            self,
            CommandKind::Connect
                | CommandKind::Tls
                | CommandKind::Greeting
                | CommandKind::StartTls
                | CommandKind::Login
                | CommandKind::Authenticate
                | CommandKind::Logout
        )
    }
}

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
}
