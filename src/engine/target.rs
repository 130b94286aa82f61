//! The servers a run's sessions connect to, resolved once before the run.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::imap::url::Endpoint;
use crate::results::Security;

/// Reads a server's own queue: (commands waiting for a worker, commands in service).
/// Only the embedded servers have one.
#[derive(Clone)]
pub struct OwnQueue(pub Arc<dyn Fn() -> crate::results::OwnReading + Send + Sync>);

impl std::fmt::Debug for OwnQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnQueue")
    }
}

/// A server the sessions connect to, resolved once before the run.
#[derive(Debug, Clone)]
pub struct Target {
    /// Server name (`cas1`, `mbx2`).
    pub name: String,
    /// Resolved address.
    pub addr: SocketAddr,
    /// Transport security.
    pub security: Security,
    /// Name sent in the handshake and checked against the certificate: the
    /// URL's `?sni=` or host, or `--tls-server-name` (set after resolving).
    pub server_name: String,
    /// The server's own queue gauge, when it has one (embedded servers).
    pub own_queue: Option<OwnQueue>,
    /// Share of sessions on a plain connection that STARTTLS anyway: the
    /// scenario's `starttls_share` for embedded servers (a scenario choice
    /// there), always 0 for real ones, whose URL alone says the security.
    pub starttls_share: f64,
    /// The back end's LMTP listener, where mail for its users is delivered
    /// (the embedded back ends have one; real servers: `--lmtp`).
    pub lmtp: Option<SocketAddr>,
}

impl Target {
    /// Resolves an endpoint (DNS once, before the run, so lookups are not timed).
    pub async fn resolve(name: &str, endpoint: &Endpoint) -> anyhow::Result<Target> {
        let addr = tokio::net::lookup_host(endpoint.authority())
            .await
            .map_err(|e| anyhow::anyhow!("cannot resolve {endpoint} ({name}): {e}"))?
            .next()
            .ok_or_else(|| anyhow::anyhow!("{endpoint} ({name}) resolves to no address"))?;
        Ok(Target {
            name: name.to_string(),
            addr,
            security: endpoint.security,
            server_name: endpoint.server_name().to_string(),
            own_queue: None,
            starttls_share: 0.0,
            lmtp: None,
        })
    }
}

/// Where sessions go: CAS proxies and back ends, in layout order.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// CAS proxies (may be empty: then every session is direct).
    pub cas: Vec<Target>,
    /// Back ends with a URL, in the order of the layout's back-end names;
    /// the layout's later back ends (behind a CAS only) have none, and no
    /// direct session goes to them.
    pub backends: Vec<Target>,
}

impl Targets {
    /// The LMTP address of back end `backend`, if it has one.
    pub fn lmtp_of(&self, backend: u16) -> Option<String> {
        let t = self.backends.get(backend as usize)?;
        t.lmtp.map(|a| a.to_string())
    }
}
