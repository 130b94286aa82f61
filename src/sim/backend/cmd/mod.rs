//! The IMAP commands the embedded back end answers. [`serve_decoded`] is one
//! match over imap-codec's decoded `CommandBody` (no fallback, so a command
//! imap-codec learns to decode does not compile until it has its arm); each
//! arm names the command's timing row and the state it needs, and hands its
//! handler the command's fields together with what the state check found
//! (the account, or the selected mailbox). [`serve_by_verb`] does the same
//! for what imap-codec 1.0 does not decode, recognised by its words.
//! [`ADVERTISED`] is what these commands add to CAPABILITY.

use std::sync::Arc;

use imap_codec::imap_types::command::CommandBody;

use super::fetch;
use super::session::{InMailbox, Next, Selected, Session, State};
use crate::command::CommandKind;
use crate::sim::store::Account;

mod append;
mod authenticate;
mod compress;
mod copy;
mod expunge;
mod folders;
mod getquotaroot;
mod list;
mod r#move;
mod select;
mod simple;
mod starttls;
mod status;
mod store;
mod uid_expunge;

/// The capability atoms the commands below advertise: the SASL mechanisms
/// (with the initial response inline), then ENABLE, QUOTA (GETQUOTAROOT),
/// ID, IDLE, MOVE, NAMESPACE, UIDPLUS (UID EXPUNGE, `[APPENDUID]`,
/// `[COPYUID]`), UNSELECT and SPECIAL-USE (LIST's special-use attributes,
/// and its `RETURN (SPECIAL-USE)`). STARTTLS and LOGINDISABLED are added by
/// `backend::capabilities` where they apply. CONDSTORE and QRESYNC
/// (RFC 7162: MODSEQ, CHANGEDSINCE, HIGHESTMODSEQ, SELECT's QRESYNC) and
/// UTF8=ACCEPT (RFC 6855), then LIST-EXTENDED (RFC 5258: selection and
/// return options), close the list.
pub(super) const ADVERTISED: &str = "SASL-IR AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER \
     ENABLE QUOTA ID IDLE MOVE NAMESPACE UIDPLUS UNSELECT SPECIAL-USE \
     CONDSTORE QRESYNC UTF8=ACCEPT LIST-EXTENDED";

/// The BAD text of a command sent before login that needs one.
const NOT_AUTHENTICATED: &str = "Command received in Invalid state.";

/// Serves a command imap-codec decoded: one arm per command, each naming its
/// timing row and the state it needs, so the compiler checks that every
/// decoded command is served and no handler re-checks what it was given.
#[expect(
    clippy::too_many_lines,
    reason = "a flat dispatch table, one arm per IMAP command; split, its exhaustiveness would be lost"
)]
pub(super) async fn serve_decoded(s: &mut Session, tag: &str, body: CommandBody<'_>) -> Next {
    use CommandBody as B;
    use CommandKind as K;
    match body {
        B::Capability => anywhere(s, K::Capability, |s| simple::capability(s, tag)).await,
        B::Noop => anywhere(s, K::Noop, |s| simple::noop(s, tag)).await,
        B::Logout => anywhere(s, K::Logout, |s| simple::logout(s, tag)).await,
        B::Login { username, password } => {
            anywhere(s, K::Login, |s| simple::login(s, tag, &username, &password)).await
        }
        // Any state (a second login is answered by the login rules); the
        // handler takes AUTHENTICATE's worker once the response is in.
        B::Authenticate {
            mechanism,
            initial_response,
        } => authenticate::handle(s, tag, &mechanism, initial_response.as_ref()).await,
        B::Select { mailbox } => {
            authenticated(s, tag, K::Select, |s, a| {
                select::open(s, tag, a, &mailbox, false)
            })
            .await
        }
        B::Examine { mailbox } => {
            authenticated(s, tag, K::Examine, |s, a| {
                select::open(s, tag, a, &mailbox, true)
            })
            .await
        }
        B::Create { mailbox } => {
            authenticated(s, tag, K::Create, |s, a| {
                folders::create(s, tag, &a, &mailbox)
            })
            .await
        }
        B::Delete { mailbox } => {
            authenticated(s, tag, K::Delete, |s, a| {
                folders::delete(s, tag, &a, &mailbox)
            })
            .await
        }
        B::Rename { from, to } => {
            authenticated(s, tag, K::Rename, |s, a| {
                folders::rename(s, tag, &a, &from, &to)
            })
            .await
        }
        B::Subscribe { .. } => {
            authenticated(s, tag, K::Subscribe, |s, _| {
                simple::subscriptions_fixed(s, tag)
            })
            .await
        }
        B::Unsubscribe { .. } => {
            authenticated(s, tag, K::Unsubscribe, |s, _| {
                simple::subscriptions_fixed(s, tag)
            })
            .await
        }
        B::List {
            reference,
            mailbox_wildcard: pattern,
        } => {
            let list = |s: &mut Session, _| list::handle(s, tag, "LIST", &reference, &pattern);
            authenticated(s, tag, K::List, list).await
        }
        B::Lsub {
            reference,
            mailbox_wildcard: pattern,
        } => {
            let lsub = |s: &mut Session, _| list::handle(s, tag, "LSUB", &reference, &pattern);
            authenticated(s, tag, K::Lsub, lsub).await
        }
        B::Status {
            mailbox,
            item_names,
        } => {
            let status = |s: &mut Session, a: Arc<Account>| {
                status::handle(s, tag, &a, &mailbox, &item_names)
            };
            authenticated(s, tag, K::Status, status).await
        }
        B::Append {
            mailbox,
            flags,
            date,
            message,
        } => {
            let fields = append::Append {
                mailbox: &mailbox,
                flags: &flags,
                date: date.as_ref(),
                message: &message,
            };
            let append = |s: &mut Session, a: Arc<Account>| append::handle(s, tag, &a, fields);
            authenticated(s, tag, K::Append, append).await
        }
        B::Enable { capabilities } => {
            let enable = |s: &mut Session, _| simple::enable(s, tag, capabilities.as_ref());
            authenticated(s, tag, K::Enable, enable).await
        }
        B::GetQuotaRoot { mailbox } => {
            let quota =
                |s: &mut Session, a: Arc<Account>| getquotaroot::handle(s, tag, &a, &mailbox);
            authenticated(s, tag, K::Getquotaroot, quota).await
        }
        // Timed on NOOP's row (there is no COMPRESS row); it flushes its
        // OK itself, uncompressed, before switching the connection.
        B::Compress { .. } => match s.account() {
            Some(_) => {
                let _worker = s.admit(K::Noop).await;
                compress::handle(s, tag).await
            }
            None => s.bad(tag, NOT_AUTHENTICATED),
        },
        B::GetQuota { .. } | B::SetQuota { .. } => {
            authenticated(s, tag, K::Noop, |s, _| simple::unsupported(s, tag)).await
        }
        // No row: an idling client holds no worker while it waits.
        B::Idle => match s.account() {
            Some(_) => s.idle(tag).await,
            None => s.bad(tag, NOT_AUTHENTICATED),
        },
        B::Check => in_mailbox(s, tag, K::Check, |m| simple::check(m, tag)).await,
        B::Expunge => in_mailbox(s, tag, K::Expunge, |m| expunge::expunge(m, tag)).await,
        B::Close => leaving(s, tag, K::Close, |s, left| expunge::close(s, tag, left)).await,
        B::Unselect => leaving(s, tag, K::Unselect, |s, _| simple::unselect(s, tag)).await,
        B::Search { criteria, uid, .. } => {
            let row = if uid { K::UidSearch } else { K::Search };
            in_mailbox(s, tag, row, |m| m.search(tag, &criteria, uid)).await
        }
        B::Fetch {
            sequence_set: set,
            macro_or_item_names: items,
            uid,
        } => {
            let row = fetch::row(&items, uid);
            in_mailbox(s, tag, row, |m| m.fetch(tag, &set, &items, uid)).await
        }
        B::Store {
            sequence_set: set,
            kind,
            response,
            flags,
            uid,
        } => {
            let row = if uid { K::UidStore } else { K::Store };
            let store =
                |m: &mut InMailbox| store::handle(m, tag, &set, &kind, &response, &flags, uid);
            in_mailbox(s, tag, row, store).await
        }
        B::Copy {
            sequence_set: set,
            mailbox,
            uid,
        } => {
            in_mailbox(s, tag, K::Copy, |m| {
                copy::handle(m, tag, &set, &mailbox, uid)
            })
            .await
        }
        B::Move {
            sequence_set: set,
            mailbox,
            uid,
        } => {
            in_mailbox(s, tag, K::Move, |m| {
                r#move::handle(m, tag, &set, &mailbox, uid)
            })
            .await
        }
    }
}

/// Serves a command recognised by its words (`None`: not one of them).
pub(super) async fn serve_by_verb(s: &mut Session, tag: &str, raw: &[u8]) -> Option<Next> {
    use CommandKind as K;
    let words = VerbWords::of(raw);
    Some(match (words.first.as_str(), words.second.as_str()) {
        // STARTTLS checks its own state: BAD after login or after TLS.
        ("STARTTLS", _) => {
            let _worker = s.admit(K::StartTls).await;
            starttls::handle(s, tag, raw).await
        }
        ("ID", _) => anywhere(s, K::Id, |s| simple::id(s, tag)).await,
        ("NAMESPACE", _) => {
            authenticated(s, tag, K::Namespace, |s, _| simple::namespace(s, tag)).await
        }
        ("LIST", _) => {
            let ext = list::extended(raw)?;
            let row = if ext.special_use {
                K::ListSpecialUse
            } else {
                K::List
            };
            let list = |s: &mut Session, _| list::list_extended(s, tag, &ext);
            authenticated(s, tag, row, list).await
        }
        ("UID", "EXPUNGE") => {
            in_mailbox(s, tag, K::UidExpunge, |m| uid_expunge::handle(m, tag, raw)).await
        }
        _ => return None,
    })
}

/// Runs `handle` holding a worker for `row`'s service time, in any state.
async fn anywhere(
    s: &mut Session,
    row: CommandKind,
    handle: impl FnOnce(&mut Session) -> Next,
) -> Next {
    let _worker = s.admit(row).await;
    handle(s)
}

/// Runs `handle` with the session's account, holding a worker for `row`;
/// BAD before login.
async fn authenticated(
    s: &mut Session,
    tag: &str,
    row: CommandKind,
    handle: impl FnOnce(&mut Session, Arc<Account>) -> Next,
) -> Next {
    let _worker = s.admit(row).await;
    match s.account() {
        Some(account) => handle(s, account),
        None => s.bad(tag, NOT_AUTHENTICATED),
    }
}

/// Runs `handle` on the selected mailbox, holding a worker for `row`; BAD
/// when none is selected.
async fn in_mailbox(
    s: &mut Session,
    tag: &str,
    row: CommandKind,
    handle: impl FnOnce(&mut InMailbox<'_>) -> Next,
) -> Next {
    let _worker = s.admit(row).await;
    match s.in_mailbox() {
        Some(mut mailbox) => handle(&mut mailbox),
        None => not_selected(s, tag),
    }
}

/// Leaves the selected mailbox and runs `handle` with it (CLOSE, UNSELECT),
/// holding a worker for `row`; BAD when none is selected.
async fn leaving(
    s: &mut Session,
    tag: &str,
    row: CommandKind,
    handle: impl FnOnce(&mut Session, Selected) -> Next,
) -> Next {
    let _worker = s.admit(row).await;
    match s.leave_mailbox() {
        Some(left) => handle(s, left),
        None => not_selected(s, tag),
    }
}

/// The BAD answer of a command of the selected state sent in another.
fn not_selected(s: &mut Session, tag: &str) -> Next {
    let why = match s.state {
        State::NotAuth => NOT_AUTHENTICATED,
        State::Auth(_) | State::Selected(_) => "No mailbox selected",
    };
    s.bad(tag, why)
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
