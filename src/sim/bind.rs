//! Binding the embedded topology's listeners in its port numbering (cas1
//! plain, cas1 TLS, ..., mbx1 plain, mbx1 TLS, ...), so that servers spread
//! over several processes agree on every server's ports.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use anyhow::Context;
use tokio::net::TcpListener;

use crate::plan::EmbeddedPlan;

/// One server's two listeners (three for a back end).
pub(super) struct Listeners {
    /// `cas1`, `mbx2`...
    pub name: String,
    /// Plain listener (STARTTLS offered).
    pub plain: TcpListener,
    /// Implicit-TLS listener.
    pub tls: TcpListener,
    /// A back end's LMTP listener (RFC 2033); `None` for a CAS.
    pub lmtp: Option<TcpListener>,
}

/// The listeners of the servers this process runs, and where the back ends
/// that other processes run will listen (a CAS here forwards to them).
pub(super) struct Bound {
    /// CAS proxies run here, in name order.
    pub cas: Vec<Listeners>,
    /// Back ends run here, in name order.
    pub backends: Vec<Listeners>,
    /// Plain address of each back end run elsewhere.
    pub remote_backends: HashMap<String, SocketAddr>,
}

/// The port numbering: consecutive pairs from a base, or ephemeral ports.
struct Ports {
    /// The next port to hand out; `None` for ephemeral ports (0).
    next: Option<u16>,
}

impl Ports {
    /// The next two ports (plain, TLS); a server not run here still takes them.
    fn pair(&mut self) -> [u16; 2] {
        let mut pair = [0u16; 2];
        for p in &mut pair {
            *p = self.next.unwrap_or(0);
            if let Some(n) = self.next.as_mut() {
                *n = n.checked_add(1).unwrap_or(0);
            }
        }
        pair
    }
}

/// Binds the plain and TLS listeners of `name` on `pair`.
async fn bind_pair(listen: IpAddr, name: String, pair: [u16; 2]) -> anyhow::Result<Listeners> {
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
    Ok(Listeners {
        name,
        plain,
        tls,
        lmtp: None,
    })
}

/// Binds the listeners of every server `runs` accepts, CAS first, in the
/// numbering from `port_base`; the back ends' LMTP listeners come after
/// all the IMAP pairs (base + 2 x servers + i - 1 for `mbx<i>`), so the
/// IMAP numbering is what it was.
pub(super) async fn bind(
    plan: &EmbeddedPlan,
    port_base: Option<u16>,
    runs: impl Fn(&str) -> bool,
) -> anyhow::Result<Bound> {
    let mut ports = Ports { next: port_base };
    let mut cas = Vec::new();
    for i in 1..=plan.cas {
        let name = format!("cas{i}");
        let pair = ports.pair();
        if runs(&name) {
            cas.push(bind_pair(plan.listen, name, pair).await?);
        }
    }
    let mut backends = Vec::new();
    let mut remote_backends = HashMap::new();
    for i in 1..=plan.backends {
        let name = format!("mbx{i}");
        let pair = ports.pair();
        if runs(&name) {
            let mut server = bind_pair(plan.listen, name, pair).await?;
            let servers = u16::try_from(2 * (plan.cas + plan.backends) + i - 1).unwrap_or(0);
            let port = port_base.map_or(0, |b| b.checked_add(servers).unwrap_or(0));
            let addr = SocketAddr::new(plan.listen, port);
            let lmtp = TcpListener::bind(addr).await;
            server.lmtp = Some(lmtp.with_context(|| format!("binding LMTP {addr}"))?);
            backends.push(server);
        } else {
            remote_backends.insert(name, SocketAddr::new(plan.listen, pair[0]));
        }
    }
    Ok(Bound {
        cas,
        backends,
        remote_backends,
    })
}
