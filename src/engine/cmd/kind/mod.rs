//! The [`Spec`] of every command kind the engine sends, and [`spec`], the
//! one exhaustive match from [`CommandKind`] to it: a new kind does not
//! compile until it has its line there.
//!
//! A command that is its verb alone and changes nothing (CAPABILITY, NOOP,
//! NAMESPACE, LOGOUT, CHECK, EXPUNGE) shares one of the specs below; every
//! other command has a file of its own (`<kind>.rs`) with its precondition,
//! encoder and state effects.

use super::{keep, need, verb_only, Spec, PHASE};
use crate::command::CommandKind;
use crate::engine::mailbox::MailboxState;

mod append;
mod close;
mod copy;
mod create;
mod delete;
mod enable;
mod examine;
mod fetch_body;
mod fetch_flags;
mod fetch_headers;
mod fetch_partial;
mod getquotaroot;
mod id;
mod idle;
mod list;
mod list_special_use;
mod r#move;
mod rename;
mod search;
mod select;
mod status;
mod store;
mod subscribe;
mod uid_expunge;
mod uid_fetch;
mod uid_search;
mod uid_store;
mod unselect;
mod unsubscribe;

/// The spec of `kind`.
pub fn spec(kind: CommandKind) -> &'static Spec {
    use CommandKind as K;
    match kind {
        K::Connect
        | K::Tls
        | K::Greeting
        | K::StartTls
        | K::Login
        | K::Authenticate
        | K::Compress
        | K::Deliver => &PHASE,
        // CAPABILITY (RFC 3501 6.1.1): the answer's list replaces the
        // session's capabilities. NOOP (6.1.2): a keep-alive and poll.
        // NAMESPACE (RFC 2342). LOGOUT (6.1.3): ends every session.
        K::Capability | K::Noop | K::Namespace | K::Logout => &VERB_ANYWHERE,
        // CHECK (RFC 3501 6.4.1): Dovecot answers BAD without a mailbox.
        K::Check => &VERB_SELECTED,
        // EXPUNGE (RFC 3501 6.4.3): the untagged EXPUNGEs lower EXISTS.
        K::Expunge => &VERB_WRITABLE,
        K::Select => &select::SPEC,
        K::Examine => &examine::SPEC,
        K::List | K::Lsub => &list::SPEC,
        K::Status => &status::SPEC,
        K::FetchFlags => &fetch_flags::SPEC,
        K::FetchHeaders => &fetch_headers::SPEC,
        K::FetchBody => &fetch_body::SPEC,
        K::FetchPartial => &fetch_partial::SPEC,
        K::UidFetch => &uid_fetch::SPEC,
        K::Search => &search::SPEC,
        K::UidSearch => &uid_search::SPEC,
        K::Store => &store::SPEC,
        K::UidStore => &uid_store::SPEC,
        K::Copy => &copy::SPEC,
        K::Append => &append::SPEC,
        K::Close => &close::SPEC,
        K::Idle => &idle::SPEC,
        K::Unselect => &unselect::SPEC,
        K::Id => &id::SPEC,
        K::UidExpunge => &uid_expunge::SPEC,
        K::Enable => &enable::SPEC,
        K::Move => &r#move::SPEC,
        K::Create => &create::SPEC,
        K::Delete => &delete::SPEC,
        K::Rename => &rename::SPEC,
        K::Subscribe => &subscribe::SPEC,
        K::Unsubscribe => &unsubscribe::SPEC,
        K::Getquotaroot => &getquotaroot::SPEC,
        K::ListSpecialUse => &list_special_use::SPEC,
    }
}

/// Its verb alone, valid in any state, changing nothing.
static VERB_ANYWHERE: Spec = verb_alone(need::nothing);

/// Its verb alone, on a selected mailbox, changing nothing.
static VERB_SELECTED: Spec = verb_alone(need::selected);

/// Its verb alone, on a writable selected mailbox.
static VERB_WRITABLE: Spec = verb_alone(need::writable);

/// A command that is its verb alone and changes nothing, valid when
/// `instead` says so.
const fn verb_alone(instead: fn(&MailboxState) -> Option<CommandKind>) -> Spec {
    Spec {
        extension: None,
        instead,
        encode: verb_only,
        need: 0,
        on_send: keep,
        on_ok: keep,
    }
}
