//! Starting the embedded servers on their bound listeners: each server runs
//! an accept loop per listener (plain and TLS) as a tokio task, all watching
//! one shutdown token.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use super::bind::Listeners;
use super::certs::Certs;
use super::{backend, cas, Role, ServerControl, ServerInfo};
use crate::plan::{EmbeddedPlan, User};

/// The servers started so far: what [`super::Topology`] keeps of them.
pub(super) struct Spawned {
    /// Cancelled to stop every server.
    pub shutdown: CancellationToken,
    /// The accept loops.
    pub tasks: Vec<JoinHandle<()>>,
    /// Each server's knobs and gauges, by name.
    pub controls: HashMap<String, Arc<ServerControl>>,
}

/// Where a server listens, from its bound listeners.
fn info(l: &Listeners, role: Role) -> anyhow::Result<ServerInfo> {
    Ok(ServerInfo {
        name: l.name.clone(),
        role,
        plain: l.plain.local_addr()?,
        tls: l.tls.local_addr()?,
        lmtp: l.lmtp.as_ref().map(TcpListener::local_addr).transpose()?,
    })
}

impl Spawned {
    /// Nothing started yet.
    pub fn new() -> Spawned {
        Spawned {
            shutdown: CancellationToken::new(),
            tasks: Vec::new(),
            controls: HashMap::new(),
        }
    }

    /// Starts the back ends bound here, in order, and adds each one's plain
    /// address to `addrs` (where a CAS finds it).
    pub fn backends(
        &mut self,
        bound: Vec<Listeners>,
        plan: &EmbeddedPlan,
        users: &[User],
        seed: u64,
        certs: &Certs,
        addrs: &mut HashMap<String, SocketAddr>,
    ) -> anyhow::Result<Vec<ServerInfo>> {
        let mut servers = Vec::new();
        for listeners in bound {
            let server = info(&listeners, Role::Backend)?;
            let Listeners {
                name,
                plain,
                tls,
                lmtp,
            } = listeners;
            addrs.insert(name.clone(), server.plain);
            let state =
                backend::Backend::new(&name, plan, users, seed, Some(certs.acceptor.clone()));
            self.controls.insert(name.clone(), state.control.clone());
            if let Some(lmtp) = lmtp {
                let serve = super::lmtp::run(lmtp, state.clone(), self.shutdown.clone());
                self.tasks.push(tokio::spawn(serve));
            }
            let acceptor = certs.acceptor.clone();
            self.serve_both(plain, tls, acceptor, state, backend::run);
            servers.push(server);
        }
        Ok(servers)
    }

    /// Starts the CAS proxies bound here, in order, each forwarding to the
    /// back ends at `backends`.
    pub fn cas(
        &mut self,
        bound: Vec<Listeners>,
        plan: &EmbeddedPlan,
        users: &[User],
        certs: &Certs,
        backends: &HashMap<String, SocketAddr>,
    ) -> anyhow::Result<Vec<ServerInfo>> {
        let mut servers = Vec::new();
        for listeners in bound {
            let server = info(&listeners, Role::Cas)?;
            let Listeners {
                name, plain, tls, ..
            } = listeners;
            let state = cas::Cas::new(
                &name,
                users,
                backends.clone(),
                Some(certs.acceptor.clone()),
                plan.login_disabled_without_tls,
                Some(super::certs::client_config(&certs.ca_der)?),
            );
            self.controls.insert(name.clone(), state.control.clone());
            let acceptor = certs.acceptor.clone();
            self.serve_both(plain, tls, acceptor, state, cas::run);
            servers.push(server);
        }
        Ok(servers)
    }

    /// Spawns one server's two listeners (plain with STARTTLS, implicit
    /// TLS) over the same state, both stopped by the shutdown token.
    fn serve_both<S, F, Fut>(
        &mut self,
        plain: TcpListener,
        tls: TcpListener,
        acceptor: TlsAcceptor,
        state: S,
        run: F,
    ) where
        S: Clone,
        F: Fn(TcpListener, Option<TlsAcceptor>, S, CancellationToken) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let first = run(plain, None, state.clone(), self.shutdown.clone());
        self.tasks.push(tokio::spawn(first));
        let second = run(tls, Some(acceptor), state, self.shutdown.clone());
        self.tasks.push(tokio::spawn(second));
    }
}
