//! The embedded mailbox back end (`mbx1`..): IMAP4rev1 over an in-memory
//! store, with a worker pool and service-time model in front of every command.

mod auth;
mod commands;
mod envelope;
mod fetch;
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
use crate::sim::io::{Conn, Stream};
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
}

impl Backend {
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
            store: Store::new(
                name,
                users,
                seed,
                plan.messages_per_mailbox,
                plan.message_size,
            ),
            control: ServerControl::new(plan.workers_per_backend),
            model: ServiceModel::new(&plan.service),
            acceptor,
            login_disabled_without_tls: plan.login_disabled_without_tls,
            seed,
            connections: AtomicU64::new(0),
        })
    }
}

/// The capability list, as both servers advertise it: STARTTLS only where it
/// can still be used, LOGINDISABLED while logins are refused for lack of TLS.
pub fn capabilities(tls: bool, starttls: bool, login_disabled: bool) -> String {
    let mut c = String::from("IMAP4rev1 LITERAL+ SASL-IR IDLE AUTH=PLAIN UIDPLUS");
    if !tls && starttls {
        c.push_str(" STARTTLS");
    }
    if !tls && login_disabled {
        c.push_str(" LOGINDISABLED");
    }
    c
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
    loop {
        let (tcp, _) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(_) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => return,
        };
        if state.control.drop_connections() {
            drop(tcp);
            continue;
        }
        let _ = tcp.set_nodelay(true);
        let state = state.clone();
        let tls = tls.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let control = state.control.clone();
            let _gauge = control.connection_opened();
            let n = state.connections.fetch_add(1, Relaxed);
            let serve = async {
                let stream = match tls {
                    Some(acceptor) => match acceptor.accept(tcp).await {
                        Ok(s) => Stream::Tls(Box::new(s)),
                        Err(_) => return,
                    },
                    None => Stream::Plain(tcp),
                };
                session::Session::new(state, Conn::new(stream), n)
                    .run()
                    .await;
            };
            tokio::select! {
                _ = serve => {}
                _ = shutdown.cancelled() => {}
                _ = control.dropped() => {}
            }
        });
    }
}
