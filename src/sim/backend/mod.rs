//! The embedded mailbox back end (`mbx1`..): IMAP4rev1 over an in-memory
//! store, with a worker pool and service-time model in front of every command.

mod auth;
mod bearer;
mod cmd;
mod condstore;
mod envelope;
mod fetch;
mod flags;
mod idle;
mod search;
mod seqset;
mod session;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::plan::{EmbeddedPlan, User};
use crate::sim::listen::accept_loop;
use crate::sim::service::{ServerControl, ServiceModel};
use crate::sim::store::Store;

/// Consecutive-or-not BAD answers after which a connection is closed with BYE:
/// a client that keeps sending garbage is not an IMAP client.
pub const MAX_BADS: u32 = 20;

/// Shared state of one back end, used by all its connections.
pub struct Backend {
    /// Server name (`mbx1`), in greetings and logs.
    pub name: String,
    /// Users homed here and their mailboxes.
    pub store: Store,
    /// Faults and gauges.
    pub control: Arc<ServerControl>,
    /// Service times per command kind.
    pub model: ServiceModel,
    /// TLS for STARTTLS on the plain listener (and the implicit-TLS listener).
    pub acceptor: Option<TlsAcceptor>,
    /// Refuse LOGIN / AUTHENTICATE until STARTTLS on plain connections.
    pub login_disabled_without_tls: bool,
    /// Seed for connection RNGs.
    pub seed: u64,
    connections: AtomicU64,
    /// The body last APPENDed, shared by every later APPEND of the same
    /// bytes: a load generator appends one message over and over, and a
    /// copy per APPEND would grow the server's memory with the run's length.
    last_append: std::sync::Mutex<Option<std::sync::Arc<[u8]>>>,
}

impl Backend {
    /// `data` as a stored body, shared with the previous APPEND's when the
    /// bytes are the same.
    pub fn append_body(&self, data: &[u8]) -> std::sync::Arc<[u8]> {
        let mut last = self.last_append.lock().unwrap_or_else(|p| p.into_inner());
        match last.as_ref() {
            Some(body) if **body == *data => body.clone(),
            _ => {
                let body: std::sync::Arc<[u8]> = std::sync::Arc::from(data);
                *last = Some(body.clone());
                body
            }
        }
    }

    /// Delivers `data` into `user`'s INBOX as APPEND stores it (\\Recent,
    /// the next UID, received now), waking the sessions idling there; the
    /// UID, or `None` when the user is not homed here.
    pub fn deliver(&self, user: &str, data: &[u8]) -> Option<u32> {
        let inbox = self.store.homed(user)?.folder("INBOX")?.clone();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let message = crate::sim::store::Message {
            uid: 0,
            flags: crate::sim::store::flags::RECENT,
            date: now,
            size: u32::try_from(data.len()).unwrap_or(u32::MAX),
            modseq: 0,
            body: crate::sim::store::Body::Stored(self.append_body(data)),
        };
        let uid = inbox.lock().push(message);
        inbox.touch();
        Some(uid)
    }

    /// Builds the back end named `name` from the plan and the users table.
    pub fn new(
        name: &str,
        plan: &EmbeddedPlan,
        users: &[User],
        seed: u64,
        acceptor: Option<TlsAcceptor>,
    ) -> Arc<Backend> {
        Arc::new(Backend {
            name: name.to_string(),
            store: {
                let store = Store::new(
                    name,
                    users,
                    seed,
                    plan.messages_per_mailbox,
                    plan.message_size,
                );
                match &plan.mailset {
                    Some(set) => store.with_mailset(set.clone()),
                    None => store,
                }
            },
            control: ServerControl::new(plan.workers_per_backend),
            model: ServiceModel::new(&plan.service),
            acceptor,
            login_disabled_without_tls: plan.login_disabled_without_tls,
            seed,
            connections: AtomicU64::new(0),
            last_append: std::sync::Mutex::new(None),
        })
    }
}

/// The capability list, as both servers advertise it: the base (IMAP4rev1,
/// LITERAL+ for the framing), what the commands advertise, STARTTLS only
/// where it can still be used, LOGINDISABLED while logins are refused for
/// lack of TLS.
pub fn capabilities(tls: bool, starttls: bool, login_disabled: bool) -> String {
    let mut c = format!("IMAP4rev1 LITERAL+ {}", cmd::ADVERTISED);
    if !tls && starttls {
        c.push_str(" STARTTLS");
    }
    if !tls && login_disabled {
        c.push_str(" LOGINDISABLED");
    }
    c
}

/// The capability list after login, the same from both servers (the CAS
/// shows it in its LOGIN OK, the back end behind it answers CAPABILITY with
/// it): no STARTTLS nor LOGINDISABLED any more, and COMPRESS=DEFLATE, which
/// RFC 4978 lets a client use only once authenticated.
pub fn authenticated_capabilities() -> String {
    format!("IMAP4rev1 LITERAL+ {} COMPRESS=DEFLATE", cmd::ADVERTISED)
}

/// Accepts connections on `listener` until `shutdown` is cancelled. With
/// `tls` set the listener is implicit TLS; otherwise it is plain and offers
/// STARTTLS with the back end's own acceptor.
pub async fn run(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<Backend>,
    shutdown: CancellationToken,
) {
    let control = state.control.clone();
    accept_loop(listener, tls, control, shutdown, move |conn| {
        let state = state.clone();
        async move {
            let n = state.connections.fetch_add(1, Relaxed);
            session::Session::new(state, conn, n).run().await;
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use crate::plan::{load, Overrides, TopologyPlan};

    #[test]
    fn the_same_appended_bytes_are_stored_once() {
        let plan = load(None, &Overrides::default()).unwrap();
        let TopologyPlan::Embedded(e) = &plan.topology else {
            panic!("the quickstart is embedded")
        };
        let be = super::Backend::new("mbx1", e, &[], 1, None);
        let a = be.append_body(b"one message");
        let b = be.append_body(b"one message");
        let c = be.append_body(b"another one");
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        assert!(!std::sync::Arc::ptr_eq(&b, &c));
        assert_eq!((&*a, &*c), (&b"one message"[..], &b"another one"[..]));
    }
}
