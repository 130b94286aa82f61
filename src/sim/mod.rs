//! The embedded topology: in-memory IMAP back ends (`mbx1`..) and CAS
//! proxies (`cas1`..) on loopback, so a new user can load-test with no
//! servers installed.
//!
//! Every server is a tokio task over an already-bound listener
//! ([`backend::run`], [`cas::run`]); [`Topology`] binds the listeners, makes
//! the certificates, starts the tasks and hands out per-server
//! [`ServerControl`]s for fault injection and queue gauges.

pub mod backend;
mod bind;
pub mod cas;
pub mod certs;
pub mod faults;
pub mod io;
pub mod listen;
pub mod lmtp;
pub mod message;
pub mod oauth;
pub mod service;
mod start;
pub mod store;
#[cfg(test)]
mod testclient;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_compress;
#[cfg(test)]
mod tests_condstore;
#[cfg(test)]
mod tests_control;
#[cfg(test)]
mod tests_fuzz;
#[cfg(test)]
mod tests_limits;
#[cfg(test)]
mod tests_lmtp;
#[cfg(test)]
mod tests_verbs;
pub mod upstream;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::plan::{EmbeddedPlan, User};
pub use service::ServerControl;
use start::Spawned;

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
    /// LMTP listener (RFC 2033) of a back end, delivering into its users'
    /// INBOX as APPEND does; `None` for a CAS.
    pub lmtp: Option<SocketAddr>,
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
        let bound = bind::bind(plan, port_base, runs).await?;
        let mut spawned = Spawned::new();
        let mut backend_addrs = bound.remote_backends;
        let backends = spawned.backends(
            bound.backends,
            plan,
            users,
            seed,
            &certs,
            &mut backend_addrs,
        )?;
        let cas = spawned.cas(bound.cas, plan, users, &certs, &backend_addrs)?;
        Ok(Topology {
            cas,
            backends,
            ca_pem: certs.ca_pem,
            controls: spawned.controls,
            shutdown: spawned.shutdown,
            tasks: spawned.tasks,
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
