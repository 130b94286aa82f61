//! The embedded topology: in-memory IMAP back ends (`mbx1`..) and CAS
//! proxies (`cas1`..) on loopback, so a new user can load-test with no
//! servers installed.
//!
//! Every server is a tokio task over an already-bound listener
//! ([`backend::run`], [`cas::run`]); [`Topology`] binds the listeners, makes
//! the certificates, starts the tasks and hands out per-server
//! [`ServerControl`]s for fault injection and queue gauges.

pub mod backend;
pub mod cas;
pub mod certs;
#[cfg(test)]
mod control_tests;
pub mod faults;
#[cfg(test)]
mod fuzz_tests;
pub mod io;
#[cfg(test)]
mod limits_tests;
pub mod listen;
pub mod message;
pub mod oauth;
pub mod serve;
pub mod service;
pub mod store;
#[cfg(test)]
mod testclient;
#[cfg(test)]
mod tests;
pub mod upstream;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::plan::{EmbeddedPlan, User};
pub use service::ServerControl;

/// What an embedded server is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A CAS proxy.
    Cas,
    /// A mailbox back end.
    Backend,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Cas => "cas",
            Role::Backend => "backend",
        })
    }
}

/// Where one embedded server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// `cas1`, `mbx2`...
    pub name: String,
    /// CAS or back end.
    pub role: Role,
    /// Plain listener (STARTTLS offered).
    pub plain: SocketAddr,
    /// Implicit-TLS listener.
    pub tls: SocketAddr,
}

/// A running embedded topology. Dropping it without [`Topology::shutdown`]
/// also stops the servers (the token is cancelled on drop).
pub struct Topology {
    cas: Vec<ServerInfo>,
    backends: Vec<ServerInfo>,
    ca_pem: String,
    controls: HashMap<String, Arc<ServerControl>>,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Topology {
    /// Binds every listener (ephemeral ports, or `port_base`, `port_base+1`,
    /// ... in the order cas1 plain, cas1 TLS, ..., mbx1 plain, mbx1 TLS, ...),
    /// makes the CA and server certificate and starts every server as a
    /// tokio task. Back ends are `mbx1..mbxN`, CAS `cas1..casN`; each user
    /// may log in on the back end its `backend` names.
    pub async fn start(
        plan: &EmbeddedPlan,
        users: &[User],
        seed: u64,
        port_base: Option<u16>,
    ) -> anyhow::Result<Topology> {
        Self::start_only(plan, users, seed, port_base, None).await
    }

    /// Like [`Topology::start`], but runs only the servers named in `only`
    /// (all when `None`); the others keep their place in the port numbering,
    /// so a topology can be spread over several processes (each with its own
    /// open-file limit) whose URLs are those of the whole. A CAS finds the
    /// back ends of other processes by that numbering, so with a partial
    /// `only` a `port_base` is required.
    pub async fn start_only(
        plan: &EmbeddedPlan,
        users: &[User],
        seed: u64,
        port_base: Option<u16>,
        only: Option<&[String]>,
    ) -> anyhow::Result<Topology> {
        let runs = |name: &str| only.is_none_or(|list| list.iter().any(|n| n == name));
        if only.is_some() && port_base.is_none() {
            anyhow::bail!(
                "running only some servers needs a port base, so the processes agree on ports"
            );
        }
        let certs = certs::generate(plan.listen)?;
        let mut next_port = port_base;
        // The next two ports (plain, TLS) in the numbering, bound if `run`.
        let mut take = |run: bool| {
            let mut pair = [0u16; 2];
            for p in &mut pair {
                *p = next_port.unwrap_or(0);
                if let Some(n) = next_port.as_mut() {
                    *n = n.checked_add(1).unwrap_or(0);
                }
            }
            let listen = plan.listen;
            async move {
                if !run {
                    return anyhow::Ok((pair[0], None));
                }
                let mut bound = Vec::with_capacity(2);
                for port in pair {
                    let addr = SocketAddr::new(listen, port);
                    bound.push(
                        TcpListener::bind(addr)
                            .await
                            .with_context(|| format!("binding {addr}"))?,
                    );
                }
                let tls = bound.pop().expect("two listeners");
                let plain = bound.pop().expect("two listeners");
                Ok((pair[0], Some((plain, tls))))
            }
        };
        let mut cas_listeners = Vec::new();
        for i in 1..=plan.cas {
            let name = format!("cas{i}");
            if let (_, Some((p, t))) = take(runs(&name)).await? {
                cas_listeners.push((name, p, t));
            }
        }
        let mut be_listeners = Vec::new();
        let mut remote_backends = HashMap::new();
        for i in 1..=plan.backends {
            let name = format!("mbx{i}");
            match take(runs(&name)).await? {
                (_, Some((p, t))) => be_listeners.push((name, p, t)),
                (port, None) => {
                    remote_backends.insert(name, SocketAddr::new(plan.listen, port));
                }
            }
        }
        let info =
            |name: &str, role, p: &TcpListener, t: &TcpListener| -> anyhow::Result<ServerInfo> {
                Ok(ServerInfo {
                    name: name.to_string(),
                    role,
                    plain: p.local_addr()?,
                    tls: t.local_addr()?,
                })
            };
        let shutdown = CancellationToken::new();
        let mut tasks = Vec::new();
        let mut controls = HashMap::new();
        let mut backends = Vec::new();
        let mut backend_addrs = remote_backends;
        for (name, plain, tls) in be_listeners {
            let server = info(&name, Role::Backend, &plain, &tls)?;
            backend_addrs.insert(name.clone(), server.plain);
            let state =
                backend::Backend::new(&name, plan, users, seed, Some(certs.acceptor.clone()));
            controls.insert(name.clone(), state.control.clone());
            tasks.push(tokio::spawn(backend::run(
                plain,
                None,
                state.clone(),
                shutdown.clone(),
            )));
            tasks.push(tokio::spawn(backend::run(
                tls,
                Some(certs.acceptor.clone()),
                state,
                shutdown.clone(),
            )));
            backends.push(server);
        }
        let mut cas_infos = Vec::new();
        for (name, plain, tls) in cas_listeners {
            let server = info(&name, Role::Cas, &plain, &tls)?;
            let state = cas::Cas::new(
                &name,
                users,
                backend_addrs.clone(),
                Some(certs.acceptor.clone()),
                plan.login_disabled_without_tls,
                Some(certs::client_config(&certs.ca_der)?),
            );
            controls.insert(name.clone(), state.control.clone());
            tasks.push(tokio::spawn(cas::run(
                plain,
                None,
                state.clone(),
                shutdown.clone(),
            )));
            tasks.push(tokio::spawn(cas::run(
                tls,
                Some(certs.acceptor.clone()),
                state,
                shutdown.clone(),
            )));
            cas_infos.push(server);
        }
        Ok(Topology {
            cas: cas_infos,
            backends,
            ca_pem: certs.ca_pem,
            controls,
            shutdown,
            tasks,
        })
    }

    /// The CAS proxies, in name order.
    pub fn cas(&self) -> &[ServerInfo] {
        &self.cas
    }
    /// The back ends, in name order.
    pub fn backends(&self) -> &[ServerInfo] {
        &self.backends
    }
    /// PEM of the CA that signed the server certificate; clients trust this.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
    /// Knobs and gauges of the server called `name`.
    pub fn control(&self, name: &str) -> Option<Arc<ServerControl>> {
        self.controls.get(name).cloned()
    }
    /// The shutdown token every server task watches; cancelling it stops
    /// accepting and closes every connection.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stops every server and waits (at most 2 s) for the accept loops to end.
    /// Connection tasks end on the same token; they are not awaited.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        let tasks = std::mem::take(&mut self.tasks);
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            for t in tasks {
                let _ = t.await;
            }
        })
        .await;
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
